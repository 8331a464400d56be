import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import {
  Embedder,
  type EmbedFileResult,
  ZOOM_SCALE,
  centreBox,
  cropRgb,
  ImageDecodeError,
  ModelError,
  type ModelManifest,
  concatWeighted,
  dot,
  getManifest,
  l2Normalize,
} from '../../models/index.js';
import { caltechDir, sharedModelsDir } from '../helpers/paths.js';

// verified model hashes are cached here, not in the user's cache directory
process.env.IMSEARCH_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'imsearch-embed-cache-'));

const g = (p: string) => path.join(caltechDir, 'gallery', p);
const moto = [g('Motorbikes/image_0002.jpg'), g('Motorbikes/image_0003.jpg')];
const leopard = [g('Leopards/image_0002.jpg'), g('Leopards/image_0003.jpg')];
const OFFLINE = ['mobilenetv2-int8', 'mobilenet-v1-025', 'mnv4s-int8'];

const norm = (v: Float32Array) => Math.sqrt(dot(v, v));
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

/** A manifests folder holding variants of real manifests, for loader tests. */
async function manifestsDir(manifests: ModelManifest[]): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-manifests-'));
  for (const m of manifests) fs.writeFileSync(path.join(dir, `${m.name}.json`), JSON.stringify(m));
  return dir;
}

