import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerModelsCommands } from '../../cli/models.js';
import type { ModelManifest } from '../../models/index.js';
import { ModelStoreError } from '../../model-store/index.js';
import { sharedModelsDir } from '../helpers/paths.js';

const ZOO_FILE = 'mobilenetv2-12-int8.onnx';
const ZOO_SHA = 'cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f';
const EMB_SHA = 'd1ace3247343a96216399c6f69d3b41c0137309cc14b52acdccf96bdf05b6569';

/** Static files on 127.0.0.1 (whole-file GETs and single byte ranges). */
const routes = new Map<string, Buffer>();
const server = http.createServer((req, res) => {
  const body = routes.get(req.url ?? '');
  if (!body) return void res.writeHead(404).end();
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (m && Number(m[1]) < body.length) {
    const start = Number(m[1]);
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, 'Content-Length': body.length - start });
    return void res.end(body.subarray(start));
  }
  res.writeHead(200, { 'Content-Length': body.length }).end(body);
});
let base = '';
let dir = '';

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  routes.set(`/files/${ZOO_FILE}`, fs.readFileSync(path.join(sharedModelsDir, ZOO_FILE)));
  routes.set('/tofu/clip-like.onnx', fs.readFileSync(path.join(sharedModelsDir, 'mobilenetv2-12-int8-emb.onnx')));
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-models-cli-'));
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await fsp.rm(dir, { recursive: true, force: true });
});

