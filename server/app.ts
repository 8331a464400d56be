/**
 * The HTTP server: Express 5 with Apollo Server 5 (type-graphql schema, graphql-upload for
 * multipart requests) at /graphql, subscriptions over WebSocket on the same path, images at /media, metrics at /metrics, the results page at /,
 * GraphiQL (offline) at /graphiql, the built-in explorer at /explorer. Everything is loaded before
 * it listens.
 */
import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import compression from 'compression';
import cors from 'cors';
import express from 'express';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import { ImsearchError } from '../errors/error-codes.js';
import { fitInWorker } from '../service/fit-in-worker.js';
import { ImsearchService } from '../service/service.js';
import { WorkerEmbedder } from '../service/worker-embedder.js';
import { type ServerConfig, type ServerConfigInput, resolveServerConfig } from './config.js';
import { type ApiContext, makeContext } from './context.js';
import { errorBody, formatError, httpErrorBody } from './errors.js';
import { builtinExplorerRouter, explorerRouter } from './explorer.js';
import { refitWhenStale } from './fit-job.js';
import { JobRegistry } from './jobs.js';
import { mediaRouter } from './media.js';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus.js';
import { queryCostPlugin, queryTokenGuard } from './query-cost.js';
import { requestCheck, requestGuard } from './request-guard.js';
import { AllowedRoots } from './roots.js';
import { buildApiSchema, schemaSdl } from './schema/build.js';
import { securityHeaders } from './security-headers.js';
import { serveSubscriptions } from './subscriptions.js';
import { Metrics, timingPlugin } from './timing.js';

export interface RunningServer {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  service: ImsearchService;
  metrics: Metrics;
  close(): Promise<void>;
}

/** The job history, next to the collections (a file, so it is never taken for a collection). */
const JOBS_FILE = 'jobs.json';
// Relative to dist/server/ and to the bundled CLI's dist/cli-bundle/ alike (both two levels down).
const PUBLIC_DIR = fileURLToPath(new URL('../../server/public/', import.meta.url));
const WEB_DIR = fileURLToPath(new URL('../server/web/', import.meta.url));
const SDK_DIR = fileURLToPath(new URL('../sdk/', import.meta.url));

/** GraphQL answers smaller than this go uncompressed (a k = 10 search answer is about 4 KiB). */
const GRAPHQL_COMPRESS_BYTES = 8 * 1024;

const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'];

/** What the SDK and graphql-upload send cross-origin (Accept is safelisted). */
const CORS_HEADERS = ['Authorization', 'Apollo-Require-Preflight', 'Content-Type', 'X-Apollo-Operation-Name'];

export class StartupError extends ImsearchError {
  override name = 'StartupError';
}

/**
 * Opens the collections (the named ones, else every one in the data directory) with their models
 * and indexes, then listens. Throws (nothing listening) when any fails: a server that starts
 * serves what it was asked to. Collections created later, by the API or another process, are
 * served too.
 */
