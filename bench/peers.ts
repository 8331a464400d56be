/**
 * imsearch against its peers, one command, interleaved rounds, medians and ratios (issue 14):
 *
 *   help      `imsearch --help` wall time
 *   index     whole `imsearch index` command vs the plain sharp + onnxruntime-node loop
 *             (bench/peers/plain-loop.ts) vs Transformers.js, on the same N photos: img/s from
 *             spawn to exit, and each process's peak RSS
 *   load      index vs the plain loop again, with a child spinning on one core throughout
 *   search    one-shot `imsearch search` vs the one-shot plain script (bench/peers/plain-search.ts)
 *   inproc    in-process query: ImsearchService.searchImage vs plain vs Transformers.js
 *   api       similarImages through the SDK (its Node entry, node:http) vs in process, at N items and the whole gallery, with
 *             the server in its own process (`imsearch serve`) and in the benchmark's process,
 *             there beside two floors on the server's engine: bare node:http + busboy
 *             (bench/peers/bare-api.ts) and Express + Apollo + graphql-upload alone
 *             (bench/peers/stack-floor.ts)
 *   ann       FAISS HNSW adapter vs hnswlib-node vs usearch at equal recall (bench/peers/ann.ts)
 *   memory    resident bytes per served item of the default index at 10k and 100k items
 *
 *   npm run build && node dist/bench/peers.js [--n 1000] [--rounds 3] [--sections help,index,...]
 *       [--queries 5] [--api-queries 30] [--ann-n 100000] [--ann-queries 300] [--work DIR]
 *
 * Every child has a time limit; all traffic is to 127.0.0.1. The model is mobilenetv2-int8
 * (the shared mobilenetv2-12-int8-emb.onnx) for every contender.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ImsearchClient } from '../sdk/node.js';
import { startServer } from '../server/app.js';
import { caltechDir, sharedModelsDir } from '../test/helpers/paths.js';
import { cliLikeService } from '../test/helpers/service.js';
import { runAnn } from './peers/ann.js';
import { type BareApi, startBareApi } from './peers/bare-api.js';
import { startStackFloor } from './peers/stack-floor.js';
import { SIZE, embedBatch, openSession, preprocessInto } from './peers/plain-common.js';
import { runNode, spinner } from './peers/proc.js';
import { loadSampler, machine, median, rotated } from './stats.js';
import { loadTransformers, writeModelFolder } from './peers/transformers-model.js';

const { values: a } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    sections: { type: 'string', default: 'help,index,load,search,inproc,api,ann,memory' },
    queries: { type: 'string', default: '5' },
    'api-queries': { type: 'string', default: '30' },
    'ann-n': { type: 'string', default: '100000' },
    'ann-queries': { type: 'string', default: '300' },
    work: { type: 'string' },
  },
});
const N = Number(a.n);
const ROUNDS = Number(a.rounds);
const sections = new Set(a.sections!.split(','));
const MODEL = 'mobilenetv2-int8';
const ONNX = path.join(sharedModelsDir, 'mobilenetv2-12-int8-emb.onnx');
const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../cli-bundle/main.js');
const PLAIN_LOOP = path.join(here, 'peers/plain-loop.js');
const PLAIN_SEARCH = path.join(here, 'peers/plain-search.js');
const HF_LOOP = path.join(here, 'peers/transformers-loop.js');
const work = a.work ? path.resolve(a.work) : fs.mkdtempSync(path.join(os.tmpdir(), 'imsearch-peers-'));
const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const rows: string[] = [];
const row = (...cells: (string | number)[]) => rows.push(`| ${cells.join(' | ')} |`);
const f = (x: number, d = 1) => x.toFixed(d);

function galleryFiles(): { cls: string; file: string }[] {
  const out: { cls: string; file: string }[] = [];
  const g = path.join(caltechDir, 'gallery');
  for (const cls of fs.readdirSync(g).sort()) {
    for (const file of fs.readdirSync(path.join(g, cls)).sort()) out.push({ cls, file: path.join(g, cls, file) });
  }
  return out;
}

/** N photos spread over all classes, copied under work/photos/<class>/ (same page cache for all). */
function preparePhotos(): string[] {
  const all = galleryFiles();
  const step = all.length / Math.min(N, all.length);
  const picked = Array.from({ length: Math.min(N, all.length) }, (_, i) => all[Math.floor(i * step)]!);
  const list = picked.map(({ cls, file }) => {
    const dest = path.join(work, 'photos', cls, path.basename(file));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (!fs.existsSync(dest)) fs.copyFileSync(file, dest);
    return dest;
  });
  fs.writeFileSync(path.join(work, 'list.txt'), `${list.join('\n')}\n`);
  return list;
}

