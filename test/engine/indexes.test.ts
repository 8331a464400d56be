import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ErrorCode, ImsearchError } from '../../errors/error-codes.js';
import { AsyncRwLock } from '../../indexes/common.js';
import {
  type IndexFaultKind,
  applicableSearchParams,
  createIndex,
  loadIndex,
  parseIndexSpec,
  validateIndexSpec,
} from '../../indexes/index.js';
import { chooseOpenBlasCoreType } from '../../indexes/native.js';
import { openCollectionIndex } from '../../service/collection-index.js';
import type { Collection } from '../../store/collection.js';
import type { SearchHit, VectorIndex } from '../../indexes/vector-index.js';
import { randomUnitVectors } from '../helpers/random-vectors.js';
import { hitIds, pooledRecall } from '../helpers/recall.js';

const recallOfHits = (got: SearchHit[][], exact: SearchHit[][]) => pooledRecall(hitIds(got), hitIds(exact));

// ---------- data and brute force, in plain JS ----------

function score(metric: 'ip' | 'l2', q: Float32Array, x: Float32Array, row: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) {
    const a = q[j]!;
    const b = x[row * dim + j]!;
    s += metric === 'ip' ? a * b : (a - b) * (a - b);
  }
  return metric === 'ip' ? s : -s;
}

/** Exact top k over (ids, vectors), score descending, id ascending. */
function bruteForce(
  metric: 'ip' | 'l2',
  ids: ArrayLike<number>,
  x: Float32Array,
  queries: Float32Array,
  dim: number,
  k: number,
): SearchHit[][] {
  const out: SearchHit[][] = [];
  for (let q = 0; q < queries.length / dim; q++) {
    const qv = queries.subarray(q * dim, (q + 1) * dim);
    const all: SearchHit[] = [];
    for (let i = 0; i < ids.length; i++) all.push({ id: ids[i]!, score: score(metric, qv, x, i, dim) });
    all.sort((a, b) => b.score - a.score || a.id - b.id);
    out.push(all.slice(0, Math.min(k, all.length)));
  }
  return out;
}

/** Same ranking as brute force: same ids, or swapped only between near-equal scores (float32 vs float64). */
function assertExact(got: SearchHit[][], exact: SearchHit[][], label: string): void {
  assert.equal(got.length, exact.length, label);
  got.forEach((hits, q) => {
    const want = exact[q]!;
    assert.equal(hits.length, want.length, `${label}: query ${q} count`);
    hits.forEach((h, i) => {
      assert.ok(Math.abs(h.score - want[i]!.score) < 1e-4, `${label}: query ${q} rank ${i} score ${h.score} vs ${want[i]!.score}`);
      if (h.id !== want[i]!.id) {
        assert.ok(Math.abs(h.score - want[i]!.score) < 1e-5, `${label}: query ${q} rank ${i} id ${h.id} vs ${want[i]!.id}`);
      }
    });
  });
}

/** An ImsearchError with this code (and, for INDEX_ERROR, this details.kind). */
function isError(code: ErrorCode, kind?: IndexFaultKind): (e: unknown) => boolean {
  return (e) => e instanceof ImsearchError && e.code === code && (kind === undefined || e.details.kind === kind);
}

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-indexes-'));
}

const DIM = 32;
const N = 2000;
const NQ = 50;
const K = 10;
const data = randomUnitVectors(N, DIM, 1);
const queries = randomUnitVectors(NQ, DIM, 2);
/** Caller-chosen, non-contiguous ids. */
const ids = Array.from({ length: N }, (_, i) => 1000 + 7 * i);

function build(spec: string): VectorIndex {
  const index = createIndex(spec, DIM);
  index.add(ids, data);
  return index;
}

// ---------- agreement with brute force ----------

for (const spec of ['flat', 'flat-l2', 'faiss:Flat', 'faiss-l2:IVF16,Flat|nprobe=16']) {
  test(`${spec} agrees with brute force exactly`, async () => {
    const index = build(spec);
    assert.equal(index.size(), N);
    const exact = bruteForce(index.metric, ids, data, queries, DIM, K);
    assertExact(await index.search(queries, K), exact, spec);
  });
}

