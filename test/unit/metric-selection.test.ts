/**
 * Issue 15: the cross-validated selection is a function of the data, the ids and the options
 * alone. Row order does not matter when ids are given, exact ties are broken by the stated rule
 * (metric/selection.ts: score, then cost, then grid order), and the seed is an explicit option.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCandidates, crossValidateMetric, DEFAULT_CV_SEED, metricCost, rerankCost, seedSpread, type CvRow, type ResolvedParams } from '../../metric/index.js';
import { permuteRows } from '../../metric/canonical-order.js';
import { cvSnapshot } from '../helpers/cv-snapshot.js';
import { labelledClusters, shuffledRows } from '../helpers/labelled-clusters.js';

const gallery = labelledClusters();

describe('row order', () => {
  it('permuteRows moves whole rows, and hands back the matrix itself for the identity order (no copy of a gallery already in id order)', () => {
    const X = Float32Array.from([1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(permuteRows(X, 2, Int32Array.from([2, 0, 1]))), [5, 6, 1, 2, 3, 4]);
    assert.equal(permuteRows(X, 2, Int32Array.from([0, 1, 2])), X);
    assert.notEqual(permuteRows(X, 2, Int32Array.from([0, 2, 1])), X);
  });

  it('with ids, the same gallery in another order chooses the same configuration with identical scores', () => {
    const a = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { ids: gallery.ids, sourceHash: 's' });
    const shuffled = shuffledRows(gallery, 1);
    assert.notDeepEqual(shuffled.ids, gallery.ids);
    const b = crossValidateMetric(shuffled.X, shuffled.d, shuffled.labels, { ids: shuffled.ids, sourceHash: 's' });
    assert.deepEqual(b.params, a.params);
    assert.deepEqual(b.rerank, a.rerank);
    // Everything: every table row's scores, thresholds, calibration pairs, the artifact's hash.
    assert.equal(cvSnapshot(b), cvSnapshot(a));
  });
  it('the ids here are already ascending, so giving them changes nothing against the given order', () => {
    const withIds = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { ids: gallery.ids, sourceHash: 's' });
    const without = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { sourceHash: 's' });
    assert.equal(cvSnapshot(withIds), cvSnapshot(without));
  });
  it('without ids the given order is the order: shuffled rows give another split and other scores', () => {
    const shuffled = shuffledRows(gallery, 1);
    const a = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { fitFinal: false });
    const b = crossValidateMetric(shuffled.X, shuffled.d, shuffled.labels, { fitFinal: false });
    assert.notEqual(b.scores.metric.map, a.scores.metric.map);
  });
  it('refuses ids that cannot order the rows', () => {
    const n = gallery.labels.length;
    const dup = gallery.ids.map((id, i) => (i === 5 ? gallery.ids[4] : id));
    assert.throws(() => crossValidateMetric(gallery.X, gallery.d, gallery.labels, { ids: dup }), /ids: 1012 is given twice/);
    assert.throws(() => crossValidateMetric(gallery.X, gallery.d, gallery.labels, { ids: gallery.ids.slice(1) }), new RegExp(`ids: ${n - 1} ids for ${n} vectors`));
  });
});

describe('tie-break rule', () => {
  const params = (method: ResolvedParams['method']): ResolvedParams => ({ method, pcaDim: 8, whiten: true, shrinkage: 0.1, weighting: 'pairs', subspaceDim: 'auto', emIterations: 0, normalize: false, seed: 1 });
  const row = (method: ResolvedParams['method'], outputDim: number, map: number): CvRow => ({ stage: 'dimension', params: params(method), outputDim, scoreKind: 'l2', map, classBalancedMap: 0, precisionAt1: 0, millis: 0 });
  const order = (rows: CvRow[]) =>
    rows
      .map((r, i) => ({ score: r.map, cost: metricCost(r), order: i }))
      .sort(compareCandidates)
      .map((c) => c.order);

  it('metric rows: the exact score first, then the smaller output dimension, then the simpler method, then grid order', () => {
    const rows = [row('jointBayesian', 8, 0.9), row('pca', 16, 0.9), row('kissme', 8, 0.9), row('xqda', 4, 0.9000000000000001), row('kissme', 8, 0.9)];
    // xqda wins by 1 ulp of MAP: no rounding. Then kissme (dim 8, simpler than JB) in grid order, JB, and pca (dim 16).
    assert.deepEqual(order(rows), [3, 2, 4, 0, 1]);
  });
  it('re-rankings: no α-QE before α-QE, then fewer voters, and plain ranking before any vote', () => {
    assert.deepEqual(rerankCost({ vote: null, qe: null }), [0, 0]);
    assert.deepEqual(rerankCost({ vote: { k: 20, tau: 1, minShare: 0 }, qe: null }), [0, 20]);
    assert.deepEqual(rerankCost({ vote: { k: 1, tau: null, minShare: 0 }, qe: { n: 1, alpha: 1 } }), [1, 1]);
  });
  it('a real exact tie: on this gallery every vote of K = 1..20 scores the same, and the fewest voters win wherever they sit in the grid', () => {
    const grid = { voteKs: [20, 5, 1], voteTaus: [1], voteMinShares: [0], qeNs: [] };
    const r = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { grid, fitFinal: false });
    const votes = r.rerankTable.filter((x) => x.rerank.vote);
    assert.deepEqual(votes.map((x) => x.rerank.vote!.k), [20, 5, 1]);
    assert.deepEqual(votes.map((x) => x.map), [0.9682539682539683, 0.9682539682539683, 0.9682539682539683]);
    assert.deepEqual(r.rerank, { vote: { k: 1, tau: null, minShare: 0 }, qe: null });
    assert.deepEqual({ metric: r.ties.metric, rerank: r.ties.rerank }, { metric: 1, rerank: 3 });
  });
  it('the default grid on this gallery: 40 re-rankings tie at the top, the rule picks K = 1', () => {
    const r = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { fitFinal: false });
    assert.deepEqual({ metric: r.ties.metric, rerank: r.ties.rerank }, { metric: 1, rerank: 40 });
    assert.deepEqual(r.rerank, { vote: { k: 1, tau: null, minShare: 0 }, qe: null });
  });
});

describe('CV seed', () => {
  it('is an explicit option, fixed by default, and moves the split', () => {
    const byDefault = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { fitFinal: false });
    const explicit = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { fitFinal: false, seed: DEFAULT_CV_SEED });
    assert.equal(DEFAULT_CV_SEED, 1);
    assert.equal(cvSnapshot(explicit), cvSnapshot(byDefault));
    const other = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { fitFinal: false, seed: 2 });
    assert.equal(other.split.seed, 2);
    assert.notEqual(other.scores.metric.map, byDefault.scores.metric.map);
  });
});

describe('seed spread', () => {
  it('reruns the selection per seed and reports each choice and the spread of its score', () => {
    const spread = seedSpread(gallery.X, gallery.d, gallery.labels, [1, 2, 3]);
    assert.deepEqual(spread.choices.map((c) => c.seed), [1, 2, 3]);
    const first = crossValidateMetric(gallery.X, gallery.d, gallery.labels, { seed: 1, fitFinal: false });
    assert.deepEqual(spread.choices[0], { seed: 1, params: first.params, rerank: first.rerank, reranked: first.scores.reranked, rerankTies: first.ties.rerank });
    const maps = spread.choices.map((c) => c.reranked.map);
    assert.equal(spread.map.min, Math.min(...maps));
    assert.equal(spread.map.max, Math.max(...maps));
    assert.equal(spread.map.mean, (maps[0] + maps[1] + maps[2]) / 3);
    assert.ok(spread.map.sd > 0 && spread.distinctChoices >= 1 && spread.distinctChoices <= 3);
  });
});
