/**
 * Issue 13: the classification head (metric/head.ts), its fusion into the class vote
 * (rerank.ts ClassPrior), the learned block weights and the version-2 artifact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inputScaleOf, parseArtifact, serializeArtifact, withExtensions, type MetricArtifact } from '../../metric/artifact.js';
import { defaultBlockWeights } from '../../metric/cv-grid.js';
import { classShares, dividePrior, predictProba, scaledPosteriors, softmaxLoss, trainScaledHead, trainSoftmax } from '../../metric/head.js';
import { withTrainedHead } from '../../metric/head-fit.js';
import { indexLabels } from '../../metric/labels.js';
import { crossValidateMetric, fitMetric, hashArtifact, Metric } from '../../metric/index.js';
import { setForceJsKernel } from '../../metric/kernels.js';
import { ScatterCache } from '../../metric/pca.js';
import { classVoteRerank, type Neighbour } from '../../metric/rerank.js';
import { labelledClusters } from '../helpers/labelled-clusters.js';

describe('softmax head', () => {
  // Exact float64 products: the gradient check compares to ~1e-7.
  before(() => setForceJsKernel(true));
  after(() => setForceJsKernel(false));

  const X = Float32Array.from([1, 0, 0, 1, -1, 0.5, 0.25, -2, 0.5, 0.5]);
  const y = Int32Array.from([0, 1, 2, 1, 0]);

  it('at zero weights the loss is log C and the gradient is (1/n)(1/C − y)ᵀ x, by hand', () => {
    // 2 rows, 2 classes, 1 dim: x = [1, 2], y = [0, 1]. P = 1/2 everywhere.
    const { loss, grad } = softmaxLoss(new Float64Array(4), Float32Array.from([1, 2]), Int32Array.from([0, 1]), 1, 2, 0.5);
    assert.equal(loss, Math.log(2));
    // ∂W0 = ((1/2 − 1)·1 + (1/2)·2)/2 = 0.25; ∂W1 = ((1/2)·1 + (1/2 − 1)·2)/2 = −0.25; ∂b = (0, 0).
    assert.deepEqual(Array.from(grad), [0.25, -0.25, 0, 0]);
  });

  it('the gradient matches central finite differences', () => {
    const dim = 2, classes = 3, l2 = 0.1;
    const theta = Float64Array.from([0.3, -0.2, 0.1, 0.4, -0.5, 0.2, 0.05, -0.1, 0.15]);
    const { grad } = softmaxLoss(theta, X, y, dim, classes, l2);
    const h = 1e-6;
    theta.forEach((_, j) => {
      const plus = Float64Array.from(theta), minus = Float64Array.from(theta);
      plus[j] += h;
      minus[j] -= h;
      const numeric = (softmaxLoss(plus, X, y, dim, classes, l2).loss - softmaxLoss(minus, X, y, dim, classes, l2).loss) / (2 * h);
      assert.ok(Math.abs(numeric - grad[j]) < 1e-8, `component ${j}: ${numeric} vs ${grad[j]}`);
    });
  });

  it('a separable toy set reaches 100 % training accuracy', () => {
    const rows: number[] = [];
    const labels: number[] = [];
    for (let c = 0; c < 3; c++) for (let i = 0; i < 5; i++) {
      const angle = (2 * Math.PI * c) / 3 + (i - 2) * 0.1;
      rows.push(Math.cos(angle), Math.sin(angle));
      labels.push(c);
    }
    const Xs = Float32Array.from(rows), ys = Int32Array.from(labels);
    const head = trainSoftmax(Xs, 2, ys, 3, { l2: 1e-4 });
    const P = predictProba(head, Xs);
    ys.forEach((c, i) => {
      const row = Array.from(P.subarray(i * 3, i * 3 + 3));
      assert.equal(row.indexOf(Math.max(...row)), c);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    });
  });

  it('is deterministic: the same data gives the same weights, bit for bit (JS and WebAssembly kernels)', () => {
    const a = trainSoftmax(X, 2, y, 3, { l2: 0.01 });
    const b = trainSoftmax(X, 2, y, 3, { l2: 0.01 });
    assert.deepEqual(a, b);
    setForceJsKernel(false);
    const g = labelledClusters();
    const classOf = Int32Array.from(g.labels, (l) => Number(String(l).replace(/\D/g, '')) % 4);
    const w1 = trainScaledHead(g.X, g.d, classOf, 4, { l2: 1e-3, maxIterations: 20 });
    const w2 = trainScaledHead(g.X, g.d, classOf, 4, { l2: 1e-3, maxIterations: 20 });
    setForceJsKernel(true);
    assert.deepEqual(w1, w2);
  });
});

describe('head fused into the class vote', () => {
  const list: Neighbour[] = [
    { id: 1, score: 0.9, label: 'a' },
    { id: 2, score: 0.8, label: 'a' },
    { id: 3, score: 0.7, label: 'b' },
    { id: 4, score: 0.6, label: 'c' },
  ];
  const vote = { k: 3, tau: null, minShare: 0 };
  it('weight 0 is the vote alone', () => {
    const prior = { weight: 0, probability: (l: string) => (l === 'c' ? 1 : 0) };
    assert.deepEqual(classVoteRerank(list, vote, prior), classVoteRerank(list, vote));
  });
  it('the fused share is (share + w·p)/(1 + w), and a class outside the voters can win', () => {
    // Vote shares: a 2/3, b 1/3, c 0. p: a 0.1, b 0.1, c 0.8. w = 2: a (2/3 + 0.2)/3, c (0 + 1.6)/3.
    const prior = { weight: 2, probability: (l: string) => (l === 'c' ? 0.8 : 0.1) };
    const out = classVoteRerank(list, vote, prior);
    assert.equal(out.winner, 'c');
    assert.equal(out.share, (3 * 1.6) / (3 * 3));
    assert.deepEqual(out.ranked.map((n) => n.id), [4, 1, 2, 3]);
  });
  it('without a vote the head alone orders the classes', () => {
    const out = classVoteRerank(list, null, { weight: 1, probability: (l: string) => (l === 'b' ? 0.6 : 0.2) });
    assert.equal(out.winner, 'b');
    assert.equal(out.share, 0.3);
    assert.deepEqual(out.ranked.map((n) => n.id), [3, 1, 2, 4]);
  });
});

describe('block weights and the version-2 artifact', () => {
  it('inputScaleOf: block i scaled by √(B·w_i/Σw)', () => {
    assert.deepEqual(Array.from(inputScaleOf({ dims: [2, 1], weights: [2, 1] }) as Float32Array), [Math.fround(Math.sqrt(4 / 3)), Math.fround(Math.sqrt(4 / 3)), Math.fround(Math.sqrt(2 / 3))]);
    assert.deepEqual(defaultBlockWeights(3), [[0.5, 1, 1], [1, 0.5, 1], [1, 1, 0.5]]);
    assert.deepEqual(defaultBlockWeights(1), []);
  });

  it('ScatterCache.scaled equals the cache of the scaled rows', () => {
    const g = labelledClusters();
    const s = Float64Array.from({ length: g.d }, (_, j) => (j < g.d / 2 ? 2 : 0.5));
    const { X, cache } = new ScatterCache(g.X, g.d).scaled(s);
    const direct = new ScatterCache(X, g.d);
    const a = cache.fit(4, { seed: 1 }), b = direct.fit(4, { seed: 1 });
    a.eigenvalues.forEach((v, j) => assert.ok(Math.abs(v - b.eigenvalues[j]) <= 1e-9 * b.eigenvalues[0], `eigenvalue ${j}`));
  });

  it('round-trips block weights and a head; without them the artifact stays version 1 with the old hash', () => {
    const g = labelledClusters();
    const base = fitMetric(g.X, g.d, g.labels, { method: 'kissme', pcaDim: 8 });
    assert.equal(base.version, 1);
    assert.equal(hashArtifact(withExtensions(base, { blockWeights: null, head: null })), hashArtifact(base));
    const dims = [g.d - 2, 2];
    const head = { classes: ['x', 'y'], featureScale: 0.5, W: new Float32Array(2 * base.outputDim).fill(0.25), b: Float32Array.from([0, 1]), weight: 2, l2: 1e-4, views: true, prior: 0.5 };
    const v2 = withExtensions(base, { blockWeights: { dims, weights: [1, 2] }, head });
    assert.equal(v2.version, 2);
    const back = parseArtifact(serializeArtifact(v2));
    assert.deepEqual(back, v2);
    const m = new Metric(back);
    // The block weights act before the metric: the same as fitting on pre-scaled rows.
    const s = inputScaleOf(v2.blockWeights) as Float32Array;
    const x = g.X.subarray(0, g.d);
    assert.deepEqual(m.transform(x), new Metric(base).transform(Float32Array.from(x, (v, i) => v * s[i])));
    const prior = m.classPrior(m.transform(x));
    assert.ok(prior && prior.weight === 2);
    // W rows equal: logits differ by b only, p(y) = e/(1 + e).
    assert.ok(Math.abs(prior.probability('y') - Math.E / (1 + Math.E)) < 1e-12);
    assert.equal(prior.probability('unseen'), 0);
  });

  it('a v1 artifact written by the previous build still loads', () => {
    const g = labelledClusters();
    const a: MetricArtifact = fitMetric(g.X, g.d, g.labels, { method: 'pca', pcaDim: 4 });
    const json = JSON.parse(serializeArtifact(a));
    assert.equal(json.version, 1);
    assert.ok(!('head' in json) && !('blockWeights' in json));
    const back = parseArtifact(json);
    assert.equal(back.head, null);
    assert.equal(back.blockWeights, null);
  });

  it('the CV reports the head stage with "no head" as its first row, and chooses weights only when blocks are given', () => {
    const g = labelledClusters();
    const r = crossValidateMetric(g.X, g.d, g.labels, { fitFinal: false, grid: { headL2s: [1e-3], headWeights: [1], headPriors: [0] } });
    assert.equal(r.headTable[0].head, null);
    assert.deepEqual(r.headTable[0].rerank, r.rerankTable.find((x) => x.map === r.headTable[0].map)?.rerank);
    // With the head the vote is chosen again: none (the head alone), then every vote of the grid.
    assert.deepEqual(r.headTable.slice(1).map((x) => x.head), new Array(r.headTable.length - 1).fill({ l2: 1e-3, weight: 1, views: false }));
    assert.equal(r.headTable[1].rerank.vote, null);
    assert.equal(r.headTable.length, 2 + r.rerankTable.filter((x) => x.rerank.vote && !x.rerank.qe).length);
    assert.deepEqual(r.ensembleTable, []);
    assert.equal(r.blockWeights, null);
    const w = crossValidateMetric(g.X, g.d, g.labels, { fitFinal: false, blocks: [g.d - 4, 4], grid: { headL2s: [] } });
    assert.deepEqual(w.ensembleTable.map((x) => x.weights), [[1, 1], [0.5, 1], [1, 0.5]]);
  });
});

describe("the head's class prior divided out (post-hoc logit adjustment)", () => {
  it('divides each posterior by its class share to the power β and renormalises, by hand', () => {
    // Two classes, one input dimension: logits (2x, 0), shares 0.8 / 0.2.
    const head = { model: { dim: 1, classes: 2, W: Float64Array.from([2, 0]), b: Float64Array.from([0, 0]) }, featureScale: 1 };
    const shares = classShares(Int32Array.from([0, 0, 0, 0, 1, -1]), 2);
    assert.deepEqual(Array.from(shares), [0.8, 0.2]);
    const x = Float32Array.from([0.5]);
    const [p0, p1] = scaledPosteriors(head, x);
    for (const beta of [0.5, 1]) {
      const [q0, q1] = scaledPosteriors(dividePrior(head, shares, beta), x);
      const a = p0! / 0.8 ** beta;
      const b = p1! / 0.2 ** beta;
      assert.ok(Math.abs(q0! - a / (a + b)) < 1e-12 && Math.abs(q1! - b / (a + b)) < 1e-12, `β ${beta}`);
    }
    // β = 1 with these shares: e^1 / 0.8 against 1 / 0.2.
    assert.ok(Math.abs(scaledPosteriors(dividePrior(head, shares, 1), x)[0]! - Math.E / 0.8 / (Math.E / 0.8 + 5)) < 1e-12);
    assert.equal(dividePrior(head, shares, 0), head);
    assert.deepEqual(Array.from(dividePrior(head, Float64Array.from([0.5, 0]), 1).model.b), [Math.log(2), 0], 'a class without rows keeps its bias');
  });

  it('the stored head of a fit is the trained head with its biases shifted by −β log π; β is recorded only when > 0', () => {
    const g = labelledClusters();
    const base = fitMetric(g.X, g.d, g.labels, { method: 'kissme', pcaDim: 8 });
    const classes = indexLabels(g.labels, g.labels.length);
    const plain = withTrainedHead(base, g.X, [], classes, { l2: 1e-3, weight: 2, views: false }, 30).head!;
    const divided = withTrainedHead(base, g.X, [], classes, { l2: 1e-3, weight: 2, views: false, prior: 0.5 }, 30).head!;
    assert.deepEqual(divided.W, plain.W);
    const shares = classShares(classes.classOf, classes.names.length);
    // b is stored as float32: the shift is exact up to that rounding.
    divided.b.forEach((b, c) => assert.ok(Math.abs(b - (plain.b[c]! - 0.5 * Math.log(shares[c]!))) < 1e-6, `class ${c}`));
    assert.equal(divided.prior, 0.5);
    const json = (h: typeof plain) => JSON.parse(serializeArtifact(withExtensions(base, { blockWeights: null, head: h }))).head;
    assert.ok(!('prior' in json(plain)));
    assert.equal(json(divided).prior, 0.5);
    assert.equal(parseArtifact(serializeArtifact(withExtensions(base, { blockWeights: null, head: plain }))).head!.prior, 0);
  });

  it('the CV scores every head once per β of the grid and records β only when > 0', () => {
    const g = labelledClusters();
    const r = crossValidateMetric(g.X, g.d, g.labels, { fitFinal: false, grid: { headL2s: [1e-3], headWeights: [1], headPriors: [0, 1] } });
    const priors = r.headTable.slice(1).map((x) => x.head?.prior);
    assert.equal(priors.filter((p) => p === undefined).length, priors.filter((p) => p === 1).length);
    assert.ok(priors.every((p) => p === undefined || p === 1));
  });
});