const cli = (dataDir: string, ...args: string[]) => [CLI, '--data', dataDir, '--model-dir', sharedModelsDir, ...args];
const data1k = path.join(work, 'data-n');
const dataFull = path.join(work, 'data-full');
const plainVectors = path.join(work, 'plain.f32');
const hfRoot = path.join(work, 'hf');

type Contender = { name: string; run: () => Promise<{ ms: number; peakRssMiB: number }> };

async function indexContenders(withHf: boolean): Promise<Contender[]> {
  const list = path.join(work, 'list.txt');
  const c: Contender[] = [
    {
      name: '`imsearch index` (whole command)',
      run: () => {
        fs.rmSync(data1k, { recursive: true, force: true });
        return runNode(cli(data1k, 'index', path.join(work, 'photos'), '-c', 'peers', '-m', MODEL, '--index', 'flat'));
      },
    },
    { name: 'plain sharp + onnxruntime-node loop (2 threads, batch 16)', run: () => runNode([PLAIN_LOOP, '--model', ONNX, '--threads', '2', '--batch', '16', '--out', plainVectors, list]) },
    { name: 'the same loop with exact int8 sums (as imsearch computes)', run: () => runNode([PLAIN_LOOP, '--model', ONNX, '--threads', '2', '--batch', '16', '--exact-int8', list]) },
  ];
  if (withHf) c.push({ name: 'Transformers.js (batch 16, 2 threads)', run: () => runNode([HF_LOOP, '--model-root', hfRoot, '--threads', '2', '--batch', '16', list]) });
  return c;
}

async function indexSection(title: string, withHf: boolean, photos: number): Promise<void> {
  const contenders = await indexContenders(withHf);
  const rate = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of rotated(contenders, r)) {
      const { ms, peakRssMiB } = await c.run();
      (rate.get(c.name) ?? rate.set(c.name, []).get(c.name)!).push(photos / (ms / 1000));
      (rss.get(c.name) ?? rss.set(c.name, []).get(c.name)!).push(peakRssMiB);
      log(`${title}: round ${r + 1}: ${c.name} ${f(photos / (ms / 1000))} img/s, peak RSS ${f(peakRssMiB, 0)} MiB`);
    }
  }
  const ours = contenders[0]!.name;
  rows.push('', `### ${title}`, '', '| contender | img/s (median) | imsearch / it | peak RSS MiB (median) | imsearch RSS / it |', '| --- | ---: | ---: | ---: | ---: |');
  for (const c of contenders) {
    const m = median(rate.get(c.name)!);
    const mr = median(rss.get(c.name)!);
    row(c.name, f(m), f(median(rate.get(ours)!) / m, 2), f(mr, 0), f(median(rss.get(ours)!) / mr, 2));
  }
}

function queryPhotos(n: number): string[] {
  const q = path.join(caltechDir, 'queries');
  const classes = fs.readdirSync(q).sort();
  const step = classes.length / n;
  return Array.from({ length: n }, (_, i) => {
    const dir = path.join(q, classes[Math.floor(i * step)]!);
    return path.join(dir, fs.readdirSync(dir).sort()[0]!);
  });
}

async function timedRounds(title: string, contenders: { name: string; run: (i: number) => Promise<unknown> }[], reps: number): Promise<void> {
  const ms = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (const c of contenders) await c.run(0); // warm-up
  for (let i = 0; i < reps; i++) {
    for (const c of rotated(contenders, i)) {
      const t = performance.now();
      await c.run(i);
      ms.get(c.name)!.push(performance.now() - t);
    }
  }
  const ours = median(ms.get(contenders[0]!.name)!);
  rows.push('', `### ${title}`, '', '| contender | p50 ms | imsearch / it |', '| --- | ---: | ---: |');
  for (const c of contenders) row(c.name, f(median(ms.get(c.name)!)), f(ours / median(ms.get(c.name)!), 2));
}

