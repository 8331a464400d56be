import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CACHE_DIR_ENV, MODEL_DIR_ENV, ModelError, cacheDir, getManifest, listManifests, parseManifest, resolveModelDir, verifyModelFile } from '../../models/index.js';
import { updateRecords } from '../../model-store/records.js';
import { repoRoot, sharedModelsDir } from '../helpers/paths.js';

/** The three offline embedders, as shared/models/README.md describes them. */
const OFFLINE = {
  'mobilenetv2-int8': {
    file: 'mobilenetv2-12-int8-emb.onnx',
    bytes: 2367853,
    sha256: 'd1ace3247343a96216399c6f69d3b41c0137309cc14b52acdccf96bdf05b6569',
    dim: 1280,
    resize: 'shorter',
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  },
  'mobilenet-v1-025': {
    file: 'mobilenet_v1_0.25_224-emb.onnx',
    bytes: 850140,
    sha256: '64aa3d7ea559d24f25508f10ac7b4f5c5a1e3d95110a142ef3cf1b71ed38d0fb',
    dim: 256,
    resize: 'shorter',
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  },
  'mnv4s-int8': {
    file: 'mnv4s_qat_int8-emb.onnx',
    bytes: 1495297,
    sha256: '91af54de45131af2de531b942efdef3bc1e269f3cb571089c032aba8a04fd42b',
    dim: 960,
    resize: 'exact',
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  },
} as const;

