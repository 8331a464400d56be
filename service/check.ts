/**
 * `imsearch check [--repair]`: what can go wrong on disk after indexing, found without changing
 * anything: the item database's own consistency, source files that are gone or are no longer
 * regular files, uploaded originals no item refers to. --repair removes those orphans (the
 * only repair that loses nothing); the rest is reported for a person to decide.
 */
import path from 'node:path';
import { ImageDecodeError } from '../models/image/decode-error.js';
import { openRegularFile } from '../models/image/image-file.js';
import type { ImsearchService } from './service.js';

export type CheckProblemKind = 'database' | 'source-missing' | 'source-unusable' | 'orphan-upload';

export interface CheckProblem {
  collection: string;
  kind: CheckProblemKind;
  path: string;
  message: string;
  repaired: boolean;
}

export interface CheckReport {
  collections: number;
  items: number;
  problems: CheckProblem[];
}

/** Why an item's source cannot be served or re-indexed, or null when it is a readable regular file. */
async function sourceProblem(source: string): Promise<{ kind: CheckProblemKind; message: string } | null> {
  try {
    const { handle } = await openRegularFile(source);
    await handle.close();
    return null;
  } catch (err) {
    const missing = err instanceof ImageDecodeError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    return { kind: missing ? 'source-missing' : 'source-unusable', message: (err as Error).message };
  }
}

export async function checkCollections(service: ImsearchService, opts: { collections?: readonly string[]; repair?: boolean } = {}): Promise<CheckReport> {
  const names = opts.collections?.length ? opts.collections : service.collections.names();
  const problems: CheckProblem[] = [];
  let items = 0;
  for (const name of names) {
    const c = await service.collection(name);
    const database = path.join(c.collection.dir, 'items.sqlite');
    for (const message of c.collection.integrityProblems()) problems.push({ collection: c.name, kind: 'database', path: database, message, repaired: false });
    const all = c.collection.allItems();
    items += all.length;
    for (const item of all) {
      const problem = await sourceProblem(item.source);
      if (problem) problems.push({ collection: c.name, ...problem, path: item.source, repaired: false });
    }
    const referenced = new Set(all.map((i) => i.source));
    const orphans = (await service.uploads.list(c.name)).filter((f) => !referenced.has(f));
    if (orphans.length && opts.repair) await c.write(() => service.uploads.removeOrphans(c.name, (f) => referenced.has(f)));
    for (const f of orphans) problems.push({ collection: c.name, kind: 'orphan-upload', path: f, message: `${f}: an uploaded original no item refers to`, repaired: !!opts.repair });
  }
  return { collections: names.length, items, problems };
}
