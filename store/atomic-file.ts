import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Write-then-rename with fsync of the file and of its directory: after a crash the target holds
 * either the old complete bytes or the new complete bytes, never a torn write.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await syncPath(dir);
}

/** Moves an already complete file, or a directory of files, into place atomically (same filesystem). */
export async function renameAtomic(from: string, to: string): Promise<void> {
  const stat = await fs.stat(from);
  if (stat.isDirectory()) {
    for (const name of await fs.readdir(from)) await syncPath(path.join(from, name));
  }
  await syncPath(from);
  await fs.rename(from, to);
  await syncPath(path.dirname(to));
}

/** fsync of a file or a directory (a directory's entries: renames and removals in it). */
export async function syncPath(p: string): Promise<void> {
  const handle = await fs.open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}


/**
 * Removes temporaries a killed writer left behind (names made by writeFileAtomic, `.<name>...tmp`).
 * With `olderThanMs`, only those last modified longer ago than that: in a folder that other
 * processes write at the same time, a younger one may be a write in progress.
 */
export async function removeStaleTemporaries(dir: string, opts: { olderThanMs?: number } = {}): Promise<void> {
  const now = Date.now();
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith('.') || !name.endsWith('.tmp')) continue;
    const file = path.join(dir, name);
    if (opts.olderThanMs !== undefined) {
      const st = await fs.stat(file).catch(() => null);
      if (!st || now - st.mtimeMs <= opts.olderThanMs) continue;
    }
    await fs.rm(file, { force: true, recursive: true });
  }
}