/** Brute-force cosine over the plain loop's saved unit vectors (what the one-shot peer does). */
function bruteForce(matrix: Float32Array, q: Float32Array, k: number): number[] {
  const dim = q.length;
  const scores = new Float32Array(matrix.length / dim);
  for (let i = 0; i < scores.length; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += matrix[i * dim + j]! * q[j]!;
    scores[i] = s;
  }
  return [...scores.keys()].sort((x, y) => scores[y]! - scores[x]!).slice(0, k);
}

/**
 * `imsearch serve` as deployed: its own process, on 127.0.0.1 and a free port. Resolves once it
 * prints its URL; `close` kills it (bounded: the benchmark never leaves it behind).
 */
function serveChild(dataDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const child = spawn(process.execPath, cli(dataDir, 'serve', '--host', '127.0.0.1', '--port', '0'), { stdio: ['ignore', 'pipe', 'ignore'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 900_000);
  const close = () =>
    new Promise<void>((resolve) => {
      clearTimeout(killer);
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(http:\/\/\S+)\n/m.exec(out);
      if (m) resolve({ url: m[1]!, close });
    });
    child.once('exit', (code) => reject(new Error(`imsearch serve exited (${code}) before listening`)));
  });
}

async function apiSection(dataDir: string, items: string, photos: string[], reps: number, where: 'child' | 'same'): Promise<void> {
  const running = where === 'same' ? await startServer({ dataDir, modelDir: sharedModelsDir, host: '127.0.0.1', port: 0 }) : null;
  const server = running ?? (await serveChild(dataDir));
  const inProc = cliLikeService(dataDir, { modelDir: sharedModelsDir });
  // The floors serve the server's own engine (its service: decode and inference in one worker),
  // so what separates them from the product is the HTTP layer alone: the bare floor under any
  // multipart HTTP API, and the customer's stack with nothing of the product's own around it.
  let bare: BareApi | null = null;
  let stack: BareApi | null = null;
  try {
    bare = running && (await startBareApi(running.service, 'peers'));
    stack = running && (await startStackFloor(running.service, 'peers'));
    const client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
    const bareClient = bare && new ImsearchClient({ endpoint: bare.url });
    const stackClient = stack && new ImsearchClient({ endpoint: stack.url });
    const bytes = photos.map((p) => fs.readFileSync(p));
    const files = bytes.map((b, i) => new File([new Uint8Array(b)], path.basename(photos[i]!), { type: 'image/jpeg' }));
    for (let i = 0; i < 5; i++) await client.similarImages(files[i % files.length]!, { k: 10, collection: 'peers' });
    const server_: Record<string, number[]> = { totalMs: [], uploadMs: [], embedMs: [], searchMs: [] };
    const local: Record<string, number[]> = { embedMs: [], searchMs: [] };
    await timedRounds(`API similarImages vs in process, ${items} items (k 10), server ${where === 'child' ? 'in its own process (`imsearch serve`)' : 'in the benchmark process'}`, [
      {
        name: 'SDK -> GraphQL similarImages',
        run: async (i) => {
          await client.similarImages(files[i % files.length]!, { k: 10, collection: 'peers' });
          for (const k of Object.keys(server_)) server_[k]!.push((client.lastTiming as Record<string, number> | undefined)?.[k] ?? Number.NaN);
        },
      },
      {
        name: 'in process (ImsearchService.searchImage)',
        run: async (i) => {
          const { timing } = await inProc.searchImage('peers', bytes[i % bytes.length]!, { k: 10 });
          local.embedMs!.push(timing.embedMs);
          local.searchMs!.push(timing.searchMs);
        },
      },
      ...(running
        ? [{ name: "the server's engine in process (its ImsearchService.searchImage)", run: (i: number) => running.service.searchImage('peers', bytes[i % bytes.length]!, { k: 10 }) }]
        : []),
      ...(bareClient
        ? [{ name: "SDK -> bare node:http + busboy, the server's engine (the floor)", run: (i: number) => bareClient.similarImages(files[i % files.length]!, { k: 10 }) }]
        : []),
      ...(stackClient
        ? [{ name: "SDK -> Express + Apollo + graphql-upload, the product's schema, one resolver, the server's engine (the stack's floor)", run: (i: number) => stackClient.similarImages(files[i % files.length]!, { k: 10 }) }]
        : []),
    ], reps);
    // Where the API's extra time goes: the server's own stage times (extensions.timing) against
    // the same stages in process; the rest of the SDK's time is HTTP, multipart and the client.
    rows.push(
      '',
      `Stages (medians, ms): server total ${f(median(server_.totalMs!))}, of which upload (the multipart file read whole) ${f(median(server_.uploadMs!))}, ` +
        `embed (worker hop, decode, inference) ${f(median(server_.embedMs!))}, search ${f(median(server_.searchMs!))}; ` +
        `in process: embed ${f(median(local.embedMs!))}, search ${f(median(local.searchMs!))}.`,
    );
  } finally {
    await bare?.close();
    await stack?.close();
    await inProc.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  log(`work dir ${work}`);
  const load = loadSampler();
  const started = new Date().toISOString();
  const photos = preparePhotos();
  writeModelFolder(hfRoot, ONNX);
  const queries = queryPhotos(Number(a.queries));

  if (sections.has('help')) {
    const help: Contender[] = [{ name: '`imsearch --help`', run: () => runNode([CLI, '--help']) }, { name: '`node -e 0` (process start alone)', run: () => runNode(['-e', '0']) }];
    const ms = new Map<string, number[]>(help.map((c) => [c.name, []]));
    for (let r = 0; r < 5 * ROUNDS; r++) for (const c of rotated(help, r)) ms.get(c.name)!.push((await c.run()).ms);
    rows.push('', '### CLI start', '', '| command | wall ms (median) |', '| --- | ---: |');
    for (const c of help) row(c.name, f(median(ms.get(c.name)!)));
  }
  // The one-shot, in-process and API sections query the photos this section indexes.
  const indexedPhotosMissing = ['search', 'inproc', 'api'].some((s) => sections.has(s)) && (!fs.existsSync(plainVectors) || !fs.existsSync(data1k));
  if (sections.has('index') || indexedPhotosMissing) await indexSection(`Indexing ${photos.length} photos (whole process, spawn to exit)`, true, photos.length);
  if (sections.has('load')) {
    const spin = spinner();
    try {
      await indexSection(`Indexing ${photos.length} photos with one core already busy (a child spinning on one core)`, false, photos.length);
    } finally {
      spin.stop();
    }
  }
  if (sections.has('search')) {
    await timedRounds(`One-shot query from the shell (${queries.length} query photos, ${photos.length} items)`, [
      { name: '`imsearch search --json`', run: (i) => runNode(cli(data1k, 'search', queries[i % queries.length]!, '-c', 'peers', '-k', '10', '--json')) },
      { name: 'plain one-shot script', run: (i) => runNode([PLAIN_SEARCH, '--model', ONNX, '--vectors', plainVectors, '--dim', '1280', '-k', '10', queries[i % queries.length]!]) },
      { name: 'the same script with exact int8 sums', run: (i) => runNode([PLAIN_SEARCH, '--model', ONNX, '--vectors', plainVectors, '--dim', '1280', '-k', '10', '--exact-int8', queries[i % queries.length]!]) },
    ], ROUNDS * queries.length);
  }
  if (sections.has('inproc')) {
    const service = cliLikeService(data1k, { modelDir: sharedModelsDir });
    const session = await openSession(ONNX, 2);
    const exactSession = await openSession(ONNX, 2, true);
    const buf = fs.readFileSync(plainVectors);
    const matrix = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const batch = new Float32Array(3 * SIZE * SIZE);
    const hf = await loadTransformers(hfRoot, 2);
    try {
      const plainQuery = (s: typeof session) => async (i: number) => {
        await preprocessInto(fs.readFileSync(queries[i % queries.length]!), batch, 0);
        return bruteForce(matrix, (await embedBatch(s, batch, 1))[0]!, 10);
      };
      await timedRounds(`In-process query (${photos.length} items, k 10)`, [
        { name: 'ImsearchService.searchImage', run: (i) => service.searchImage('peers', fs.readFileSync(queries[i % queries.length]!), { k: 10 }) },
        { name: 'plain sharp + onnxruntime-node + brute force', run: plainQuery(session) },
        { name: 'the same with exact int8 sums', run: plainQuery(exactSession) },
        { name: 'Transformers.js + brute force', run: async (i) => bruteForce(matrix, (await hf([queries[i % queries.length]!]))[0]!, 10) },
      ], 20 * ROUNDS);
    } finally {
      await service.close();
      await session.release();
      await exactSession.release();
    }
  }
  if (sections.has('api')) {
    const apiQueries = queryPhotos(Number(a['api-queries']));
    for (const where of ['child', 'same'] as const) await apiSection(data1k, String(photos.length), apiQueries, 4 * apiQueries.length, where);
    if (!fs.existsSync(path.join(dataFull, 'collections', 'peers'))) {
      log('indexing the whole gallery for the API section (kept in the work dir)');
      await runNode(cli(dataFull, 'index', path.join(caltechDir, 'gallery'), '-c', 'peers', '-m', MODEL, '--index', 'flat'), 1_800_000);
    }
    for (const where of ['child', 'same'] as const) await apiSection(dataFull, 'whole-gallery (5,784)', apiQueries, 4 * apiQueries.length, where);
  }
  if (sections.has('ann')) {
    const targets = [0.97, 0.99, 0.995];
    const res = await runAnn({ n: Number(a['ann-n']), dim: 256, rank: 32, queries: Number(a['ann-queries']), k: 10, rounds: ROUNDS, efs: [16, 24, 32, 48, 64, 96, 128, 160, 192, 256, 384], targets, dir: work, log });
    rows.push('', `### HNSW (M 32, efConstruction 40), ${a['ann-n']} low-rank 256-d vectors (intrinsic dimension 32), k 10, single queries`, '');
    rows.push(`| library | build s | ${targets.map((t) => `recall ${t}: ef / p50 ms`).join(' | ')} |`, `| --- | ---: | ${targets.map(() => '---:').join(' | ')} |`);
    for (const r of res) row(r.name, f(r.buildS), ...r.atTarget.map((x) => (x ? `${x.ef} / ${f(x.p50, 3)}` : 'not reached')));
    const ours = res[0]!;
    for (const r of res.slice(1)) {
      row(`adapter p50 / ${r.name}`, '', ...targets.map((_, i) => (ours.atTarget[i] && r.atTarget[i] ? f(ours.atTarget[i]!.p50 / r.atTarget[i]!.p50, 2) : '-')));
    }
    rows.push('', 'Sweeps (ef: recall / p50 ms):', '');
    for (const r of res) rows.push(`- ${r.name}: ${r.sweep.map((s) => `${s.ef}: ${f(s.recall, 3)} / ${f(s.p50, 3)}`).join('; ')}`);
  }
  if (sections.has('memory')) {
    rows.push('', '### Memory per served item (index only, synthetic 1280-d unit vectors, fresh process per size)', '', '| spec | items | RSS delta MiB | bytes per item | raw vector bytes |', '| --- | ---: | ---: | ---: | ---: |');
    for (const n of [10_000, 100_000]) {
      const { stdout } = await runNode(['--expose-gc', path.join(here, 'peers/index-memory.js'), '--n', String(n), '--dim', '1280', '--spec', 'flat']);
      const m = JSON.parse(stdout) as { rssDeltaMiB: number; bytesPerItem: number; rawVectorBytes: number };
      row('flat', n, f(m.rssDeltaMiB), f(m.bytesPerItem, 0), m.rawVectorBytes);
    }
  }
  const la = load.stop();
  process.stdout.write(
    [
      `Command: \`node dist/bench/peers.js ${process.argv.slice(2).join(' ')}\``,
      `Machine: ${machine()}; started ${started}, finished ${new Date().toISOString()}; 1-minute load average during the run ${f(la.min)}-${f(la.max)} (median ${f(la.median)}).`,
      ...rows,
      '',
    ].join('\n'),
  );
  if (!a.work) fs.rmSync(work, { recursive: true, force: true });
}

await main();
