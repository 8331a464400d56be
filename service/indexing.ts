import type { DecodeFailure } from '../models/image/decode-error.js';
import type { Collection, NewItem } from '../store/collection.js';
import type { ListedFile, ListingSkipReason } from '../store/folder-listing.js';
import type { ImageEmbedder } from './embedder-port.js';
import type { ViewVectors } from './ensemble-space.js';

export interface SkippedFile {
  path: string;
  /** Why the decoder refused it, or why the folder walk passed it over. */
  reason: DecodeFailure | ListingSkipReason;
  message: string;
}

/** An item this run committed, with the vectors it was embedded to (handed to the index as they are). */
export interface AddedItem {
  id: number;
  label: string | null;
  source: string;
  vectors: ViewVectors;
}

export interface IndexReport {
  listed: number;
  added: number;
  /** Already in the collection (same content hash): re-indexing is a no-op. */
  unchanged: number;
  /** Files that were read and refused (the decoder's reason). */
  failed: SkippedFile[];
  /** Entries of the folder passed over while listing it (hidden, special, symlink out, unreadable), each with why. */
  skipped: SkippedFile[];
  addedItems: AddedItem[];
  seconds: number;
}

export interface IndexProgress {
  done: number;
  total: number;
  failed: number;
}

export interface IndexRunOptions {
  commitEvery?: number;
  onProgress?: (p: IndexProgress) => void;
  /** Each bad file as it is met (live job progress). */
  onFailed?: (f: SkippedFile) => void;
  /** Each committed batch, as soon as it is in the database. */
  onCommitted?: (items: readonly AddedItem[]) => void;
  signal?: AbortSignal;
}

/**
 * Embeds the files whose content is not yet in the collection and commits them batch by batch,
 * so a run that is killed resumes where it stopped (and an interrupted run still reports what it
 * committed). Each file is read once: the embedder hashes the bytes it decodes and asks
 * `collection.itemBySha256` before decoding. Bad files are counted and reported, never thrown.
 */
export async function indexFiles(collection: Collection, embedder: ImageEmbedder, files: readonly ListedFile[], opts: IndexRunOptions = {}): Promise<IndexReport> {
  const started = performance.now();
  const commitEvery = opts.commitEvery ?? 64;
  const failed: SkippedFile[] = [];
  const addedItems: AddedItem[] = [];
  let unchanged = 0;
  let batch: (NewItem & { vectors: ViewVectors })[] = [];
  let done = 0;
  const progress = () => opts.onProgress?.({ done, total: files.length, failed: failed.length });
  const commit = () => {
    const ids = collection.addItems(batch);
    const committed: AddedItem[] = [];
    ids.forEach((id, i) => {
      if (id === null) unchanged++;
      else committed.push({ id, label: batch[i].label, source: batch[i].source, vectors: batch[i].vectors });
    });
    addedItems.push(...committed);
    batch = [];
    if (committed.length) opts.onCommitted?.(committed);
  };
  progress();
  try {
    for await (const result of embedder.embedFiles(
      files.map((f) => f.path),
      collection.manifest.views,
      { known: collection.contentHashes(), signal: opts.signal },
    )) {
      done++;
      if (result.ok === 'known') unchanged++;
      else if (!result.ok) {
        const f = { path: result.path, reason: result.reason, message: result.message };
        failed.push(f);
        opts.onFailed?.(f);
      } else {
        batch.push({ label: files[result.index].label, source: result.path, root: files[result.index].root ?? null, sha256: result.sha256, bytes: result.bytes, vectors: result.vectors });
        if (batch.length >= commitEvery) commit();
      }
      progress();
    }
  } finally {
    if (batch.length) commit();
  }
  return {
    listed: files.length,
    added: addedItems.length,
    unchanged,
    failed,
    skipped: [],
    addedItems,
    seconds: (performance.now() - started) / 1000,
  };
}
