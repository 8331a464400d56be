import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Metric } from '../metric/index.js';
import type { VectorIndex } from '../indexes/vector-index.js';
import { type Collection, CollectionError, type Item, type View } from '../store/collection.js';
import type { ListedFile } from '../store/folder-listing.js';
import type { ImageEmbedder } from './embedder-port.js';
import { type GalleryMatrix, type ViewVectors, ensembleVector, galleryMatrix } from './ensemble-space.js';
import { QueryRanker } from './query-ranker.js';
import { type SearchDefaults, searchDefaultsOf, thresholdFor } from './search-config.js';
import { buildIndex, isGraphSpec, openCollectionIndex, saveCollectionIndex } from './collection-index.js';
import { type IndexProgress, type IndexReport, indexFiles } from './indexer.js';
import { SearchError } from './search-errors.js';

export interface SearchRequest {
  k: number;
  /** A subset of the collection's models; default all. */
  models?: readonly string[];
  /** Item ids left out of the results (e.g. the item itself for "more like this"). */
  exclude?: ReadonlySet<number>;
  /**
   * Calibrated "up to k": keep only results whose learned-metric score passes the threshold
   * fitted for this precision on held-out gallery pairs (fewer than k may come back).
   */
  minPrecision?: number;
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
 * Search over one collection: the ensemble vector space of its models, the fitted metric and
 * re-rankers when there are any, its index (loaded or rebuilt from the stored embeddings), and
 * incremental add/remove that keep them in step.
 */
export class CollectionSearcher {
  /** Plain-cosine exact index for model-subset queries on a metric collection (built on demand). */
  private subsetIndex: VectorIndex | undefined;

  private constructor(
    readonly collection: Collection,
    private index: VectorIndex,
    private readonly space: string,
    private readonly views: readonly View[],
    private readonly ranker: QueryRanker | null,
  ) {}

  /**
   * `ephemeral` builds an in-memory index of another spec beside the collection's own (e.g. the
   * exact twin that approximate indexes are measured against), never saved.
   */
  static async open(collection: Collection, opts: { ephemeral?: string } = {}): Promise<CollectionSearcher> {
    const views = collection.manifest.views;
    const ranker = await loadRanker(collection, opts.ephemeral ?? collection.manifest.indexSpec);
    const space = spaceHash(collection, ranker?.defaults.mode ?? null);
    let plain: GalleryMatrix | undefined;
    const matrix = (): GalleryMatrix => {
      plain ??= galleryMatrix(collection, views);
      if (!ranker) return plain;
      const data = ranker.addRows(plain.ids, plain.data);
      return { ids: plain.ids, data, dim: ranker.indexDim(plain.dim) };
    };
    let index: VectorIndex;
    if (opts.ephemeral !== undefined) index = buildIndex(opts.ephemeral, matrix());
    else {
      const opened = await openCollectionIndex(collection, space, matrix);
      index = opened.index;
      if (ranker && !opened.rebuilt) matrix(); // the ranker keeps the metric-space rows in memory
    }
    return new CollectionSearcher(collection, index, space, views, ranker);
  }

  get size(): number {
    return this.index.size();
  }

  get indexSpec(): string {
    return this.index.spec;
  }

  /** The fitted search configuration, or null for plain cosine. */
  get searchDefaults(): SearchDefaults | null {
    return this.ranker?.defaults ?? null;
  }

  modelNames(): string[] {
    return this.collection.manifest.models.map((m) => m.name);
  }