// The addon walks FAISS's HNSW graphs itself (faiss_hnsw.cc). With efSearch at the collection size
// the walk's result list never fills, so it visits every node it can reach: the answer must then
// be brute force's, ids mapped back and scores signed as the metric says.
for (const spec of [`hnsw:M=16,efSearch=${N}`, `hnsw:M=16,efSearch=${N},metric=l2`, `faiss:HNSW16,Flat|efSearch=${N}`]) {
  test(`${spec}: an HNSW walk as wide as the collection agrees with brute force exactly`, async () => {
    const index = build(spec);
    const exact = bruteForce(index.metric, ids, data, queries, DIM, 50);
    assertExact(await index.search(queries, 50), exact, spec);
  });
}

const APPROXIMATE: [string, number][] = [
  ['hnsw', 0.95],
  ['hnsw:M=16,efConstruction=80,efSearch=64,metric=l2', 0.95],
  ['faiss:HNSW16,Flat|efSearch=64', 0.95],
  // PQ with 8 sub-quantizers of 4 dims bounds this one: 0.59-0.64 over data seeds 1-11.
  ['ivfpq:nprobe=16', 0.55],
  ['ivfpq:nlist=16,m=16,nprobe=16,metric=l2', 0.7],
  ['annoy', 0.9],
  ['annoy:trees=16,searchK=2000,metric=l2', 0.9],
];

for (const [spec, bound] of APPROXIMATE) {
  test(`${spec}: recall@10 against brute force >= ${bound}`, async () => {
    const index = build(spec);
    const exact = bruteForce(index.metric, ids, data, queries, DIM, K);
    const got = await index.search(queries, K);
    for (const hits of got) {
      assert.equal(hits.length, K);
      for (let i = 1; i < hits.length; i++) {
        const a = hits[i - 1]!;
        const b = hits[i]!;
        assert.ok(a.score > b.score || (a.score === b.score && a.id < b.id), 'ranked by score, then id');
      }
    }
    const recall = recallOfHits(got, exact);
    assert.ok(recall >= bound, `recall@10 ${recall.toFixed(3)} < ${bound}`);
  });
}

// ---------- ids, removal, re-adding ----------

const ALL_KINDS = ['flat', 'flat-l2', 'hnsw', 'ivfpq:nlist=16,nprobe=16', 'annoy', 'faiss:HNSW16,Flat'];

for (const spec of ALL_KINDS) {
  test(`${spec}: ids stay stable after removals and re-adds`, async () => {
    const index = build(spec);
    await index.search(queries.subarray(0, DIM), 1); // build first, so removals reach the engine
    const removed = ids.filter((_, i) => i % 3 === 0);
    index.remove(removed);
    index.remove([removed[0]!, 123_456_789]); // again, and an unknown id: no-ops
    assert.equal(index.size(), N - removed.length);
    const gone = new Set(removed);
    const rowOf = new Map(ids.map((id, row) => [id, row]));
    const got = await index.search(queries, K);
    for (const [q, hits] of got.entries()) {
      assert.equal(hits.length, K);
      for (const h of hits) {
        assert.ok(!gone.has(h.id), `removed id ${h.id} returned`);
        const row = rowOf.get(h.id);
        assert.ok(row !== undefined, `unknown id ${h.id}`);
        // The id still names its own vector (approximate scores only for PQ).
        const want = score(index.metric, queries.subarray(q * DIM, (q + 1) * DIM), data, row, DIM);
        assert.ok(Math.abs(h.score - want) < (spec.startsWith('ivfpq') ? 0.5 : 1e-4), `${h.id}: ${h.score} vs ${want}`);
      }
    }
    if (index.metric === 'ip' && spec === 'flat') {
      const keptIds = ids.filter((id) => !gone.has(id));
      const keptData = new Float32Array(keptIds.length * DIM);
      keptIds.forEach((id, i) => keptData.set(data.subarray(rowOf.get(id)! * DIM, (rowOf.get(id)! + 1) * DIM), i * DIM));
      assertExact(got, bruteForce('ip', keptIds, keptData, queries, DIM, K), 'flat after removal');
    }
    // A removed id comes back with another vector: the query equal to it finds it first.
    const back = removed[5]!;
    const fresh = randomUnitVectors(1, DIM, 99);
    index.add([back], fresh);
    assert.equal(index.size(), N - removed.length + 1);
    const [top] = await index.search(fresh, 1);
    assert.equal(top![0]!.id, back);
    assert.throws(() => index.add([back], fresh), isError('INDEX_ERROR', 'BAD_INDEX_INPUT'));
  });
}

