/**
 * Uploaded originals: an item added by upload keeps its photo in
 * `<data dir>/uploads/<collection>/<sha256>.<ext>` (its `source`), one file per content, written
 * atomically. The file belongs to the item: it goes when the item goes, and a file no item
 * refers to (a request killed between the write and the commit) is an orphan, removed by
 * `removeOrphans`.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { storageError } from '../errors/error-codes.js';
import { writeFileAtomic } from './atomic-file.js';
import { sha256Hex } from './file-hash.js';

export class UploadStore {
  constructor(private readonly dataDir: string) {}

  dir(collection: string): string {
    return path.join(this.dataDir, 'uploads', collection);
  }

  /** Keeps the bytes under their content hash; `fresh` when this call wrote the file. */
  async keep(collection: string, data: Uint8Array, extension: string): Promise<{ path: string; sha256: string; fresh: boolean }> {
    const sha256 = sha256Hex(data);
    const file = path.join(this.dir(collection), `${sha256}.${extension}`);
    if (fs.existsSync(file)) return { path: file, sha256, fresh: false };
    try {
      await fsp.mkdir(this.dir(collection), { recursive: true });
      await writeFileAtomic(file, data);
    } catch (err) {
      throw storageError(err, file);
    }
    return { path: file, sha256, fresh: true };
  }

  /** Whether `source` is an original this store keeps for the collection. */
  owns(collection: string, source: string): boolean {
    return path.dirname(source) === this.dir(collection);
  }

  /** Removes an original (an item's, or one whose upload failed); only files this store owns. */
  async discard(collection: string, source: string): Promise<void> {
    if (!this.owns(collection, source)) return;
    try {
      await fsp.rm(source, { force: true });
    } catch (err) {
      throw storageError(err, source);
    }
  }

  /** The collection's kept originals (full paths). */
  async list(collection: string): Promise<string[]> {
    try {
      return (await fsp.readdir(this.dir(collection))).map((name) => path.join(this.dir(collection), name));
    } catch {
      return [];
    }
  }

  /** Removes the collection's originals that no item refers to; returns how many. */
  async removeOrphans(collection: string, referenced: (source: string) => boolean): Promise<number> {
    let removed = 0;
    for (const file of await this.list(collection)) {
      if (!referenced(file)) {
        await fsp.rm(file, { force: true, recursive: true });
        removed++;
      }
    }
    return removed;
  }

  /** Drops every original of a deleted collection. */
  async removeCollection(collection: string): Promise<void> {
    await fsp.rm(this.dir(collection), { recursive: true, force: true });
  }
}