  /** Ranked matches for an image's per-view, per-model embeddings. */
  async searchVectors(vectors: ViewVectors, req: SearchRequest): Promise<Match[]> {
    checkK(req.k);
    const subset = this.checkModels(req.models);
    const query = ensembleVector(this.collection.manifest.models, vectors, this.views, subset);
    if (subset && req.minPrecision !== undefined) {
      throw new SearchError('NOT_CALIBRATED', `thresholds of collection ${this.collection.name} are calibrated for its whole ensemble, not for the models ${[...subset].join(', ')}`);
    }
    const threshold = this.threshold(req.minPrecision);
    let ranked: { id: number; score: number }[];
    if (this.ranker && !subset) {
      ranked = await this.ranker.rank(this.index, query, { k: req.k, exclude: req.exclude, threshold });
    } else {
      const index = subset && this.ranker ? (this.subsetIndex ??= buildIndex('flat', galleryMatrix(this.collection, this.views))) : this.index;
      const want = Math.min(req.k + (req.exclude?.size ?? 0), index.size());
      if (want === 0) return [];
      const [hits] = await index.search(query, want);
      ranked = hits.filter((h) => !req.exclude?.has(h.id)).slice(0, req.k);
    }
    const items = this.collection.itemsByIds(ranked.map((h) => h.id));
    return ranked.flatMap((h) => {
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

  private threshold(minPrecision: number | undefined): number | undefined {
    if (minPrecision === undefined) return undefined;
    if (!(minPrecision > 0 && minPrecision <= 1)) {
      throw new SearchError('BAD_PRECISION', `minPrecision must be in (0, 1], received ${minPrecision}`);
    }
    const fit = this.ranker ? thresholdFor(this.ranker.defaults, minPrecision) : null;
    if (!fit) {
      throw new SearchError(
        'NOT_CALIBRATED',
        `collection ${this.collection.name} has no threshold calibrated for precision ${minPrecision}` +
          (this.ranker ? ` (fitted: ${this.ranker.defaults.thresholds.filter((t) => t.achievable).map((t) => t.targetPrecision).join(', ') || 'none'})` : '; run `imsearch fit` first'),
      );
    }
    return fit.threshold;
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
      this.subsetIndex = undefined;
      if (this.ranker) {
        for (const id of ids) this.ranker.setLabel(id, this.collection.item(id)?.label ?? null);
      }
      this.index.add(ids, this.ranker ? this.ranker.addRows(ids, data) : data);
      await saveCollectionIndex(this.collection, this.index, this.space);
    }
    return report;
  }

  async remove(ids: readonly number[]): Promise<number[]> {
    const removed = this.collection.removeItems(ids);
    if (removed.length) {
      this.subsetIndex = undefined;
      this.ranker?.removeRows(removed);
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
    // Naming every model is the full ensemble, with its metric and calibration.
    return models.length >= known.length && known.every((m) => models.includes(m)) ? undefined : new Set(models);
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

async function loadRanker(collection: Collection, indexSpec: string): Promise<QueryRanker | null> {
  const ref = collection.manifest.metric;
  if (!ref) return null;
  const file = path.join(collection.dir, ref.file);
  let metric: Metric;
  try {
    metric = Metric.load(await fsp.readFile(file));
  } catch (err) {
    throw new CollectionError('COLLECTION_BROKEN', `collection ${collection.name}: cannot load metric ${file}: ${(err as Error).message}`);
  }
  if (metric.hash() !== ref.hash) {
    throw new CollectionError('COLLECTION_BROKEN', `collection ${collection.name}: metric ${file} has hash ${metric.hash()}, the manifest expects ${ref.hash}`);
  }
  const labels = new Map(collection.allItems().map((i) => [i.id, i.label] as const));
  const defaults = searchDefaultsOf(collection.manifest.searchDefaults);
  // Over metric-space vectors the index runs a maximum-inner-product search (the norm term rides
  // in an extra component); a proximity graph answers that poorly (measured on Caltech: HNSW
  // recall@10 0.09, while IVF-PQ and Annoy held up). A graph index therefore holds the plain
  // cosine vectors and its shortlist is re-scored exactly with the metric.
  const mode = defaults.mode === 'transform' && isGraphSpec(indexSpec) ? 'rerank' : defaults.mode;
  return new QueryRanker(metric, { ...defaults, mode }, labels);
}

/** Identity of the vector space the index lives in: any change forces a rebuild. */
function spaceHash(collection: Collection, mode: SearchDefaults['mode'] | null): string {
  const m = collection.manifest;
  return createHash('sha256')
    .update(JSON.stringify({ models: m.models, views: m.views, crop: m.crop, metric: m.metric?.hash ?? null, mode }))
    .digest('hex')
    .slice(0, 16);
}
