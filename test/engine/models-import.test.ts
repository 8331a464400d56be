/**
 * A model imported with its own manifest is usable by the models layer (Embedder, so `index` and
 * `serve`): the store writes the manifest into the model directory, the registry reads it there.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ModelStore } from '../../model-store/index.js';
import { Embedder, getManifest, loadCatalog } from '../../models/index.js';
import { cliBin, sharedModelsDir } from '../helpers/paths.js';

const SOURCE_FILE = 'mobilenet_v1_0.25_224-emb.onnx';
const SOURCE_SHA = '64aa3d7ea559d24f25508f10ac7b4f5c5a1e3d95110a142ef3cf1b71ed38d0fb';

/** The built-in mobilenet-v1-025 manifest under another name and file, as a site would write it. */
function siteManifest(): Record<string, unknown> {
  const { name: _name, file: _file, sha256: _sha, sha256Source: _src, bytes: _bytes, urls: _urls, ...rest } = getManifest('mobilenet-v1-025');
  return { ...rest, name: 'site-mnv1', file: 'site-mnv1.onnx', sha256: null, bytes: null, urls: [], description: 'our own copy' };
}

async function photo(r: number, g: number, b: number): Promise<Buffer> {
  return sharp({ create: { width: 96, height: 64, channels: 3, background: { r, g, b } } }).png().toBuffer();
}

describe('imported models', () => {
  let tmp: string;
  let modelDir: string;
  before(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-import-'));
    process.env.IMSEARCH_CACHE_DIR = path.join(tmp, 'cache');
    modelDir = path.join(tmp, 'models');
    const res = await new ModelStore({ dir: modelDir }).importFile(path.join(sharedModelsDir, SOURCE_FILE), { manifest: siteManifest(), manifestLabel: 'site.json' });
    assert.equal(res.path, path.join(modelDir, 'site-mnv1.onnx'));
    assert.equal(res.manifestPath, path.join(modelDir, 'manifests', 'site-mnv1.json'));
  });
  after(async () => {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('the registry sees the imported manifest in the model directory, and only there', () => {
    const cat = loadCatalog({ modelDir });
    assert.deepEqual({ origin: cat.entries.get('site-mnv1')?.origin, sha256: cat.entries.get('site-mnv1')?.manifest.sha256 }, { origin: 'imported', sha256: SOURCE_SHA });
    assert.deepEqual(cat.warnings, []);
    assert.equal(getManifest('site-mnv1', { modelDir }).file, 'site-mnv1.onnx');
    assert.throws(() => getManifest('site-mnv1'), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'UNKNOWN_MODEL');
  });

  it('Embedder.create loads it and embeds an image like the built-in model it copies', async () => {
    const img = await photo(200, 40, 90);
    const imported = await Embedder.create(['site-mnv1'], { modelDir, inference: 'main', threads: 1 });
    const builtin = await Embedder.create(['mobilenet-v1-025'], { modelDir: sharedModelsDir, inference: 'main', threads: 1 });
    try {
      assert.deepEqual(imported.models, [{ name: 'site-mnv1', dim: 256, sha256: SOURCE_SHA }]);
      const a = (await imported.embedImage(img))['site-mnv1']!;
      const b = (await builtin.embedImage(img))['mobilenet-v1-025']!;
      assert.equal(a.length, 256);
      assert.deepEqual(a, b);
    } finally {
      await imported.close();
      await builtin.close();
    }
  });

  it('the CLI indexes a folder with it', async () => {
    const photos = path.join(tmp, 'photos');
    for (const [label, rgb] of [['red', [220, 20, 30]], ['blue', [20, 40, 220]]] as const) {
      await fsp.mkdir(path.join(photos, label), { recursive: true });
      await fsp.writeFile(path.join(photos, label, 'a.png'), await photo(rgb[0], rgb[1], rgb[2]));
    }
    const data = path.join(tmp, 'data');
    const env = { ...process.env, IMSEARCH_CACHE_DIR: path.join(tmp, 'cache') };
    await promisify(execFile)(process.execPath, [cliBin, '--data', data, '--model-dir', modelDir, '--threads', '1', 'index', photos, '-c', 'mine', '-m', 'site-mnv1', '--index', 'flat'], { env });
    const manifest = JSON.parse(fs.readFileSync(path.join(data, 'collections', 'mine', 'manifest.json'), 'utf8'));
    assert.deepEqual(
      manifest.models.map((m: { name: string; dim: number; sha256: string }) => [m.name, m.dim, m.sha256]),
      [['site-mnv1', 256, SOURCE_SHA]],
    );
  });
});
