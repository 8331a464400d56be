/**
 * Leave-classes-out calibration: which classes a fold treats as absent, how their shortlists join
 * the pairs (every pair a wrong match), and that on the seeded 10-class gallery the thresholds it
 * fits are never more lenient than those of familiar queries alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossValidateMetric } from '../../metric/index.js';
import { calibrationPairs, unfamiliarClassGroups } from '../../metric/cv-calibration.js';
import type { Fold } from '../../metric/cv-folds.js';
import type { Shortlists } from '../../metric/shortlists.js';
import { labelledClusters } from '../helpers/labelled-clusters.js';

// Only the classes are read; the rest of a Fold (fit context, PCA rows) plays no part here.
const fold = { queryClass: Int32Array.from([0, 1, 2, 3]), galleryClass: Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]) } as unknown as Fold;
const lists: Shortlists = {
  queries: 4,
  s: 3,
  ids: Int32Array.from([0, 2, 1, 2, 3, 4, 4, 6, 5, 0, 6, 7]),
  scores: Float64Array.from([0.9, 0.5, 0.4, 0.8, 0.7, 0.3, 0.85, 0.6, 0.2, 0.75, 0.65, 0.1]),
};

test('the unfamiliar classes: seeded groups of about a share each, every class in one, two always kept', () => {
  const groups = (share: number) => unfamiliarClassGroups(fold, share, 1).map((g) => [...g]);
  assert.deepEqual(groups(0), []);
  // round(0.1 · 4) = 0 → 1 class a group: four groups, in the seeded order 2, 1, ...
  assert.deepEqual(groups(0.1), [[2], [1], [3], [0]]);
  assert.deepEqual(groups(0.5), [[2, 1], [3, 0]]);
  // At most all but two classes a group.
  assert.deepEqual(groups(1), [[2, 1], [3, 0]]);
  // Five classes at 0.4: m = 2, three groups as even as can be (2, 2, 1).
  const five = { queryClass: Int32Array.from([0, 1, 2, 3, 4]) } as unknown as Fold;
  const sizes = unfamiliarClassGroups(five, 0.4, 7).map((g) => g.size);
  assert.deepEqual(sizes, [2, 2, 1]);
  assert.deepEqual(unfamiliarClassGroups(five, 0.4, 7).flatMap((g) => [...g]).sort(), [0, 1, 2, 3, 4]);
  // Two classes: nothing can be left out.
  assert.deepEqual(unfamiliarClassGroups({ queryClass: Int32Array.from([0, 1]) } as unknown as Fold, 0.5, 1), []);
});

test('familiar pairs in fold, query, rank order, then every unfamiliar pair as a wrong match', () => {
  const plain = calibrationPairs([lists], [fold]);
  assert.deepEqual([...plain.scores], [...lists.scores]);
  assert.deepEqual([...plain.same], [1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1]);
  const stranger: Shortlists = { queries: 1, s: 2, ids: Int32Array.from([0, 5]), scores: Float64Array.from([0.95, 0.3]) };
  const mixed = calibrationPairs([lists], [fold], [stranger]);
  assert.deepEqual([...mixed.scores], [...lists.scores, 0.95, 0.3]);
  assert.deepEqual([...mixed.same], [1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0]);
});

test('on the seeded 10-class gallery, leave-classes-out thresholds are never more lenient', () => {
  const g = labelledClusters();
  const familiar = crossValidateMetric(g.X, g.d, g.labels, { fitFinal: false });
  const both = crossValidateMetric(g.X, g.d, g.labels, { fitFinal: false, unfamiliarClasses: 0.3 });
  assert.deepEqual(both.params, familiar.params, 'the selection is untouched');
  assert.ok(both.calibrationPairs.scores.length > familiar.calibrationPairs.scores.length, 'unfamiliar pairs were added');
  let stricter = 0;
  both.thresholds.forEach((t, i) => {
    const f = familiar.thresholds[i];
    assert.ok(t.threshold >= f.threshold, `target ${t.targetPrecision}: ${t.threshold} < ${f.threshold}`);
    if (t.threshold > f.threshold) stricter++;
  });
  assert.ok(stricter >= 1, JSON.stringify(both.thresholds.map((t, i) => [t.threshold, familiar.thresholds[i].threshold])));
});
