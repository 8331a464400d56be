/**
 * A collection's index on disk: a directory per save (`index.v<version>.<stamp>/`, whatever files
 * the index adapter writes in it), renamed into place whole, then `index.state.json` swapped to
 * name it, then older directories removed. The state records what the index reflects, so a kill
 * between a database commit and an index save is detected (and the index rebuilt) on the next open.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { storageError } from '../errors/error-codes.js';
import { renameAtomic, writeFileAtomic } from './atomic-file.js';

const STATE = 'index.state.json';
const INDEX_FILE = 'index.bin';

/** What an index file was built from; any difference from the live collection means rebuild. */
export interface IndexState {
  /** Relative to the collection's folder. */
  file: string;
  /** The spec it was saved with. */
  spec: string;
  /** Collection version (committed writes) the index reflects. */
  version: number;
  /** Hash of the vector space (models, weights, views, metric) the vectors were made in. */
  space: string;
}

export async function readIndexState(dir: string): Promise<IndexState | null> {
  try {
    return JSON.parse(await fsp.readFile(path.join(dir, STATE), 'utf8')) as IndexState;
  } catch {
    return null; // none yet, or unreadable: the index is rebuilt
  }
}

/** Saves an index: `write` writes it to the file it is given (inside a fresh directory). */
export async function saveIndexFiles(dir: string, state: Omit<IndexState, 'file'>, write: (file: string) => Promise<void>): Promise<void> {
  const name = `index.v${state.version}.${Date.now().toString(36)}`;
  const tmp = path.join(dir, `.${name}.tmp`);
  try {
    await fsp.rm(tmp, { recursive: true, force: true });
    await fsp.mkdir(tmp);
    await write(path.join(tmp, INDEX_FILE));
    await renameAtomic(tmp, path.join(dir, name));
    const full: IndexState = { ...state, file: path.join(name, INDEX_FILE) };
    await writeFileAtomic(path.join(dir, STATE), JSON.stringify(full, null, 2));
    for (const entry of await fsp.readdir(dir)) {
      if (entry.startsWith('index.v') && entry !== name) await fsp.rm(path.join(dir, entry), { force: true, recursive: true });
    }
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw storageError(err, `the index of ${dir}`);
  }
}
