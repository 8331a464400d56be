import 'reflect-metadata';
import { type GraphQLSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from '../context.js';
import { RESOLVERS } from './resolvers.js';

/** The executable schema, built from the resolver classes. */
export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: [...RESOLVERS], authChecker, validate: false });
}

/** The SDL checked in as schema/schema.graphql (in the resolvers' declaration order: deterministic). */
export async function schemaSdl(): Promise<string> {
  const header = '# Emitted from the resolvers (server/schema/) by `npm run schema:emit`. Do not edit.\n\n';
  return header + printSchema(await buildApiSchema()) + '\n';
}
