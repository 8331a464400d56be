import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { caltechDir } from '../helpers/paths.js';
import { cliLikeService } from '../helpers/service.js';

const CLASSES = ['Faces_easy', 'Motorbikes', 'airplanes', 'dalmatian'];

async function folder(perClass: number, labelled: boolean): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-metric-'));
  for (const c of CLASSES) {
    const names = (await fsp.readdir(path.join(caltechDir, 'gallery', c))).sort().slice(0, perClass);
    const target = labelled ? path.join(dir, c) : dir;
    await fsp.mkdir(target, { recursive: true });
    for (const n of names) await fsp.copyFile(path.join(caltechDir, 'gallery', c, n), path.join(target, `${c}-${n}`));
  }
  return dir;
}

async function query(c: string): Promise<Buffer> {
  const names = (await fsp.readdir(path.join(caltechDir, 'queries', c))).sort();
  return fsp.readFile(path.join(caltechDir, 'queries', c, names[0]));
}

test('fit a metric on a labelled collection: stored, hash-checked, served after reopen, calibrated cut', async () => {
  const data = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-data-'));
  let service = cliLikeService(data);
  try {
    const c = await service.openOrCreate('m', { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig', 'flip'], indexSpec: 'flat' });
    await service.indexFolder('m', await folder(15, true));
    const { report } = await service.fit('m', { mode: 'transform', folds: 1 });
    assert.equal(report.defaults.mode, 'transform');
    assert.ok(report.cv.scores.reranked.map >= report.cv.scores.baseline.map - 1e-9, JSON.stringify(report.cv.scores));
    assert.match(report.metricHash, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(c.manifest.metric?.hash, report.metricHash);
    assert.equal(c.searcher.searchDefaults?.mode, 'transform');
    // A refit in the same process (here: the same metric, another mode) is served at once.
    await service.fit('m', { mode: 'rerank', folds: 1 });
    assert.equal(c.searcher.searchDefaults?.mode, 'rerank');
    await service.fit('m', { mode: 'transform', folds: 1 });
    assert.equal(c.searcher.searchDefaults?.mode, 'transform');
    const dir = c.collection.dir;
    await service.close();

    service = cliLikeService(data);
    const reopened = await service.collection('m');
    assert.equal(reopened.searcher.searchDefaults?.mode, 'transform');
    for (const cls of CLASSES) {
      const { matches } = await service.searchImage('m', await query(cls), { k: 10 });
      assert.equal(matches.length, 10);
      assert.ok(matches.slice(0, 5).every((m) => m.item.label === cls), `${cls}: ${matches.map((m) => m.item.label).join(',')}`);
    }
    // calibrated "up to k": never more than k, and a bad precision is a coded error
    const target = report.defaults.thresholds.filter((t) => t.achievable).at(-1);
    assert.ok(target, `no achievable calibrated precision: ${JSON.stringify(report.defaults.thresholds)}`);
    const { matches: cut } = await service.searchImage('m', await query('Motorbikes'), { k: 10, minPrecision: target.targetPrecision });
    assert.ok(cut.length >= 1 && cut.length <= 10);
    assert.ok(cut.every((m) => m.score >= target.threshold) || cut.length === 1);
    await assert.rejects(service.searchImage('m', await query('Motorbikes'), { k: 5, minPrecision: 1.5 }), (e: { code?: string }) => e.code === 'BAD_PRECISION');
    // a subset of the models falls back to plain cosine and still works
    assert.equal((await service.searchImage('m', await query('airplanes'), { k: 3, models: ['mobilenetv2-int8'] })).matches.length, 3);

    // an approximate index holds cosine vectors and re-ranks its shortlist with the metric
    const viaHnsw = await service.rebuildIndex('m', 'hnsw');
    assert.equal(viaHnsw.searcher.searchDefaults?.mode, 'rerank');
    const { matches: hnswMatches } = await service.searchImage('m', await query('dalmatian'), { k: 5 });
    assert.ok(hnswMatches.every((m) => m.item.label === 'dalmatian'), hnswMatches.map((m) => m.item.label).join(','));
    const flat = await service.rebuildIndex('m', 'flat');
    const file = path.join(dir, flat.manifest.metric!.file);
    await service.close();

    // a tampered artifact is refused at open, naming the file
    const text = await fsp.readFile(file, 'utf8');
    const tampered = text.replace(/"sourceHash":"[0-9a-f]/, '"sourceHash":"z');
    assert.notEqual(tampered, text);
    await fsp.writeFile(file, tampered);
    service = cliLikeService(data);
    await assert.rejects(service.collection('m'), /cannot load metric|has hash/);
  } finally {
    await service.close();
  }
});

test('an unlabelled collection refuses to fit with a clear message', async () => {
  const data = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-data-'));
  const service = cliLikeService(data);
  try {
    await service.openOrCreate('u', { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig'], indexSpec: 'flat' });
    await service.indexFolder('u', await folder(3, false));
    await assert.rejects(
      service.fit('u', { mode: 'transform', folds: 1 }),
      (e: { code?: string; message: string }) => e.code === 'NOT_LABELLED' && /has 0 labelled of 12 items/.test(e.message),
    );
  } finally {
    await service.close();
  }
});