function expectModelError(code: string, ...patterns: (RegExp | string)[]) {
  return (err: unknown) => {
    assert.ok(err instanceof ModelError, `ModelError expected, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const p of patterns) {
      if (typeof p === 'string') assert.ok(err.message.includes(p), `message should contain ${p}: ${err.message}`);
      else assert.match(err.message, p);
    }
    return true;
  };
}

describe('model manifests', () => {
  it('describe the three offline embedders exactly as the model README does', () => {
    const names = listManifests().map((m) => m.name);
    for (const [name, want] of Object.entries(OFFLINE)) {
      assert.ok(names.includes(name), `${name} is registered`);
      const m = getManifest(name);
      assert.equal(m.file, want.file);
      assert.equal(m.bytes, want.bytes);
      assert.equal(m.sha256, want.sha256);
      assert.equal(m.output.dim, want.dim);
      assert.equal(m.output.name, 'embedding');
      assert.equal(m.input.name, 'input');
      assert.equal(m.input.dtype, 'float32');
      assert.equal(m.preprocess.resize, want.resize);
      assert.deepEqual(m.preprocess.mean, want.mean);
      assert.deepEqual(m.preprocess.std, want.std);
      assert.ok(Math.abs(m.preprocess.scale * 255 - 1) < 1e-12);
      assert.ok(m.licence.length > 0);
      assert.ok(m.source && m.source.length > 0);
    }
    const v4 = getManifest('mnv4s-int8').preprocess;
    assert.equal(v4.size, 224);
    assert.equal(v4.kernel, 'bilinear-antialias');
    assert.equal(v4.centreCrop, false);
    const v2 = getManifest('mobilenetv2-int8').preprocess;
    assert.equal(v2.size, 256);
    assert.equal(v2.centreCrop, true);
  });

  it('the shared model files have the manifest sha256 and size', async () => {
    for (const name of Object.keys(OFFLINE)) {
      const v = await verifyModelFile(getManifest(name), sharedModelsDir);
      assert.equal(v.sha256, getManifest(name).sha256);
      assert.equal(v.bytes, getManifest(name).bytes);
    }
  });

  it('an unknown name is an error that lists the known names', () => {
    assert.throws(() => getManifest('resnet-9000'), expectModelError('UNKNOWN_MODEL', 'resnet-9000', 'mobilenetv2-int8', 'mnv4s-int8', 'mobilenet-v1-025'));
  });

  it('a malformed manifest is refused with the field named', () => {
    const good = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models/manifests/mobilenetv2-int8.json'), 'utf8'));
    assert.equal(parseManifest(good).name, 'mobilenetv2-int8');
    assert.throws(() => parseManifest({ ...good, preprocess: { ...good.preprocess, mean: [0.5, 0.5] } }), expectModelError('BAD_MANIFEST', 'preprocess.mean'));
    assert.throws(() => parseManifest({ ...good, sha256: 'abc' }), expectModelError('BAD_MANIFEST', 'sha256'));
    assert.throws(() => parseManifest({ ...good, file: '../x.onnx' }), expectModelError('BAD_MANIFEST', 'file: expected a bare file name'));
    assert.throws(() => parseManifest({ ...good, output: { name: 'embedding', dim: 0 } }), expectModelError('BAD_MANIFEST', 'output.dim'));
    assert.throws(() => parseManifest({ ...good, preprocess: { ...good.preprocess, centreCrop: false } }), expectModelError('BAD_MANIFEST', 'centreCrop'));
  });

  it('one validator reports every problem at once, and drops unknown fields', () => {
    const good = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models/manifests/mobilenetv2-int8.json'), 'utf8'));
    assert.throws(
      () => parseManifest({ ...good, sha256: 'abc', input: { ...good.input, height: 0 }, preprocess: { ...good.preprocess, resize: 'exact' } }, 'x.json'),
      (err: unknown) => {
        assert.ok(err instanceof ModelError);
        assert.equal(err.code, 'BAD_MANIFEST');
        assert.equal(
          err.message,
          [
            'Invalid manifest x.json:',
            '  - sha256: expected 64 lower-case hex digits, or null when no checksum is published, received "abc"',
            '  - input.height: expected a positive integer, received 0',
            '  - preprocess.centreCrop: expected false when resize is "exact", received true',
            '  - preprocess.size: expected the input size (0) when resize is "exact", received 256',
          ].join('\n'),
        );
        return true;
      },
    );
    assert.equal('colour' in parseManifest({ ...good, colour: 'blue' }), false);
  });
});

describe('model files', () => {
  let dir: string;
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-models-'));
    process.env[CACHE_DIR_ENV] = path.join(dir, 'cache');
  });
  after(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('the model directory comes from the caller, then IMSEARCH_MODEL_DIR, else a clear error', () => {
    assert.equal(resolveModelDir('/x/models', {}), '/x/models');
    assert.equal(resolveModelDir(undefined, { [MODEL_DIR_ENV]: '/y/models' }), '/y/models');
    assert.equal(resolveModelDir('/x/models', { [MODEL_DIR_ENV]: '/y/models' }), '/x/models');
    assert.throws(() => resolveModelDir(undefined, {}), expectModelError('NO_MODEL_DIR', MODEL_DIR_ENV, '--model-dir'));
  });

  it('a missing file names the model, the path and how to get it', async () => {
    const m = getManifest('mobilenetv2-int8');
    await assert.rejects(verifyModelFile(m, dir), expectModelError('MODEL_MISSING', '"mobilenetv2-int8"', path.join(dir, m.file), 'is missing', 'To get it'));
  });

  it('a corrupt file (sha256 mismatch) names the model, the path, expected vs actual, and how to get it', async () => {
    const m = getManifest('mobilenetv2-int8');
    const bytes = Buffer.from(fs.readFileSync(path.join(sharedModelsDir, m.file)));
    bytes[bytes.length >> 1] ^= 0xff; // one flipped byte, same size
    fs.writeFileSync(path.join(dir, m.file), bytes);
    const actual = createHash('sha256').update(bytes).digest('hex');
    await assert.rejects(
      verifyModelFile(m, dir),
      expectModelError('MODEL_CORRUPT', '"mobilenetv2-int8"', path.join(dir, m.file), `expected sha256 ${m.sha256}`, `actual sha256 ${actual}`, 'To get it'),
    );
  });

  it('no published sha256: the one the model store recorded is enforced; no record, no load', async () => {
    const base = getManifest('mobilenet-v1-025');
    const m = { ...base, sha256: null, bytes: null, sha256Source: 'first-download' as const };
    const sub = fs.mkdtempSync(path.join(dir, 'unpublished-'));
    const bytes = fs.readFileSync(path.join(sharedModelsDir, m.file));
    fs.writeFileSync(path.join(sub, m.file), bytes);
    await assert.rejects(verifyModelFile(m, sub), expectModelError('MODEL_UNVERIFIED', '"mobilenet-v1-025"', path.join(sub, m.file), 'imsearch models'));
    const record = (sha256: string) =>
      updateRecords(sub, (models) => {
        models[m.name] = { file: m.file, sha256, bytes: bytes.length, source: 'imported', recordedAt: new Date(0).toISOString() };
      });
    await record(base.sha256!);
    assert.equal((await verifyModelFile(m, sub)).sha256, base.sha256);
    await record('0'.repeat(64));
    await assert.rejects(verifyModelFile(m, sub), expectModelError('MODEL_CORRUPT', `expected sha256 ${'0'.repeat(64)}`, `actual sha256 ${base.sha256}`));
  });

  it('a truncated file is refused too', async () => {
    const m = getManifest('mobilenet-v1-025');
    fs.writeFileSync(path.join(dir, m.file), fs.readFileSync(path.join(sharedModelsDir, m.file)).subarray(0, 1000));
    await assert.rejects(verifyModelFile(m, dir), expectModelError('MODEL_CORRUPT', '(1000 bytes)', `(${m.bytes} bytes)`));
  });
});

describe('the verified-sha256 cache', () => {
  it('lives in IMSEARCH_CACHE_DIR, else $XDG_CACHE_HOME/imsearch, else ~/.cache/imsearch', () => {
    assert.equal(cacheDir({ [CACHE_DIR_ENV]: '/c', XDG_CACHE_HOME: '/x' }), '/c');
    assert.equal(cacheDir({ XDG_CACHE_HOME: '/x' }), '/x/imsearch');
    assert.equal(cacheDir({}), path.join(os.homedir(), '.cache', 'imsearch'));
  });

  it('an unchanged file is not re-hashed; a changed mtime forces the re-hash that finds the corruption', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-hash-cache-'));
    const env = { [CACHE_DIR_ENV]: path.join(dir, 'cache') };
    try {
      const m = getManifest('mobilenet-v1-025');
      const file = path.join(dir, m.file);
      fs.copyFileSync(path.join(sharedModelsDir, m.file), file);
      const mtime = 1_700_000_000; // whole seconds: restored exactly below
      fs.utimesSync(file, mtime, mtime);
      assert.equal((await verifyModelFile(m, dir, env)).sha256, m.sha256);
      const cache = JSON.parse(fs.readFileSync(path.join(dir, 'cache', 'model-sha256.json'), 'utf8'));
      assert.deepEqual(cache.files[fs.realpathSync(file)], { sha256: m.sha256, size: m.bytes, mtimeMs: mtime * 1000, ino: fs.statSync(file).ino });

      // Same size, same inode, mtime put back: only a re-hash could notice, and none happens.
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, 4096);
      fs.closeSync(fd);
      fs.utimesSync(file, mtime, mtime);
      const trusted = await verifyModelFile(m, dir, env);
      assert.equal(trusted.sha256, m.sha256);
      // Its bytes, when a session does need them (no saved graph), are hashed as they are read:
      // the corruption is found then, and the cached sha256 is forgotten.
      await assert.rejects(trusted.read(), expectModelError('MODEL_CORRUPT', `expected sha256 ${m.sha256}`));
      assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'cache', 'model-sha256.json'), 'utf8')).files[fs.realpathSync(file)], undefined);
      fs.utimesSync(file, mtime, mtime);
      await assert.rejects(verifyModelFile(m, dir, env), expectModelError('MODEL_CORRUPT', `expected sha256 ${m.sha256}`));

      fs.utimesSync(file, mtime + 1, mtime + 1);
      await assert.rejects(verifyModelFile(m, dir, env), expectModelError('MODEL_CORRUPT', `expected sha256 ${m.sha256}`));
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
