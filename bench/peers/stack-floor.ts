/**
 * The floor of the stack the product is built on: Express 5 + Apollo Server 5 + graphql-upload
 * (as patched here: uploads in memory) serving the product's schema (its SDL, so the SDK's
 * documents validate) with one resolver: `similarImages` calling the same in-process search and
 * answering with the product's own mapping. No type-graphql wrappers, compression, CORS, security
 * headers, request guard, query cost, timing or error mapping: what the product adds over this
 * is its own; what this adds over the bare floor is the stack's.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import type { ImsearchService } from '../../service/service.js';
import { toSearchResult } from '../../server/schema/resolvers.js';
import { schemaSdl } from '../../server/schema/build.js';
import type { BareApi } from './bare-api.js';

async function readUpload(upload: Promise<FileUpload>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of (await upload).createReadStream()) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startStackFloor(service: ImsearchService, collection: string): Promise<BareApi> {
  const app = express();
  const server = http.createServer(app);
  let url = '';
  const apollo = new ApolloServer({
    typeDefs: await schemaSdl(),
    resolvers: {
      Upload: GraphQLUpload,
      Query: {
        similarImages: async (_: unknown, args: { upload: Promise<FileUpload>; k?: number }) => {
          const k = args.k ?? 10;
          return toSearchResult(await service.searchImage(collection, await readUpload(args.upload), { k }), k, undefined, url);
        },
      },
    },
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled()],
  });
  await apollo.start();
  app.use('/graphql', graphqlUploadExpress(), express.json(), expressMiddleware(apollo));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${url}/graphql`,
    close: async () => {
      await apollo.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
