/**
 * Explanations, by hand: the probability curve (isotonic fit, compression, interpolation), the
 * class shares of a vote, and a whole explanation of a three-neighbour query.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classShares, classVoteRerank, fitProbabilityCurve, probabilityAt } from '../../metric/index.js';
import { explainResults } from '../../service/explain.js';

// Cosines come from float32 vectors: 1e-6; everything else is float64 arithmetic.
const close = (actual: number | null, expected: number, what: string, tol = 1e-9) => assert.ok(actual !== null && Math.abs(actual - expected) < tol, `${what}: ${actual} ≠ ${expected}`);

test('the probability curve pools adjacent violators and interpolates between knots', () => {
  // Sorted: 0.1 (no), 0.2 (yes), 0.3 (no), 0.4 (yes): 0.2 and 0.3 violate and pool to 0.5 at score 0.25.
  const curve = fitProbabilityCurve([0.3, 0.1, 0.4, 0.2], [0, 0, 1, 1]);
  assert.deepEqual(curve.probabilities, [0, 0.5, 1]);
  curve.scores.forEach((s, i) => close(s, [0.1, 0.25, 0.4][i], `knot ${i}`));
  close(probabilityAt(curve, 0.325), 0.75, 'halfway between 0.25 and 0.4');
  assert.equal(probabilityAt(curve, -5), 0);
  assert.equal(probabilityAt(curve, 5), 1);
  assert.equal(probabilityAt({ scores: [], probabilities: [] }, 0.5), null);
});

test('the probability curve compresses to at most maxKnots runs of pairs, still non-decreasing', () => {
  // Blocks (n=1 at 0.1, rate 0), (n=2 at 0.25, rate 0.5), (n=1 at 0.4, rate 1); two knots of two pairs each: the last block joins the middle one.
  const curve = fitProbabilityCurve([0.3, 0.1, 0.4, 0.2], [0, 0, 1, 1], 2);
  curve.scores.forEach((s, i) => close(s, [0.1, 0.3][i], `knot ${i}`));
  curve.probabilities.forEach((p, i) => close(p, [0, 2 / 3][i], `probability ${i}`));
  assert.equal(curve.scores.length, 2);
});

test('class shares are the vote weights per class; the re-ranker acts on the top one', () => {
  const list = [
    { id: 1, score: 0.9, label: 'cat' },
    { id: 2, score: 0.7, label: 'dog' },
    { id: 3, score: 0.5, label: 'cat' },
    { id: 4, score: 0.1, label: 'dog' },
  ];
  // τ = 1 over the first 3: weights e^0, e^(-0.2/0.4), e^(-0.4/0.4).
  const w = [1, Math.exp(-0.5), Math.exp(-1)];
  const total = w[0] + w[1] + w[2];
  const shares = classShares(list, { k: 3, tau: 1 });
  assert.deepEqual(shares.map((s) => [s.label, s.first]), [['cat', 0], ['dog', 1]]);
  close(shares[0].share, (w[0] + w[2]) / total, 'cat');
  close(shares[1].share, w[1] / total, 'dog');
  const vote = classVoteRerank(list, { k: 3, tau: 1, minShare: 0.6 });
  assert.equal(vote.winner, 'cat');
  assert.equal(vote.share, shares[0].share);
  assert.deepEqual(vote.ranked.map((n) => n.id), [1, 3, 2, 4]);
  // An equal count: the class whose best voter ranks higher wins.
  assert.deepEqual(classShares(list, { k: 4, tau: null }).map((s) => [s.label, s.share]), [['cat', 0.5], ['dog', 0.5]]);
});

test('an explanation: per-model cosines, the score, its probability, class shares and the predicted class', () => {
  const u = (...x: number[]) => new Float32Array(x);
  const items: Record<number, { a: Float32Array; b: Float32Array }> = {
    1: { a: u(1, 0), b: u(1, 0) },
    2: { a: u(0.6, 0.8), b: u(0, 1) },
    3: { a: u(0, 1), b: u(0.6, 0.8) },
  };
  const curve = { scores: [0, 1], probabilities: [0.2, 0.9] };
  const neighbourhood = [
    { id: 1, score: 0.9, label: 'cat' },
    { id: 2, score: 0.7, label: 'dog' },
    { id: 3, score: 0.5, label: 'cat' },
  ];
  const { explanations, prediction } = explainResults({
    models: [
      { name: 'a', sha256: 'x', dim: 2, weight: 1 },
      { name: 'b', sha256: 'y', dim: 2, weight: 3 },
    ],
    views: ['orig'],
    query: { orig: { a: u(1, 0), b: u(0.6, 0.8) } },
    itemVectors: (id) => ({ orig: items[id] }),
    results: [
      { id: 1, score: 0.9, label: 'cat' },
      { id: 3, score: 0.5, label: 'cat' },
    ],
    neighbourhood,
    vote: { k: 3, tau: 1 },
    scoreKind: 'metric',
    curve,
  });
  const w = [1, Math.exp(-0.5), Math.exp(-1)];
  const total = w[0] + w[1] + w[2];
  assert.deepEqual(explanations.map((e) => e.models.map((m) => m.model)), [['a', 'b'], ['a', 'b']]);
  close(explanations[0].models[0].cosine, 1, 'item 1, a', 1e-6);
  close(explanations[0].models[1].cosine, 0.6, 'item 1, b', 1e-6);
  close(explanations[1].models[0].cosine, 0, 'item 3, a', 1e-6);
  close(explanations[1].models[1].cosine, 0.36 + 0.64, 'item 3, b', 1e-6);
  assert.deepEqual(explanations.map((e) => [e.score, e.scoreKind]), [[0.9, 'metric'], [0.5, 'metric']]);
  close(explanations[0].probability, 0.2 + 0.7 * 0.9, 'p at 0.9');
  close(explanations[1].probability, 0.2 + 0.7 * 0.5, 'p at 0.5');
  close(explanations[0].classShare, (w[0] + w[2]) / total, 'cat share');
  assert.equal(explanations[1].classShare, explanations[0].classShare);
  assert.ok(prediction);
  assert.equal(prediction.label, 'cat');
  close(prediction.share, (w[0] + w[2]) / total, 'predicted share');
  close(prediction.probability, 0.2 + 0.7 * 0.9, 'predicted p (its best voter at 0.9)');
  assert.equal(prediction.runnerUp?.label, 'dog');
  close(prediction.runnerUp!.share, w[1] / total, 'runner-up share');
  close(prediction.runnerUp!.probability, 0.2 + 0.7 * 0.7, 'runner-up p (its best voter at 0.7)');
  assert.equal(prediction.voters, 3);
  assert.equal(prediction.weighted, true);
});
