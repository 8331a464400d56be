import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImsearchError } from '../../errors/error-codes.js';
import {
  ClassStats,
  Metric,
  alphaQueryExpansion,
  classVoteRerank,
  crossValidateMetric,
  cutResults,
  fitMetric,
  fitPca,
  fitThreshold,
  hashArtifact,
  learnKissme,
  parseArtifact,
  psdClip,
  serializeArtifact,
  artifactToBytes,
  splitGallery,
  symEig,
  topS,
  indexLabels,
  kernelKind,
  rankGallery,
  scoreRetrieval,
  type Label,
  type MetricParams,
  type Neighbour,
  type QueryOutcome,
} from '../../metric/index.js';
import { crossProduct, gemm, setForceJsKernel } from '../../metric/kernels.js';
import { topEigenSymmetric } from '../../metric/linalg.js';
import { ScatterCache } from '../../metric/pca.js';
import { Rng } from '../../metric/random.js';

// ---------------------------------------------------------------------------------------------
// Synthetic data: classes separated along low-variance directions, a high-variance nuisance
// subspace dominating raw cosine / L2.

interface Synthetic {
  X: Float32Array;
  d: number;
  labels: string[];
}

function nuisanceClasses(opts: { d?: number; sizes?: number[]; seed?: number } = {}): Synthetic {
  const d = opts.d ?? 30;
  const sizes = opts.sizes ?? [30, 45, 60, 75, 90, 120];
  const rng = new Rng(opts.seed ?? 3);
  const informative = 3, nuisance = 4;
  const means = sizes.map(() => Array.from({ length: informative }, () => rng.normal()));
  const n = sizes.reduce((a, b) => a + b, 0);
  const X = new Float32Array(n * d);
  const labels: string[] = [];
  let i = 0;
  sizes.forEach((nc, c) => {
    for (let t = 0; t < nc; t++, i++) {
      for (let j = 0; j < d; j++) X[i * d + j] = 1 + 0.3 * rng.normal();
      for (let j = 0; j < nuisance; j++) X[i * d + informative + j] += 8 * rng.normal();
      for (let j = 0; j < informative; j++) X[i * d + j] += 2 * means[c][j];
      labels.push(`class-${c}`);
    }
  });
  return { X, d, labels };
}

function rowsOf(X: Float32Array, d: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) out.set(X.subarray(rows[i] * d, rows[i] * d + d), i * d);
  return out;
}

/** Fit on the kept part of each class, query with the held-out part: MAP@10 as the protocol. */
function heldOutMap(data: Synthetic, params: MetricParams): number {
  const { X, d, labels } = data;
  const split = splitGallery(indexLabels(labels, labels.length), { holdout: 0.25, seed: 7 });
  const trainX = rowsOf(X, d, split.train);
  const trainLabels = Array.from(split.train, (r) => labels[r]);
  const metric = new Metric(fitMetric(trainX, d, trainLabels, params));
  const G = metric.transform(trainX);
  const Q = metric.transform(rowsOf(X, d, split.heldOut));
  const S = metric.scoreMatrix(Q, G);
  const lists = topS(S, split.heldOut.length, split.train.length, 10);
  const outcomes: QueryOutcome[] = Array.from(split.heldOut, (r, q) => ({
    label: labels[r],
    retrievedLabels: Array.from(lists.ids.subarray(q * lists.s, (q + 1) * lists.s), (id) => trainLabels[id]),
    relevantTotal: trainLabels.filter((l) => l === labels[r]).length,
  }));
  return scoreRetrieval(outcomes, 10).map;
}

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * cols }, () => rng.normal());
}

// ---------------------------------------------------------------------------------------------

