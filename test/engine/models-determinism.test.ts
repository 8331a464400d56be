/**
 * Issue 15: a photo's embedding must not depend on what it was batched with, nor on the number of
 * ONNX Runtime intra-op threads, or the same photo indexed by `index` and queried through `serve`
 * (alone, other threads) would not score 1 against itself. Measured on the offline models
 * (x86-64, 2 cores): bit-identical for batches of 1, 3 and 17, first or last in the batch,
 * threads 1 and 2, in-thread or worker inference; so the test asserts exact equality.
 *
 * The CPU must not matter either: mobilenetv2-int8's QLinearConv sums saturate on x86 CPUs without
 * VNNI unless ONNX Runtime widens them (Int8Sums 'exact', the default). Its vector for the first
 * gallery photo is pinned below: these values are dequantized uint8 levels (exact multiples of one
 * scale), so a CPU that sums differently misses them by far more than the tolerance.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CACHE_DIR_ENV, Embedder } from '../../models/index.js';
import { caltechDir, sharedModelsDir } from '../helpers/paths.js';

/** The first photo of each of the first 17 gallery classes: the target and 16 others. */
function photos(): string[] {
  const gallery = path.join(caltechDir, 'gallery');
  return fs
    .readdirSync(gallery)
    .sort()
    .slice(0, 17)
    .map((c) => path.join(gallery, c, fs.readdirSync(path.join(gallery, c)).sort()[0]!));
}

async function embedTarget(model: string, threads: number, files: string[], target: string): Promise<{ alone: Float32Array; inBatch: Float32Array }> {
  const e = await Embedder.create([model], { modelDir: sharedModelsDir, inference: 'main', threads });
  try {
    const alone = (await e.embedImage(target))[model]!;
    let inBatch: Float32Array | null = null;
    for await (const r of e.embedFiles(files, ['orig'], { batchSize: files.length })) {
      assert.ok(r.ok === true, r.ok === false ? r.message : `${r.path} reported as already known`);
      if (r.path === target) inBatch = r.vectors.orig![model]!;
    }
    return { alone, inBatch: inBatch! };
  } finally {
    await e.close();
  }
}

/** mobilenetv2-int8, exact sums, gallery/Faces/image_0001.jpg: the first 16 of 1280 values (1246 non-zero). */
const EXACT_REFERENCE = [
  0.0158800352, 0.0168725364, 0.0277900603, 0.00992502179, 0.00496251089, 0.0258050561, 0.0019850044, 0.0208425466, 0.011910026, 0.0238200519,
  0.0019850044, 0.00397000881, 0.0277900603, 0.0585576259, 0.0277900603, 0.0198500436,
];

describe('embedding determinism', () => {
  let cache: string;
  before(async () => {
    cache = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-determinism-'));
    process.env[CACHE_DIR_ENV] = cache;
  });
  after(async () => {
    await fsp.rm(cache, { recursive: true, force: true });
  });

  for (const model of ['mobilenetv2-int8', 'mobilenet-v1-025']) {
    it(`${model}: a photo alone, in a batch of 17 (last), with 1 or 2 threads: bit-identical vectors`, async () => {
      const all = photos();
      const target = all[0]!;
      const files = [...all.slice(1), target];
      const t1 = await embedTarget(model, 1, files, target);
      const t2 = await embedTarget(model, 2, files, target);
      assert.equal(t1.alone.length > 0, true);
      assert.deepEqual(t1.inBatch, t1.alone, 'batch composition changed the vector');
      assert.deepEqual(t2.alone, t1.alone, 'the thread count changed the vector');
      assert.deepEqual(t2.inBatch, t1.alone, 'batch + threads changed the vector');
    });
  }

  it('mobilenetv2-int8 with exact int8 sums (the default) gives the pinned vector; native sums are a separate identity', async () => {
    const target = photos()[0]!;
    assert.match(target, /Faces\/image_0001\.jpg$/);
    const exact = await Embedder.create(['mobilenetv2-int8'], { modelDir: sharedModelsDir, inference: 'main', threads: 1 });
    const native = await Embedder.create(['mobilenetv2-int8'], { modelDir: sharedModelsDir, inference: 'main', threads: 1, int8Sums: 'native' });
    try {
      assert.equal(exact.int8Sums, 'exact');
      assert.equal(native.int8Sums, 'native');
      const v = (await exact.embedImage(target))['mobilenetv2-int8']!;
      assert.equal(v.filter((x) => x !== 0).length, 1246);
      EXACT_REFERENCE.forEach((want, i) => assert.ok(Math.abs(v[i]! - want) < 1e-8, `value ${i}: ${v[i]} vs ${want}`));
      // Native sums equal exact ones on a CPU with VNNI and differ without it: both are vectors.
      assert.equal((await native.embedImage(target))['mobilenetv2-int8']!.length, 1280);
    } finally {
      await exact.close();
      await native.close();
    }
  });
});
