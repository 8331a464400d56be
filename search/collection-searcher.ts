import { createHash } from 'node:crypto';
import type { VectorIndex } from '../indexes/vector-index.js';
import type { Collection, Item, View } from '../store/collection.js';
import type { ListedFile } from '../store/folder-listing.js';
import type { ImageEmbedder } from './embedder-port.js';
import { type ViewVectors, ensembleVector, galleryMatrix } from './ensemble-space.js';
import { buildIndex, openCollectionIndex, saveCollectionIndex } from './collection-index.js';
import { type IndexProgress, type IndexReport, indexFiles } from './indexer.js';
import { SearchError } from './search-errors.js';

export interface SearchRequest {
  k: number;
  /** A subset of the collection's models; default all. */
  models?: readonly string[];
  /** Item ids left out of the results (e.g. the item itself for "more like this"). */
  exclude?: ReadonlySet<number>;
}

export interface Match {
  item: Item;
  score: number;
}

export interface SearchTiming {
  embedMs: number;
  searchMs: number;
}

/**
 * Search over one collection: the ensemble vector space of its models, its index (loaded or
 * rebuilt from the stored embeddings), and incremental add/remove that keep the two in step.
 */
export class CollectionSearcher {
  private constructor(
    readonly collection: Collection,
    private index: VectorIndex,
    private readonly space: string,
    private readonly views: readonly View[],
  ) {}

  /**
   * `ephemeral` builds an in-memory index of another spec beside the collection's own (e.g. the
   * exact twin that approximate indexes are measured against), never saved.
   */
  static async open(collection: Collection, opts: { ephemeral?: string } = {}): Promise<CollectionSearcher> {
    const views = collection.manifest.views;
    const space = spaceHash(collection);
    const matrix = () => galleryMatrix(collection, views);
    const index =
      opts.ephemeral === undefined
        ? (await openCollectionIndex(collection, space, matrix)).index
        : buildIndex(opts.ephemeral, matrix());
    return new CollectionSearcher(collection, index, space, views);
  }

  get size(): number {
    return this.index.size();
  }

  get indexSpec(): string {
    return this.index.spec;
  }

  modelNames(): string[] {
    return this.collection.manifest.models.map((m) => m.name);
  }

  /** Ranked matches for an image's per-view, per-model embeddings. */
  async searchVectors(vectors: ViewVectors, req: SearchRequest): Promise<Match[]> {
    checkK(req.k);
    const subset = this.checkModels(req.models);
    const query = ensembleVector(this.collection.manifest.models, vectors, this.views, subset);
    const want = Math.min(req.k + (req.exclude?.size ?? 0), this.index.size());
    if (want === 0) return [];
    const [hits] = await this.index.search(query, want);
    const kept = hits.filter((h) => !req.exclude?.has(h.id)).slice(0, req.k);
    const items = this.collection.itemsByIds(kept.map((h) => h.id));
    return kept.flatMap((h) => {
      const item = items.get(h.id);
      return item ? [{ item, score: h.score }] : [];
    });
  }

  async searchImage(embedder: ImageEmbedder, image: Buffer, req: SearchRequest): Promise<{ matches: Match[]; timing: SearchTiming }> {
    this.checkEmbedder(embedder);
    const t0 = performance.now();
    const vectors = await embedder.embedImage(image, this.views);
    const t1 = performance.now();
    const matches = await this.searchVectors(vectors, req);
    return { matches, timing: { embedMs: t1 - t0, searchMs: performance.now() - t1 } };
  }

  /** "More like this" for an indexed item, from its stored embeddings (no model run). */
  async similarTo(id: number, req: SearchRequest): Promise<Match[]> {
    const vectors: ViewVectors = {};
    for (const view of this.views) {
      const v = this.collection.itemVectors(id, view);
      if (!v) throw new SearchError('UNKNOWN_ITEM', `no item ${id} in collection ${this.collection.name}`);
      vectors[view] = v;
    }
    return this.searchVectors(vectors, { ...req, exclude: new Set([...(req.exclude ?? []), id]) });
  }

  /** Embeds and adds files (already-indexed content is a no-op), then updates the index. */
  async addFiles(
    embedder: ImageEmbedder,
    files: readonly ListedFile[],
    onProgress?: (p: IndexProgress) => void,
  ): Promise<IndexReport> {
    this.checkEmbedder(embedder);
    const report = await indexFiles(this.collection, embedder, files, { onProgress });
    if (report.addedIds.length) {
      const models = this.collection.manifest.models;
      const ids = report.addedIds;
      const dim = models.reduce((s, m) => s + m.dim, 0);
      const data = new Float32Array(ids.length * dim);
      ids.forEach((id, i) => {
        const vectors: ViewVectors = {};
        for (const view of this.views) vectors[view] = this.collection.itemVectors(id, view);
        data.set(ensembleVector(models, vectors, this.views), i * dim);
      });
      this.index.add(ids, data);
      await saveCollectionIndex(this.collection, this.index, this.space);
    }
    return report;
  }

  async remove(ids: readonly number[]): Promise<number[]> {
    const removed = this.collection.removeItems(ids);
    if (removed.length) {
      this.index.remove(removed);
      await saveCollectionIndex(this.collection, this.index, this.space);
    }
    return removed;
  }

  private checkModels(models: readonly string[] | undefined): ReadonlySet<string> | undefined {
    if (!models || models.length === 0) return undefined;
    const known = this.modelNames();
    for (const m of models) {
      if (!known.includes(m)) {
        throw new SearchError('UNKNOWN_MODEL', `collection ${this.collection.name} has no model "${m}" (it has: ${known.join(', ')})`);
      }
    }
    return new Set(models);
  }

  private checkEmbedder(embedder: ImageEmbedder): void {
    const want = this.collection.manifest.models.map((m) => `${m.name}@${m.sha256}`).join(',');
    const have = embedder.models.map((m) => `${m.name}@${m.sha256}`).join(',');
    if (want !== have || embedder.crop !== this.collection.manifest.crop) {
      throw new SearchError(
        'MODEL_MISMATCH',
        `collection ${this.collection.name} was built with models [${want}] crop=${this.collection.manifest.crop}; the embedder has [${have}] crop=${embedder.crop}`,
      );
    }
  }
}

export function checkK(k: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(k) || k < 1 || k > max) {
    throw new SearchError('BAD_K', `k must be an integer from 1 to ${max}, received ${k}`);
  }
}

/** Identity of the vector space the index lives in: any change forces a rebuild. */
function spaceHash(collection: Collection): string {
  const m = collection.manifest;
  return createHash('sha256')
    .update(JSON.stringify({ models: m.models, views: m.views, crop: m.crop, metric: m.metric?.hash ?? null }))
    .digest('hex')
    .slice(0, 16);
}