describe('metric learning separates classes hidden under a nuisance direction', () => {
  const data = nuisanceClasses();
  const baseline = heldOutMap(data, { method: 'identity' });
  it('plain cosine is confused', () => {
    assert.ok(baseline < 0.6, `identity MAP@10 ${baseline}`);
  });
  for (const params of [
    { method: 'kissme', pcaDim: 10 },
    { method: 'kissme', pcaDim: 10, weighting: 'classes' },
    { method: 'xqda', pcaDim: 10 },
    { method: 'jointBayesian', pcaDim: 10 },
    { method: 'jointBayesian', pcaDim: 10, emIterations: 3 },
  ] as MetricParams[]) {
    it(`${JSON.stringify(params)} lifts MAP@10 above 0.9`, () => {
      const map = heldOutMap(data, params);
      assert.ok(map > 0.9, `MAP@10 ${map} (baseline ${baseline})`);
    });
  }
});

describe('PCA', () => {
  it('recovers hand-checkable eigenvectors and variances', () => {
    const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
    const u = [c, s], v = [-s, c];
    // ±2 along u, ±1 along v (+ an offset the centring removes): covariance 8/3 u uᵀ + 2/3 v vᵀ.
    const pts = [[2, 0], [-2, 0], [0, 1], [0, -1]].map(([a, b]) => [5 + a * u[0] + b * v[0], -3 + a * u[1] + b * v[1]]);
    const model = fitPca(Float32Array.from(pts.flat()), 2, { dim: 2 });
    const f32 = (x: number) => Math.fround(x);
    assert.ok(Math.abs(model.mean[0] - 5) < 1e-6 && Math.abs(model.mean[1] + 3) < 1e-6);
    assert.ok(Math.abs(model.eigenvalues[0] - 8 / 3) < 1e-5, `λ1 ${model.eigenvalues[0]}`);
    assert.ok(Math.abs(model.eigenvalues[1] - 2 / 3) < 1e-5, `λ2 ${model.eigenvalues[1]}`);
    // Signs: largest-magnitude component positive.
    for (let t = 0; t < 2; t++) {
      assert.ok(Math.abs(model.components[t] - f32(u[t])) < 1e-5);
      assert.ok(Math.abs(model.components[2 + t] - f32(v[t])) < 1e-5);
    }
  });

  it('Gram route (n < d) agrees with the covariance eigendecomposition', () => {
    const n = 6, d = 9;
    const X = randomMatrix(n, d, 11);
    const cache = new ScatterCache(X, d);
    assert.equal(cache.route, 'gram');
    const model = cache.fit(4);
    const mean = Array.from({ length: d }, (_, j) => Array.from({ length: n }, (_, i) => X[i * d + j]).reduce((a, b) => a + b) / n);
    const C = new Float64Array(d * d);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) C[a * d + b] += ((X[i * d + a] - mean[a]) * (X[i * d + b] - mean[b])) / (n - 1);
    const e = symEig(C, d);
    for (let j = 0; j < 4; j++) {
      assert.ok(Math.abs(model.eigenvalues[j] - e.values[j]) < 1e-9 * e.values[0], `λ${j}`);
      let dot = 0;
      for (let t = 0; t < d; t++) dot += model.components[j * d + t] * e.vectors[t * d + j];
      assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-9, `component ${j}: |dot| ${dot}`);
    }
  });

  it('subset PCA from the cached scatter equals PCA of the subset', () => {
    const n = 300, d = 20;
    const X = randomMatrix(n, d, 12);
    const subset = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0);
    const a = new ScatterCache(X, d).fit(5, { subset });
    const b = fitPca(rowsOf(X, d, subset), d, { dim: 5 });
    for (let j = 0; j < 5; j++) assert.ok(Math.abs(a.eigenvalues[j] - b.eigenvalues[j]) < 1e-6 * b.eigenvalues[0]);
    assert.ok(Math.abs(a.totalVariance - b.totalVariance) < 1e-6 * b.totalVariance);
  });

  it('randomized subspace iteration matches the direct eigensolver', () => {
    const s = 450, rank = 60;
    const rng = new Rng(5);
    const G = Float64Array.from({ length: s * rank }, () => rng.normal());
    const S = new Float64Array(s * s);
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < s; j++) {
        let v = 0;
        for (let t = 0; t < rank; t++) v += G[i * rank + t] * G[j * rank + t] * Math.exp(-t / 8);
        S[i * s + j] = v;
      }
    }
    const it = topEigenSymmetric(S, s, 20);
    const direct = symEig(S, s);
    for (let j = 0; j < 20; j++) {
      assert.ok(Math.abs(it.values[j] - direct.values[j]) < 1e-5 * direct.values[0], `λ${j} ${it.values[j]} vs ${direct.values[j]}`);
    }
  });
});