test('add then remove before any search never reaches the engine; HNSW removals become tombstones', async () => {
  const index = createIndex('hnsw', DIM);
  index.add(ids.slice(0, 100), data.subarray(0, 100 * DIM));
  index.remove(ids.slice(0, 50));
  assert.equal(index.size(), 50);
  const [hits] = await index.search(data.subarray(60 * DIM, 61 * DIM), 100);
  assert.equal(hits!.length, 50);
  assert.equal(hits![0]!.id, ids[60]);
  index.remove([ids[60]!]);
  const [after] = await index.search(data.subarray(60 * DIM, 61 * DIM), 100);
  assert.equal(after!.length, 49);
  assert.ok(!after!.some((h) => h.id === ids[60]));
});

test('removals made while earlier ones are being applied are not lost', async () => {
  for (const spec of ['flat', 'hnsw']) {
    const index = build(spec);
    await index.search(queries.subarray(0, DIM), 1);
    index.remove(ids.slice(0, 10));
    const inFlight = index.search(queries, K); // starts applying the first removal
    index.remove(ids.slice(10, 20));
    index.remove(ids.slice(20, 30)); // merged with the previous one
    await inFlight;
    const gone = new Set(ids.slice(0, 30));
    const got = await index.search(data.subarray(0, 30 * DIM), 3);
    for (const hits of got) assert.ok(hits.every((h) => !gone.has(h.id)), spec);
    assert.equal(index.size(), N - 30);
  }
});

// ---------- k ----------

for (const spec of ALL_KINDS) {
  test(`${spec}: k is clamped to the size`, async () => {
    const index = createIndex(spec, DIM);
    assert.deepEqual(await index.search(queries.subarray(0, 2 * DIM), 5), [[], []]);
    index.add(ids, data);
    await index.search(queries.subarray(0, DIM), 1); // first build (IVF-PQ trains on all of them)
    const few = 7;
    index.remove(ids.slice(few));
    assert.equal(index.size(), few);
    const [hits] = await index.search(queries.subarray(0, DIM), few + 50);
    assert.equal(hits!.length, few);
    assert.deepEqual(await index.search(queries.subarray(0, DIM), 0), [[]]);
    await assert.rejects(index.search(queries.subarray(0, DIM), -1), /non-negative integer/);
  });
}

test('ties are broken by id ascending, also at the k boundary', async () => {
  for (const spec of ['flat', 'flat-l2']) {
    const index = createIndex(spec, DIM);
    const copy = data.subarray(0, DIM);
    const dupIds = [907, 15, 300, 4, 77, 12, 999, 5];
    const block = new Float32Array(dupIds.length * DIM);
    dupIds.forEach((_, i) => block.set(copy, i * DIM));
    index.add(dupIds, block);
    index.add([1, 2, 3], data.subarray(DIM, 4 * DIM));
    const [hits] = await index.search(copy, 3);
    assert.deepEqual(
      hits!.map((h) => h.id),
      [4, 5, 12],
      spec,
    );
  }
});

// ---------- save / load ----------

for (const spec of ALL_KINDS) {
  test(`${spec}: save and load give identical results, and the loaded index keeps working`, async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'index.bin');
    const index = build(spec);
    index.remove(ids.slice(0, 20));
    const before = await index.search(queries, K);
    await index.save(file);
    const loaded = await loadIndex(file);
    assert.equal(loaded.spec, spec);
    assert.equal(loaded.dim, DIM);
    assert.equal(loaded.metric, index.metric);
    assert.equal(loaded.size(), index.size());
    assert.deepEqual(await loaded.search(queries, K), before);
    // Still mutable after loading (Annoy rebuilds from the vectors it read back).
    loaded.remove([ids[100]!]);
    loaded.add([5], data.subarray(100 * DIM, 101 * DIM));
    const [top] = await loaded.search(data.subarray(100 * DIM, 101 * DIM), 1);
    assert.equal(top![0]!.id, 5);
    await fsp.rm(dir, { recursive: true, force: true });
  });
}

