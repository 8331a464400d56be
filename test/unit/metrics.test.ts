import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averagePrecisionAtK, recallAtK, scoreRetrieval } from '../../metric/index.js';

const T = true;
const F = false;

test('AP@10 by hand: hits at ranks 1, 3 and 6 with 3 relevant in the gallery', () => {
  // (1/1 + 2/3 + 3/6) / min(10, 3) = (1 + 0.6667 + 0.5) / 3
  assert.equal(averagePrecisionAtK([T, F, T, F, F, T, F, F, F, F], 3), (1 + 2 / 3 + 3 / 6) / 3);
});

test('AP@10 divides by min(10, R): a big class caps the denominator at 10', () => {
  // five hits at ranks 1..5 of a class with 50 gallery images: 5 / 10
  assert.equal(averagePrecisionAtK([T, T, T, T, T, F, F, F, F, F], 50), 0.5);
});

test('AP@10 ignores results past rank 10 and handles short lists and R = 0', () => {
  assert.equal(averagePrecisionAtK([F, F, F, F, F, F, F, F, F, F, T], 1), 0);
  assert.equal(averagePrecisionAtK([F, T], 2), 0.25);
  assert.equal(averagePrecisionAtK([T], 0), 0);
  assert.equal(averagePrecisionAtK([T, T], 2, 1), 1);
});

test('MAP, class-balanced MAP and P@1 by hand', () => {
  const s = scoreRetrieval([
    { label: 'a', retrievedLabels: ['a', 'b'], relevantTotal: 1 }, // AP 1
    { label: 'a', retrievedLabels: ['b', 'a'], relevantTotal: 1 }, // AP 0.5
    { label: 'a', retrievedLabels: ['b', 'b'], relevantTotal: 1 }, // AP 0
    { label: 'b', retrievedLabels: ['b', 'b'], relevantTotal: 2 }, // AP 1
  ]);
  assert.equal(s.queries, 4);
  assert.equal(s.map, 2.5 / 4);
  assert.equal(s.classBalancedMap, (0.5 + 1) / 2);
  assert.equal(s.precisionAt1, 0.5);
  assert.deepEqual(s.perClass, { a: { queries: 3, map: 0.5 }, b: { queries: 1, map: 1 } });
});

test('recall@K of approximate lists against exact ones', () => {
  assert.equal(recallAtK([[1, 2, 3], [4, 5, 9]], [[3, 2, 1], [4, 5, 6]], 3), (1 + 2 / 3) / 2);
  assert.throws(() => recallAtK([[1]], []), /1 approximate lists vs 0 exact/);
});
