/**
 * The fit-time fast paths (issue 13, "Fit time") give the same bits as the code they replaced:
 * top-s by selection against the heap, one retained scratch memory against a fresh one per
 * product, the learners' shared decompositions against none, and the scaled scatter cache's
 * reused held-out scatter against a direct pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gemm, withRetainedScratch } from '../../metric/kernels.js';
import { learnKissme, learnMemo, learnXqda } from '../../metric/learners.js';
import { ScatterCache } from '../../metric/pca.js';
import { Rng } from '../../metric/random.js';
import { selectKth, topS, topSHeap } from '../../metric/shortlists.js';
import { ClassStats } from '../../metric/stats.js';
import { symmetricEigen } from '../../metric/sym-eigen.js';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { labelledClusters } from '../helpers/labelled-clusters.js';

describe('topS by selection', () => {
  it('selectKth: the k-th smallest', () => {
    const a = [5, 1, 4, 1, 3];
    assert.deepEqual([0, 1, 2, 3, 4].map((k) => selectKth(Float64Array.from(a), 5, k)), [1, 1, 3, 4, 5]);
    assert.equal(selectKth(Float64Array.from([2, 2, 2, 2]), 4, 1), 2);
  });

  it('a hand-checked row: ties keep candidate order', () => {
    const got = topS(Float64Array.from([3, 1, 3, 2, 3, 2]), 1, 6, 4);
    assert.deepEqual(Array.from(got.ids), [0, 2, 4, 3]);
    assert.deepEqual(Array.from(got.scores), [3, 3, 3, 2]);
  });

  it('equals the heap on random rows with many ties, infinities, s ≥ nc and a NaN row', () => {
    const rng = new Rng(5);
    for (const [nq, nc, s, levels] of [
      [7, 50, 10, 5],
      [5, 300, 100, 40],
      [3, 8, 20, 3],
      [4, 1000, 1, 1000],
      [6, 64, 64, 2],
    ]) {
      const S = Float64Array.from({ length: nq * nc }, () => Math.floor(rng.next() * levels) - levels / 2);
      S[3] = Infinity;
      S[nc + 1] = -Infinity;
      assert.deepEqual(topS(S, nq, nc, s), topSHeap(S, nq, nc, s), `${nq}×${nc}, s ${s}`);
      // Sorted and reversed rows (the quickselect's classic worst cases).
      const up = Float64Array.from({ length: nq * nc }, (_, i) => i % nc);
      const down = Float64Array.from({ length: nq * nc }, (_, i) => -(i % nc));
      assert.deepEqual(topS(up, nq, nc, s), topSHeap(up, nq, nc, s));
      assert.deepEqual(topS(down, nq, nc, s), topSHeap(down, nq, nc, s));
    }
    const withNaN = Float64Array.from([1, NaN, 3, 2, 0.5, 4, 4, 1]);
    assert.deepEqual(topS(withNaN, 2, 4, 2), topSHeap(withNaN, 2, 4, 2));
  });
});

describe('retained scratch', () => {
  it('products inside withRetainedScratch equal fresh-memory products, bit for bit, whatever came before', () => {
    const rng = new Rng(9);
    const mat = (rows: number, cols: number) => ({ data: Float32Array.from({ length: rows * cols }, () => rng.normal()), rows, cols });
    // Big enough for the WebAssembly path (≥ 2^20 multiply-adds), odd sizes so the padding matters.
    const shapes: [number, number, number][] = [
      [129, 130, 257],
      [61, 67, 301],
      [200, 90, 255],
    ];
    const ops = shapes.map(([m, n, k]) => ({ A: mat(m, k), B: mat(n, k) }));
    const fresh = ops.map(({ A, B }) => gemm(A, B));
    const freshSym = gemm(ops[2].A, ops[2].A, true);
    const retained = withRetainedScratch(() => {
      const out = ops.map(({ A, B }) => gemm(A, B));
      // Nested scopes share the memory; a big product first, then smaller ones reuse dirty memory.
      const sym = withRetainedScratch(() => gemm(ops[2].A, ops[2].A, true));
      return { out: [...out, ...ops.map(({ A, B }) => gemm(A, B))], sym };
    });
    assert.deepEqual(retained.out, [...fresh, ...fresh]);
    assert.deepEqual(retained.sym, freshSym);
  });
});

describe('shared decompositions', () => {
  it('KISSME and XQDA at every cap give the same map with a shared memo as without', () => {
    const g = labelledClusters();
    const classOf = Int32Array.from(g.labels, (l) => (l === null ? -1 : Number(l.slice('class-'.length))));
    const stats = ClassStats.fromRows(g.X, g.d, classOf, 10);
    const memo = learnMemo();
    for (const weighting of ['pairs', 'classes'] as const) {
      for (const shrinkage of [0.01, 0.3]) {
        for (const subspaceDim of ['auto', 3, 1] as const) {
          assert.deepEqual(learnXqda(stats, { weighting, shrinkage, subspaceDim }, memo), learnXqda(stats, { weighting, shrinkage, subspaceDim }));
        }
        assert.deepEqual(learnKissme(stats, { weighting, shrinkage }, memo), learnKissme(stats, { weighting, shrinkage }));
      }
    }
  });

  it('a scaled cache reuses the held-out scatter of a subset fit (D·S_held·D) and fits the same PCA as a direct pass', () => {
    const g = labelledClusters();
    const n = g.X.length / g.d;
    const subset = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 !== 0);
    const base = new ScatterCache(g.X, g.d);
    base.fit(6, { subset, seed: 1 });
    const s = Float64Array.from({ length: g.d }, (_, j) => (j % 3 === 0 ? 2 : 0.5));
    const { X, cache } = base.scaled(s);
    const a = cache.fit(6, { subset, seed: 1 });
    const b = new ScatterCache(X, g.d).fit(6, { subset, seed: 1 });
    a.eigenvalues.forEach((v, j) => assert.ok(Math.abs(v - b.eigenvalues[j]) <= 1e-9 * b.eigenvalues[0], `eigenvalue ${j}: ${v} vs ${b.eigenvalues[j]}`));
    assert.ok(Math.abs(a.totalVariance - b.totalVariance) <= 1e-9 * b.totalVariance);
  });
});

describe('symmetric eigendecomposition on flat arrays', () => {
  it('gives ml-matrix’s values and vectors bit for bit (random, rank-deficient, diagonal, 1 × 1)', () => {
    const rng = new Rng(3);
    const cases: Float64Array[] = [];
    for (const n of [1, 2, 7, 40]) {
      const B = Float64Array.from({ length: n * n }, () => rng.normal());
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let t = 0; t < n; t++) A[i * n + j] += B[i * n + t] * B[j * n + t];
      cases.push(A);
    }
    // Rank 2 in 6 dimensions (zero eigenvalues, the scale = 0 branch) and a diagonal one.
    const u = Float64Array.from({ length: 6 }, () => rng.normal()), w = Float64Array.from({ length: 6 }, () => rng.normal());
    cases.push(Float64Array.from({ length: 36 }, (_, k) => u[Math.floor(k / 6)] * u[k % 6] + w[Math.floor(k / 6)] * w[k % 6]));
    cases.push(Float64Array.from({ length: 25 }, (_, k) => (Math.floor(k / 5) === k % 5 ? (k % 5) - 2 : 0)));
    for (const A of cases) {
      const n = Math.round(Math.sqrt(A.length));
      const m = new Matrix(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, A[i * n + j]);
      const ref = new EigenvalueDecomposition(m, { assumeSymmetric: true });
      const got = symmetricEigen(A, n);
      assert.deepEqual(Array.from(got.values), ref.realEigenvalues, `values, n = ${n}`);
      assert.deepEqual(Array.from(got.V), ref.eigenvectorMatrix.to1DArray(), `vectors, n = ${n}`);
    }
  });
});
