import type { Dirent } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export interface ListedFile {
  path: string;
  /** The name of the folder directly under the root, or null for files at the root (unlabelled). */
  label: string | null;
  /** The folder it was listed from (kept with the item: media stays inside it). */
  root?: string;
}

/** Why an entry of the folder was not listed. Stable strings: they reach reports and job failures. */
export type ListingSkipReason =
  /** A name starting with "." (file or folder). */
  | 'hidden'
  /** A FIFO, socket or device. */
  | 'special-file'
  /** A symlink whose target is outside the indexed folder (policy: reported, not followed). */
  | 'symlink-outside'
  /** A symlink whose target does not exist, or a loop of symlinks. */
  | 'broken-symlink'
  /** A folder that could not be listed or an entry that could not be examined (permissions, I/O). */
  | 'unreadable';

export interface ListingSkip {
  path: string;
  reason: ListingSkipReason;
  message: string;
}

export interface FolderListing {
  files: ListedFile[];
  /** Everything passed over, each with why; the walk goes on past every one of them. */
  skipped: ListingSkip[];
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

function inside(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Files under a root, labelled by their first-level folder name, sorted for a deterministic order.
 * Every regular file is listed (no extension filter), so a non-image is reported as such by the
 * decoder rather than silently ignored. Symlinks are followed when their target is inside the
 * root (each real folder walked once), otherwise reported; hidden entries, special files and
 * unreadable folders are reported too, and the walk goes on. Only an unreadable root throws.
 */
export async function listLabelledFiles(root: string): Promise<FolderListing> {
  // Absolute paths: a collection's source paths must not depend on the indexer's working directory.
  const top = path.resolve(root);
  const realTop = await fsp.realpath(top);
  const files: ListedFile[] = [];
  const skipped: ListingSkip[] = [];
  const walked = new Set<string>();
  const skip = (p: string, reason: ListingSkipReason, message: string) => skipped.push({ path: p, reason, message: `${p}: ${message}` });

  /** What a directory entry is, following an inside-the-root symlink; null when reported and skipped. */
  async function resolveEntry(full: string, entry: Dirent): Promise<'file' | 'dir' | null> {
    let isLink = entry.isSymbolicLink();
    let kind = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : isLink ? 'link' : 'other';
    if (kind === 'other' && !(entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice())) {
      // The file system did not say (DT_UNKNOWN): ask.
      const st = await fsp.lstat(full);
      isLink = st.isSymbolicLink();
      kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : isLink ? 'link' : 'other';
    }
    if (kind === 'other') {
      skip(full, 'special-file', 'not a regular file or folder (a FIFO, socket or device)');
      return null;
    }
    if (!isLink) return kind as 'file' | 'dir';
    let target: string;
    try {
      target = await fsp.realpath(full);
    } catch (err) {
      skip(full, 'broken-symlink', `a symlink whose target cannot be resolved (${errno(err)})`);
      return null;
    }
    if (!inside(target, realTop)) {
      skip(full, 'symlink-outside', 'a symlink to a target outside the indexed folder (not followed)');
      return null;
    }
    const st = await fsp.stat(target);
    if (st.isDirectory()) return 'dir';
    if (st.isFile()) return 'file';
    skip(full, 'special-file', 'a symlink to a FIFO, socket or device');
    return null;
  }

  async function walk(dir: string, label: string | null): Promise<void> {
    const real = await fsp.realpath(dir);
    // A folder reached twice (through symlinks inside the root) is listed once.
    if (walked.has(real)) return;
    walked.add(real);
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith('.')) {
        skip(full, 'hidden', 'a hidden name (starting with ".")');
        continue;
      }
      try {
        const kind = await resolveEntry(full, entry);
        if (kind === 'file') files.push({ path: full, label, root: top });
        else if (kind === 'dir') await walk(full, label ?? entry.name);
      } catch (err) {
        skip(full, 'unreadable', `cannot be listed (${errno(err)})`);
      }
    }
  }

  await walk(top, null);
  return { files, skipped };
}
