import 'reflect-metadata';
import { type GraphQLSchema, printSchema } from 'graphql';
import { type PubSub, buildSchema } from 'type-graphql';
import { authChecker } from '../context.js';
import { RESOLVERS } from './resolvers.js';

/**
 * type-graphql wants a PubSub as soon as the schema has a subscription, even when each one brings
 * its own `subscribe` (jobUpdated does): topics are not used, so this one refuses them.
 */
const NO_TOPICS: PubSub = {
  publish: () => {
    throw new Error('subscriptions here have their own subscribe function, not topics');
  },
  subscribe: () => {
    throw new Error('subscriptions here have their own subscribe function, not topics');
  },
};

/** type-graphql has no option for the root types' descriptions. */
const ROOT_DESCRIPTIONS = {
  Query: 'Searches, collections and their items, models, limits, jobs.',
  Mutation: 'Writes: collections, images, indexes, metric fits (they need the API key when the server has one).',
  Subscription: 'Live updates over WebSocket (graphql-ws protocol at /graphql; the API key, when needed, in connectionParams.authorization).',
};

/** The executable schema, built from the resolver classes. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({ resolvers: [...RESOLVERS], authChecker, validate: false, pubSub: NO_TOPICS });
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (root) root.description = ROOT_DESCRIPTIONS[root.name as keyof typeof ROOT_DESCRIPTIONS];
  }
  return schema;
}

/** The SDL checked in as schema/schema.graphql (in the resolvers' declaration order: deterministic). */
export async function schemaSdl(): Promise<string> {
  const header = '# Emitted from the resolvers (server/schema/) by `npm run schema:emit`. Do not edit.\n\n';
  return header + printSchema(await buildApiSchema()) + '\n';
}