describe('pair covariances from class statistics', () => {
  // 3 classes of 2, 3, 4 items, a singleton class and an unlabelled row.
  const p = 3;
  const rng = new Rng(21);
  const classOf = Int32Array.from([0, 1, 2, 0, 1, 2, 2, 1, 2, 3, -1]);
  const Y = Float64Array.from({ length: classOf.length * p }, () => rng.normal() + 2);
  const stats = ClassStats.fromRows(Y, p, classOf);

  function brute(weighting: 'pairs' | 'items' | 'classes' | 'different'): Float64Array {
    const out = new Float64Array(p * p);
    const perClass = new Map<number, { sum: Float64Array; pairs: number }>();
    let diffPairs = 0;
    for (let i = 0; i < classOf.length; i++) {
      for (let j = 0; j < classOf.length; j++) {
        if (i === j || classOf[i] < 0 || classOf[j] < 0) continue;
        const same = classOf[i] === classOf[j];
        if ((weighting === 'different') === same) continue;
        const z = Array.from({ length: p }, (_, t) => Y[i * p + t] - Y[j * p + t]);
        const target = weighting === 'different' ? out : (perClass.get(classOf[i]) ?? { sum: new Float64Array(p * p), pairs: 0 });
        const sum = weighting === 'different' ? out : (target as { sum: Float64Array }).sum;
        for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) sum[a * p + b] += z[a] * z[b];
        if (weighting === 'different') diffPairs++;
        else {
          (target as { pairs: number }).pairs++;
          perClass.set(classOf[i], target as { sum: Float64Array; pairs: number });
        }
      }
    }
    if (weighting === 'different') return out.map((v) => v / diffPairs);
    let norm = 0;
    for (const { sum, pairs } of perClass.values()) {
      const nc = (1 + Math.sqrt(1 + 4 * pairs)) / 2; // pairs = n(n − 1)
      const w = weighting === 'pairs' ? pairs : weighting === 'items' ? nc - 1 : 1;
      norm += w;
      for (let t = 0; t < p * p; t++) out[t] += (w * sum[t]) / pairs;
    }
    return out.map((v) => v / norm);
  }

  for (const w of ['pairs', 'items', 'classes'] as const) {
    it(`Σ_S (${w}) equals the brute-force pair average`, () => {
      const fast = stats.sigmaS(w);
      const slow = brute(w);
      for (let t = 0; t < p * p; t++) assert.ok(Math.abs(fast[t] - slow[t]) < 1e-9, `${w}[${t}]: ${fast[t]} vs ${slow[t]}`);
    });
  }
  it('Σ_D equals the brute-force different-class pair average', () => {
    const fast = stats.sigmaD();
    const slow = brute('different');
    for (let t = 0; t < p * p; t++) assert.ok(Math.abs(fast[t] - slow[t]) < 1e-9, `[${t}]: ${fast[t]} vs ${slow[t]}`);
  });
  it('pair counts', () => {
    assert.deepEqual(stats.pairCounts(), { same: 2 + 6 + 12, different: 10 * 10 - (4 + 9 + 16 + 1) });
  });
});

