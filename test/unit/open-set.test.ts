/**
 * The open-set condition of "up to k" (metric/open-set.ts): the signals, the cut a query takes,
 * and the joint (signal threshold, score threshold) calibration, against hand-computed values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossValidateMetric, fitOpenSetCuts, openSetSignal, passesOpenSet, voteAndCut, type Neighbour } from '../../metric/index.js';
import { aucOf } from '../../metric/cv-calibration.js';
import { labelledClusters } from '../helpers/labelled-clusters.js';

describe('open-set signals and the cut', () => {
  const prior = { weight: 1, probability: (label: string) => ({ a: 0.7, b: 0.2 })[label] ?? 0.1 };

  it('share is the vote outcome’s share; posterior the head’s probability of the winner; none without a winner', () => {
    assert.equal(openSetSignal('share', { winner: 'a', share: 0.625 }, null), 0.625);
    assert.equal(openSetSignal('posterior', { winner: 'b', share: 0.625 }, prior), 0.2);
    assert.equal(openSetSignal('posterior', { winner: 'b', share: 0.625 }, null), null);
    assert.equal(openSetSignal('share', { winner: null, share: 0 }, prior), null);
    assert.equal(openSetSignal('share', null, prior), null);
    assert.equal(passesOpenSet(null, { winner: 'a', share: 0.1 }, null), true);
    assert.equal(passesOpenSet({ signal: 'share', threshold: 0.5, rejectedFamiliar: 0 }, { winner: 'a', share: 0.5 }, null), true);
    assert.equal(passesOpenSet({ signal: 'share', threshold: 0.5, rejectedFamiliar: 0 }, { winner: 'a', share: 0.49 }, null), false);
    // Nothing to judge by: the query passes.
    assert.equal(passesOpenSet({ signal: 'posterior', threshold: 0.5, rejectedFamiliar: 0 }, { winner: 'a', share: 0.9 }, null), true);
  });

  it('a query failing the condition keeps only its first result; passing, the score threshold decides', () => {
    const list: Neighbour[] = [
      { id: 1, score: 0.9, label: 'a' },
      { id: 2, score: 0.8, label: 'b' },
      { id: 3, score: 0.7, label: 'a' },
      { id: 4, score: 0.6, label: 'b' },
    ];
    const vote = { k: 4, tau: null, minShare: 0 };
    // Two votes each: a wins the tie (its best voter ranks first), share 0.5; its items first.
    const ids = (cut: Parameters<typeof voteAndCut>[2]) => voteAndCut(list, vote, cut).map((n) => n.id);
    assert.deepEqual(ids({ k: 10, threshold: 0.65 }), [1, 3, 2]);
    assert.deepEqual(ids({ k: 10, threshold: 0.65, openSet: { signal: 'share', threshold: 0.5, rejectedFamiliar: 0 } }), [1, 3, 2]);
    assert.deepEqual(ids({ k: 10, threshold: 0.65, openSet: { signal: 'share', threshold: 0.6, rejectedFamiliar: 0 } }), [1]);
    // With the head fused: a scores (2 + 1·4·0.7) / ((1 + 1)·4) = 0.6.
    assert.deepEqual(voteAndCut(list, vote, { k: 10, threshold: 0.65, openSet: { signal: 'share', threshold: 0.6, rejectedFamiliar: 0 } }, prior).map((n) => n.id), [1, 3, 2]);
    // Without a threshold (exactly k) the condition plays no part.
    assert.deepEqual(ids({ k: 2, openSet: { signal: 'share', threshold: 0.9, rejectedFamiliar: 0 } }), [1, 3]);
  });
});

describe('fitOpenSetCuts', () => {
  // k = 3. Queries 0, 1 familiar (signals 0.9, 0.5), 2, 3 strangers (0.2, 0.6); each query's
  // pairs are its three ranked results.
  const ranked = [
    { scores: [0.9, 0.8, 0.3], right: [1, 1, 0] },
    { scores: [0.7, 0.6, 0.2], right: [1, 0, 0] },
    { scores: [0.95, 0.85, 0.1], right: [0, 0, 0] },
    { scores: [0.75, 0.4, 0.05], right: [0, 0, 0] },
  ];
  const pairs = {
    scores: Float64Array.from(ranked.flatMap((r) => r.scores)),
    same: Uint8Array.from(ranked.flatMap((r) => r.right)),
    query: Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]),
    familiar: Uint8Array.from([1, 1, 0, 0]),
    signals: { share: Float64Array.from([0.9, 0.5, 0.2, 0.6]) },
  };
  const opts = { k: 3, rejectShares: [0, 0.5] };

  it('per candidate, right per familiar query minus results per stranger query, summed over 0.5 and 0.75: none −0.5, share ≥ 0.5 0.5, share ≥ 0.9 1: the last serves both', () => {
    const [half, three] = fitOpenSetCuts(pairs, ranked, [0.5, 0.75], opts);
    const cut = { signal: 'share', threshold: 0.9, rejectedFamiliar: 0.5 };
    // On query 0's pairs (0.9 ✓, 0.8 ✓, 0.3 ✗): t = 0.3 reaches 2/3, t = 0.8 reaches 1.
    assert.deepEqual(half, { targetPrecision: 0.5, threshold: 0.3, precision: 2 / 3, recall: 2 / 3, accepted: 3, positives: 3, total: 6, achievable: true, openSet: cut, cv: { familiarResults: 2, familiarPrecision: 0.75, strangerResults: 1 } });
    assert.deepEqual(three, { targetPrecision: 0.75, threshold: 0.8, precision: 1, recall: 2 / 3, accepted: 2, positives: 3, total: 6, achievable: true, openSet: cut, cv: { familiarResults: 1.5, familiarPrecision: 1, strangerResults: 1 } });
  });

  it('at 0.75 alone: share ≥ 0.5 (t = 0.6) and share ≥ 0.9 tie at 0.5 against none’s 0: the milder one', () => {
    const [fit] = fitOpenSetCuts(pairs, ranked, [0.75], opts);
    assert.deepEqual(fit, {
      targetPrecision: 0.75,
      threshold: 0.6,
      precision: 0.75,
      recall: 1,
      accepted: 4,
      positives: 3,
      total: 6,
      achievable: true,
      openSet: { signal: 'share', threshold: 0.5, rejectedFamiliar: 0 },
      cv: { familiarResults: 2, familiarPrecision: 0.75, strangerResults: 1 },
    });
  });

  it('a NaN signal (nothing to judge by) always passes: no condition pays at 0.75', () => {
    const [fit] = fitOpenSetCuts({ ...pairs, signals: { share: Float64Array.from([0.9, 0.5, NaN, 0.6]) } }, ranked, [0.75], opts);
    assert.equal(fit.openSet, null);
    assert.equal(fit.threshold, 0.6);
    assert.deepEqual(fit.cv, { familiarResults: 2, familiarPrecision: 0.75, strangerResults: 1.5 });
  });
});

describe('the open-set calibration in the CV', () => {
  it('aucOf: the Mann–Whitney statistic, ties counted half', () => {
    assert.equal(aucOf([3, 4], [1, 2]), 1);
    assert.equal(aucOf([1], [2]), 0);
    assert.equal(aucOf([2, 3], [2, 1]), 0.875);
  });

  it('on the seeded gallery: a target without a condition keeps the familiar-only threshold; every achievable cut reports the CV’s own results', () => {
    const g = labelledClusters();
    const plain = crossValidateMetric(g.X, g.d, g.labels, { fitFinal: false, unfamiliarClasses: 0.3 });
    const open = crossValidateMetric(g.X, g.d, g.labels, { fitFinal: false, unfamiliarClasses: 0.3, openSet: true });
    assert.deepEqual(open.params, plain.params, 'the selection is untouched');
    assert.deepEqual([...open.calibrationPairs.scores], [...plain.calibrationPairs.scores], 'the same pairs');
    assert.ok(open.openSetSignals && open.openSetSignals.share, 'the share signal was measured');
    // The thresholds are fitted on the familiar pairs: without a condition, the calibration on familiar queries alone.
    const familiarOnly = crossValidateMetric(g.X, g.d, g.labels, { fitFinal: false });
    open.thresholds.forEach((t, i) => {
      if (!t.openSet) assert.equal(t.threshold, familiarOnly.thresholds[i].threshold, `target ${t.targetPrecision}`);
      if (t.achievable) {
        assert.ok(t.cv && t.cv.familiarResults >= 1 && t.cv.familiarResults <= 10, JSON.stringify(t.cv));
        assert.ok(t.cv.strangerResults >= 1 && t.cv.strangerResults <= 10);
      }
    });
  });
});
