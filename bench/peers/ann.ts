/**
 * ANN peers: the product's FAISS HNSW adapter (VectorIndex, as the service calls it) against
 * hnswlib-node and usearch, same graph parameters (M 32, efConstruction 40), same seeded low-rank
 * data, single queries one after another. Each library's efSearch sweep gives (recall@k, p50);
 * "at equal recall" compares, per target, each library's cheapest setting that reaches it.
 */
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { createRequire } from 'node:module';
import type * as Usearch from 'usearch';
import { createIndex } from '../../indexes/index.js';
import { lowRankVectors } from '../../test/helpers/random-vectors.js';
import { pooledRecall } from '../../test/helpers/recall.js';
import { median, percentile, rotated } from '../stats.js';

export interface AnnOptions {
  n: number;
  dim: number;
  rank: number;
  queries: number;
  k: number;
  rounds: number;
  efs: number[];
  targets: number[];
  /** Scratch folder (the usearch graph file). */
  dir: string;
  log: (s: string) => void;
}

export interface Contender {
  name: string;
  buildS: number;
  search(q: Float32Array, k: number, ef: number): Promise<number[]> | number[];
}

export interface AnnResult {
  name: string;
  buildS: number;
  sweep: { ef: number; recall: number; p50: number }[];
  /** Per target recall: the cheapest ef that reaches it and its median p50 (null: never reached). */
  atTarget: ({ ef: number; recall: number; p50: number } | null)[];
}

// usearch's ES module entry cannot find its prebuilt binary on Node 20 (its `bindings` lookup
// walks up from a file:// URL until the stack overflows); its CommonJS entry loads it fine.
const usearch = createRequire(import.meta.url)('usearch') as typeof Usearch;

/** The graph parameters every contender builds with. */
export const M = 32;
export const EF_CONSTRUCTION = 40;

/** The seeded low-rank gallery and queries (intrinsic dimension `rank`). */
export function annData(n: number, dim: number, rank: number, queries: number): { base: Float32Array; queries: Float32Array } {
  return { base: lowRankVectors(n, dim, rank, 0.1, 1, 2), queries: lowRankVectors(queries, dim, rank, 0.1, 1, 1_000_004) };
}

/** Brute force's top k ids per query (the recall reference). */
export async function exactNeighbours(base: Float32Array, queries: Float32Array, dim: number, k: number): Promise<number[][]> {
  const flat = createIndex('flat', dim);
  flat.add(Int32Array.from({ length: base.length / dim }, (_, i) => i), base);
  return (await flat.search(queries, k)).map((hits) => hits.map((h) => h.id));
}

export async function faissAdapter(base: Float32Array, dim: number, _dir: string): Promise<Contender> {
  const t0 = performance.now();
  const index = createIndex(`hnsw:M=${M},efConstruction=${EF_CONSTRUCTION}`, dim);
  const n = base.length / dim;
  index.add(Int32Array.from({ length: n }, (_, i) => i), base);
  await index.search(base.subarray(0, dim), 1); // applies the pending adds (the build)
  const buildS = (performance.now() - t0) / 1000;
  return {
    name: 'imsearch FAISS HNSW adapter',
    buildS,
    search: async (q, k, ef) => (await index.search(q, k, { efSearch: ef }))[0]!.map((h) => h.id),
  };
}

export function hnswlibNode(base: Float32Array, dim: number, _dir: string): Contender {
  const t0 = performance.now();
  const n = base.length / dim;
  const index = new hnswlib.HierarchicalNSW('ip', dim);
  index.initIndex(n, M, EF_CONSTRUCTION, 100);
  for (let i = 0; i < n; i++) index.addPoint(Array.from(base.subarray(i * dim, (i + 1) * dim)), i);
  const buildS = (performance.now() - t0) / 1000;
  return {
    name: 'hnswlib-node',
    buildS,
    search: (q, k, ef) => {
      index.setEf(ef);
      return index.searchKnn(Array.from(q), k).neighbors;
    },
  };
}

/**
 * usearch fixes expansion_search when an Index is made, so the graph is built once, saved, and
 * each efSearch gets its own Index viewing (memory-mapping) that file.
 */
function usearchIndex(base: Float32Array, dim: number, dir: string): Contender {
  const t0 = performance.now();
  const n = base.length / dim;
  const config = (ef: number) => ({ metric: usearch.MetricKind.IP, quantization: usearch.ScalarKind.F32, multi: false, connectivity: M, dimensions: dim, expansion_add: EF_CONSTRUCTION, expansion_search: ef });
  const built = new usearch.Index(config(64));
  built.add(BigUint64Array.from({ length: n }, (_, i) => BigInt(i)), base);
  const buildS = (performance.now() - t0) / 1000;
  const file = path.join(dir, 'ann.usearch');
  built.save(file);
  const byEf = new Map<number, Usearch.Index>();
  const at = (ef: number) => {
    let index = byEf.get(ef);
    if (!index) {
      index = new usearch.Index(config(ef));
      index.view(file);
      byEf.set(ef, index);
    }
    return index;
  };
  return {
    name: 'usearch',
    buildS,
    search: (q, k, ef) => Array.from(at(ef).search(q, k, 1).keys, Number),
  };
}

export async function runAnn(o: AnnOptions): Promise<AnnResult[]> {
  o.log(`ann: generating ${o.n} x ${o.dim} low-rank (R=${o.rank}) vectors`);
  const { base, queries } = annData(o.n, o.dim, o.rank, o.queries);
  const exact = await exactNeighbours(base, queries, o.dim, o.k);
  const contenders: Contender[] = [];
  for (const make of [faissAdapter, hnswlibNode, usearchIndex]) {
    const c = await make(base, o.dim, o.dir);
    o.log(`ann: built ${c.name} in ${c.buildS.toFixed(1)} s`);
    contenders.push(c);
  }
  const q = (i: number) => queries.subarray(i * o.dim, (i + 1) * o.dim);
  const recall = new Map<string, number>();
  const times = new Map<string, number[]>();
  const key = (name: string, ef: number) => `${name}@${ef}`;
  for (const c of contenders) {
    for (const ef of o.efs) {
      const got: number[][] = [];
      for (let i = 0; i < o.queries; i++) got.push(await c.search(q(i), o.k, ef));
      recall.set(key(c.name, ef), pooledRecall(got, exact));
    }
  }
  for (let r = 0; r < o.rounds; r++) {
    for (const ef of o.efs) {
      for (const c of rotated(contenders, r + ef)) {
        const ms: number[] = [];
        for (let i = 0; i < o.queries; i++) {
          const t = performance.now();
          await c.search(q(i), o.k, ef);
          ms.push(performance.now() - t);
        }
        const list = times.get(key(c.name, ef)) ?? [];
        list.push(percentile(ms, 0.5));
        times.set(key(c.name, ef), list);
      }
    }
    o.log(`ann: round ${r + 1}/${o.rounds} done`);
  }
  return contenders.map((c) => {
    const sweep = o.efs.map((ef) => ({ ef, recall: recall.get(key(c.name, ef))!, p50: median(times.get(key(c.name, ef))!) }));
    return { name: c.name, buildS: c.buildS, sweep, atTarget: o.targets.map((t) => sweep.find((s) => s.recall >= t) ?? null) };
  });
}
