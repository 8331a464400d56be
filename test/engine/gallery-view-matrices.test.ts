/**
 * galleryViewMatrices (service/ensemble-space.ts): one read of the stored vectors gives the
 * pooled matrix galleryMatrix gives, and each view's own matrix as galleryMatrix gives it for
 * that view alone (what a fit hands the cross-validation for the head's view rows).
 */
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { galleryMatrix, galleryViewMatrices } from '../../service/ensemble-space.js';
import { Collection, type NewItem } from '../../store/collection.js';

const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

function item(n: number): NewItem {
  return {
    label: `c${n % 2}`,
    source: `/photos/${n}.jpg`,
    sha256: `sha-${n}`,
    bytes: 100 + n,
    vectors: { orig: { a: unit(n, 1), b: unit(1, n, 2) }, flip: { a: unit(1, n), b: unit(2, n, 1) } },
  };
}

test('the pooled matrix and each view alone, as galleryMatrix gives them; a single view adds no per-view copy', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-views-'));
  const c = await Collection.create(dir, {
    name: 'views',
    models: [
      { name: 'a', sha256: 'x', dim: 2, weight: 1 },
      { name: 'b', sha256: 'y', dim: 3, weight: 2 },
    ],
    crop: false,
    int8Sums: 'exact',
    views: ['orig', 'flip'],
    indexSpec: 'flat',
    metric: null,
    searchDefaults: {},
  });
  try {
    c.addItems([item(1), item(2), item(3)]);
    const { pooled, perView } = galleryViewMatrices(c, ['orig', 'flip']);
    assert.deepEqual(pooled, galleryMatrix(c, ['orig', 'flip']));
    assert.equal(perView.length, 2);
    assert.deepEqual(perView[0], galleryMatrix(c, ['orig']).data);
    assert.deepEqual(perView[1], galleryMatrix(c, ['flip']).data);
    assert.notDeepEqual(perView[0], perView[1]);
    assert.notDeepEqual(perView[0], pooled.data);
    const one = galleryViewMatrices(c, ['orig']);
    assert.deepEqual(one.pooled, galleryMatrix(c, ['orig']));
    assert.deepEqual(one.perView, []);
  } finally {
    c.close();
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