describe('PSD clipping', () => {
  it('leaves no negative eigenvalue', () => {
    const p = 12;
    const rng = new Rng(4);
    const A = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) A[i * p + j] = A[j * p + i] = rng.normal();
    const { matrix, clipped } = psdClip(A, p);
    assert.ok(clipped > 0, 'the random symmetric matrix was indefinite');
    const e = symEig(matrix, p);
    assert.ok(e.values[p - 1] > -1e-10, `smallest eigenvalue ${e.values[p - 1]}`);
  });
  it('KISSME M = L Lᵀ is PSD even without shrinkage', () => {
    const data = nuisanceClasses({ d: 10, sizes: [12, 15, 20] });
    const ci = indexLabels(data.labels, data.labels.length);
    const stats = ClassStats.fromRows(Float64Array.from(data.X), data.d, ci.classOf);
    const learned = learnKissme(stats, { weighting: 'pairs', shrinkage: 0 });
    const { L, p, r } = learned;
    const M = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) for (let k = 0; k < r; k++) M[i * p + j] += L[i * r + k] * L[j * r + k];
    const e = symEig(M, p);
    assert.ok(e.values[p - 1] > -1e-9 * e.values[0]);
  });
});

describe('artifact', () => {
  const data = nuisanceClasses();
  for (const method of ['identity', 'pca', 'kissme', 'xqda', 'jointBayesian'] as const) {
    it(`${method}: JSON and bytes round trips are exact, hash stable`, () => {
      const a = fitMetric(data.X, data.d, data.labels, { method, pcaDim: 12 }, { sourceHash: 'models:abc123' });
      const text = serializeArtifact(a);
      const b = parseArtifact(text);
      assert.deepEqual(b, a);
      assert.equal(serializeArtifact(b), text);
      assert.equal(hashArtifact(b), hashArtifact(a));
      assert.match(hashArtifact(a), /^sha256:[0-9a-f]{64}$/);
      assert.deepEqual(parseArtifact(artifactToBytes(a)), a);
      const x = data.X.subarray(0, data.d * 5);
      assert.deepEqual(Metric.load(text).transform(x), new Metric(a).transform(x));
      assert.equal(b.sourceHash, 'models:abc123');
    });
  }
  it('the hash changes with the content and with sourceHash', () => {
    const a = fitMetric(data.X, data.d, data.labels, { method: 'kissme', pcaDim: 12 });
    const b = fitMetric(data.X, data.d, data.labels, { method: 'kissme', pcaDim: 12, shrinkage: 0.2 });
    assert.notEqual(hashArtifact(a), hashArtifact(b));
    assert.notEqual(hashArtifact(a), hashArtifact({ ...a, sourceHash: 'other' }));
    assert.equal(hashArtifact(a), hashArtifact(fitMetric(data.X, data.d, data.labels, { method: 'kissme', pcaDim: 12 })), 'deterministic fit');
  });
  it('refuses corrupt, foreign and future artifacts with COLLECTION_BROKEN', () => {
    const a = JSON.parse(serializeArtifact(fitMetric(data.X, data.d, data.labels, { method: 'kissme', pcaDim: 8 })));
    const expectBad = (o: unknown, re: RegExp) =>
      assert.throws(() => parseArtifact(typeof o === 'string' ? o : JSON.stringify(o)), (e: unknown) => e instanceof ImsearchError && e.code === 'COLLECTION_BROKEN' && re.test(e.message));
    expectBad('{not json', /not valid JSON/);
    expectBad({ ...a, format: 'other' }, /not a metric artifact/);
    expectBad({ ...a, version: 99 }, /version 99 is not supported.*refit/);
    expectBad({ ...a, projection: { ...a.projection, length: a.projection.length + 1 } }, /projection/);
    expectBad({ ...a, outputDim: a.outputDim + 1 }, /projection has/);
  });
});