describe('Embedder on the offline models', () => {
  let e: Embedder;
  before(async () => {
    e = await Embedder.create(OFFLINE, { modelDir: sharedModelsDir, batchSize: 3 });
  });
  after(async () => {
    await e.close();
  });

  it('reports each model with its dimension and verified sha256', () => {
    assert.deepEqual(
      e.models.map((m) => [m.name, m.dim, m.sha256]),
      OFFLINE.map((n) => [n, getManifest(n).output.dim, getManifest(n).sha256]),
    );
    assert.equal(e.crop, false);
  });

  it('embeds a photo: right dimension, unit norm, per model', async () => {
    const v = await e.embedImage(moto[0]);
    for (const m of e.models) {
      assert.equal(v[m.name].length, m.dim);
      assert.ok(Math.abs(norm(v[m.name]) - 1) < 1e-5, `${m.name} norm ${norm(v[m.name])}`);
    }
  });

  it('two photos of one class are closer than photos of different classes (every model)', async () => {
    const [m0, m1, p0, p1] = await Promise.all([...moto, ...leopard].map((f) => e.embedImage(fs.readFileSync(f))));
    for (const { name } of e.models) {
      const same = dot(m0[name], m1[name]);
      assert.ok(same > dot(m0[name], p0[name]) && same > dot(m1[name], p1[name]), `${name}: motorbikes ${same}`);
      const sameLeopard = dot(p0[name], p1[name]);
      assert.ok(sameLeopard > dot(p0[name], m0[name]) && sameLeopard > dot(p1[name], m1[name]), `${name}: leopards ${sameLeopard}`);
    }
  });

  it('views: the flip view is the mirrored image, close to but not equal to the original', async () => {
    const both = await e.embedImage(moto[0], ['orig', 'flip']);
    const orig = await e.embedImage(moto[0]);
    const flip = await e.embedImage(moto[0], { flip: true });
    for (const { name } of e.models) {
      assert.ok(maxAbsDiff(both.orig![name], orig[name]) < 1e-5);
      assert.ok(maxAbsDiff(both.flip![name], flip[name]) < 1e-5);
      const c = dot(orig[name], flip[name]);
      assert.ok(c > 0.8 && c < 0.99999, `${name}: cos(orig, flip) ${c}`);
    }
  });

  it('bad input to embedImage is an ImageDecodeError with a reason', async () => {
    await assert.rejects(e.embedImage(Buffer.alloc(0)), (err: unknown) => err instanceof ImageDecodeError && err.reason === 'empty');
    await assert.rejects(e.embedImage(Buffer.from('not an image')), (err: unknown) => err instanceof ImageDecodeError && err.reason === 'not-image');
  });

  it('embedFiles: input order, sha256 of the bytes, bad files reported (never thrown), same vectors as embedImage', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-embed-'));
    try {
      const empty = path.join(dir, 'empty.jpg');
      const text = path.join(dir, 'text.jpg');
      const cut = path.join(dir, 'cut.jpg');
      fs.writeFileSync(empty, '');
      fs.writeFileSync(text, 'plain text');
      fs.writeFileSync(cut, fs.readFileSync(moto[1]).subarray(0, 3000));
      const paths = [moto[0], empty, leopard[0], text, path.join(dir, 'missing.jpg'), moto[1], cut, leopard[1]];
      const results: EmbedFileResult[] = [];
      for await (const r of e.embedFiles(paths, ['orig', 'flip'], { batchSize: 3 })) results.push(r);
      assert.deepEqual(
        results.map((r) => r.index),
        paths.map((_, i) => i),
      );
      assert.deepEqual(
        results.map((r) => (r.ok === true ? 'ok' : r.ok === 'known' ? 'known' : r.reason)),
        ['ok', 'empty', 'ok', 'not-image', 'unreadable', 'ok', 'truncated', 'ok'],
      );
      for (const r of results) {
        assert.equal(r.path, paths[r.index]);
        if (r.ok === false) {
          assert.ok(r.message.length > 0);
          continue;
        }
        assert.ok(r.ok === true, `${r.path} reported as already known`);
        const bytes = fs.readFileSync(r.path);
        assert.equal(r.bytes, bytes.length);
        assert.equal(r.sha256, createHash('sha256').update(bytes).digest('hex'));
        const single = await e.embedImage(r.path, ['orig', 'flip']);
        for (const { name } of e.models) {
          assert.ok(maxAbsDiff(r.vectors.orig![name], single.orig![name]) < 1e-4, `${name} orig`);
          assert.ok(maxAbsDiff(r.vectors.flip![name], single.flip![name]) < 1e-4, `${name} flip`);
        }
      }
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('embedFiles: an empty list yields nothing; breaking early leaves nothing running', async () => {
    const none: EmbedFileResult[] = [];
    for await (const r of e.embedFiles([])) none.push(r);
    assert.equal(none.length, 0);
    const files = [...moto, ...leopard, ...moto];
    for await (const r of e.embedFiles(files, ['orig'], { batchSize: 2 })) {
      assert.equal(r.ok, true);
      break;
    }
    // The embedder is still usable afterwards.
    assert.equal((await e.embedImage(moto[0]))['mnv4s-int8'].length, 960);
  });

  it('embedFiles stops between batches when the signal aborts', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const r of e.embedFiles([...moto, ...leopard, ...moto], ['orig'], { batchSize: 2, signal: ac.signal })) {
        seen.push(r.index);
        ac.abort(new Error('stop'));
      }
    }, /stop/);
    assert.deepEqual(seen, [0, 1]);
  });

  it('concurrent queries are merged into shared runs and give the same vectors', async () => {
    const files = [...moto, ...leopard];
    const sequential = [];
    for (const f of files) sequential.push(await e.embedImage(f));
    const concurrent = await Promise.all(files.map((f) => e.embedImage(f)));
    for (let i = 0; i < files.length; i++) {
      for (const { name } of e.models) assert.ok(maxAbsDiff(sequential[i][name], concurrent[i][name]) < 1e-4);
    }
  });

  it('inferBatch keeps a batch usable; with consume its tensors move to the worker, same vectors', async () => {
    const batch = await e.preprocessBatch([...moto, ...leopard]);
    const kept = await e.inferBatch(batch);
    assert.ok(batch.tensors.every((t) => t.length > 0), 'without consume the tensors stay readable');
    const again = await e.inferBatch(batch, { consume: true });
    assert.ok(batch.tensors.every((t) => t.length === 0), 'with consume the tensors were transferred (detached)');
    kept.forEach((r, i) => {
      const s = again[i];
      assert.ok(r.ok === true && s?.ok === true);
      for (const { name } of e.models) assert.deepEqual(s.vectors.orig?.[name], r.vectors.orig?.[name]);
    });
  });
});