test('an empty index saves and loads', async () => {
  const dir = await tempDir();
  for (const spec of ['flat', 'ivfpq', 'annoy']) {
    const file = path.join(dir, `${spec}.bin`);
    await createIndex(spec, DIM).save(file);
    const loaded = await loadIndex(file);
    assert.equal(loaded.size(), 0);
    assert.deepEqual(await loaded.search(queries.subarray(0, DIM), 3), [[]]);
  }
  await fsp.rm(dir, { recursive: true, force: true });
});

test('loading a missing or corrupt index is a clear error', async () => {
  const dir = await tempDir();
  await assert.rejects(loadIndex(path.join(dir, 'nope.bin')), isError('INDEX_ERROR', 'BAD_INDEX_FILE'));
  const file = path.join(dir, 'index.bin');
  await build('flat').save(file);
  await fsp.writeFile(file, 'not a faiss file');
  await assert.rejects(loadIndex(file), (e: unknown) => isError('INDEX_ERROR', 'BAD_INDEX_FILE')(e) && /Cannot read the FAISS index/.test((e as Error).message));
  await fsp.rm(dir, { recursive: true, force: true });
});

// ---------- specs ----------

test('spec strings parse into build options, default search parameters and a build key', () => {
  const cases: [string, ReturnType<typeof parseIndexSpec>][] = [
    ['flat', { build: { kind: 'flat', metric: 'ip' }, search: {}, searchKnobs: [], buildKey: 'flat:metric=ip' }],
    ['flat-l2', { build: { kind: 'flat', metric: 'l2' }, search: {}, searchKnobs: [], buildKey: 'flat:metric=l2' }],
    [
      'hnsw',
      {
        build: { kind: 'hnsw', metric: 'ip', M: 32, efConstruction: 40 },
        search: { efSearch: 128 },
        searchKnobs: ['efSearch'],
        buildKey: 'hnsw:M=32,efConstruction=40,metric=ip',
      },
    ],
    [
      'hnsw:M=16,efConstruction=80,efSearch=256,metric=l2',
      {
        build: { kind: 'hnsw', metric: 'l2', M: 16, efConstruction: 80 },
        search: { efSearch: 256 },
        searchKnobs: ['efSearch'],
        buildKey: 'hnsw:M=16,efConstruction=80,metric=l2',
      },
    ],
    [
      'ivfpq:nlist=1024,m=32',
      {
        build: { kind: 'ivfpq', metric: 'ip', nlist: 1024, m: 32, nbits: 8 },
        search: { nprobe: 16 },
        searchKnobs: ['nprobe'],
        buildKey: 'ivfpq:nlist=1024,m=32,nbits=8,metric=ip',
      },
    ],
    [
      'annoy:trees=10,searchK=500',
      {
        build: { kind: 'annoy', metric: 'ip', trees: 10, seed: 1 },
        search: { searchK: 500 },
        searchKnobs: ['searchK'],
        buildKey: 'annoy:trees=10,seed=1,metric=ip',
      },
    ],
    ['annoy', { build: { kind: 'annoy', metric: 'ip', trees: 32, seed: 1 }, search: {}, searchKnobs: ['searchK'], buildKey: 'annoy:trees=32,seed=1,metric=ip' }],
    [
      'faiss:HNSW32,Flat',
      { build: { kind: 'faiss', metric: 'ip', factory: 'HNSW32,Flat' }, search: { efSearch: 16 }, searchKnobs: ['efSearch'], buildKey: 'faiss:HNSW32,Flat' },
    ],
    [
      'faiss-l2:IVF64,Flat|nprobe=8',
      { build: { kind: 'faiss', metric: 'l2', factory: 'IVF64,Flat' }, search: { nprobe: 8 }, searchKnobs: ['nprobe'], buildKey: 'faiss-l2:IVF64,Flat' },
    ],
    [
      'faiss:IVF64_HNSW16,Flat|ht=4,efSearch=32',
      {
        build: { kind: 'faiss', metric: 'ip', factory: 'IVF64_HNSW16,Flat', params: 'ht=4' },
        search: { efSearch: 32, nprobe: 1 },
        searchKnobs: ['efSearch', 'nprobe'],
        buildKey: 'faiss:IVF64_HNSW16,Flat|ht=4',
      },
    ],
  ];
  for (const [spec, want] of cases) assert.deepEqual(parseIndexSpec(spec), want, spec);
  // The grammar stays as it was: a build key is itself a spec, with the same build key.
  for (const [, want] of cases) assert.equal(parseIndexSpec(want.buildKey).buildKey, want.buildKey);
  // Search options and spelled-out defaults do not change what is built.
  const key = parseIndexSpec('hnsw:M=16').buildKey;
  for (const spec of ['hnsw:M=16,efSearch=16', 'hnsw:efSearch=200,M=16', 'hnsw:M=16,efConstruction=40,metric=ip']) {
    assert.equal(parseIndexSpec(spec).buildKey, key, spec);
  }
  assert.notEqual(parseIndexSpec('hnsw:M=16,efConstruction=80').buildKey, key);
  const index = createIndex('hnsw:efSearch=64', DIM);
  assert.equal(index.spec, 'hnsw:efSearch=64');
  assert.deepEqual(index.searchDefaults, { efSearch: 64 });
  assert.equal(index.buildKey, 'hnsw:M=32,efConstruction=40,metric=ip');
});

