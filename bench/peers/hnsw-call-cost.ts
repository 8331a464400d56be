/**
 * Where the FAISS HNSW adapter's search time goes against hnswlib-node: the same FAISS graph
 * searched synchronously on the calling thread (FAISS's own code, no hop), on the thread pool
 * (`searchAsync`, what the adapter calls), through the adapter (`VectorIndex.search`: the pool hop,
 * the readers-writer lock, the hits' conversion), and hnswlib-node's synchronous `searchKnn`.
 * Same data as the peers benchmark's ann section; per efSearch the four are timed in turn on
 * each query, p50 over rounds × queries.
 *
 *   npm run build && node dist/bench/peers/hnsw-call-cost.js [--n 100000] [--queries 300] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { FAISS_METRIC, loadFaiss, type NativeFaissIndex, type NativeSearchResult } from '../../indexes/native.js';
import { median } from '../stats.js';
import { EF_CONSTRUCTION, M, annData, faissAdapter, hnswlibNode } from './ann.js';

const { values: a } = parseArgs({ options: { n: { type: 'string', default: '100000' }, queries: { type: 'string', default: '300' }, rounds: { type: 'string', default: '3' } } });
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
const adapter = await faissAdapter(base, dim, '');
const hnsw = hnswlibNode(base, dim, '');
for (const c of [adapter, hnsw]) console.log(`${c.name} built in ${c.buildS.toFixed(1)} s`);

const q = (i: number) => queries.subarray(i * dim, (i + 1) * dim);
const timed = async (f: () => unknown): Promise<number> => {
  const s = performance.now();
  await f();
  return performance.now() - s;
};
console.log('| efSearch | FAISS sync | FAISS searchAsync | adapter | hnswlib-node | adapter − sync | sync / hnswlib-node |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const ef of [16, 64, 96, 128, 192]) {
  raw.setParameters(`efSearch=${ef}`);
  const ms = { sync: [] as number[], async: [] as number[], adapter: [] as number[], hnswlib: [] as number[] };
  for (let r = 0; r < Number(a.rounds); r++) {
    for (let i = 0; i < Q; i++) {
      ms.sync.push(await timed(() => raw.search(q(i), 10)));
      ms.async.push(await timed(() => raw.searchAsync(q(i), 10)));
      ms.adapter.push(await timed(() => adapter.search(q(i), 10, ef)));
      ms.hnswlib.push(await timed(() => hnsw.search(q(i), 10, ef)));
    }
  }
  const p = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)])) as Record<keyof typeof ms, number>;
  console.log(`| ${ef} | ${p.sync.toFixed(3)} | ${p.async.toFixed(3)} | ${p.adapter.toFixed(3)} | ${p.hnswlib.toFixed(3)} | ${(p.adapter - p.sync).toFixed(3)} | ${(p.sync / p.hnswlib).toFixed(2)} |`);
}
