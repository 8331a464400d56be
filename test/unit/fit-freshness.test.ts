/** The refit policy by hand: items changed since a fit from its record (ids never reused), stale above 10 %. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFIT_SHARE, freshnessOf, itemsChangedSince } from '../../service/fit-freshness.js';
import { fitStatusLine } from '../../cli/fit-status.js';

test('added items are those above the fit\'s largest id; removed ones are fitted items no longer there', () => {
  // Fitted on 50 items with ids up to 60; now 53 items, 5 of them added since (ids > 60): 2 fitted ones were removed.
  assert.equal(itemsChangedSince({ count: 50, maxId: 60 }, { count: 53, addedSince: 5 }), 7);
  assert.equal(itemsChangedSince({ count: 50, maxId: 60 }, { count: 50, addedSince: 0 }), 0);
  assert.equal(itemsChangedSince({ count: 50, maxId: 60 }, { count: 45, addedSince: 0 }), 5);
});

test('the fit is stale once more than 10 % of its items changed, not at exactly 10 %', () => {
  assert.equal(REFIT_SHARE, 0.1);
  assert.deepEqual(freshnessOf({ count: 50, maxId: 60 }, { count: 55, addedSince: 5 }), { fittedItems: 50, itemsChanged: 5, changedShare: 0.1, stale: false });
  assert.deepEqual(freshnessOf({ count: 50, maxId: 60 }, { count: 56, addedSince: 6 }), { fittedItems: 50, itemsChanged: 6, changedShare: 0.12, stale: true });
});

test('imsearch index says whether the fit is current, and how to refresh a stale one', () => {
  assert.equal(fitStatusLine('pets', { fittedItems: 50, itemsChanged: 5, changedShare: 0.1, stale: false }), 'fitted metric of pets: current (5 of 50 items changed since the fit; refit above 10 %)');
  assert.match(fitStatusLine('pets', { fittedItems: 50, itemsChanged: 6, changedShare: 0.12, stale: true }), /STALE, 6 of 50 items changed since the fit .*imsearch fit --collection pets/);
});
