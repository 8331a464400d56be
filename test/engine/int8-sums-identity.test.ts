/**
 * Issue 15: how int8 models sum is part of a collection's identity. New collections record
 * 'exact' (vectors the same on every CPU); a manifest written before the field existed reads as
 * 'native', its queries and new items are embedded that way (so an indexed photo still finds
 * itself at score 1), the server says so when it opens it, and an exact embedder is refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Embedder } from '../../models/embedder.js';
import { cliLikeService } from '../helpers/service.js';
import { caltechDir, sharedModelsDir } from '../helpers/paths.js';

let tmp: string;
let photos: string;
before(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-int8sums-'));
  photos = path.join(tmp, 'photos');
  for (const label of ['Faces', 'Leopards', 'Motorbikes']) {
    const from = path.join(caltechDir, 'gallery', label);
    await fsp.mkdir(path.join(photos, label), { recursive: true });
    await fsp.copyFile(path.join(from, fs.readdirSync(from).sort()[0]!), path.join(photos, label, 'a.jpg'));
  }
});
after(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const spec = { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig' as const], indexSpec: 'flat' };
const manifestOf = (dataDir: string, name: string) => JSON.parse(fs.readFileSync(path.join(dataDir, 'collections', name, 'manifest.json'), 'utf8')) as Record<string, unknown>;

test('new collections record exact sums; an older manifest reads as native and is served natively', { timeout: 120_000 }, async () => {
  const dataDir = path.join(tmp, 'data');
  const first = cliLikeService(dataDir, { threads: 1 });
  try {
    const fresh = await first.openOrCreate('fresh', spec);
    assert.equal(manifestOf(dataDir, 'fresh').int8Sums, 'exact');
    // The manifest a build before the field would have written: everything but int8Sums.
    await first.collections.create('old', { ...fresh.manifest, int8Sums: 'native' });
  } finally {
    await first.close();
  }
  const oldManifest = manifestOf(dataDir, 'old');
  delete oldManifest.int8Sums;
  await fsp.writeFile(path.join(dataDir, 'collections', 'old', 'manifest.json'), JSON.stringify(oldManifest, null, 2));

  const lines: string[] = [];
  const service = cliLikeService(dataDir, { threads: 1, log: (l) => lines.push(l) });
  const exact = await Embedder.create(['mobilenetv2-int8'], { modelDir: sharedModelsDir, inference: 'main', threads: 1 });
  try {
    for (const name of ['fresh', 'old']) assert.equal((await service.indexFolder(name, photos)).added, 3);
    const old = await service.collection('old');
    assert.equal(old.manifest.int8Sums, 'native');
    assert.equal((await old.embedder()).int8Sums, 'native');
    assert.ok(lines.some((l) => l.startsWith('opened collection old') && l.includes('made before exact int8 sums')), lines.join('\n'));
    assert.ok(!lines.some((l) => l.startsWith('opened collection fresh') && l.includes('exact int8 sums')), lines.join('\n'));
    assert.throws(() => old.searcher.checkEmbedder(exact), (err: Error & { code?: string }) => err.code === 'MODEL_MISMATCH' && /int8Sums=native.*int8Sums=exact/.test(err.message));
    const leopard = await fsp.readFile(path.join(photos, 'Leopards', 'a.jpg'));
    for (const name of ['fresh', 'old']) {
      const top = (await service.searchImage(name, leopard, { k: 1 })).matches[0]!;
      assert.equal(top.item.label, 'Leopards', name);
      assert.ok(top.score > 0.9999, `${name}: an indexed photo scores ${top.score} against itself`);
    }
  } finally {
    await exact.close();
    await service.close();
  }
});