describe('labels', () => {
  const data = nuisanceClasses({ sizes: [10, 10] });
  it('unlabelled data refuses to fit a label-using metric, with a clear message', () => {
    for (const labels of [new Array<Label>(20).fill(null), new Array<Label>(20).fill(''), null]) {
      assert.throws(
        () => fitMetric(data.X, data.d, labels, { method: 'kissme' }),
        (e: unknown) => e instanceof ImsearchError && e.code === 'NOT_LABELLED' && /none of the 20 items has one/.test(e.message) && /identity/.test(e.message),
      );
    }
    assert.throws(() => crossValidateMetric(data.X, data.d, new Array<Label>(20).fill(undefined)), (e: unknown) => e instanceof ImsearchError && e.code === 'NOT_LABELLED');
  });
  it('one class is not enough', () => {
    assert.throws(
      () => fitMetric(data.X, data.d, new Array<Label>(20).fill('cat'), { method: 'jointBayesian' }),
      (e: unknown) => e instanceof ImsearchError && e.code === 'NOT_LABELLED' && /at least 2 classes/.test(e.message),
    );
  });
  it('unsupervised methods fit without labels; integer class ids work as labels', () => {
    assert.equal(fitMetric(data.X, data.d, null, { method: 'pca', pcaDim: 4 }).outputDim, 4);
    const ids = data.labels.map((l) => (l === 'class-0' ? 0 : 1));
    assert.ok(fitMetric(data.X, data.d, ids, { method: 'kissme', pcaDim: 8 }).outputDim > 0);
  });
  it('rejects vectors that do not match the dimension, and NaN', () => {
    assert.throws(() => fitMetric(new Float32Array(7), 3, null, { method: 'pca' }), (e: unknown) => e instanceof ImsearchError && e.code === 'INTERNAL_SERVER_ERROR' && e.details.reason === 'metric-input');
    const bad = Float32Array.from(data.X);
    bad[5] = NaN;
    assert.throws(() => fitMetric(bad, data.d, data.labels, { method: 'kissme' }), /non-finite value at vector 0, component 5/);
  });
});

describe('index layouts reproduce score()', () => {
  const data = nuisanceClasses();
  for (const method of ['kissme', 'jointBayesian', 'pca'] as const) {
    it(`${method}: IP (augmented if needed) ranks like the exact score`, () => {
      const m = new Metric(fitMetric(data.X, data.d, data.labels, { method, pcaDim: 16 }));
      const T = m.transform(data.X);
      const q = T.subarray(0, m.dim);
      const exact = m.score(q, T);
      const items = m.indexVectors(T, 'ip');
      const query = m.indexQuery(q, 'ip');
      const dim = m.indexLayout('ip').dim;
      const n = data.labels.length;
      for (let i = 0; i < n; i++) {
        let ip = 0;
        for (let j = 0; j < dim; j++) ip += query[j] * items[i * dim + j];
        assert.ok(Math.abs(m.fromIndexScore(ip, q, 'ip') - exact[i]) < 1e-3 * (1 + Math.abs(exact[i])), `item ${i}`);
      }
      // scoreMatrix agrees with score
      const S = m.scoreMatrix(q, T);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(S[i] - exact[i]) < 1e-3 * (1 + Math.abs(exact[i])));
    });
  }
  it('an L2 metric is searchable by an L2 index as is; a quadratic one is not', () => {
    const k = new Metric(fitMetric(data.X, data.d, data.labels, { method: 'kissme', pcaDim: 16 }));
    assert.deepEqual(k.indexLayout(), { metric: 'l2', dim: k.dim });
    const jb = new Metric(fitMetric(data.X, data.d, data.labels, { method: 'jointBayesian', pcaDim: 16 }));
    assert.deepEqual(jb.indexLayout(), { metric: 'ip', dim: jb.dim + 1 });
    assert.throws(() => jb.indexLayout('l2'), /inner-product index/);
  });
});

