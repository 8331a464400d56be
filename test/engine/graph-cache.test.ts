/**
 * The optimised-graph cache (models/onnx/graph-cache.ts): a session created from the graph an
 * earlier start saved computes what a session created from the model file computes, bit for bit;
 * a damaged saved graph is replaced (or, in a read-only cache, passed over), and a cache directory
 * that cannot be written costs nothing but the time.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CACHE_DIR_ENV, Embedder, getManifest, verifyModelFile } from '../../models/index.js';
import { InferenceWorker } from '../../models/onnx/inference-host.js';
import { ModelSession } from '../../models/onnx/session.js';
import { buildFixture } from '../../bench/api-fixture.js';
import { caltechDir, cliBin, sharedModelsDir } from '../helpers/paths.js';
import { canMountReadOnly, runWithReadOnly } from '../helpers/read-only-mount.js';

/** Deterministic pseudo-random values in [-2, 2) (LCG): two 224 x 224 images. */
function pseudoRandomBatch(seed: number): Float32Array {
  const a = new Float32Array(2 * 3 * 224 * 224);
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 4 - 2;
  }
  return a;
}

const MODEL = 'mobilenetv2-int8';
const graphFiles = (cache: string) => (fs.existsSync(path.join(cache, 'onnx-graphs')) ? fs.readdirSync(path.join(cache, 'onnx-graphs')) : []);

describe('optimised-graph cache', () => {
  let root: string;
  const previous = process.env[CACHE_DIR_ENV];
  before(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-graph-cache-'));
  });
  after(async () => {
    if (previous === undefined) delete process.env[CACHE_DIR_ENV];
    else process.env[CACHE_DIR_ENV] = previous;
    await fsp.rm(root, { recursive: true, force: true });
  });

  /** One session's outputs; `reads`: how often the model file's bytes were asked for. */
  async function runOnce(opts: { worker?: InferenceWorker } = {}): Promise<{ source: string; out: Float32Array; reads: number }> {
    const manifest = getManifest(MODEL, { modelDir: sharedModelsDir });
    const file = await verifyModelFile(manifest, sharedModelsDir);
    let reads = 0;
    const counted = { ...file, read: () => (reads++, file.read()) };
    const session = await ModelSession.create(manifest, counted, { threads: 1, ...opts });
    try {
      return { source: session.graphSource, out: await session.run(pseudoRandomBatch(7), 2), reads };
    } finally {
      await session.release();
    }
  }

  it('saves the optimised graph on the first start and loads it on the next, with bit-identical outputs (in this thread and in a worker)', async () => {
    const cache = path.join(root, 'first');
    process.env[CACHE_DIR_ENV] = cache;
    const first = await runOnce();
    assert.equal(first.source, 'model');
    assert.equal(first.reads, 1);
    const files = graphFiles(cache);
    assert.equal(files.length, 1);
    assert.match(files[0]!, new RegExp(`^${MODEL}-[0-9a-f]{32}\\.onnx$`));
    const second = await runOnce();
    assert.equal(second.source, 'saved');
    assert.equal(second.reads, 0, 'a session from the saved graph does not read the model file');
    assert.deepEqual(Buffer.from(second.out.buffer, second.out.byteOffset, second.out.byteLength), Buffer.from(first.out.buffer, first.out.byteOffset, first.out.byteLength));
    const worker = new InferenceWorker();
    try {
      const inWorker = await runOnce({ worker });
      assert.equal(inWorker.source, 'saved');
      assert.deepEqual(Array.from(inWorker.out), Array.from(first.out));
    } finally {
      await worker.terminate();
    }
  });

  it('a damaged saved graph is replaced by one that loads; the outputs do not change', async () => {
    const cache = path.join(root, 'damaged');
    process.env[CACHE_DIR_ENV] = cache;
    const reference = await runOnce();
    const [name] = graphFiles(cache);
    fs.writeFileSync(path.join(cache, 'onnx-graphs', name!), 'not an onnx graph');
    const repaired = await runOnce();
    assert.equal(repaired.source, 'model');
    assert.deepEqual(Array.from(repaired.out), Array.from(reference.out));
    assert.deepEqual(graphFiles(cache), [name]);
    assert.equal((await runOnce()).source, 'saved');
  });

  it('a cache directory that cannot be made still gives a working session from the model file', async () => {
    const blocker = path.join(root, 'a-file');
    fs.writeFileSync(blocker, '');
    process.env[CACHE_DIR_ENV] = path.join(blocker, 'cache');
    const r = await runOnce();
    assert.equal(r.source, 'model');
    assert.equal(r.out.length, 2 * 1280);
  });

  it('a damaged saved graph in a read-only cache: the bin still searches, from the model file', { skip: !canMountReadOnly() && 'needs unshare -m and mount (a private mount namespace)', timeout: 180_000 }, async () => {
    const cache = path.join(root, 'read-only');
    const fx = await buildFixture({ perClass: 2 });
    try {
      const env = { ...process.env, [CACHE_DIR_ENV]: cache };
      const search = [process.execPath, cliBin, '--data', fx.dataDir, '--model-dir', fx.modelDir, 'search', fx.files.Leopards[0]!, '-c', fx.collection, '-k', '2', '--json'];
      const first = await runWithReadOnly([], search, env);
      assert.equal(first.code, 0, first.stderr);
      const [name] = graphFiles(cache);
      assert.ok(name, 'the first search saved the graph');
      fs.writeFileSync(path.join(cache, 'onnx-graphs', name), 'not an onnx graph');
      const readOnly = await runWithReadOnly([cache], search, env);
      assert.equal(readOnly.code, 0, readOnly.stderr);
      assert.deepEqual(JSON.parse(readOnly.stdout), JSON.parse(first.stdout));
      assert.equal(fs.readFileSync(path.join(cache, 'onnx-graphs', name), 'utf8'), 'not an onnx graph', 'the read-only cache was left as it was');
    } finally {
      await fx.remove();
    }
  });

  it('an Embedder started twice embeds a photo to the same vector (second start from the saved graph)', async () => {
    process.env[CACHE_DIR_ENV] = path.join(root, 'embedder');
    const gallery = path.join(caltechDir, 'gallery', 'Leopards');
    const photo = path.join(gallery, fs.readdirSync(gallery).sort()[0]!);
    const embed = async () => {
      const e = await Embedder.create([MODEL], { modelDir: sharedModelsDir });
      try {
        return (await e.embedImage(photo))[MODEL]!;
      } finally {
        await e.close();
      }
    };
    const a = await embed();
    assert.equal(graphFiles(path.join(root, 'embedder')).length, 1);
    const b = await embed();
    assert.deepEqual(Array.from(b), Array.from(a));
  });
});
