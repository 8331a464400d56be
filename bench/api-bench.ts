/**
 * GraphQL API benchmark.
 *
 *  1. Latency: `similarImages` end to end through the SDK (multipart upload over HTTP on
 *     127.0.0.1, parsing, GraphQL, JSON) against the engine's in-process search of the same
 *     image (CollectionSearcher.searchImage with the server's own embedder and index), in the
 *     same run, rotating which goes first; p50 / p90 / p99 and the ratio at p50. The SDK runs
 *     as Node code gets it from `@imsearch/sdk/node` (node:http) and as the browser-safe entry
 *     (fetch).
 *  2. Load: autocannon in its own process, 16 connections for 30 s of multipart similarImages
 *     (query photos cycled): errors, latency percentiles, throughput, the server's RSS before,
 *     peak and after, and the server's event-loop delay (1 ms sampling) during the run against
 *     an idle baseline.
 *
 *   npm run build && node dist/bench/api-bench.js [--per-class N] [--queries 200] [--seconds 30] [--connections 16]
 *
 * The collection: the Caltech-101 gallery (all of it by default), mobilenetv2-int8, flat index.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ImsearchClient as FetchClient } from '../sdk/index.js';
import { ImsearchClient } from '../sdk/node.js';
import { caltechDir } from '../test/helpers/paths.js';
import { cliLikeService } from '../test/helpers/service.js';
import { FIXTURE_MODEL, buildFixture, caltechFiles, startFixtureServer } from './api-fixture.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const perClass = arg('per-class', Number.POSITIVE_INFINITY);
const queries = arg('queries', 200);
const seconds = arg('seconds', 30);
const connections = arg('connections', 16);
const warmup = 20;

const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: q(s, 0.5), p90: q(s, 0.9), p99: q(s, 0.99), mean: s.reduce((a, b) => a + b, 0) / s.length, n: s.length };
};
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function machine(): string {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    model = /Model name:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1].trim() ?? model;
  } catch {
    // lscpu missing: os.cpus() model
  }
  return `${model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
}

async function main(): Promise<void> {
  const classes = (await fs.readdir(path.join(caltechDir, 'gallery'))).filter((c) => !c.startsWith('.')).sort();
  const t0 = performance.now();
  const fx = await buildFixture({ classes, perClass });
  const indexSeconds = (performance.now() - t0) / 1000;
  process.stderr.write(`indexed ${fx.itemCount} gallery photos in ${f1(indexSeconds)} s\n`);
  const server = await startFixtureServer(fx);
  try {
    const client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
    const fetchClient = new FetchClient({ endpoint: `${server.url}/graphql` });
    // The engine as the CLI runs it: the same collection, index and models, in this thread.
    const inProc = cliLikeService(fx.dataDir, { modelDir: fx.modelDir });
    await (await inProc.collection(fx.collection)).embedder(); // load the models before timing
    const photos = await Promise.all(classes.map(async (c) => (await caltechFiles('queries', c, 1))[0]));
    const bytes = await Promise.all(photos.map((p) => fs.readFile(p)));
    const files = bytes.map((b, i) => new File([new Uint8Array(b)], path.basename(photos[i]), { type: 'image/jpeg' }));

    // ---- 1. latency: SDK end to end vs in-process engine, same images, same run
    type Ranked = { matches: readonly { item: { id: string | number } }[] };
    const contenders: Record<'engine' | 'sdk' | 'fetch', { search: (i: number) => Promise<Ranked>; ms: number[] }> = {
      engine: { search: (i) => inProc.searchImage(fx.collection, bytes[i % bytes.length], { k: 10 }), ms: [] },
      sdk: { search: (i) => client.similarImages(files[i % files.length], { k: 10 }), ms: [] },
      fetch: { search: (i) => fetchClient.similarImages(files[i % files.length], { k: 10 }), ms: [] },
    };
    const names = Object.keys(contenders) as (keyof typeof contenders)[];
    for (let i = 0; i < warmup; i++) for (const name of names) await contenders[name].search(i);
    const serverTotalMs: number[] = [];
    let agree = 0;
    for (let i = 0; i < queries; i++) {
      const ids = new Set<string>();
      for (let j = 0; j < names.length; j++) {
        const name = names[(i + j) % names.length];
        const start = performance.now();
        const r = await contenders[name].search(i);
        contenders[name].ms.push(performance.now() - start);
        if (name === 'sdk') serverTotalMs.push(client.lastTiming?.totalMs ?? Number.NaN);
        ids.add(r.matches.map((m) => String(m.item.id)).join());
      }
      if (ids.size === 1) agree++;
    }
    await inProc.close();
    const engine = stats(contenders.engine.ms);
    const sdk = stats(contenders.sdk.ms);
    const viaFetchStats = stats(contenders.fetch.ms);
    const serverSide = stats(serverTotalMs);

    // ---- 2. load: autocannon in its own process
    const idle = monitorEventLoopDelay({ resolution: 1 });
    idle.enable();
    await new Promise((r) => setTimeout(r, 3000));
    idle.disable();
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    server.metrics.resetEventLoop();
    let rssPeak = rssBefore;
    const rssSeries: number[] = [];
    const sampler = setInterval(() => {
      const rss = process.memoryUsage().rss;
      rssSeries.push(rss);
      rssPeak = Math.max(rssPeak, rss);
    }, 1000);
    const loadScript = fileURLToPath(new URL('./api-load.js', import.meta.url));
    const loadPhotos = photos.filter((_, i) => i % 12 === 0);
    const load = await new Promise<Record<string, any>>((resolve, reject) => {
      const child = spawn(process.execPath, [loadScript, server.url, String(connections), String(seconds), ...loadPhotos], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, any>) : reject(new Error(`load generator exited ${code}`))));
    });
    clearInterval(sampler);
    loop.disable();
    const rssAfter = process.memoryUsage().rss;
    const serverMetrics = server.metrics.snapshot() as Record<string, any>;
    const ms = (h: { percentile(p: number): number; max: number }, p: number | 'max') => (p === 'max' ? h.max : h.percentile(p)) / 1e6;

    const date = new Date().toISOString().slice(0, 10);
    const cmd = `npm run build && node dist/bench/api-bench.js${Number.isFinite(perClass) ? ` --per-class ${perClass}` : ''} --queries ${queries} --seconds ${seconds} --connections ${connections}`;
    const stage = (name: string) => serverMetrics.stages?.[name] as { p50Ms: number; p99Ms: number } | undefined;
    const md = `## GraphQL API

Measured ${date} on ${machine()}. Command: \`${cmd}\`.
Collection: the Caltech-101 gallery, ${fx.itemCount} photos, model \`${FIXTURE_MODEL}\` (1280-d), index \`flat\`, ONNX Runtime threads = physical cores; query photos: the first query image of each of the ${classes.length} classes, cycled. Server and client on 127.0.0.1.

### similarImages latency: SDK end to end vs in-process engine (same images, same run, k = 10)

| path | n | p50 ms | p90 ms | p99 ms | mean ms |
| --- | --- | --- | --- | --- | --- |
| engine in process, as the CLI runs it (\`CollectionSearcher.searchImage\` with an in-thread \`Embedder\`: decode + embed + index search) | ${engine.n} | ${f2(engine.p50)} | ${f2(engine.p90)} | ${f2(engine.p99)} | ${f2(engine.mean)} |
| SDK (\`@imsearch/sdk/node\`, node:http) → HTTP multipart → Apollo → same searcher, embedder in the server's worker thread → JSON → SDK | ${sdk.n} | ${f2(sdk.p50)} | ${f2(sdk.p90)} | ${f2(sdk.p99)} | ${f2(sdk.mean)} |
| the same through the browser-safe SDK (\`@imsearch/sdk\`, fetch) | ${viaFetchStats.n} | ${f2(viaFetchStats.p50)} | ${f2(viaFetchStats.p90)} | ${f2(viaFetchStats.p99)} | ${f2(viaFetchStats.mean)} |
| (server-side \`extensions.timing.totalMs\` of those requests) | ${serverSide.n} | ${f2(serverSide.p50)} | ${f2(serverSide.p90)} | ${f2(serverSide.p99)} | ${f2(serverSide.mean)} |

**Ratio SDK / engine at p50: ${f2(sdk.p50 / engine.p50)}×** (target ≤ 1.3×); the API adds ${f2(sdk.p50 - engine.p50)} ms at p50. Through fetch: ${f2(viaFetchStats.p50 / engine.p50)}×, +${f2(viaFetchStats.p50 - engine.p50)} ms. Identical ranked ids from all three paths for ${agree} of ${queries} queries.

### Load: autocannon, ${connections} connections, ${seconds} s, multipart similarImages (k = 10)

| requests | throughput req/s | errors | timeouts | non-2xx | GraphQL errors | wrong result counts | p50 ms | p90 ms | p99 ms | max ms |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| ${load.requests} | ${f1(load.rps)} | ${load.errors} | ${load.timeouts} | ${load.non2xx} | ${load.graphqlErrors} | ${load.wrongCount} | ${load.latency.p50} | ${load.latency.p90} | ${load.latency.p99} | ${load.latency.max} |

Server-side stages during the run (p50 / p99 ms): decode + embed ${stage('embedMs') ? `${f1(stage('embedMs')!.p50Ms)} / ${f1(stage('embedMs')!.p99Ms)}` : 'n/a'}, index search ${stage('searchMs') ? `${f2(stage('searchMs')!.p50Ms)} / ${f2(stage('searchMs')!.p99Ms)}` : 'n/a'}, upload receive ${stage('uploadMs') ? `${f2(stage('uploadMs')!.p50Ms)} / ${f2(stage('uploadMs')!.p99Ms)}` : 'n/a'} (whole run, latency series are the last 4096 requests).

Server memory (RSS of the process serving; the load generator runs in its own process): before ${mib(rssBefore)}, peak ${mib(rssPeak)}, after ${mib(rssAfter)}; at 25 / 50 / 75 / 100 % of the run: ${[0.25, 0.5, 0.75, 1].map((f) => mib(rssSeries[Math.max(0, Math.ceil(f * rssSeries.length) - 1)] ?? rssAfter)).join(' / ')}.

Event-loop delay of the serving thread (\`perf_hooks.monitorEventLoopDelay\`, 1 ms sampling: values include the 1 ms interval):

| window | p50 ms | p99 ms | max ms |
| --- | --- | --- | --- |
| idle, 3 s before the run | ${f2(ms(idle, 50))} | ${f2(ms(idle, 99))} | ${f2(ms(idle, 'max'))} |
| during the ${seconds} s load run | ${f2(ms(loop, 50))} | ${f2(ms(loop, 99))} | ${f2(ms(loop, 'max'))} |
`;
    process.stdout.write(`${md}\n`);
    process.stderr.write(`${JSON.stringify({ engine, sdk, viaFetch: viaFetchStats, serverSide, agree, load, rssBefore, rssPeak, rssAfter, serverLoop: serverMetrics.eventLoopDelay })}\n`);
  } finally {
    await server.close();
    await fx.remove();
  }
}

await main();
