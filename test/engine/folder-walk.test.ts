/**
 * Indexing walks on: hidden entries, special files, symlinks out of the folder, broken symlinks,
 * symlink loops and unreadable folders are each listed with a reason while the rest is indexed;
 * a symlink to a file or folder inside the indexed folder is followed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { caltechFiles } from '../../bench/api-fixture.js';
import { Embedder } from '../../models/embedder.js';
import { fitInProcess } from '../../service/fit-in-process.js';
import { ImsearchService } from '../../service/service.js';
import { listLabelledFiles } from '../../store/folder-listing.js';
import { sharedModelsDir } from '../helpers/paths.js';

let tmp: string;
let root: string;
/** Running as root, permissions do not make a folder unreadable: that case is then left out. */
const canLockFolders = process.getuid?.() !== 0;

before(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-walk-'));
  root = path.join(tmp, 'photos');
  const [a, b, c] = await caltechFiles('gallery', 'Leopards', 3);
  await fsp.mkdir(path.join(root, 'cat'), { recursive: true });
  await fsp.mkdir(path.join(root, 'dog'), { recursive: true });
  await fsp.mkdir(path.join(root, '.cache'), { recursive: true });
  await fsp.copyFile(a, path.join(root, 'cat', 'a.jpg'));
  await fsp.copyFile(b, path.join(root, 'dog', 'b.jpg'));
  await fsp.copyFile(c, path.join(tmp, 'outside.jpg'));
  await fsp.copyFile(a, path.join(root, '.cache', 'x.jpg'));
  await fsp.copyFile(a, path.join(root, 'cat', '.hidden.jpg'));
  await fsp.writeFile(path.join(root, 'cat', 'corrupt.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  await fsp.symlink('../dog/b.jpg', path.join(root, 'cat', 'inside-link.jpg'));
  await fsp.symlink(path.join(tmp, 'outside.jpg'), path.join(root, 'cat', 'outside-link.jpg'));
  await fsp.symlink(tmp, path.join(root, 'outside-folder'));
  await fsp.symlink('nowhere.jpg', path.join(root, 'cat', 'broken.jpg'));
  await fsp.symlink('.', path.join(root, 'dog', 'loop'));
  execFileSync('mkfifo', [path.join(root, 'cat', 'fifo.jpg')]);
  if (canLockFolders) {
    await fsp.mkdir(path.join(root, 'locked'));
    await fsp.chmod(path.join(root, 'locked'), 0o000);
  }
});
after(async () => {
  if (canLockFolders) await fsp.chmod(path.join(root, 'locked'), 0o755).catch(() => undefined);
  await fsp.rm(tmp, { recursive: true, force: true });
});

const rel = (p: string) => path.relative(root, p);

test('the listing follows inside symlinks and reports everything it passes over, with why', async () => {
  const { files, skipped } = await listLabelledFiles(root);
  assert.deepEqual(
    files.map((f) => [rel(f.path), f.label]),
    [
      ['cat/a.jpg', 'cat'],
      ['cat/corrupt.jpg', 'cat'],
      ['cat/inside-link.jpg', 'cat'],
      ['dog/b.jpg', 'dog'],
    ],
  );
  assert.ok(files.every((f) => f.root === root));
  const reasons = Object.fromEntries(skipped.map((s) => [rel(s.path), s.reason]));
  assert.deepEqual(reasons, {
    '.cache': 'hidden',
    'cat/.hidden.jpg': 'hidden',
    'cat/broken.jpg': 'broken-symlink',
    'cat/fifo.jpg': 'special-file',
    'cat/outside-link.jpg': 'symlink-outside',
    'outside-folder': 'symlink-outside',
    ...(canLockFolders ? { locked: 'unreadable' } : {}),
  });
  assert.ok(skipped.every((s) => s.message.includes(s.path)));
});

test('indexFolder indexes the rest and reports listing skips and refused files apart', { timeout: 120_000 }, async () => {
  const service = new ImsearchService({ dataDir: path.join(tmp, 'data'), embedders: (models, identity) => Embedder.create(models, { modelDir: sharedModelsDir, ...identity }), fit: fitInProcess });
  try {
    await service.openOrCreate('walk', { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig'], indexSpec: 'flat' });
    const seen: string[] = [];
    const report = await service.indexFolder('walk', root, { onSkipped: (s) => seen.push(s.reason) });
    // a.jpg and b.jpg; the inside link has b.jpg's content.
    assert.equal(report.added, 2);
    assert.equal(report.unchanged, 1);
    assert.deepEqual(report.failed.map((f) => [rel(f.path), f.reason]), [['cat/corrupt.jpg', 'truncated']]);
    assert.equal(report.skipped.length, canLockFolders ? 7 : 6);
    assert.deepEqual(seen, report.skipped.map((s) => s.reason));
  } finally {
    await service.close();
  }
});