test('bad specs are errors that say what is wrong', () => {
  const cases: [string, string][] = [
    ['', 'Bad index spec "": expected one of flat, flat-l2, hnsw, ivfpq, annoy, faiss:<factory>, faiss-l2:<factory>'],
    ['lsh', 'Bad index spec "lsh": unknown index kind "lsh"; expected one of flat, flat-l2, hnsw, ivfpq, annoy, faiss:<factory>, faiss-l2:<factory>'],
    ['hnsw:M=abc', 'Bad index spec "hnsw:M=abc": expected an integer between 2 and 512 for M but received "abc"'],
    ['hnsw:m=16', 'Bad index spec "hnsw:m=16": unknown option "m" for hnsw; expected metric, M, efConstruction, efSearch'],
    ['hnsw:M=16,M=32', 'Bad index spec "hnsw:M=16,M=32": option M given twice'],
    ['hnsw:', 'Bad index spec "hnsw:": expected options after "hnsw:" (or drop the ":")'],
    ['flat:metric=cosine', 'Bad index spec "flat:metric=cosine": expected ip or l2 for metric but received "cosine"'],
    ['flat-l2:metric=ip', 'Bad index spec "flat-l2:metric=ip": flat-l2 takes no options'],
    ['annoy:trees=0', 'Bad index spec "annoy:trees=0": expected an integer between 1 and 10000 for trees but received "0"'],
    ['ivfpq:nprobe', 'Bad index spec "ivfpq:nprobe": expected key=value, got "nprobe"'],
    ['faiss:', 'Bad index spec "faiss:": expected a FAISS factory string after "faiss:", e.g. "faiss:HNSW32,Flat"'],
    ['faiss:IDMap2,Flat', 'Bad index spec "faiss:IDMap2,Flat": leave out "IDMap": ids are always kept (IDMap2 is added where FAISS needs it)'],
    ['faiss:IVF16,PQ8,RFlat', 'Bad index spec "faiss:IVF16,PQ8,RFlat": a refine stage (RFlat, Refine(...)) cannot keep caller ids; leave it out'],
    ['faiss:HNSW32|efSearch', 'Bad index spec "faiss:HNSW32|efSearch": expected search parameters as name=value[,name=value] after "|", got "efSearch"'],
  ];
  for (const [spec, message] of cases) {
    assert.throws(
      () => createIndex(spec, DIM),
      (e: unknown) => isError('BAD_INDEX_SPEC')(e) && (e as Error).message === message,
      spec,
    );
  }
  assert.throws(
    () => createIndex('ivfpq:m=7', DIM),
    { message: 'Bad index spec "ivfpq:m=7": m=7 must divide the dimension 32 (each of the m sub-quantizers takes dim/m components)' },
  );
  assert.throws(() => createIndex('faiss:Bogus42', DIM), (e: unknown) => isError('BAD_INDEX_SPEC')(e) && /FAISS rejects "IDMap2,Bogus42"/.test((e as Error).message));
  assert.throws(() => createIndex('faiss:HNSW32|nprobe=4', DIM), {
    message: 'Bad index spec "faiss:HNSW32|nprobe=4": nprobe does not apply to the factory "HNSW32" (it needs an IVF stage)',
  });
  assert.throws(() => createIndex('faiss:HNSW32|efSearch=0', DIM), {
    message: 'Bad index spec "faiss:HNSW32|efSearch=0": expected an integer between 1 and 1048576 for efSearch but received "0"',
  });
  assert.throws(() => createIndex('faiss:HNSW32|bogus=4', DIM), /FAISS rejects .*could not set parameter bogus/);
  assert.throws(() => validateIndexSpec('ivfpq:m=5', 64), /m=5 must divide the dimension 64/);
});