const preprocess: ModelManifest['preprocess'] = { resize: 'shorter', size: 256, kernel: 'bilinear', centreCrop: true, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const manifests = (): ModelManifest[] => [
  {
    name: 'mobilenetv2-12-int8',
    description: 'zoo file',
    file: ZOO_FILE,
    sha256: ZOO_SHA,
    bytes: 3655033,
    input: { name: 'input', dtype: 'float32', batch: null, height: 224, width: 224 },
    preprocess,
    output: { name: '472_quantized', dim: 1280, expose: { dequantize: { scale: '464_scale', zeroPoint: '464_zero_point' } } },
    licence: 'Apache-2.0',
    urls: ['https://github.com/onnx/models/raw/main/never-fetched.onnx'],
  },
  {
    name: 'clip-like',
    description: 'no published checksum',
    file: 'clip-like.onnx',
    sha256: null,
    sha256Source: 'first-download',
    bytes: null,
    input: { name: 'input', dtype: 'float32', batch: null, height: 224, width: 224 },
    preprocess,
    output: { name: 'embedding', dim: 1280 },
    licence: 'MIT',
    urls: [`${base}/tofu/clip-like.onnx`],
  },
];

/** Runs `imsearch <args>` as cli/main.ts sets it up (global --model-dir), capturing output. */
async function imsearch(...args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const program = new Command('imsearch').option('--model-dir <dir>', 'model store').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerModelsCommands(program, { out: (s) => (out += s), err: (s) => (err += s), tty: false, env: {}, manifests: manifests() });
  try {
    await program.parseAsync(['node', 'imsearch', ...args]);
  } catch (e) {
    Object.assign(e as object, { out, err });
    throw e;
  }
  return { out, err };
}

test('models list / pull / verify / remove through the CLI', async () => {
  let r = await imsearch('--model-dir', dir, 'models', 'list');
  assert.match(r.out, new RegExp(`^model store: ${dir}\\n`));
  assert.match(r.out, /NAME\s+STATUS\s+SIZE\s+LICENCE\s+CHECKSUM\s+SHA256/);
  assert.match(r.out, /mobilenetv2-12-int8\s+available\s+3\.7 MB\s+Apache-2\.0\s+published\s+cc028fe6cae7…/);
  assert.match(r.out, /clip-like\s+available\s+\?\s+MIT\s+none yet/);

  // A site mirror stands in for the (never fetched) upstream URL.
  r = await imsearch('models', 'pull', 'mobilenetv2-12-int8', '--model-dir', dir, '--base-url', `${base}/files/`);
  assert.match(r.out, new RegExp(`mobilenetv2-12-int8: installed ${path.join(dir, ZOO_FILE)} \\(3\\.7 MB, published sha256 verified\\) from ${base}/files/${ZOO_FILE}`));

  r = await imsearch('models', 'pull', 'clip-like', '--model-dir', dir);
  assert.match(r.out, new RegExp(`clip-like: no checksum is published for this model: recorded sha256 ${EMB_SHA} from this first download\\.`));
  assert.match(r.out, /later downloads of clip-like must have this sha256/);

  r = await imsearch('models', 'pull', 'clip-like', '--model-dir', dir);
  assert.match(r.out, /clip-like: already installed and verified/);

  r = await imsearch('models', 'verify', '--model-dir', dir);
  assert.match(r.out, /^ok {11}Model "clip-like": .* verified \(sha256 d1ace324.*, first-download\)\.$/m);
  assert.match(r.out, /^ok {11}Model "mobilenetv2-12-int8": .* verified \(sha256 cc028fe6.*, published\)\.$/m);

  r = await imsearch('models', 'list', '--json', '--model-dir', dir);
  const listed = JSON.parse(r.out) as { models: { name: string; installed: boolean; sha256Source: string }[] };
  assert.deepEqual(listed.models.map((m) => [m.name, m.installed, m.sha256Source]), [['clip-like', true, 'first-download'], ['mobilenetv2-12-int8', true, 'published']]);

  r = await imsearch('models', 'remove', 'clip-like', '--model-dir', dir);
  assert.match(r.out, /^removed .*clip-like\.onnx$/m);

  // A different file under the same URL is refused: the first download's sha256 is the identity.
  routes.set('/tofu/clip-like.onnx', fs.readFileSync(path.join(sharedModelsDir, 'mobilenet_v1_0.25_224-emb.onnx')));
  await assert.rejects(imsearch('models', 'pull', 'clip-like', '--model-dir', dir), (e: unknown) => {
    assert.ok(e instanceof ModelStoreError);
    assert.equal(e.code, 'MODEL_DOWNLOAD_FAILED');
    assert.match(e.message, new RegExp(`sha256 mismatch: got [0-9a-f]{64}, expected ${EMB_SHA} \\(recorded at the first download on `));
    return true;
  });

  // Corrupt the installed zoo file: verify fails and names it.
  const file = path.join(dir, ZOO_FILE);
  const bytes = await fsp.readFile(file);
  bytes[100] ^= 0xff;
  await fsp.writeFile(file, bytes);
  await assert.rejects(imsearch('models', 'verify', 'mobilenetv2-12-int8', '--model-dir', dir), (e: unknown) => {
    assert.ok(e instanceof ModelStoreError);
    assert.equal(e.code, 'MODEL_CORRUPT');
    assert.match((e as unknown as { out: string }).out, /^MISMATCH {5}Model "mobilenetv2-12-int8": .* expected cc028fe6.* imsearch models pull mobilenetv2-12-int8 --model-dir .* --force$/m);
    return true;
  });
});

test('models import: a bad manifest is refused with a clear message; a good one is imported', async () => {
  const onnx = path.join(sharedModelsDir, 'mobilenet_v1_0.25_224-emb.onnx');
  const bad = path.join(dir, 'bad-manifest.json');
  await fsp.writeFile(bad, JSON.stringify({ name: 'mine', file: 'mine.onnx', sha256: null, bytes: null, input: { name: 'input', dtype: 'float32', batch: null, height: 224, width: 0 }, preprocess, output: { name: 'embedding', dim: 256 }, licence: 'MIT', urls: [] }));
  await assert.rejects(imsearch('models', 'import', onnx, '--manifest', bad, '--model-dir', dir), (e: unknown) => {
    assert.ok(e instanceof ModelStoreError);
    assert.equal(e.code, 'BAD_MANIFEST');
    assert.equal(e.message, `Invalid manifest ${bad}:\n  - input.width: expected a positive integer, received 0`);
    return true;
  });
  const notJson = path.join(dir, 'not-json.json');
  await fsp.writeFile(notJson, '{ name: mine }');
  await assert.rejects(imsearch('models', 'import', onnx, '--manifest', notJson, '--model-dir', dir), /Invalid manifest .*not-json\.json: not valid JSON/);

  const good = path.join(dir, 'good-manifest.json');
  await fsp.writeFile(good, JSON.stringify({ name: 'mine', description: 'my model', file: 'mine.onnx', sha256: null, bytes: null, input: { name: 'input', dtype: 'float32', batch: null, height: 224, width: 224 }, preprocess, output: { name: 'embedding', dim: 256 }, licence: 'MIT', urls: [] }));
  const r = await imsearch('models', 'import', onnx, '--manifest', good, '--model-dir', dir);
  assert.match(r.out, /^mine: imported .*mine\.onnx \(0\.9 MB, sha256 64aa3d7ea559d24f25508f10ac7b4f5c5a1e3d95110a142ef3cf1b71ed38d0fb recorded\); manifest saved as .*manifests\/mine\.json$/m);
  const list = await imsearch('models', 'list', '--model-dir', dir);
  assert.match(list.out, /mine\s+installed\s+0\.9 MB\s+MIT\s+imported/);
});
