/**
 * Media re-checks its source at request time: a FIFO where an indexed photo was answers at once
 * (and searches go on), a symlink out of the indexed folder is refused, content that is no
 * longer a raster image (SVG) gets no thumbnail, an intact photo is served from the checked
 * handle, and 404 bodies do not reflect the request.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Fixture, buildFixture, startFixtureServer } from '../../bench/api-fixture.js';
import { Embedder } from '../../models/embedder.js';
import type { RunningServer } from '../../server/app.js';
import { fitInProcess } from '../../service/fit-in-process.js';
import { ImsearchService } from '../../service/service.js';
import { sharedModelsDir } from '../helpers/paths.js';

let fx: Fixture;
let server: RunningServer;
let photos: string;
/** Item id by file name (inside `photos`). */
const ids = new Map<string, number>();

before(async () => {
  fx = await buildFixture({ perClass: 2 });
  photos = path.join(fx.root, 'photos');
  const names = ['intact.jpg', 'fifo.jpg', 'escape.jpg', 'svg.jpg'];
  await fsp.mkdir(path.join(photos, 'Leopards'), { recursive: true });
  const sources = [...fx.files.Leopards, ...fx.files.Motorbikes];
  for (const [i, name] of names.entries()) await fsp.copyFile(sources[i], path.join(photos, 'Leopards', name));
  const service = new ImsearchService({ dataDir: fx.dataDir, embedders: (models, identity) => Embedder.create(models, { modelDir: sharedModelsDir, ...identity }), fit: fitInProcess });
  try {
    // Same content as fixture items would be UNCHANGED: a fresh collection keeps these items apart.
    await service.openOrCreate('media', { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig'], indexSpec: 'flat' });
    const report = await service.indexFolder('media', photos);
    assert.equal(report.added, 4, JSON.stringify(report.failed));
    for (const item of (await service.items('media', { first: 10 })).items) ids.set(path.basename(item.source), item.id);
  } finally {
    await service.close();
  }
  server = await startFixtureServer(fx);
});
after(async () => {
  await server?.close();
  await fx?.remove();
});

const get = async (p: string) => {
  const t0 = performance.now();
  const res = await fetch(`${server.url}${p}`);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), body, ms: performance.now() - t0 };
};

test('an intact photo is served (original and thumbnail)', async () => {
  const original = await get(`/media/media/${ids.get('intact.jpg')}`);
  assert.equal(original.status, 200);
  assert.equal(original.type, 'image/jpeg');
  assert.deepEqual(original.body, await fsp.readFile(path.join(photos, 'Leopards', 'intact.jpg')));
  const thumb = await get(`/media/media/${ids.get('intact.jpg')}/thumb`);
  assert.equal(thumb.status, 200);
  assert.equal(thumb.type, 'image/webp');
});

test('a FIFO where a photo was answers at once, and searches go on', { timeout: 15_000 }, async () => {
  const file = path.join(photos, 'Leopards', 'fifo.jpg');
  await fsp.rm(file);
  execFileSync('mkfifo', [file]);
  try {
    for (const suffix of ['', '/thumb']) {
      const r = await get(`/media/media/${ids.get('fifo.jpg')}${suffix}`);
      assert.equal(r.status, 422, r.body.toString());
      assert.ok(r.ms < 2000, `${r.ms} ms`);
    }
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ similarTo(id: ${ids.get('fifo.jpg')}, collection: "media", k: 2) { matches { item { id } } } }` }),
    });
    const json = (await res.json()) as { errors?: unknown; data?: { similarTo: { matches: unknown[] } } };
    assert.equal(json.errors, undefined, JSON.stringify(json.errors));
    assert.equal(json.data?.similarTo.matches.length, 2);
  } finally {
    try {
      fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK));
    } catch {
      // no reader was left waiting
    }
  }
});

test('a symlink out of the indexed folder is refused', async () => {
  const file = path.join(photos, 'Leopards', 'escape.jpg');
  await fsp.rm(file);
  await fsp.symlink(fx.files.sunflower[0], file);
  for (const suffix of ['', '/thumb']) {
    const r = await get(`/media/media/${ids.get('escape.jpg')}${suffix}`);
    assert.equal(r.status, 422);
    assert.ok(!r.body.toString().includes('sunflower'));
  }
});

test('a file that became SVG gets neither original nor thumbnail', async () => {
  await fsp.writeFile(path.join(photos, 'Leopards', 'svg.jpg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
  for (const suffix of ['', '/thumb']) {
    const r = await get(`/media/media/${ids.get('svg.jpg')}${suffix}`);
    assert.equal(r.status, 422);
    assert.match(r.body.toString(), /no longer an image|cannot be made into a thumbnail/);
  }
});

test('404 bodies do not reflect the request', async () => {
  const probe = '<script>alert(1)</script>';
  const r1 = await get(`/media/${encodeURIComponent(probe)}/1`);
  assert.equal(r1.status, 404);
  assert.ok(!r1.body.toString().includes('script'), r1.body.toString());
  const r2 = await get(`/media/media/999999`);
  assert.equal(r2.status, 404);
  assert.ok(!r2.body.toString().includes('999999'), r2.body.toString());
});