test('bad input is rejected before it enters the index', async () => {
  const index = createIndex('flat', DIM);
  const bad = isError('INDEX_ERROR', 'BAD_INDEX_INPUT');
  assert.throws(() => index.add([1, 2], data.subarray(0, DIM)), bad);
  assert.throws(() => index.add([1], data.subarray(0, DIM + 1)), bad);
  assert.throws(() => index.add([1, 1], data.subarray(0, 2 * DIM)), bad);
  assert.throws(() => index.add([-1], data.subarray(0, DIM)), bad);
  assert.throws(() => index.add([1.5], data.subarray(0, DIM)), bad);
  const nan = data.slice(0, DIM);
  nan[3] = NaN;
  assert.throws(() => index.add([1], nan), /row 0 has NaN/);
  assert.equal(index.size(), 0);
  await assert.rejects(index.search(new Float32Array(DIM + 1), 1), bad);
});

test('ivfpq trains at its first build and says when there are too few vectors', async () => {
  const index = createIndex('ivfpq', DIM);
  index.add(ids.slice(0, 100), data.subarray(0, 100 * DIM));
  await assert.rejects(
    index.search(queries.subarray(0, DIM), 5),
    (e: unknown) =>
      isError('TOO_FEW_TO_TRAIN')(e) &&
      (e as Error).message ===
        'Index spec "ivfpq" trains on its first build and needs at least 256 vectors; it has 100. ' +
          'Add more vectors before searching, or use "flat" (exact) or "hnsw" for small collections.',
  );
  index.add(ids.slice(100, 600), data.subarray(100 * DIM, 600 * DIM));
  const [hits] = await index.search(queries.subarray(0, DIM), 5);
  assert.equal(hits!.length, 5);
});

// ---------- search parameters per call ----------

test('a per-call nprobe overrides the default: visiting every IVF list is exact', async () => {
  const index = build('faiss:IVF16,Flat'); // default nprobe: FAISS's 1
  const exact = bruteForce(index.metric, ids, data, queries, DIM, K);
  const byDefault = await index.search(queries, K);
  assert.ok(recallOfHits(byDefault, exact) < 0.9, `nprobe=1 recall ${recallOfHits(byDefault, exact)} should miss some`);
  assertExact(await index.search(queries, K, { nprobe: 16 }), exact, 'nprobe=16');
  // The override was for that call only.
  assert.deepEqual(await index.search(queries, K), byDefault);
});

for (const [spec, low, high] of [
  ['hnsw:M=4,efSearch=64', { efSearch: 1 }, { efSearch: 400 }],
  ['ivfpq:nlist=16,m=16', { nprobe: 1 }, { nprobe: 16 }],
  ['annoy:trees=8', { searchK: 20 }, { searchK: 20_000 }],
] as const) {
  test(`${spec}: a larger ${Object.keys(low)[0]} per call gives a higher recall, and the default comes back after`, async () => {
    const index = build(spec);
    const exact = bruteForce(index.metric, ids, data, queries, DIM, K);
    const byDefault = await index.search(queries, K);
    const recallLow = recallOfHits(await index.search(queries, K, low), exact);
    const recallHigh = recallOfHits(await index.search(queries, K, high), exact);
    assert.ok(recallLow + 0.1 < recallHigh, `recall ${recallLow.toFixed(3)} (${JSON.stringify(low)}) vs ${recallHigh.toFixed(3)} (${JSON.stringify(high)})`);
    assert.deepEqual(await index.search(queries, K), byDefault);
  });
}

