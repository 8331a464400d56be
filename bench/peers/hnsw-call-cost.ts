/**
 * Where the FAISS HNSW adapter's search time goes against hnswlib-node: the same FAISS graph
 * searched synchronously on the calling thread (the addon's walk, no hop), on the thread pool
 * (`searchAsync`, what the adapter calls), through the adapter (`VectorIndex.search`: the pool hop,
 * the readers-writer lock, the hits' conversion), and hnswlib-node's synchronous `searchKnn`.
 * Same data as the peers benchmark's ann section and the same timing: per efSearch each contender
 * answers all the queries in a block (its caches warm as a served index's are; interleaving per
 * query made every call start cold from the others' 100 MB graphs), blocks rotated between rounds,
 * p50 over rounds x queries; recall@10 against brute force.
 *
 * --baseline-addon takes a faiss-node.node built from another commit (copy
 * node_modules/faiss-node/build/Release/faiss-node.node aside before rebuilding): it reads the same
 * graph file and its synchronous walk joins the rotation, and each efSearch row says in how many
 * queries its answer (ids and distances) equals the current addon's. Read the adapter column from
 * a run without it: with two faiss-node addons in one process the adapter measured 0.3-0.7 ms
 * slower per call than in the same run without the second addon (session 9, BENCHMARKS.md).
 *
 *   npm run build && node dist/bench/peers/hnsw-call-cost.js [--n 100000] [--queries 300] [--rounds 3] [--baseline-addon FILE]
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FAISS_METRIC, loadFaiss, type NativeFaissIndex, type NativeSearchResult } from '../../indexes/native.js';
import { pooledRecall } from '../../test/helpers/recall.js';
import { median, rotated } from '../stats.js';
import { EF_CONSTRUCTION, M, annData, exactNeighbours, faissAdapter, hnswlibNode } from './ann.js';

const { values: a } = parseArgs({ options: { n: { type: 'string', default: '100000' }, queries: { type: 'string', default: '300' }, rounds: { type: 'string', default: '3' }, 'baseline-addon': { type: 'string' } } });
const n = Number(a.n);
const Q = Number(a.queries);
const dim = 256;

// faiss-node's synchronous search, which the product's typed surface leaves out (it never blocks the event loop with it).
type SyncFaiss = NativeFaissIndex & { search(x: Float32Array, k: number): NativeSearchResult<BigInt64Array> };

const { base, queries } = annData(n, dim, 32, Q);
const raw = loadFaiss().Index.fromFactory(dim, `IDMap2,HNSW${M},Flat`, FAISS_METRIC.ip) as SyncFaiss;
raw.setParameters(`efConstruction=${EF_CONSTRUCTION}`);
const t0 = performance.now();
await raw.addWithIdsAsync(base, Float64Array.from({ length: n }, (_, i) => i));
console.log(`FAISS graph built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
let baseline: SyncFaiss | undefined;
if (a['baseline-addon']) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hnsw-call-cost-')), 'graph.faiss');
  await raw.writeAsync(file);
  const addon = createRequire(import.meta.url)(path.resolve(a['baseline-addon'])) as ReturnType<typeof loadFaiss>;
  baseline = (await addon.Index.readAsync(file)) as SyncFaiss;
  fs.rmSync(path.dirname(file), { recursive: true });
}
const adapter = await faissAdapter(base, dim, '');
const hnsw = hnswlibNode(base, dim, '');
for (const c of [adapter, hnsw]) console.log(`${c.name} built in ${c.buildS.toFixed(1)} s`);

const q = (i: number) => queries.subarray(i * dim, (i + 1) * dim);
const exact = await exactNeighbours(base, queries, dim, 10);
const ids = (r: NativeSearchResult<BigInt64Array>) => Array.from(r.labels, Number);
const timed = async (f: () => unknown): Promise<number> => {
  const s = performance.now();
  await f();
  return performance.now() - s;
};
const b = baseline ? ' baseline sync (recall) | same answers |' : '';
console.log(`| efSearch | addon sync (recall) |${b} FAISS searchAsync | adapter | hnswlib-node (recall) | adapter − sync | sync / hnswlib-node |${baseline ? ' sync / baseline |' : ''}`);
console.log(`| ---: | ---: |${baseline ? ' ---: | ---: |' : ''} ---: | ---: | ---: | ---: | ---: |${baseline ? ' ---: |' : ''}`);
for (const ef of [16, 64, 96, 128, 160, 192]) {
  raw.setParameters(`efSearch=${ef}`);
  baseline?.setParameters(`efSearch=${ef}`);
  const answers = Array.from({ length: Q }, (_, i) => raw.search(q(i), 10));
  const recall = pooledRecall(answers.map(ids), exact);
  const recallHnsw = pooledRecall(Array.from({ length: Q }, (_, i) => hnsw.search(q(i), 10, ef) as number[]), exact);
  let recallBase = 0;
  let same = 0;
  if (baseline) {
    const old = Array.from({ length: Q }, (_, i) => baseline!.search(q(i), 10));
    recallBase = pooledRecall(old.map(ids), exact);
    same = old.filter((r, i) => r.labels.join() === answers[i]!.labels.join() && r.distances.join() === answers[i]!.distances.join()).length;
  }
  const ms = { sync: [] as number[], base: [] as number[], async: [] as number[], adapter: [] as number[], hnswlib: [] as number[] };
  const calls: [keyof typeof ms, (i: number) => unknown][] = [
    ['sync', (i) => raw.search(q(i), 10)],
    ['async', (i) => raw.searchAsync(q(i), 10)],
    ['adapter', (i) => adapter.search(q(i), 10, ef)],
    ['hnswlib', (i) => hnsw.search(q(i), 10, ef)],
  ];
  if (baseline) calls.push(['base', (i) => baseline!.search(q(i), 10)]);
  for (let r = 0; r < Number(a.rounds); r++) {
    for (const [name, call] of rotated(calls, r)) for (let i = 0; i < Q; i++) ms[name].push(await timed(() => call(i)));
  }
  const p = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v.length ? median(v) : NaN])) as Record<keyof typeof ms, number>;
  const baseCells = baseline ? ` ${p.base.toFixed(3)} (${recallBase.toFixed(3)}) | ${same} of ${Q} |` : '';
  console.log(
    `| ${ef} | ${p.sync.toFixed(3)} (${recall.toFixed(3)}) |${baseCells} ${p.async.toFixed(3)} | ${p.adapter.toFixed(3)} | ${p.hnswlib.toFixed(3)} (${recallHnsw.toFixed(3)}) | ` +
      `${(p.adapter - p.sync).toFixed(3)} | ${(p.sync / p.hnswlib).toFixed(2)} |${baseline ? ` ${(p.sync / p.base).toFixed(2)} |` : ''}`,
  );
}
