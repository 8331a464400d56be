import fsp from 'node:fs/promises';
import path from 'node:path';
import { createIndex, loadIndex, parseIndexSpec } from '../indexes/index.js';
import type { VectorIndex } from '../indexes/vector-index.js';
import type { Collection } from '../store/collection.js';
import { renameAtomic, writeFileAtomic } from '../store/atomic-file.js';
import type { GalleryMatrix } from './ensemble-space.js';

const STATE = 'index.state.json';
const INDEX_FILE = 'index.bin';

/** What an index file was built from; any difference from the live collection means rebuild. */
interface IndexState {
  file: string;
  /** The spec it was saved with: only its build part must match (search options are per open). */
  spec: string;
  /** Collection version (committed writes) the index reflects. */
  version: number;
  /** Hash of the vector space (models, weights, views, metric) the vectors were made in. */
  space: string;
}

/**
 * The index of a collection is derived data: loaded when its recorded state matches the
 * collection, rebuilt from the stored embeddings otherwise (a kill between a database commit and
 * an index save, a new build spec, a new metric). A spec that differs only in its search options
 * (efSearch, nprobe, searchK) opens the same file with new defaults. Saves go to a fresh file
 * name, then the state file is swapped atomically, then the old file is removed.
 */
export async function openCollectionIndex(
  collection: Collection,
  space: string,
  matrix: () => GalleryMatrix,
  save: boolean,
): Promise<{ index: VectorIndex; rebuilt: boolean }> {
  const spec = collection.manifest.indexSpec;
  const state = await readState(collection.dir);
  if (state && sameBuild(state.spec, spec) && state.version === collection.version() && state.space === space) {
    try {
      return { index: await loadIndex(path.join(collection.dir, state.file), spec), rebuilt: false };
    } catch {
      // unreadable index file: fall through to a rebuild from the stored embeddings
    }
  }
  const index = buildIndex(spec, matrix());
  if (save) await saveCollectionIndex(collection, index, space);
  return { index, rebuilt: true };
}

function sameBuild(saved: string, spec: string): boolean {
  try {
    return parseIndexSpec(saved).buildKey === parseIndexSpec(spec).buildKey;
  } catch {
    return false; // a spec this version no longer reads: rebuild
  }
}

/** Whether a spec is a proximity-graph index (HNSW, NSG), which answers maximum-inner-product search poorly. */
export function isGraphSpec(spec: string): boolean {
  const { build } = parseIndexSpec(spec);
  return build.kind === 'hnsw' || (build.kind === 'faiss' && /HNSW|NSG/i.test(build.factory));
}

export function buildIndex(spec: string, m: GalleryMatrix): VectorIndex {
  const index = createIndex(spec, m.dim);
  if (m.ids.length) index.add(m.ids, m.data);
  return index;
}

export async function saveCollectionIndex(collection: Collection, index: VectorIndex, space: string): Promise<void> {
  const version = collection.version();
  // A directory per save, renamed into place whole: adapters may write sidecar files.
  const name = `index.v${version}.${Date.now().toString(36)}`;
  const tmp = path.join(collection.dir, `.${name}.tmp`);
  await fsp.rm(tmp, { recursive: true, force: true });
  await fsp.mkdir(tmp);
  await index.save(path.join(tmp, INDEX_FILE));
  await renameAtomic(tmp, path.join(collection.dir, name));
  const state: IndexState = { file: path.join(name, INDEX_FILE), spec: index.spec, version, space };
  await writeFileAtomic(path.join(collection.dir, STATE), JSON.stringify(state, null, 2));
  for (const entry of await fsp.readdir(collection.dir)) {
    if (entry.startsWith('index.v') && entry !== name) {
      await fsp.rm(path.join(collection.dir, entry), { force: true, recursive: true });
    }
  }
}

async function readState(dir: string): Promise<IndexState | null> {
  try {
    return JSON.parse(await fsp.readFile(path.join(dir, STATE), 'utf8')) as IndexState;
  } catch {
    return null;
  }
}