describe('re-ranking', () => {
  const list: Neighbour[] = [
    { id: 1, score: 0.9, label: 'cat' },
    { id: 2, score: 0.85, label: 'dog' },
    { id: 3, score: 0.8, label: 'dog' },
    { id: 4, score: 0.7, label: 'dog' },
    { id: 5, score: 0.6, label: 'cat' },
    { id: 6, score: 0.5, label: 'cat' },
    { id: 7, score: 0.4, label: null },
  ];
  const ids = (xs: Neighbour[]) => xs.map((x) => x.id);
  it('a confident plain count puts the winning class first', () => {
    const r = classVoteRerank(list, { k: 4, tau: null, minShare: 0.5 });
    assert.equal(r.winner, 'dog');
    assert.equal(r.share, 0.75);
    assert.ok(r.applied);
    assert.deepEqual(ids(r.ranked), [2, 3, 4, 1, 5, 6, 7]);
  });
  it('a weak vote falls back to the plain ranking', () => {
    const r = classVoteRerank(list, { k: 4, tau: null, minShare: 0.8 });
    assert.ok(!r.applied);
    assert.deepEqual(ids(r.ranked), [1, 2, 3, 4, 5, 6, 7]);
  });
  it('similarity weights: τ = 0 is the top-1 class, τ = 1 weighs by exp((s − s₁)/(τ·spread))', () => {
    assert.deepEqual(ids(classVoteRerank(list, { k: 4, tau: 0, minShare: 0 }).ranked), [1, 5, 6, 2, 3, 4, 7]);
    const r = classVoteRerank(list, { k: 4, tau: 1, minShare: 0 });
    const w = [1, Math.exp(-0.25), Math.exp(-0.5), Math.exp(-1)];
    assert.equal(r.winner, 'dog');
    assert.ok(Math.abs(r.share - (w[1] + w[2] + w[3]) / (w[0] + w[1] + w[2] + w[3])) < 1e-12);
  });
  it('unlabelled voters weaken the vote but never win', () => {
    const r = classVoteRerank([{ id: 1, score: 0.9, label: null }, { id: 2, score: 0.8, label: 'a' }], { k: 2, tau: null, minShare: 0 });
    assert.equal(r.winner, 'a');
    assert.equal(r.share, 0.5);
    assert.deepEqual(ids(r.ranked), [2, 1]);
  });
  it('α-QE adds similarity^α-weighted neighbours and renormalises', () => {
    const s2 = Math.SQRT1_2;
    const q = alphaQueryExpansion(Float32Array.from([1, 0]), Float32Array.from([0, 1, s2, s2, 1, 0]), [0.5, 0.9, -0.3], { n: 3, alpha: 1 });
    const x = 1 + 0.9 * s2, y = 0.5 + 0.9 * s2, norm = Math.hypot(x, y);
    assert.ok(Math.abs(q[0] - x / norm) < 1e-6 && Math.abs(q[1] - y / norm) < 1e-6);
    const q3 = alphaQueryExpansion(Float32Array.from([1, 0]), Float32Array.from([0, 1]), [0.5], { n: 1, alpha: 3 });
    assert.ok(Math.abs(q3[1] / q3[0] - 0.125) < 1e-6);
  });
});

describe('calibration', () => {
  // same:      s     s     d     s     d     d     s
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3];
  const same = [1, 1, 0, 1, 0, 0, 1];
  it('picks the lowest threshold reaching the target precision', () => {
    const t75 = fitThreshold(scores, same, 0.75);
    assert.equal(t75.threshold, 0.6);
    assert.equal(t75.precision, 0.75);
    assert.equal(t75.recall, 0.75);
    assert.equal(fitThreshold(scores, same, 0.9).threshold, 0.8);
    assert.equal(fitThreshold(scores, same, 1).threshold, 0.8);
    const t55 = fitThreshold(scores, same, 0.55);
    assert.equal(t55.threshold, 0.3);
    assert.equal(t55.recall, 1);
  });
  it('does not split tied scores; unreachable targets accept nothing', () => {
    const t = fitThreshold([0.5, 0.5], [1, 0], 0.9);
    assert.equal(t.achievable, false);
    assert.equal(t.threshold, Infinity);
  });
  it('cuts a result list to "up to k"', () => {
    const results = [0.9, 0.7, 0.65, 0.5].map((score, id) => ({ id, score }));
    assert.deepEqual(cutResults(results, 0.66, 10).map((r) => r.id), [0, 1]);
    assert.deepEqual(cutResults(results, 0.66, 1).map((r) => r.id), [0]);
    assert.deepEqual(cutResults(results, 0.95, 10).map((r) => r.id), [0], 'at least one result by default');
    assert.deepEqual(cutResults(results, 0.95, 10, 0), []);
    assert.deepEqual(cutResults(results, null, 10).map((r) => r.id), [0], 'an unachievable threshold after JSON (null)');
  });
});