test('bad per-call search parameters are BAD_USER_INPUT and say why', async () => {
  const hnsw = build('hnsw:M=8');
  const flat = build('flat');
  const q = queries.subarray(0, DIM);
  const cases: [typeof hnsw, unknown, string][] = [
    [hnsw, { efSearch: 0 }, 'Bad search parameters: expected an integer between 1 and 1048576 for efSearch but received 0'],
    [hnsw, { efSearch: 1.5 }, 'Bad search parameters: expected an integer between 1 and 1048576 for efSearch but received 1.5'],
    [hnsw, { efSearch: '64' }, 'Bad search parameters: expected an integer between 1 and 1048576 for efSearch but received "64"'],
    [hnsw, { nprobe: 4 }, 'Bad search parameters: nprobe does not apply to the index "hnsw:M=8", which takes efSearch'],
    [hnsw, { efsearch: 64 }, 'Bad search parameters: unknown parameter "efsearch"; expected efSearch, nprobe, searchK'],
    [hnsw, 64, 'Bad search parameters: expected an object such as { efSearch: 256 } but received 64'],
    [flat, { efSearch: 64 }, 'Bad search parameters: efSearch does not apply to the index "flat", which takes no search parameters'],
  ];
  for (const [index, params, message] of cases) {
    await assert.rejects(
      index.search(q, K, params as never),
      (e: unknown) => isError('BAD_USER_INPUT')(e) && (e as Error).message === message,
      message,
    );
  }
  // Absent values are the defaults; settings meant for other kinds are dropped by applicableSearchParams.
  const exact = await flat.search(q, K);
  assert.deepEqual(await flat.search(q, K, { efSearch: undefined }), exact);
  assert.deepEqual(await flat.search(q, K, applicableSearchParams(flat.searchKnobs, { efSearch: 64, nprobe: 8 })), exact);
  assert.deepEqual(applicableSearchParams(hnsw.searchKnobs, { efSearch: 64, nprobe: 8 }), { efSearch: 64 });
});

test('concurrent searches with different efSearch each get the results they get alone', async () => {
  const index = build('hnsw:M=4');
  const settings = [{ efSearch: 1 }, { efSearch: 400 }, undefined, { efSearch: 8 }];
  const alone: SearchHit[][][] = [];
  for (const params of settings) alone.push(await index.search(queries, K, params));
  assert.notDeepEqual(alone[0], alone[1], 'the settings must give different results for this test to mean anything');
  const together = await Promise.all(Array.from({ length: 24 }, (_, i) => index.search(queries, K, settings[i % settings.length])));
  together.forEach((got, i) => assert.deepEqual(got, alone[i % settings.length], `search ${i}`));
});

test('the lock switches a mode only when no reader is inside, and readers of one mode share', async () => {
  let inside = 0;
  let maxTogether = 0;
  const switches: string[] = [];
  const lock = new AsyncRwLock((mode) => {
    assert.equal(inside, 0, `mode ${mode} applied while ${inside} readers are inside`);
    switches.push(mode);
  });
  const reader = (mode: string | undefined) =>
    lock.read(async () => {
      inside++;
      maxTogether = Math.max(maxTogether, inside);
      await new Promise((r) => setTimeout(r, 2));
      inside--;
    }, mode);
  await Promise.all([reader('a'), reader('a'), reader('b'), reader(undefined), reader('b'), lock.write(async () => {}), reader('b')]);
  assert.deepEqual(switches, ['a', 'b', 'b']); // after a writer the mode is applied again
  assert.equal(maxTogether, 3); // b, the reader without a mode, and the second b
  await assert.rejects(
    new AsyncRwLock(() => {
      throw new Error('refused');
    }).read(async () => 1, 'x'),
    /refused/,
  );
});

