import type { Collection, NewItem } from '../store/collection.js';
import type { ListedFile } from '../store/folder-listing.js';
import { sha256File } from '../store/file-hash.js';
import type { ImageEmbedder } from './embedder-port.js';

export interface SkippedFile {
  path: string;
  reason: string;
  message: string;
}

export interface IndexReport {
  listed: number;
  added: number;
  /** Already in the collection (same content hash): re-indexing is a no-op. */
  unchanged: number;
  failed: SkippedFile[];
  addedIds: number[];
  seconds: number;
}

export interface IndexProgress {
  done: number;
  total: number;
  failed: number;
}

/**
 * Embeds the files not yet in the collection and commits them batch by batch, so a run that is
 * killed resumes where it stopped. Bad files are counted and reported, never thrown.
 */
export async function indexFiles(
  collection: Collection,
  embedder: ImageEmbedder,
  files: readonly ListedFile[],
  opts: { commitEvery?: number; onProgress?: (p: IndexProgress) => void } = {},
): Promise<IndexReport> {
  const started = performance.now();
  const commitEvery = opts.commitEvery ?? 64;
  const pending: ListedFile[] = [];
  let unchanged = 0;
  for (const file of files) {
    const sha = await sha256File(file.path);
    if (sha !== null && collection.itemBySha256(sha)) unchanged++;
    else pending.push(file);
  }
  const failed: SkippedFile[] = [];
  const addedIds: number[] = [];
  let batch: NewItem[] = [];
  let done = unchanged;
  const progress = () => opts.onProgress?.({ done, total: files.length, failed: failed.length });
  const commit = () => {
    const ids = collection.addItems(batch);
    for (const id of ids) {
      if (id === null) unchanged++;
      else addedIds.push(id);
    }
    batch = [];
  };
  progress();
  for await (const result of embedder.embedFiles(
    pending.map((f) => f.path),
    collection.manifest.views,
  )) {
    done++;
    if (!result.ok) {
      failed.push({ path: result.path, reason: result.reason, message: result.message });
    } else {
      batch.push({
        label: pending[result.index].label,
        source: result.path,
        sha256: result.sha256,
        bytes: result.bytes,
        vectors: result.vectors,
      });
      if (batch.length >= commitEvery) commit();
    }
    progress();
  }
  if (batch.length) commit();
  return {
    listed: files.length,
    added: addedIds.length,
    unchanged,
    failed,
    addedIds,
    seconds: (performance.now() - started) / 1000,
  };
}