describe('zoomed views', () => {
  it("a photo's zoom / zoom-flip views are the orig / flip views of its centre 80% (cut out and re-encoded losslessly)", async () => {
    const e = await Embedder.create(['mobilenet-v1-025', 'mnv4s-int8'], { modelDir: sharedModelsDir, inference: 'main', threads: 1 });
    try {
      const { data, info } = await sharp(moto[0]).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const box = centreBox(info.width, info.height, ZOOM_SCALE);
      const centre = cropRgb({ data: new Uint8Array(data), width: info.width, height: info.height }, box);
      const png = await sharp(Buffer.from(centre.data), { raw: { width: centre.width, height: centre.height, channels: 3 } }).png().toBuffer();
      const png0 = await sharp(Buffer.from(data), { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer();
      const whole = await e.embedImage(png0, ['orig', 'flip', 'zoom', 'zoom-flip']);
      const cut = await e.embedImage(png, ['orig', 'flip']);
      for (const { name } of e.models) {
        assert.deepEqual(whole.zoom![name], cut.orig![name], `${name}: zoom`);
        assert.deepEqual(whole['zoom-flip']![name], cut.flip![name], `${name}: zoom-flip`);
        assert.notDeepEqual(whole.zoom![name], whole.orig![name], `${name}: the zoom view is a different look`);
      }
    } finally {
      await e.close();
    }
  });
});

describe('Embedder options and loading', () => {
  it('the crop step changes nothing on a photo without borders and is reported', async () => {
    const e = await Embedder.create(['mobilenet-v1-025'], { modelDir: sharedModelsDir, crop: true });
    try {
      assert.equal(e.crop, true);
      const v = await e.embedImage(moto[0]);
      assert.equal(v['mobilenet-v1-025'].length, 256);
    } finally {
      await e.close();
    }
  });

  it('the model directory can come from IMSEARCH_MODEL_DIR; a wrong directory names model and path', async () => {
    const saved = process.env.IMSEARCH_MODEL_DIR;
    try {
      process.env.IMSEARCH_MODEL_DIR = sharedModelsDir;
      const e = await Embedder.create(['mobilenet-v1-025']);
      await e.close();
      process.env.IMSEARCH_MODEL_DIR = os.tmpdir();
      await assert.rejects(
        Embedder.create(['mobilenet-v1-025']),
        (err: unknown) => err instanceof ModelError && err.code === 'MODEL_MISSING' && err.message.includes('"mobilenet-v1-025"') && err.message.includes(os.tmpdir()),
      );
    } finally {
      if (saved === undefined) delete process.env.IMSEARCH_MODEL_DIR;
      else process.env.IMSEARCH_MODEL_DIR = saved;
    }
    await assert.rejects(Embedder.create(['no-such-model'], { modelDir: sharedModelsDir }), (err: unknown) => err instanceof ModelError && err.code === 'UNKNOWN_MODEL');
  });

  it('inference in this thread (inference: "main") gives the same vectors as in the worker', async () => {
    const main = await Embedder.create(['mobilenet-v1-025'], { modelDir: sharedModelsDir, inference: 'main' });
    const worker = await Embedder.create(['mobilenet-v1-025'], { modelDir: sharedModelsDir });
    try {
      for (const f of [moto[0], leopard[1]]) {
        const a = await main.embedImage(f, ['orig', 'flip']);
        const b = await worker.embedImage(f, ['orig', 'flip']);
        assert.ok(maxAbsDiff(a.orig!['mobilenet-v1-025'], b.orig!['mobilenet-v1-025']) < 1e-6);
        assert.ok(maxAbsDiff(a.flip!['mobilenet-v1-025'], b.flip!['mobilenet-v1-025']) < 1e-6);
      }
    } finally {
      await main.close();
      await worker.close();
    }
    await assert.rejects(worker.embedImage(moto[0]), /closed/);
  });

  it('an embedding dimension that disagrees with the graph is refused at load time', async () => {
    const m = getManifest('mobilenet-v1-025');
    const dir = await manifestsDir([{ ...m, output: { ...m.output, dim: 1000 } }]);
    try {
      await assert.rejects(
        Embedder.create([m.name], { modelDir: sharedModelsDir, manifestsDir: dir }),
        (err: unknown) => err instanceof ModelError && err.code === 'MODEL_MISMATCH' && /256 values per image, manifest says dim 1000/.test(err.message),
      );
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('a fixed batch size in the export runs one image at a time, same vectors', async () => {
    const m = getManifest('mobilenet-v1-025');
    const dir = await manifestsDir([{ ...m, input: { ...m.input, batch: 1 } }]);
    const fixed = await Embedder.create([m.name], { modelDir: sharedModelsDir, manifestsDir: dir });
    const dynamic = await Embedder.create([m.name], { modelDir: sharedModelsDir });
    try {
      const files = [...moto, ...leopard];
      const a: EmbedFileResult[] = [];
      for await (const r of fixed.embedFiles(files)) a.push(r);
      const b: EmbedFileResult[] = [];
      for await (const r of dynamic.embedFiles(files)) b.push(r);
      for (let i = 0; i < files.length; i++) {
        const x = a[i];
        const y = b[i];
        assert.ok(x.ok === true && y.ok === true);
        assert.ok(maxAbsDiff(x.vectors.orig![m.name], y.vectors.orig![m.name]) < 1e-4);
      }
    } finally {
      await fixed.close();
      await dynamic.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('uint8 input + an exposed internal tensor (graph edit at load): the QAT original matches its -emb model', async () => {
    const emb = getManifest('mnv4s-int8');
    const original: ModelManifest = {
      ...emb,
      name: 'mnv4s-int8-original',
      file: 'mobilenet_w1_0_mnv4s_pretrained_drp0_2_qat_int8.onnx',
      sha256: '0b745d2e48c16c157b11863c5850bdb58286733ad34bd424133c857cf5a47e37',
      bytes: 2800397,
      input: { ...emb.input, name: 'input_u8', dtype: 'uint8' },
      output: { name: 'embedding', dim: 960, expose: { from: { op: 'GlobalAveragePool', port: 'output' }, flatten: true } },
    };
    const dir = await manifestsDir([original, emb]);
    const e = await Embedder.create([original.name, emb.name], { modelDir: sharedModelsDir, manifestsDir: dir });
    try {
      for (const f of [moto[0], leopard[0]]) {
        const v = await e.embedImage(f);
        const c = dot(v[original.name], v[emb.name]);
        assert.ok(c > 0.99, `cos(original, emb) ${c}`);
      }
    } finally {
      await e.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('concatWeighted', () => {
  const r = (n: number, seed: number) => l2Normalize(Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233)));

  it('the inner product of two ensemble vectors is the weighted mean of per-model cosines', () => {
    const a = [r(5, 1), r(3, 2), r(4, 3)];
    const b = [r(5, 4), r(3, 5), r(4, 6)];
    const w = [2, 1, 0.5];
    const ea = concatWeighted(a, w);
    const eb = concatWeighted(b, w);
    assert.equal(ea.length, 12);
    const want = (2 * dot(a[0], b[0]) + 1 * dot(a[1], b[1]) + 0.5 * dot(a[2], b[2])) / 3.5;
    assert.ok(Math.abs(dot(ea, eb) - want) < 1e-6);
    assert.ok(Math.abs(norm(ea) - 1) < 1e-6);
  });

  it('a zero weight keeps its slot as zeros; bad weights are refused', () => {
    const v = concatWeighted([r(2, 1), r(2, 2)], [1, 0]);
    assert.deepEqual(Array.from(v.subarray(2)), [0, 0]);
    assert.throws(() => concatWeighted([r(2, 1)], [1, 2]), RangeError);
    assert.throws(() => concatWeighted([r(2, 1)], [-1]), RangeError);
    assert.throws(() => concatWeighted([r(2, 1)], [0]), RangeError);
    assert.throws(() => concatWeighted([], []), RangeError);
  });
});
