/**
 * Server-side folders that `indexFolder` may read. A requested path is resolved to its real path
 * (symlinks followed, `..` collapsed) and must lie inside the real path of a configured root;
 * anything else is PATH_NOT_ALLOWED, with a message that does not reveal which paths exist.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ImsearchError } from '../errors/error-codes.js';

const NOT_INSIDE = 'is not an existing folder inside the allowed roots';

export class AllowedRoots {
  private constructor(readonly roots: readonly string[]) {}

  /** Resolves each configured root to its real path; a missing root stops the start. */
  static async resolve(roots: readonly string[]): Promise<AllowedRoots> {
    const real: string[] = [];
    for (const root of roots) {
      if (!path.isAbsolute(root)) throw new Error(`indexing root "${root}" must be an absolute path`);
      let r: string;
      try {
        r = await fsp.realpath(root);
      } catch (err) {
        throw new Error(`indexing root ${root} does not exist or is unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (!(await fsp.stat(r)).isDirectory()) throw new Error(`indexing root ${root} is not a directory`);
      real.push(r);
    }
    return new AllowedRoots(real);
  }

  /**
   * The real path of a folder inside one of the roots. Relative paths are taken relative to the
   * first root. Refuses (PATH_NOT_ALLOWED) paths outside every root, after following symlinks,
   * and anything that is not an existing directory.
   */
  async folder(requested: string): Promise<string> {
    const refuse = (why: string) =>
      new ImsearchError('PATH_NOT_ALLOWED', `${JSON.stringify(requested)} ${why}: indexing is allowed only inside the configured roots`);
    if (typeof requested !== 'string' || requested.trim() === '' || requested.includes('\0')) throw refuse('is not a usable path');
    if (this.roots.length === 0) throw refuse('cannot be indexed: no roots are configured (--roots)');
    const candidate = path.isAbsolute(requested) ? requested : path.join(this.roots[0], requested);
    // Refuse `..` segments outright rather than reasoning about where they lead.
    if (requested.split(/[\\/]+/).includes('..')) throw refuse('contains ".."');
    let real: string;
    try {
      real = await fsp.realpath(candidate);
    } catch {
      throw refuse(NOT_INSIDE);
    }
    // One message for missing, outside and not-a-folder: the answer must not reveal what exists.
    if (!this.roots.some((root) => isInside(real, root))) throw refuse(NOT_INSIDE);
    if (!(await fsp.stat(real)).isDirectory()) throw refuse(NOT_INSIDE);
    return real;
  }

  /** A folder as shown to callers without the API key: relative to the root holding it ("." for a root; "" outside them all). */
  relative(folder: string): string {
    const root = this.roots.find((r) => isInside(folder, r));
    return root === undefined ? '' : path.relative(root, folder) || '.';
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
