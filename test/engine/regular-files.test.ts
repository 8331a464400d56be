/**
 * Only regular files are read, without blocking: a FIFO, a device or a directory where an image
 * was expected fails at once with a reason naming what it is (an ordinary open of a FIFO blocks
 * until a writer appears), and the CLI's search on a FIFO exits quickly with that message.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ImageDecodeError } from '../../models/image/decode-error.js';
import { readImageFile } from '../../models/image/image-file.js';
import { cliBin, sharedModelsDir } from '../helpers/paths.js';

let dir: string;
let fifo: string;
before(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-regular-'));
  fifo = path.join(dir, 'photo.jpg');
  execFileSync('mkfifo', [fifo]);
});
after(async () => {
  // Should a reader still be blocked on the FIFO (the bug this guards against), a writer releases it.
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK));
  } catch {
    // gone already
  }
  await fsp.rm(dir, { recursive: true, force: true });
});

async function refusedQuickly(file: string, kind: RegExp): Promise<void> {
  const t0 = performance.now();
  await assert.rejects(readImageFile(file), (e: ImageDecodeError) => e instanceof ImageDecodeError && e.reason === 'unreadable' && kind.test(e.message));
  assert.ok(performance.now() - t0 < 1000, `${performance.now() - t0} ms`);
}

test('a FIFO is refused at once, not waited on', { timeout: 5000 }, async () => {
  await refusedQuickly(fifo, /FIFO/);
});

test('a character device and a directory are refused', { timeout: 5000 }, async () => {
  await refusedQuickly('/dev/zero', /character device/);
  await refusedQuickly(dir, /directory/);
});

test('imsearch search on a FIFO fails fast with a clear error', { timeout: 20_000 }, async () => {
  const t0 = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [cliBin, '--data', path.join(dir, 'data'), '--model-dir', sharedModelsDir, 'search', fifo, '-c', 'none'],
      { timeout: 15_000 },
      (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
  assert.equal(code, 1, stderr);
  assert.match(stderr, /BAD_IMAGE: .*photo\.jpg is a FIFO \(named pipe\), not a regular file/);
  assert.ok(performance.now() - t0 < 10_000);
});
