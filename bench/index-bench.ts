/**
 * Vector index benchmark: build time, single-query latency (p50) and recall@10 against exact
 * search, for flat (exact), HNSW (efSearch sweep), IVF-PQ (nprobe sweep) and Annoy (searchK
 * sweep), all through the VectorIndex adapters, in one process so the ratios are comparable.
 *
 *   npm run build && node --expose-gc dist/bench/index-bench.js [options]
 *
 * Options
 *   --n 1000000 --dim 256        random data: n seeded Gaussian vectors, L2-normalised
 *   --data gaussian|lowrank:R    gaussian (default): isotropic, the hardest case for any ANN
 *                                index; lowrank:R: x = normalise(A z + 0.1 e), z ~ N(0, I_R),
 *                                A a fixed random 256 x R matrix: intrinsic dimension R, closer
 *                                to real embeddings. Queries come from the same distribution.
 *   --vectors FILE --dim D       real data instead: little-endian float32, n x D row-major;
 *                                the last --queries rows are held out as queries (not indexed)
 *   --query-vectors FILE         queries from their own float32 file instead (same D)
 *   --queries 300 --k 10 --seed 1
 *   --spec SPEC                  (repeatable) indexes to run; default flat, hnsw, ivfpq, annoy
 *   --ef 32,64,...  --nprobe 8,16,...  --search-k 320,1000,...   sweeps
 *   --write-md FILE              replace (or append) the "## Vector indexes" section of FILE
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type SearchParams, createIndex } from '../indexes/index.js';
import type { SearchHit, VectorIndex } from '../indexes/vector-index.js';
import { lowRankVectors, randomUnitVectors } from '../test/helpers/random-vectors.js';
import { hitIds, pooledRecall } from '../test/helpers/recall.js';

interface Options {
  n: number;
  dim: number;
  data: string;
  vectors?: string;
  queryVectors?: string;
  queries: number;
  k: number;
  seed: number;
  specs: string[];
  ef: number[];
  nprobe: number[];
  searchK: number[];
  writeMd?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    n: 1_000_000,
    dim: 256,
    data: 'gaussian',
    queries: 300,
    k: 10,
    seed: 1,
    specs: [],
    ef: [16, 32, 64, 128, 256, 512],
    nprobe: [8, 16, 32, 64, 128],
    searchK: [1_000, 10_000, 50_000],
  };
  const list = (v: string) => v.split(',').map((x) => Number(x.trim()));
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case '--n': o.n = Number(value); break;
      case '--dim': o.dim = Number(value); break;
      case '--data': o.data = value; break;
      case '--vectors': o.vectors = value; break;
      case '--query-vectors': o.queryVectors = value; break;
      case '--queries': o.queries = Number(value); break;
      case '--k': o.k = Number(value); break;
      case '--seed': o.seed = Number(value); break;
      case '--spec': o.specs.push(value); break;
      case '--ef': o.ef = list(value); break;
      case '--nprobe': o.nprobe = list(value); break;
      case '--search-k': o.searchK = list(value); break;
      case '--write-md': o.writeMd = value; break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  if (o.specs.length === 0) o.specs = ['flat', 'hnsw', 'ivfpq', 'annoy'];
  return o;
}

function readFloat32(file: string, dim: number): Float32Array {
  const buf = fs.readFileSync(file);
  if (buf.byteLength % (4 * dim) !== 0) throw new Error(`${file}: ${buf.byteLength} bytes is not a whole number of ${dim}-d float32 rows`);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

const recall = (got: SearchHit[][], exact: SearchHit[][]) => pooledRecall(hitIds(got), hitIds(exact));

function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

interface Row {
  spec: string;
  setting: string;
  buildS: number | null;
  p50Ms: number;
  p95Ms: number;
  recall: number;
  speedup: number | null;
}

/** Single queries, one after another: per-call wall time (p50, p95) and all results. */
async function timeQueries(
  index: VectorIndex,
  queries: Float32Array,
  dim: number,
  k: number,
  params?: SearchParams,
): Promise<{ p50: number; p95: number; hits: SearchHit[][] }> {
  const nq = queries.length / dim;
  await index.search(queries.subarray(0, dim), k, params); // warm-up
  const times: number[] = [];
  const hits: SearchHit[][] = [];
  for (let q = 0; q < nq; q++) {
    const t = performance.now();
    const [h] = await index.search(queries.subarray(q * dim, (q + 1) * dim), k, params);
    times.push(performance.now() - t);
    hits.push(h!);
  }
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), hits };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  let base: Float32Array;
  let queries: Float32Array;
  let source: string;
  if (o.vectors) {
    const all = readFloat32(o.vectors, o.dim);
    if (o.queryVectors) {
      base = all;
      queries = readFloat32(o.queryVectors, o.dim);
      source = `${o.vectors} (${all.length / o.dim} x ${o.dim}), queries ${o.queryVectors}`;
    } else {
      const rows = all.length / o.dim;
      if (rows <= o.queries) throw new Error(`${o.vectors} has ${rows} rows: not enough to hold out ${o.queries} queries`);
      base = all.subarray(0, (rows - o.queries) * o.dim);
      queries = all.subarray((rows - o.queries) * o.dim);
      source = `${o.vectors}: ${rows - o.queries} x ${o.dim} indexed, last ${o.queries} rows as queries`;
    }
    o.n = base.length / o.dim;
    o.queries = queries.length / o.dim;
  } else if (o.data.startsWith('lowrank:')) {
    const rank = Number(o.data.slice('lowrank:'.length));
    if (!Number.isSafeInteger(rank) || rank < 1 || rank > o.dim) throw new Error(`--data lowrank:R needs 1 <= R <= dim, got ${o.data}`);
    log(`generating ${o.n} x ${o.dim} low-rank (R=${rank}) normalised vectors (seed ${o.seed})`);
    base = lowRankVectors(o.n, o.dim, rank, 0.1, o.seed, o.seed + 1);
    queries = lowRankVectors(o.queries, o.dim, rank, 0.1, o.seed, o.seed + 1_000_003);
    source = `${o.n} x ${o.dim} seeded low-rank vectors (normalise(A z + 0.1 e), intrinsic dimension ${rank}); ${o.queries} queries from the same distribution`;
  } else if (o.data === 'gaussian') {
    log(`generating ${o.n} x ${o.dim} random normalised vectors (seed ${o.seed})`);
    base = randomUnitVectors(o.n, o.dim, o.seed);
    queries = randomUnitVectors(o.queries, o.dim, o.seed + 1_000_003);
    source = `${o.n} x ${o.dim} seeded Gaussian vectors, L2-normalised; ${o.queries} independent random queries`;
  } else {
    throw new Error(`--data must be gaussian or lowrank:R, got ${o.data}`);
  }
  const ids = new Float64Array(o.n).map((_, i) => i);
  const dim = o.dim;
  const rows: Row[] = [];

  // Exact ground truth (and the flat row): batched for the truth, single queries for the timing.
  log('flat: build');
  let t = performance.now();
  let flat: VectorIndex | null = createIndex('flat', dim);
  flat.add(ids, base);
  await flat.search(queries.subarray(0, dim), 1);
  const flatBuild = (performance.now() - t) / 1000;
  log('flat: exact ground truth (batched)');
  const deep = await flat.search(queries, Math.max(100, o.k));
  const exact = deep.map((hits) => hits.slice(0, o.k));
  // How far the k-th neighbour stands out from the 100th: the smaller the gap, the more
  // candidates any approximate index must score to tell them apart.
  const meanScore = (rank: number) => deep.reduce((s, hits) => s + (hits[rank - 1]?.score ?? NaN), 0) / deep.length;
  const contrast = `mean inner product of the exact 1st / ${o.k}th / 100th neighbour: ${[1, o.k, 100].map((r) => meanScore(r).toFixed(3)).join(' / ')}`;
  let exactP50 = NaN;
  if (o.specs.includes('flat')) {
    log('flat: single-query timing');
    const r = await timeQueries(flat, queries, dim, o.k);
    exactP50 = r.p50;
    rows.push({ spec: 'flat', setting: 'exact', buildS: flatBuild, p50Ms: r.p50, p95Ms: r.p95, recall: recall(r.hits, exact), speedup: 1 });
  }
  flat = null;
  gc();

  for (const spec of o.specs.filter((s) => s !== 'flat')) {
    log(`${spec}: build`);
    t = performance.now();
    let index: VectorIndex | null = createIndex(spec, dim);
    index.add(ids, base);
    await index.search(queries.subarray(0, dim), 1); // adds (and trains / builds) happen here
    const buildS = (performance.now() - t) / 1000;
    log(`${spec}: built in ${buildS.toFixed(1)} s`);
    const sweep: [string, SearchParams | undefined][] = [['as specified', undefined]];
    if (index.searchKnobs.includes('efSearch')) for (const ef of o.ef) sweep.push([`efSearch=${ef}`, { efSearch: ef }]);
    if (index.searchKnobs.includes('nprobe')) for (const np of o.nprobe) sweep.push([`nprobe=${np}`, { nprobe: np }]);
    if (index.searchKnobs.includes('searchK')) for (const sk of o.searchK) sweep.push([`searchK=${sk}`, { searchK: sk }]);
    let first = true;
    for (const [setting, params] of sweep) {
      const r = await timeQueries(index, queries, dim, o.k, params);
      const rec = recall(r.hits, exact);
      log(`${spec} ${setting}: p50 ${r.p50.toFixed(3)} ms, recall@${o.k} ${rec.toFixed(3)}`);
      rows.push({
        spec,
        setting,
        buildS: first ? buildS : null,
        p50Ms: r.p50,
        p95Ms: r.p95,
        recall: rec,
        speedup: Number.isNaN(exactP50) ? null : exactP50 / r.p50,
      });
      first = false;
    }
    index = null;
    gc();
  }

  const cpu = lscpuModel();
  const date = new Date().toISOString().slice(0, 10);
  const command = `node --expose-gc ${path.relative(process.cwd(), process.argv[1]!)} ${process.argv.slice(2).join(' ')}`.trim();
  const table = [
    `| index | search setting | build (s) | p50 single query (ms) | p95 (ms) | recall@${o.k} | speed vs exact (p50) |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| \`${r.spec}\` | ${r.setting} | ${r.buildS === null ? '' : r.buildS.toFixed(1)} | ${r.p50Ms.toFixed(3)} | ${r.p95Ms.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.speedup === null ? '' : `${r.speedup.toFixed(1)}x`} |`,
    ),
  ].join('\n');
  const report = [
    `Command: \`${command}\``,
    `Machine: ${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${date}`,
    `Data: ${source}; k = ${o.k}; ${contrast}.`,
    '',
    table,
  ].join('\n');
  process.stdout.write(`${report}\n`);
  if (o.writeMd) writeSection(o.writeMd, o.vectors ? path.basename(o.vectors) : `${o.data}-${o.n}`, report);
}

