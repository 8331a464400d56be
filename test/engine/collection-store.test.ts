import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImsearchError } from '../../errors/error-codes.js';
import { Collection, type NewItem } from '../../store/collection.js';
import { removeStaleTemporaries, writeFileAtomic } from '../../store/atomic-file.js';

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-store-'));
}

function item(n: number, label: string | null): NewItem {
  const a = new Float32Array([n, 1, 2]);
  const b = new Float32Array([n, -n]);
  return { label, source: `/photos/${n}.jpg`, sha256: `sha-${n}`, bytes: 100 + n, vectors: { orig: { a, b } } };
}

const base = {
  name: 'test',
  models: [
    { name: 'a', sha256: 'x', dim: 3, weight: 1 },
    { name: 'b', sha256: 'y', dim: 2, weight: 1 },
  ],
  crop: false,
  int8Sums: 'exact' as const,
  views: ['orig' as const],
  indexSpec: 'flat',
  metric: null,
  searchDefaults: {},
};

test('items and raw vectors round-trip through close and reopen; ids are stable and never reused', async () => {
  const dir = await tempDir();
  const c = await Collection.create(dir, base);
  assert.deepEqual(c.addItems([item(1, 'cat'), item(2, 'dog'), item(3, null)]), [1, 2, 3]);
  assert.deepEqual(c.removeItems([2, 99]), [2]);
  assert.deepEqual(c.addItems([item(4, 'dog')]), [4]);
  const v1 = c.version();
  c.close();

  const r = await Collection.open(dir);
  assert.equal(r.version(), v1);
  assert.equal(r.count(), 3);
  assert.deepEqual([...r.labels()], [['cat', 1], ['dog', 1]]);
  const block = r.vectors('a');
  assert.deepEqual([...block.ids], [1, 3, 4]);
  assert.deepEqual([...block.data], [1, 1, 2, 3, 1, 2, 4, 1, 2]);
  assert.deepEqual([...r.vectors('b').data], [1, -1, 3, -3, 4, -4]);
  assert.deepEqual([...r.itemVectors(4)!.b], [4, -4]);
  assert.equal(r.item(4)!.source, '/photos/4.jpg');
  assert.deepEqual(r.items({ limit: 2 }).map((i) => i.id), [1, 3]);
  assert.deepEqual(r.items({ after: 3, limit: 2 }).map((i) => i.id), [4]);
  assert.deepEqual(r.items({ limit: 10, label: 'dog' }).map((i) => i.id), [4]);
  assert.deepEqual(r.items({ limit: 2, fromEnd: true }).map((i) => i.id), [3, 4], 'the last page, in id order');
  assert.deepEqual(r.items({ before: 4, limit: 1, fromEnd: true }).map((i) => i.id), [3]);
  assert.deepEqual(r.items({ after: 1, before: 4, limit: 10 }).map((i) => i.id), [3], 'both bounds are exclusive');
  r.close();
});

test('re-adding the same content is a no-op and does not bump the version', async () => {
  const c = await Collection.create(await tempDir(), base);
  c.addItems([item(1, 'cat')]);
  const v = c.version();
  assert.deepEqual(c.addItems([{ ...item(1, 'cat'), source: '/elsewhere/copy.jpg' }]), [null]);
  assert.equal(c.version(), v);
  assert.equal(c.count(), 1);
  c.close();
});

test('a batch with a wrong-sized vector is refused whole', async () => {
  const c = await Collection.create(await tempDir(), base);
  const bad = item(2, 'x');
  bad.vectors.orig!.a = new Float32Array(5);
  assert.throws(() => c.addItems([item(1, 'x'), bad]), /wrong-sized orig vector for model a \(want 3\)/);
  assert.equal(c.count(), 0);
  c.close();
});

test('open reports a missing or broken collection clearly', async () => {
  const dir = await tempDir();
  await assert.rejects(Collection.open(dir), (e: unknown) => e instanceof ImsearchError && e.code === 'UNKNOWN_COLLECTION');
  await fsp.writeFile(path.join(dir, 'manifest.json'), '{ not json');
  await assert.rejects(Collection.open(dir), /manifest.json is not valid JSON/);
});

test('an interrupted manifest write (temporary left behind) still opens at the last complete state', async () => {
  const dir = await tempDir();
  const c = await Collection.create(dir, base);
  await c.updateManifest({ indexSpec: 'hnsw' });
  c.close();
  // What a writer killed between write and rename leaves: a half-written temporary.
  await fsp.writeFile(path.join(dir, '.manifest.json.123.456.tmp'), '{"formatVersion": 1, "na');
  const r = await Collection.open(dir);
  assert.equal(r.manifest.indexSpec, 'hnsw');
  assert.deepEqual((await fsp.readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
  r.close();
});

test('writeFileAtomic replaces content whole', async () => {
  const file = path.join(await tempDir(), 'x.json');
  await writeFileAtomic(file, 'one');
  await writeFileAtomic(file, 'two');
  assert.equal(await fsp.readFile(file, 'utf8'), 'two');
});

test('removeStaleTemporaries with an age bound leaves younger temporaries (writes in progress) and other files', async () => {
  const dir = await tempDir();
  for (const name of ['.old.onnx.1.aa.tmp', '.young.onnx.2.bb.tmp', 'kept.onnx', 'visible.tmp']) await fsp.writeFile(path.join(dir, name), 'x');
  const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000;
  await fsp.utimes(path.join(dir, '.old.onnx.1.aa.tmp'), twoHoursAgo, twoHoursAgo);
  await removeStaleTemporaries(dir, { olderThanMs: 3600_000 });
  assert.deepEqual((await fsp.readdir(dir)).sort(), ['.young.onnx.2.bb.tmp', 'kept.onnx', 'visible.tmp']);
  await removeStaleTemporaries(dir);
  assert.deepEqual((await fsp.readdir(dir)).sort(), ['kept.onnx', 'visible.tmp']);
});