describe('cross-validation inside the gallery', () => {
  const data = nuisanceClasses();
  it('chooses a label-using metric that beats the baseline, deterministically', () => {
    const a = crossValidateMetric(data.X, data.d, data.labels, { sourceHash: 'h' });
    assert.ok(['kissme', 'xqda', 'jointBayesian'].includes(a.params.method), a.params.method);
    assert.ok(a.scores.metric.map > 0.9 && a.scores.baseline.map < 0.6, JSON.stringify(a.scores));
    assert.ok(a.scores.reranked.map >= a.scores.metric.map);
    assert.ok(a.artifact && a.artifact.sourceHash === 'h' && a.artifact.method === a.params.method);
    assert.ok(a.table.length > 10 && a.rerankTable.length > 10);
    assert.ok(a.thresholds.every((t, i) => i === 0 || t.threshold >= a.thresholds[i - 1].threshold));
    const b = crossValidateMetric(data.X, data.d, data.labels, { sourceHash: 'h' });
    assert.deepEqual(b.params, a.params);
    assert.deepEqual(b.rerank, a.rerank);
    assert.deepEqual(b.table.map((r) => r.map), a.table.map((r) => r.map));
    assert.equal(hashArtifact(b.artifact as never), hashArtifact(a.artifact as never));
  });
  it('the split holds out part of every class and nothing else', () => {
    const ci = indexLabels([...data.labels, null, 'single'], data.labels.length + 2);
    const split = splitGallery(ci, { holdout: 0.2, seed: 3 });
    assert.equal(split.train.length + split.heldOut.length, ci.classOf.length);
    for (let c = 0; c < ci.names.length; c++) {
      const held = Array.from(split.heldOut).filter((r) => ci.classOf[r] === c).length;
      const n = ci.counts[c];
      assert.equal(held, n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * 0.2))), ci.names[c]);
    }
    assert.ok(split.train.includes(ci.classOf.length - 2), 'unlabelled rows stay in the fitted part');
    assert.deepEqual(splitGallery(ci, { holdout: 0.2, seed: 3 }), split);
  });
  it('a restricted grid is honoured', () => {
    const r = crossValidateMetric(data.X, data.d, data.labels, {
      grid: { methods: ['identity', 'pca'], pcaDims: [8], voteKs: [], qeNs: [] },
      fitFinal: false,
    });
    assert.ok(r.table.every((row) => row.params.method === 'identity' || (row.params.method === 'pca' && row.params.pcaDim === 8)));
    assert.equal(r.artifact, null);
    assert.deepEqual(r.rerankTable.length, r.params.normalize || r.params.method === 'identity' ? 1 + r.grid.qeNs.length * r.grid.qeAlphas.length : 1);
  });
});

describe('kernels', () => {
  it(`the ${kernelKind()} product matches the plain-JS kernel on odd shapes, subsets, centring, weights`, () => {
    const rng = new Rng(9);
    for (const [m, n, k] of [[3, 5, 7], [101, 67, 513], [130, 130, 1030]]) {
      const A = randomMatrix(m, k, m), B = randomMatrix(n, k, n);
      const center = Float64Array.from({ length: k }, () => rng.normal());
      const cases: [Parameters<typeof gemm>[0], Parameters<typeof gemm>[1], boolean][] = [
        [{ data: A, rows: m, cols: k }, { data: B, rows: n, cols: k }, false],
        [{ data: A, rows: m, cols: k, transpose: true, center, rowScale: Float64Array.from({ length: m }, (_, i) => i % 3) }, { data: A, rows: m, cols: k, transpose: true, center, rowScale: Float64Array.from({ length: m }, (_, i) => i % 3) }, true],
        [{ data: A, rows: m, cols: k, subset: [2, 0, 1] }, { data: B, rows: n, cols: k, subset: [1, 1] }, false],
      ];
      for (const [a, b, sym] of cases) {
        const fast = gemm(a, b, sym);
        setForceJsKernel(true);
        const slow = gemm(a, b, sym);
        setForceJsKernel(false);
        let scale = 0, err = 0;
        for (let i = 0; i < slow.length; i++) {
          scale = Math.max(scale, Math.abs(slow[i]));
          err = Math.max(err, Math.abs(fast[i] - slow[i]));
        }
        assert.ok(err <= 1e-5 * Math.max(1, scale) * Math.sqrt(k), `${m}×${n}×${k}: err ${err}, scale ${scale}`);
      }
    }
  });
});

