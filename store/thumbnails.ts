/**
 * The thumbnail cache: `<data dir>/cache/thumbs/<collection>/<sha256>-<size>.webp`, derived from
 * an item's content (so a changed file gets a new entry), written atomically, made once even
 * when many requests ask at the same time.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

export class ThumbnailCache {
  private readonly inflight = new Map<string, Promise<Buffer>>();

  constructor(private readonly dataDir: string) {}

  /** The cached thumbnail, or the one `make` produces (kept for next time; a failed save still serves it). */
  async get(collection: string, sha256: string, size: number, make: () => Promise<Buffer>): Promise<Buffer> {
    const file = path.join(this.dataDir, 'cache', 'thumbs', collection, `${sha256}-${size}.webp`);
    try {
      return await fsp.readFile(file);
    } catch {
      // not cached yet
    }
    let p = this.inflight.get(file);
    if (!p) {
      p = make().then(async (buf) => {
        try {
          await fsp.mkdir(path.dirname(file), { recursive: true });
          await writeFileAtomic(file, buf);
        } catch {
          // a full or read-only disk: serve it uncached
        }
        return buf;
      });
      this.inflight.set(file, p);
      void p.finally(() => this.inflight.delete(file)).catch(() => undefined);
    }
    return p;
  }

  /** Drops a deleted collection's thumbnails. */
  async removeCollection(collection: string): Promise<void> {
    await fsp.rm(path.join(this.dataDir, 'cache', 'thumbs', collection), { recursive: true, force: true });
  }
}