test('a collection index is reused when only its search options change', async () => {
  const dir = await tempDir();
  const collection = { dir, manifest: { indexSpec: 'hnsw:M=16,efSearch=16' }, version: () => 3 };
  let matrices = 0;
  const matrix = () => {
    matrices++;
    return { ids: Int32Array.from(ids), data, dim: DIM };
  };
  const open = () => openCollectionIndex(collection as unknown as Collection, 'space-1', matrix);
  const stateFile = path.join(dir, 'index.state.json');
  const indexFile = async () => path.join(dir, JSON.parse(await fsp.readFile(stateFile, 'utf8')).file as string);

  const first = await open();
  assert.equal(first.rebuilt, true);
  const file = await indexFile();
  const mtime = (await fsp.stat(file)).mtimeMs;
  const low = await first.index.search(queries, K);

  collection.manifest.indexSpec = 'hnsw:M=16,efSearch=200';
  const second = await open();
  assert.equal(second.rebuilt, false);
  assert.equal(matrices, 1);
  assert.equal(await indexFile(), file);
  assert.equal((await fsp.stat(file)).mtimeMs, mtime);
  assert.equal(second.index.spec, 'hnsw:M=16,efSearch=200');
  assert.deepEqual(second.index.searchDefaults, { efSearch: 200 });
  assert.deepEqual(await second.index.search(queries, K), await first.index.search(queries, K, { efSearch: 200 }));
  assert.deepEqual(await second.index.search(queries, K, { efSearch: 16 }), low);

  collection.manifest.indexSpec = 'hnsw:M=24,efSearch=200';
  assert.equal((await open()).rebuilt, true);
  assert.equal(matrices, 2);
  await fsp.rm(dir, { recursive: true, force: true });
});

test('loading an index with a spec of another build is refused', async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'index.bin');
  await build('hnsw:M=8').save(file);
  assert.deepEqual((await loadIndex(file, 'hnsw:M=8,efSearch=300')).searchDefaults, { efSearch: 300 });
  await assert.rejects(loadIndex(file, 'hnsw:M=16'), (e: unknown) =>
    isError('BAD_INDEX_SPEC')(e) &&
    (e as Error).message ===
      `Bad index spec "hnsw:M=16": it builds hnsw:M=16,efConstruction=40,metric=ip, but the index file ${file} is hnsw:M=8,efConstruction=40,metric=ip: rebuild it instead`,
  );
  await fsp.rm(dir, { recursive: true, force: true });
});

// ---------- off the event loop ----------

async function ticksDuring(work: () => Promise<unknown>): Promise<{ ticks: number; ms: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 2);
  const t0 = performance.now();
  const p = work();
  assert.ok(p instanceof Promise);
  await p;
  const ms = performance.now() - t0;
  clearInterval(timer);
  return { ticks, ms };
}

for (const spec of ['flat', 'annoy:trees=4,searchK=200000']) {
  test(`${spec}: search is a Promise and timers fire while a big search runs`, async () => {
    const n = 50_000;
    const dim = 128;
    const big = randomUnitVectors(n, dim, 7);
    const index = createIndex(spec, dim);
    index.add(Array.from({ length: n }, (_, i) => i), big);
    await index.search(big.subarray(0, dim), 1); // build (Annoy) outside the measurement
    const many = randomUnitVectors(400, dim, 8);
    const { ticks, ms } = await ticksDuring(() => index.search(many, 10));
    assert.ok(ms > 40, `search too quick (${ms.toFixed(0)} ms) to show anything; make it bigger`);
    assert.ok(ticks >= Math.min(5, ms / 20), `only ${ticks} timer ticks during a ${ms.toFixed(0)} ms search`);
  });
}

test('concurrent searches, adds and removes stay consistent', async () => {
  const index = createIndex('hnsw', DIM);
  index.add(ids.slice(0, 1000), data.subarray(0, 1000 * DIM));
  const searches: Promise<SearchHit[][]>[] = [];
  for (let i = 0; i < 20; i++) {
    searches.push(index.search(queries, K));
    if (i === 5) index.add(ids.slice(1000), data.subarray(1000 * DIM));
    if (i === 10) index.remove(ids.slice(0, 500));
  }
  const results = await Promise.all(searches);
  const gone = new Set(ids.slice(0, 500));
  for (const hits of results.at(-1)!) assert.ok(hits.every((h) => !gone.has(h.id)));
  assert.equal(index.size(), N - 500);
});

test('OpenBLAS kernels are chosen from the CPU flags', () => {
  assert.equal(chooseOpenBlasCoreType('flags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl\n'), 'SkylakeX');
  assert.equal(chooseOpenBlasCoreType('flags\t\t: fpu sse2 avx avx2 fma\n'), 'Haswell');
  assert.equal(chooseOpenBlasCoreType('flags\t\t: fpu sse2 avx\n'), undefined);
  assert.equal(chooseOpenBlasCoreType(''), undefined);
});