describe('rankGallery (exact query-side chain)', () => {
  const data = nuisanceClasses();
  const split = splitGallery(indexLabels(data.labels, data.labels.length), { holdout: 0.25, seed: 7 });
  const trainX = rowsOf(data.X, data.d, split.train);
  const trainLabels = Array.from(split.train, (r) => data.labels[r]);
  const metric = new Metric(fitMetric(trainX, data.d, trainLabels, { method: 'kissme', pcaDim: 10, normalize: true }));
  const G = metric.transform(trainX);
  const Q = metric.transform(rowsOf(data.X, data.d, split.heldOut));
  it('plain ranking is the exact score order', () => {
    const res = rankGallery(metric, Q, G, trainLabels, { k: 10, block: 7 });
    assert.equal(res.length, split.heldOut.length);
    const q0 = metric.score(Q.subarray(0, metric.dim), G);
    const order = Array.from(q0.keys()).sort((a, b) => q0[b] - q0[a] || a - b).slice(0, 10);
    assert.deepEqual(res[0].map((x) => x.index), order);
    assert.equal(res[0][0].label, trainLabels[order[0]]);
  });
  it('vote, α-QE and a threshold compose', () => {
    const res = rankGallery(metric, Q, G, trainLabels, { rerank: { vote: { k: 10, tau: 1, minShare: 0.5 }, qe: { n: 3, alpha: 3 } }, threshold: 0.99, minResults: 2 });
    assert.ok(res.every((r) => r.length >= 2 && r.length <= 10));
    assert.ok(res.every((r) => r.slice(2).every((x) => x.score >= 0.99)));
    const plain = rankGallery(metric, Q, G, trainLabels);
    const p1 = (rs: typeof plain) => rs.filter((r, q) => r[0].label === data.labels[split.heldOut[q]]).length / rs.length;
    assert.ok(p1(res) >= p1(plain) - 0.02, `P@1 ${p1(res)} vs ${p1(plain)}`);
  });
  it('refuses α-QE on a non-cosine metric and a vote without labels', () => {
    const l2 = new Metric(fitMetric(trainX, data.d, trainLabels, { method: 'kissme', pcaDim: 10 }));
    const T = l2.transform(trainX);
    assert.throws(() => rankGallery(l2, T.subarray(0, l2.dim), T, trainLabels, { rerank: { vote: null, qe: { n: 2, alpha: 1 } } }), /α-QE needs a cosine/);
    assert.throws(() => rankGallery(metric, Q, G, null, { rerank: { vote: { k: 3, tau: null, minShare: 0 }, qe: null } }), /needs gallery labels/);
  });
});

describe('crossProduct', () => {
  it('summing row chunks equals one pass', () => {
    const X = randomMatrix(300, 40, 2);
    const center = Float64Array.from({ length: 40 }, (_, j) => j / 40);
    const subset = Int32Array.from({ length: 250 }, (_, i) => i + 25);
    const one = crossProduct({ data: X, rows: 300, cols: 40 }, { subset, center });
    const chunked = crossProduct({ data: X, rows: 300, cols: 40 }, { subset, center, chunkRows: 64 });
    for (let i = 0; i < one.length; i++) assert.ok(Math.abs(one[i] - chunked[i]) < 1e-6 * (1 + Math.abs(one[i])));
  });
});
