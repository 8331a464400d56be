/** `imsearch index` into an existing collection: which creation flags it ignores, and says so. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ignoredCreationFlags } from '../../cli/new-collection-flags.js';

describe('ignoredCreationFlags', () => {
  const manifest = {
    models: [
      { name: 'a', weight: 1, dim: 4, sha256: 'x' },
      { name: 'b', weight: 2, dim: 4, sha256: 'y' },
    ],
    crop: false,
    views: ['orig' as const],
    indexSpec: 'flat',
  };

  it('nothing given, or what the collection has: nothing ignored', () => {
    assert.deepEqual(ignoredCreationFlags(manifest, {}), []);
    assert.deepEqual(
      ignoredCreationFlags(manifest, { models: [{ name: 'a', weight: 1 }, { name: 'b', weight: 2 }], crop: false, flip: false, zoom: false, indexSpec: 'flat' }),
      [],
    );
  });

  it('each differing flag, in order, with what the collection has', () => {
    assert.deepEqual(ignoredCreationFlags(manifest, { models: [{ name: 'a', weight: 1 }], crop: true, flip: true, indexSpec: 'hnsw' }), [
      '--models (it has a:1,b:2)',
      '--crop (it has crop off)',
      '--flip (it has views orig)',
      "--index (it has flat; the API's rebuildIndex changes it)",
    ]);
    // --flip into a collection with flip and zoom views: it has the view asked for.
    assert.deepEqual(ignoredCreationFlags({ ...manifest, views: ['orig', 'flip', 'zoom', 'zoom-flip'] }, { flip: true }), []);
    assert.deepEqual(ignoredCreationFlags({ ...manifest, views: ['orig', 'flip'] }, { flip: true, zoom: true }), ['--zoom (it has views orig, flip)']);
    // A weight is part of the ensemble.
    assert.deepEqual(ignoredCreationFlags(manifest, { models: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }] }), ['--models (it has a:1,b:2)']);
  });
});
