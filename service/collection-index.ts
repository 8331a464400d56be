import path from 'node:path';
import { createIndex, loadIndex, parseIndexSpec } from '../indexes/index.js';
import type { VectorIndex } from '../indexes/vector-index.js';
import type { Collection } from '../store/collection.js';
import { readIndexState, saveIndexFiles } from '../store/index-files.js';
import type { GalleryMatrix } from './ensemble-space.js';

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
  save = true,
): Promise<{ index: VectorIndex; rebuilt: boolean }> {
  const spec = collection.manifest.indexSpec;
  const state = await readIndexState(collection.dir);
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

export function saveCollectionIndex(collection: Collection, index: VectorIndex, space: string): Promise<void> {
  return saveIndexFiles(collection.dir, { spec: index.spec, version: collection.version(), space }, (file) => index.save(file));
}
