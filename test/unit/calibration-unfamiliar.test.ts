/**
 * Leave-classes-out calibration by hand: one fold of 4 classes, a 3-entry shortlist per held-out
 * query. With a share of 0 every pair counts; with 0.25 one class (seed 1: class 2) plays "not in
 * the collection", and its query keeps only its wrong matches.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibrationPairs, unfamiliarClassesOf } from '../../metric/cv-calibration.js';
import type { Fold } from '../../metric/cv-folds.js';
import type { Shortlists } from '../../metric/shortlists.js';

// Only the classes are read; the rest of a Fold (fit context, PCA rows) plays no part here.
const fold = { queryClass: Int32Array.from([0, 1, 2, 3]), galleryClass: Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]) } as unknown as Fold;
const lists: Shortlists = {
  queries: 4,
  s: 3,
  ids: Int32Array.from([0, 2, 1, 2, 3, 4, 4, 6, 5, 0, 6, 7]),
  scores: Float64Array.from([0.9, 0.5, 0.4, 0.8, 0.7, 0.3, 0.85, 0.6, 0.2, 0.75, 0.65, 0.1]),
};

test('the unfamiliar classes: a seeded share of the query classes, never all of them', () => {
  assert.deepEqual([...unfamiliarClassesOf(fold, 0, 1)], []);
  assert.deepEqual([...unfamiliarClassesOf(fold, 0.25, 1)], [2]);
  assert.deepEqual([...unfamiliarClassesOf(fold, 0.5, 1)], [2, 1]);
  assert.deepEqual([...unfamiliarClassesOf(fold, 1, 1)].length, 3);
});

test('without unfamiliar classes every pair counts, in fold, query, rank order', () => {
  const p = calibrationPairs([lists], [fold]);
  assert.deepEqual([...p.scores], [...lists.scores]);
  assert.deepEqual([...p.same], [1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1]);
});

test("an unfamiliar class's query keeps only its wrong matches", () => {
  const p = calibrationPairs([lists], [fold], { unfamiliarClasses: 0.25, seed: 1 });
  assert.deepEqual([...p.scores], [0.9, 0.5, 0.4, 0.8, 0.7, 0.3, 0.6, 0.75, 0.65, 0.1]);
  assert.deepEqual([...p.same], [1, 0, 1, 1, 1, 0, 0, 0, 1, 1]);
});
