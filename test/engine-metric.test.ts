import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CollectionSearcher } from '../service/collection-searcher.js';
import { Library } from '../service/library.js';
import { fitCollectionMetric } from '../service/metric-fit.js';
import { listLabelledFiles } from '../store/folder-listing.js';
import { caltechDir, sharedModelsDir } from './helpers/paths.js';

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
  const lib = new Library(data, sharedModelsDir);
  try {
    const c = await lib.openOrCreate('m', { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig', 'flip'], indexSpec: 'flat' });
    const embedder = await lib.embedderFor(c);
    await (await CollectionSearcher.open(c)).addFiles(embedder, await listLabelledFiles(await folder(15, true)));
    const report = await fitCollectionMetric(c);
    assert.equal(report.defaults.mode, 'transform');
    assert.ok(report.cv.scores.reranked.map >= report.cv.scores.baseline.map - 1e-9, JSON.stringify(report.cv.scores));
    assert.match(report.metricHash, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(c.manifest.metric?.hash, report.metricHash);
    c.close();

    const reopened = await lib.open('m');
    const searcher = await CollectionSearcher.open(reopened);
    assert.equal(searcher.searchDefaults?.mode, 'transform');
    for (const cls of CLASSES) {
      const { matches } = await searcher.searchImage(embedder, await query(cls), { k: 10 });
      assert.equal(matches.length, 10);
      assert.ok(matches.slice(0, 5).every((m) => m.item.label === cls), `${cls}: ${matches.map((m) => m.item.label).join(',')}`);
    }
    // calibrated "up to k": never more than k, and a bad precision is a coded error
    const target = report.defaults.thresholds.filter((t) => t.achievable).at(-1);
    if (target) {
      const { matches } = await searcher.searchImage(embedder, await query('Motorbikes'), { k: 10, minPrecision: target.targetPrecision });
      assert.ok(matches.length >= 1 && matches.length <= 10);
      assert.ok(matches.every((m) => m.score >= target.threshold) || matches.length === 1);
    }
    await assert.rejects(searcher.searchImage(embedder, await query('Motorbikes'), { k: 5, minPrecision: 1.5 }), (e: { code?: string }) => e.code === 'BAD_PRECISION');
    // a subset of the models falls back to plain cosine and still works
    assert.equal((await searcher.searchImage(embedder, await query('airplanes'), { k: 3, models: ['mobilenetv2-int8'] })).matches.length, 3);
    reopened.close();

    // an approximate index holds cosine vectors and re-ranks its shortlist with the metric
    const approx = await lib.open('m');
    await approx.updateManifest({ indexSpec: 'hnsw' });
    const viaHnsw = await CollectionSearcher.open(approx);
    assert.equal(viaHnsw.searchDefaults?.mode, 'rerank');
    const { matches: hnswMatches } = await viaHnsw.searchImage(embedder, await query('dalmatian'), { k: 5 });
    assert.ok(hnswMatches.every((m) => m.item.label === 'dalmatian'), hnswMatches.map((m) => m.item.label).join(','));
    await approx.updateManifest({ indexSpec: 'flat' });
    approx.close();

    // a tampered artifact is refused at open, naming the file
    const file = path.join(lib.dir('m'), (await lib.open('m')).manifest.metric!.file);
    const text = await fsp.readFile(file, 'utf8');
    const tampered = text.replace(/"sourceHash":"[0-9a-f]/, '"sourceHash":"z');
    assert.notEqual(tampered, text);
    await fsp.writeFile(file, tampered);
    await assert.rejects(async () => CollectionSearcher.open(await lib.open('m')), /cannot load metric|has hash/);
  } finally {
    await lib.close();
  }
});

test('an unlabelled collection refuses to fit with a clear message', async () => {
  const data = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-data-'));
  const lib = new Library(data, sharedModelsDir);
  try {
    const c = await lib.openOrCreate('u', { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig'], indexSpec: 'flat' });
    await (await CollectionSearcher.open(c)).addFiles(await lib.embedderFor(c), await listLabelledFiles(await folder(3, false)));
    await assert.rejects(fitCollectionMetric(c), (e: { code?: string; message: string }) => e.code === 'NOT_LABELLED' && /no labelled items/.test(e.message));
    c.close();
  } finally {
    await lib.close();
  }
});
