/**
 * The results page's address (server/web/results-view.ts): a view survives the round trip
 * through its address, a garbled address falls back to the defaults, and "show more" stops at
 * the server's k limit, at the collection's size and after a short answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MORE_STEP, type View, addressOf, nextK, viewFromSearch } from '../../server/web/results-view.js';

const defaults = { k: 10 };

describe('results page address', () => {
  it('names the collection, the item, k and the precision, and reads them back', () => {
    const view: View = { collection: 'caltech 101', similarTo: '42', k: 25, precision: 0.9 };
    const address = addressOf(view);
    assert.equal(address, '/?collection=caltech+101&similarTo=42&k=25&precision=0.9');
    assert.deepEqual(viewFromSearch(new URL(address, 'http://host').search, defaults), view);
  });

  it('leaves out what the view lacks: an image query has no similarTo, the default collection no collection', () => {
    const view: View = { collection: null, similarTo: null, k: 10, precision: null };
    assert.equal(addressOf(view), '/?k=10');
    assert.deepEqual(viewFromSearch('?k=10', defaults), view);
    assert.deepEqual(viewFromSearch('', defaults), view);
  });

  it('takes the defaults for a garbled k or precision, and ignores empty values', () => {
    for (const k of ['0', '-3', '2.5', 'ten', '', '1e3', '99999999999']) assert.equal(viewFromSearch(`?k=${k}`, defaults).k, 10, `k=${k}`);
    for (const p of ['0', '1.5', '-0.1', 'x', '']) assert.equal(viewFromSearch(`?precision=${p}`, defaults).precision, null, `precision=${p}`);
    assert.equal(viewFromSearch('?precision=1', defaults).precision, 1);
    assert.deepEqual(viewFromSearch('?collection=%20&similarTo=', defaults), { collection: null, similarTo: null, k: 10, precision: null });
    // The item id is the API's to check (UNKNOWN_ITEM): the address carries it as it is.
    assert.equal(viewFromSearch('?similarTo=abc', defaults).similarTo, 'abc');
  });
});

describe('show more', () => {
  it(`asks for ${MORE_STEP} more while the answers are full`, () => {
    assert.equal(nextK(10, 10, { maxK: 100, available: 1000 }), 10 + MORE_STEP);
    assert.equal(nextK(20, 20, { maxK: 100, available: 1000 }), 20 + MORE_STEP);
  });

  it("stops at the server's maxK and at the number of items there are", () => {
    assert.equal(nextK(10, 10, { maxK: 15, available: 1000 }), 15);
    assert.equal(nextK(15, 15, { maxK: 15, available: 1000 }), null);
    assert.equal(nextK(10, 10, { maxK: 100, available: 17 }), 17);
    assert.equal(nextK(17, 17, { maxK: 100, available: 17 }), null);
  });

  it('stops after a short answer (a precision cut, or fewer items than k)', () => {
    assert.equal(nextK(10, 7, { maxK: 100, available: 1000 }), null);
    assert.equal(nextK(10, 0, { maxK: 100, available: 1000 }), null);
  });
});
