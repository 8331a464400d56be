/**
 * Explanations through the searcher on a tiny unfitted collection of hand-made unit vectors
 * (two models, weights 1 and 1): the cosines, the ranking score, the vote over the results and
 * the predicted class can all be worked out by hand.
 */
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CollectionSearcher } from '../../service/collection-searcher.js';
import { Collection, type NewItem } from '../../store/collection.js';

const u = (...x: number[]) => new Float32Array(x);

function item(n: number, label: string, a: Float32Array, b: Float32Array): NewItem {
  return { label, source: `/photos/${n}.jpg`, sha256: `sha-${n}`, bytes: 100, vectors: { orig: { a, b } } };
}

test('a plain-cosine search explains each result and predicts the majority class of the results', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-explain-'));
  const c = await Collection.create(dir, {
    name: 'tiny',
    models: [
      { name: 'a', sha256: 'x', dim: 2, weight: 1 },
      { name: 'b', sha256: 'y', dim: 2, weight: 1 },
    ],
    crop: false,
    int8Sums: 'exact',
    views: ['orig'],
    indexSpec: 'flat',
    metric: null,
    searchDefaults: {},
  });
  try {
    c.addItems([
      item(1, 'cat', u(1, 0), u(1, 0)), //      cosines to the query: a 1,   b 0.6 → score 0.8
      item(2, 'cat', u(0.6, 0.8), u(1, 0)), //                          a 0.6, b 0.6 → 0.6
      item(3, 'dog', u(0, 1), u(0.6, 0.8)), //                          a 0,   b 1   → 0.5
      item(4, 'dog', u(0, 1), u(0, 1)), //                              a 0,   b 0.8 → 0.4
    ]);
    const searcher = await CollectionSearcher.open(c);
    const query = { orig: { a: u(1, 0), b: u(0.6, 0.8) } };

    const plain = await searcher.search(query, { k: 3 });
    assert.equal(plain.prediction, undefined);
    assert.ok(plain.matches.every((m) => m.explanation === undefined), 'nothing is explained unless asked');

    const { matches, prediction } = await searcher.search(query, { k: 3, explain: true });
    assert.deepEqual(matches.map((m) => m.item.id), [1, 2, 3]);
    const expected = [
      { a: 1, b: 0.6, score: 0.8, share: 2 / 3 },
      { a: 0.6, b: 0.6, score: 0.6, share: 2 / 3 },
      { a: 0, b: 1, score: 0.5, share: 1 / 3 },
    ];
    matches.forEach((m, i) => {
      const e = m.explanation!;
      assert.deepEqual(e.models.map((x) => x.model), ['a', 'b']);
      assert.ok(Math.abs(e.models[0].cosine - expected[i].a) < 1e-6, `result ${i + 1}, model a: ${e.models[0].cosine}`);
      assert.ok(Math.abs(e.models[1].cosine - expected[i].b) < 1e-6, `result ${i + 1}, model b: ${e.models[1].cosine}`);
      assert.ok(Math.abs(e.score - expected[i].score) < 1e-6, `result ${i + 1}, score: ${e.score}`);
      assert.equal(e.score, m.score);
      assert.equal(e.scoreKind, 'cosine');
      assert.equal(e.probability, null, 'no calibration without a fitted metric');
      assert.equal(e.classShare, expected[i].share);
    });
    assert.deepEqual(prediction, { label: 'cat', share: 2 / 3, probability: null, runnerUp: { label: 'dog', share: 1 / 3, probability: null }, voters: 3, weighted: false });
  } finally {
    c.close();
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