export async function startServer(input: ServerConfigInput): Promise<RunningServer> {
  const config: ServerConfig = resolveServerConfig(input);
  const log = config.log ?? (() => undefined);
  const roots = await AllowedRoots.resolve(config.roots);
  let jobs: JobRegistry | undefined;
  const service = new ImsearchService({
    dataDir: config.dataDir,
    // Decoding, preprocessing and inference in one worker thread per model set: two threads per query.
    embedders: (models, identity) => WorkerEmbedder.create(models, { modelDir: config.modelDir, ...identity, threads: config.threads, maxPixels: config.limits.maxPixels }),
    fit: fitInWorker,
    limits: config.limits,
    defaultCollection: config.collections[0],
    log,
    // The refit policy (service/fit-freshness.ts): the registry exists once the collections are loaded.
    onItemsChanged: (c) => {
      if (jobs) void refitWhenStale({ service, jobs }, c, log);
    },
  });
  await preload(service, config.collections, log).catch(async (err: unknown) => {
    await service.close();
    throw err;
  });
  jobs = await JobRegistry.open(path.join(config.dataDir, JOBS_FILE), log);
  const parts = { service, jobs, roots, limits: config.limits };
  const metrics = new Metrics();
  const app = express();
  const httpServer = http.createServer(app);

  // The media URL base: the configured public URL, or the listening address once it listens.
  let url = '';
  const baseUrl = () => config.publicUrl ?? url;
  let apollo: ApolloServer<ApiContext>;
  try {
    const schema = await buildApiSchema();
    const subscriptions = serveSubscriptions(httpServer, {
      schema,
      parts,
      apiKey: config.apiKey,
      check: config.apiKey === undefined ? requestCheck(config) : null,
      baseUrl,
      log,
    });
    apollo = new ApolloServer<ApiContext>({
      schema,
      csrfPrevention: true,
      // The explorer and the SDK's tooling read the schema.
      introspection: true,
      formatError: formatError(log),
      includeStacktraceInErrorResponses: false,
      // The owner of the process (imsearch serve, a test) decides when to stop.
      stopOnTerminationSignals: false,
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        // Upgraded sockets are not the HTTP server's any more: its drain would not end them.
        { serverWillStart: async () => ({ drainServer: () => subscriptions.close() }) },
        ApolloServerPluginLandingPageDisabled(),
        // Installed by default, it wraps every field's resolver to compute cache hints that no
        // response here uses (POST answers are not cached): about 1 ms per search answer.
        ApolloServerPluginCacheControlDisabled(),
        timingPlugin(metrics),
        queryCostPlugin(config.limits, {
          collections: () => service.collections.names().length,
          jobs: () => jobs.list().length,
          maxK: config.limits.maxK,
          maxPageSize: config.limits.maxPageSize,
        }),
      ],
    });
    await apollo.start();
  } catch (err) {
    await service.close();
    metrics.close();
    throw err;
  }

  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // A gzip stream per response costs 1.5 to 2 ms here (BENCHMARKS.md, issue 14): for an answer
  // under 8 KiB that is more than the bytes it saves take to send on any link above ~30 Mbit/s,
  // and a k = 10 search answer is about 4 KiB. Pages and bundles keep the library's 1 KiB.
  const compressPages = compression();
  const compressAnswers = compression({ threshold: GRAPHQL_COMPRESS_BYTES });
  app.use((req, res, next) => (req.path === '/graphql' ? compressAnswers : compressPages)(req, res, next), securityHeaders());
  if (config.apiKey === undefined) app.use(requestGuard(config));
  if (config.corsOrigins.length) app.use(cors({ origin: config.corsOrigins, methods: ['GET', 'POST'], allowedHeaders: CORS_HEADERS, maxAge: 600 }));

  app.use(
    '/graphql',
    // A multipart request without a preflight header goes to Apollo unparsed, which refuses it
    // as CSRF before reading a byte of the files.
    (req, _res, next) => {
      if (req.is('multipart/form-data') && !PREFLIGHT_HEADERS.some((h) => req.headers[h])) req.body = {};
      next();
    },
    (req, res, next) => {
      if (req.is('multipart/form-data') && req.body === undefined) {
        return graphqlUploadExpress({ maxFileSize: config.limits.maxUploadBytes, maxFiles: config.limits.maxFiles })(req, res, next);
      }
      next();
    },
    express.json({ limit: config.limits.maxJsonBytes }),
    queryTokenGuard(config.limits),
    // Requests are served only once listening, so `url` is known by then.
    expressMiddleware(apollo, { context: makeContext(parts, config.apiKey, baseUrl) }),
  );

  app.get('/schema.graphql', async (_req, res) => {
    res.type('text/plain').send(await schemaSdl());
  });
  const jobCounts = () => ({ total: jobs.list().length, running: jobs.list().filter((j) => j.state === 'RUNNING').length });
  app.get('/metrics', (_req, res) => {
    res.type(PROMETHEUS_CONTENT_TYPE).send(prometheusText(metrics.snapshot(), jobCounts()));
  });
  app.get('/metrics.json', (_req, res) => {
    res.json({ ...metrics.snapshot(), jobs: jobCounts() });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, collections: service.collections.names() });
  });
  app.use('/media', mediaRouter(service, { thumbnailSize: config.thumbnailSize, maxPixels: config.limits.maxPixels }));
  const csp = pageSecurityPolicy(config.publicUrl);
  app.use('/graphiql', explorerRouter(PUBLIC_DIR, csp));
  app.use('/explorer', builtinExplorerRouter(PUBLIC_DIR, csp));
  // The SDK's browser build (ES modules), for this server's pages and, with CORS, other origins'.
  app.use('/sdk', express.static(SDK_DIR, { index: false, extensions: [] }));
  app.use('/web', express.static(WEB_DIR, { index: false }));
  app.use(
    express.static(PUBLIC_DIR, {
      index: 'index.html',
      setHeaders: (res, file) => {
        if (file.endsWith('.html')) res.setHeader('Content-Security-Policy', csp);
      },
    }),
  );
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found');
  });

  // Errors outside Apollo (multipart parsing, JSON body): GraphQL-shaped, with a code.
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const mapped = httpErrorBody(err);
    if (mapped) {
      res.status(mapped.status).json(mapped.body);
      return;
    }
    log(`http error: ${(err as Error).stack ?? String(err)}`);
    res.status(500).json(errorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  }).catch(async (err) => {
    await apollo.stop();
    await service.close();
    metrics.close();
    throw err;
  });
  // Start-up (schema build, model loading) is not serving: measure the loop from here.
  metrics.resetEventLoop();
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  url = `http://${host}:${port}`;
  log(`listening on ${url} (GraphQL ${url}/graphql, GraphiQL ${url}/graphiql, results page ${url}/)`);
  if (!config.publicUrl && (config.host === '0.0.0.0' || config.host === '::')) {
    log(`media URLs name ${url}, which clients cannot reach: set --public-url to the address they use`);
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    service,
    metrics,
    close() {
      closing ??= (async () => {
        await apollo.stop();
        await jobs.close();
        await service.close();
        metrics.close();
      })();
      return closing;
    },
  };
}

/** Opens the collections (and loads their models) before listening, so the first query is not the one that waits. */
async function preload(service: ImsearchService, names: readonly string[], log: (line: string) => void): Promise<void> {
  const all = names.length ? [...new Set(names)] : service.collections.names();
  if (!all.length) log(`no collections in ${service.dataDir} yet: create one (createCollection, or imsearch index <folder> --collection NAME)`);
  for (const name of all) {
    try {
      const c = await service.collections.get(name);
      const embedder = await c.embedder();
      c.searcher.checkEmbedder(embedder);
    } catch (err) {
      const e = err as ImsearchError;
      throw new StartupError(e.code ?? 'INTERNAL_SERVER_ERROR', `cannot load collection "${name}" (${path.join(service.dataDir, 'collections', name)}): ${e.message ?? String(err)}`, {}, { cause: err });
    }
  }
}

/** The pages load only this server's scripts, styles and images (and blob: previews). */
function pageSecurityPolicy(publicUrl: string | undefined): string {
  const media = publicUrl ? ` ${new URL(publicUrl).origin}` : '';
  return `default-src 'self'; img-src 'self' blob: data:${media}; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}
