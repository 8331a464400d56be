/**
 * `imsearch serve`: the GraphQL API, the results page and the explorer over one or more
 * collections. Every option has an environment variable; flags win.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_HOST, DEFAULT_LIMITS, DEFAULT_PORT, DEFAULT_THUMBNAIL_SIZE } from '../server/config.js';
import { resolvePaths } from './config.js';

interface ServeFlags {
  collection?: string[];
  port?: string;
  host?: string;
  apiKey?: string;
  roots?: string;
  maxK?: string;
  maxUploadBytes?: string;
  maxFiles?: string;
  maxPixels?: string;
  maxQueryCost?: string;
  thumbnailSize?: string;
  publicUrl?: string;
  corsOrigin?: string[];
}

interface GlobalFlags {
  data?: string;
  modelDir?: string;
  threads?: string;
}

/** "16777216", "512k", "16M", "1G" (binary multiples) -> bytes. */
export function parseBytes(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(value);
  if (!m) throw new Error(`expected a size in bytes (e.g. 16777216, 512k, 16M), received "${value}"`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * mult);
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const collect = (value: string, previous: string[] = []) => [...previous, ...list(value)];

const env = (name: string) => (process.env[name] === '' ? undefined : process.env[name]);

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the GraphQL API (/graphql), the results page (/) and a GraphQL explorer (/graphiql)')
    .option('-c, --collection <names>', 'collection(s) to serve, comma-separated or repeated; the first is the default (env IMSEARCH_COLLECTION; default: all)', collect)
    .option('-p, --port <n>', `port, 0 for any free one (env IMSEARCH_PORT, default ${DEFAULT_PORT})`)
    .option('--host <address>', `address to bind (env IMSEARCH_HOST, default ${DEFAULT_HOST}); a non-loopback address needs --api-key`)
    .option('--api-key <key>', 'require "Authorization: Bearer <key>" on mutations (env IMSEARCH_API_KEY)')
    .option('--roots <dirs>', 'folders indexFolder may read, comma-separated (env IMSEARCH_ROOTS; default: none)')
    .option('--max-k <n>', `largest k (env IMSEARCH_MAX_K, default ${DEFAULT_LIMITS.maxK})`)
    .option('--max-upload-bytes <size>', `largest uploaded file, e.g. 16M (env IMSEARCH_MAX_UPLOAD_BYTES, default ${DEFAULT_LIMITS.maxUploadBytes})`)
    .option('--max-files <n>', `most files per request (env IMSEARCH_MAX_FILES, default ${DEFAULT_LIMITS.maxFiles})`)
    .option('--max-pixels <n>', `largest decoded image in pixels (env IMSEARCH_MAX_PIXELS, default ${DEFAULT_LIMITS.maxPixels})`)
    .option('--max-query-cost <n>', `largest estimated cost of one GraphQL request (env IMSEARCH_MAX_QUERY_COST, default ${DEFAULT_LIMITS.maxQueryCost})`)
    .option('--thumbnail-size <px>', `thumbnail edge (env IMSEARCH_THUMBNAIL_SIZE, default ${DEFAULT_THUMBNAIL_SIZE})`)
    .option('--public-url <url>', 'base of media URLs in responses and the host name the server answers to besides loopback ones (env IMSEARCH_PUBLIC_URL; default: the listening address)')
    .option('--cors-origin <origins>', 'exact origins (https://app.example.com) whose pages may call the API, comma-separated or repeated (env IMSEARCH_CORS_ORIGINS; default: none)', collect)
    .action(async (o: ServeFlags, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalFlags;
      const paths = resolvePaths(globals);
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const maxUpload = o.maxUploadBytes ?? env('IMSEARCH_MAX_UPLOAD_BYTES');
      // Loaded here, not at the top: every other command would pay for Apollo, Express and the engine.
      const { startServer } = await import('../server/app.js');
      const server = await startServer({
        dataDir: paths.dataDir,
        modelDir: paths.modelDir,
        collections: o.collection ?? list(env('IMSEARCH_COLLECTION')),
        host: o.host ?? env('IMSEARCH_HOST'),
        port: (o.port ?? env('IMSEARCH_PORT')),
        apiKey: o.apiKey ?? env('IMSEARCH_API_KEY'),
        roots: list(o.roots ?? env('IMSEARCH_ROOTS')).map((r) => path.resolve(r)),
        threads: globals.threads,
        publicUrl: o.publicUrl ?? env('IMSEARCH_PUBLIC_URL'),
        corsOrigins: o.corsOrigin ?? list(env('IMSEARCH_CORS_ORIGINS')),
        thumbnailSize: (o.thumbnailSize ?? env('IMSEARCH_THUMBNAIL_SIZE')),
        limits: {
          maxK: (o.maxK ?? env('IMSEARCH_MAX_K')),
          maxUploadBytes: maxUpload === undefined ? undefined : parseBytes(maxUpload),
          maxFiles: (o.maxFiles ?? env('IMSEARCH_MAX_FILES')),
          maxPixels: (o.maxPixels ?? env('IMSEARCH_MAX_PIXELS')),
          maxQueryCost: (o.maxQueryCost ?? env('IMSEARCH_MAX_QUERY_COST')),
        },
        log,
      });
      process.stdout.write(`${server.url}\n`);
      // A repeated signal while stopping is ignored; a stuck close is cut off.
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log(`${signal}: finishing requests and jobs, then stopping`);
        setTimeout(() => {
          log('still stopping after 30 s: exiting');
          process.exit(1);
        }, 30_000).unref();
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            log(`error while stopping: ${(err as Error).message}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
