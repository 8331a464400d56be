/**
 * Normal query latency with and without a stream of abusive requests (issue 12): a server over
 * the API fixture on 127.0.0.1; one client sends `--queries` similarImages uploads (k = 10) one
 * after another, first alone, then while `--abusers` connections loop over the abusive shapes
 * (3,000 aliases of similarTo(k: 100); 200 aliases of similarImages on one upload; 1,000 aliases of
 * items(first: 500); 100 short aliases of similarTo(k: 100), small enough to be parsed) until the
 * normal client is done. The abusers run in a worker thread, so their own work is not on the
 * server's event loop. Bounded in count and time. Prints JSON.
 *
 *   node dist/bench/abuse-load.js [--queries 100] [--abusers 4] [--rate 20]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { buildFixture, startFixtureServer } from './api-fixture.js';
import { multipartBody } from './api-load.js';
import { percentile } from './stats.js';

const { values } = parseArgs({ options: { queries: { type: 'string', default: '100' }, abusers: { type: 'string', default: '4' }, rate: { type: 'string', default: '20' } } });
const QUERIES = Math.min(500, Number(values.queries));
const ABUSERS = Math.min(16, Number(values.abusers));
/** Abusive requests per second over all abusers; 0 sends each as soon as the previous one is answered. */
const RATE = Math.min(1000, Number(values.rate));

const aliases = (n: number, field: string) => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');

interface Sent {
  ms: number;
  code: string | null;
}

async function send(url: string, body: Buffer | string, contentType: string): Promise<Sent> {
  const t0 = performance.now();
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': contentType, 'apollo-require-preflight': 'true' }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const json = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { ms: performance.now() - t0, code: json.errors?.[0]?.extensions?.code ?? null };
}

const pct = (xs: number[], p: number) => Math.round(percentile(xs, p) * 10) / 10;

async function normalRun(url: string, photos: Buffer[]): Promise<{ p50: number; p99: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  for (let i = 0; i < QUERIES; i++) {
    const { body, contentType } = multipartBody(photos[i % photos.length], 'q.jpg', 10);
    const r = await send(url, body, contentType);
    times.push(r.ms);
    if (r.code) errors++;
  }
  return { p50: pct(times, 0.5), p99: pct(times, 0.99), errors };
}

async function main(): Promise<void> {
  const fx = await buildFixture({ perClass: 8 });
  const server = await startFixtureServer(fx);
  try {
    const photos = await Promise.all(Object.values(fx.files).map((f) => fs.readFile(f[0])));
    const imageAliases = multipartBody(photos[0], 'a.jpg', 10, `query ($upload: Upload!) { ${aliases(200, 'similarImages(upload: $upload) { matches { score } }')} }`);
    const abusive = [
      { body: Buffer.from(JSON.stringify({ query: `query { ${aliases(3000, 'similarTo(id: 1, k: 100) { matches { score item { id url } } }')} }` }), 'latin1'), contentType: 'application/json' },
      imageAliases,
      { body: Buffer.from(JSON.stringify({ query: `query { ${aliases(1000, 'items(first: 500) { items { id label sourceName sha256 url thumbnailUrl } }')} }` }), 'latin1'), contentType: 'application/json' },
      // Small enough to be parsed and validated: refused by the alias count instead.
      { body: Buffer.from(JSON.stringify({ query: `query { ${aliases(100, 'similarTo(id: 1, k: 100) { k }')} }` }), 'latin1'), contentType: 'application/json' },
    ];
    await normalRun(server.url, photos); // warm-up: models loaded, caches filled
    const idle = await normalRun(server.url, photos);

    const abuser = new Worker(new URL(import.meta.url), { workerData: { url: server.url, shapes: abusive.map((a) => ({ body: a.body.toString('latin1'), contentType: a.contentType })), abusers: ABUSERS, rate: RATE } });
    // The normal run starts once the abusers have had their first answers.
    await new Promise((resolve, reject) => {
      abuser.once('message', resolve);
      abuser.once('error', reject);
    });
    const abuse = new Promise<Sent[]>((resolve, reject) => {
      abuser.once('message', resolve);
      abuser.once('error', reject);
    });
    const underAbuse = await normalRun(server.url, photos);
    abuser.postMessage('stop');
    const abused = await abuse;
    await abuser.terminate();
    const refused = abused.filter((r) => r.code === 'QUERY_TOO_COMPLEX').length;
    process.stdout.write(
      `${JSON.stringify(
        {
          machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
          date: new Date().toISOString(),
          queries: QUERIES,
          abusers: ABUSERS,
          abusiveRatePerSecond: RATE || 'unpaced',
          normalIdleMs: idle,
          normalUnderAbuseMs: underAbuse,
          ratioP50: Math.round((underAbuse.p50 / idle.p50) * 100) / 100,
          ratioP99: Math.round((underAbuse.p99 / idle.p99) * 100) / 100,
          abusive: { sent: abused.length, refusedQueryTooComplex: refused, other: abused.length - refused, p50Ms: pct(abused.map((r) => r.ms), 0.5), p99Ms: pct(abused.map((r) => r.ms), 0.99) },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await server.close();
    await fx.remove();
  }
}

/** The abusers' thread: loops over the shapes on `abusers` connections until told to stop, then reports every response. */
async function abuseThread(): Promise<void> {
  const { url, shapes, abusers, rate } = workerData as { url: string; shapes: { body: string; contentType: string }[]; abusers: number; rate: number };
  const started = performance.now();
  let stop = false;
  parentPort!.once('message', () => (stop = true));
  const sent: Sent[] = [];
  const bodies = shapes.map((s) => ({ body: Buffer.from(s.body, 'latin1'), contentType: s.contentType }));
  let ready = false;
  await Promise.all(
    Array.from({ length: abusers }, async (_, a) => {
      for (let i = a; !stop; i++) {
        if (!ready && sent.length >= abusers) {
          ready = true;
          parentPort!.postMessage('ready');
        }
        // Paced: abuser a sends its n-th request at (a + n * abusers) / rate seconds.
        const due = rate > 0 ? started + (((i - a) * abusers + a) * 1000) / rate : 0;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
        const shape = bodies[i % bodies.length];
        sent.push(await send(url, shape.body, shape.contentType));
      }
    }),
  );
  parentPort!.postMessage(sent);
}

if (isMainThread) await main();
else await abuseThread();
