/**
 * `imsearch check [--repair]`: a source that is gone, a source that became a FIFO and an
 * uploaded original no item refers to are each found; --repair removes the orphan only, and the
 * command exits 1 while problems remain.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Fixture, buildFixture } from '../../bench/api-fixture.js';
import { Embedder } from '../../models/embedder.js';
import { fitInProcess } from '../../service/fit-in-process.js';
import { ImsearchService } from '../../service/service.js';
import { cliBin, sharedModelsDir } from '../helpers/paths.js';

let fx: Fixture;
let photos: string;
before(async () => {
  fx = await buildFixture({ perClass: 1 });
  photos = path.join(fx.root, 'photos', 'Leopards');
  await fsp.mkdir(photos, { recursive: true });
  await fsp.copyFile(fx.files.Leopards[0], path.join(photos, 'gone.jpg'));
  await fsp.copyFile(fx.files.Motorbikes[0], path.join(photos, 'fifo.jpg'));
  const service = new ImsearchService({ dataDir: fx.dataDir, embedders: (models, identity) => Embedder.create(models, { modelDir: sharedModelsDir, ...identity }), fit: fitInProcess });
  try {
    await service.openOrCreate('disk', { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig'], indexSpec: 'flat' });
    assert.equal((await service.indexFolder('disk', path.dirname(photos))).added, 2);
  } finally {
    await service.close();
  }
  await fsp.rm(path.join(photos, 'gone.jpg'));
  await fsp.rm(path.join(photos, 'fifo.jpg'));
  execFileSync('mkfifo', [path.join(photos, 'fifo.jpg')]);
  await fsp.mkdir(path.join(fx.dataDir, 'uploads', 'disk'), { recursive: true });
  await fsp.writeFile(path.join(fx.dataDir, 'uploads', 'disk', 'orphan.jpg'), 'left behind');
});
after(async () => {
  await fx?.remove();
});

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cliBin, '--data', fx.dataDir, '--model-dir', fx.modelDir, ...args], { timeout: 60_000 }, (_e, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

test('check finds each problem; --repair removes the orphan only', { timeout: 120_000 }, async () => {
  const first = await cli('check', '-c', 'disk', '--json');
  assert.equal(first.code, 1, first.stderr);
  const kinds = (r: string) => (JSON.parse(r) as { problems: { kind: string; path: string; repaired: boolean }[] }).problems.map((p) => `${p.kind}:${path.basename(p.path)}:${p.repaired}`).sort();
  assert.deepEqual(kinds(first.stdout), ['orphan-upload:orphan.jpg:false', 'source-missing:gone.jpg:false', 'source-unusable:fifo.jpg:false']);

  const repair = await cli('check', '-c', 'disk', '--repair', '--json');
  assert.deepEqual(kinds(repair.stdout), ['orphan-upload:orphan.jpg:true', 'source-missing:gone.jpg:false', 'source-unusable:fifo.jpg:false']);
  await assert.rejects(fsp.stat(path.join(fx.dataDir, 'uploads', 'disk', 'orphan.jpg')));

  const after = await cli('check', '-c', 'disk', '--json');
  assert.deepEqual(kinds(after.stdout), ['source-missing:gone.jpg:false', 'source-unusable:fifo.jpg:false']);
  const clean = await cli('check', '-c', 'fixture');
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /1 collection\(s\), 3 item\(s\), 0 problem\(s\)/);
});