function lscpuModel(): string {
  try {
    const out = execFileSync('lscpu', { encoding: 'utf8' });
    const m = /^Model name:\s*(.+)$/m.exec(out);
    if (m) return m[1]!.trim();
  } catch {
    // no lscpu
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

/**
 * Replaces this data set's generated block (between markers) in FILE; a new block goes at the
 * end of the "## Vector indexes" section, which is created at the end of FILE if missing.
 * Nothing else in FILE is touched.
 */
function writeSection(file: string, key: string, report: string): void {
  const begin = `<!-- index-bench:${key}:begin -->`;
  const end = `<!-- index-bench:${key}:end -->`;
  const block = `${begin}\n${report}\n${end}`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  if (text.includes(begin) && text.includes(end)) {
    text = text.slice(0, text.indexOf(begin)) + block + text.slice(text.indexOf(end) + end.length);
  } else {
    const heading = text.indexOf('\n## Vector indexes');
    if (heading < 0) {
      text = `${text.trimEnd()}\n\n## Vector indexes\n\n${block}\n`;
    } else {
      const next = text.indexOf('\n## ', heading + 1);
      const at = next < 0 ? text.length : next;
      text = `${text.slice(0, at).trimEnd()}\n\n${block}\n${next < 0 ? '' : `\n${text.slice(at + 1)}`}`;
    }
  }
  fs.writeFileSync(file, text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
