import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ImsearchError } from '../errors/error-codes.js';
import type { Metric, Neighbour } from '../metric/index.js';
import type { SearchKnob, SearchParams } from '../indexes/search-params.js';
import type { VectorIndex } from '../indexes/vector-index.js';
import type { Collection, Item, View } from '../store/collection.js';
import { type GalleryMatrix, type ViewVectors, ensembleVector, galleryMatrix } from './ensemble-space.js';
import { type MatchExplanation, type Prediction, explainResults } from './explain.js';
import { QueryRanker } from './query-ranker.js';
import { type CalibratedCut, type SearchDefaults, searchDefaultsOf } from './search-config.js';
import { buildIndex, isGraphSpec, openCollectionIndex, saveCollectionIndex } from './collection-index.js';
import type { AddedItem } from './indexing.js';

/** A search request as the searcher takes it: already checked against the collection (service/search-request.ts). */
export interface CheckedRequest {
  k: number;
  /** A strict subset of the collection's models (the full ensemble is undefined). */
  subset?: ReadonlySet<string>;
  /** Item ids left out of the results (e.g. the item itself for "more like this"). */
  exclude?: ReadonlySet<number>;
  /** Keep only results whose learned-metric score passes this calibrated cut (threshold and open-set condition). */
  cut?: CalibratedCut;
  /** Per-search index options (efSearch, nprobe, searchK) over the collection's defaults. */
  indexParams?: SearchParams;
  /** Candidates re-scored with the fitted metric (over the collection's default). */
  shortlist?: number;
  /** Explain every result and predict the query's class (service/explain.ts). */
  explain?: boolean;
}

export interface Match {
  item: Item;
  score: number;
  /** Present when the request asked for explanations. */
  explanation?: MatchExplanation;
}

export interface SearchAnswer {
  matches: Match[];
  /** The class the neighbourhood's vote predicts (null when no labelled neighbour voted); undefined unless explanations were asked for. */
  prediction?: Prediction | null;
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
    /** The largest item id the index holds: items above it were added since (by another process). */
    private maxId: number,
  ) {}

  /**
   * `ephemeral` builds an in-memory index of another spec beside the collection's own (e.g. the
   * exact twin that approximate indexes are measured against), never saved.
   */
  /**
   * `save: false` never writes (a reader catching up with another process's changes, or a
   * read-only data directory): a stale index is rebuilt in memory only.
   */
  static async open(collection: Collection, opts: { ephemeral?: string; save?: boolean } = {}): Promise<CollectionSearcher> {
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
      const opened = await openCollectionIndex(collection, space, matrix, opts.save ?? true);
      index = opened.index;
      if (ranker && !opened.rebuilt) matrix(); // the ranker keeps the metric-space rows in memory
    }
    // The index reflects the collection's current version, so its largest id is the database's.
    return new CollectionSearcher(collection, index, space, views, ranker, collection.maxItemId());
  }

  get size(): number {
    return this.index.size();
  }

  get indexSpec(): string {
    return this.index.spec;
  }

  /** The per-search options the collection's index takes (efSearch for HNSW, nprobe for IVF, searchK for Annoy). */
  get searchKnobs(): readonly SearchKnob[] {
    return this.index.searchKnobs;
  }

  /** The fitted search configuration, or null for plain cosine. */
  get searchDefaults(): SearchDefaults | null {
    return this.ranker?.defaults ?? null;
  }

  modelNames(): string[] {
    return this.collection.manifest.models.map((m) => m.name);
  }

  /** Ranked matches for an image's per-view, per-model embeddings, explained when the request asks. */
  async searchVectors(vectors: ViewVectors, req: CheckedRequest): Promise<Match[]> {
    return (await this.search(vectors, req)).matches;
  }

  async search(vectors: ViewVectors, req: CheckedRequest): Promise<SearchAnswer> {
    const query = ensembleVector(this.collection.manifest.models, vectors, this.views, req.subset);
    const metric = this.ranker !== null && !req.subset;
    let ranked: { id: number; score: number }[];
    let neighbourhood: Neighbour[] | undefined;
    if (this.ranker && metric) {
      ({ ranked, neighbourhood } = await this.ranker.rank(this.index, query, { k: req.k, exclude: req.exclude, cut: req.cut, params: req.indexParams, shortlist: req.shortlist }));
    } else {
      const index = req.subset && this.ranker ? (this.subsetIndex ??= buildIndex('flat', galleryMatrix(this.collection, this.views))) : this.index;
      const want = Math.min(req.k + (req.exclude?.size ?? 0), index.size());
      if (want === 0) return { matches: [], prediction: req.explain ? null : undefined };
      const [hits] = await index.search(query, want, index === this.index ? req.indexParams : undefined);
      ranked = hits.filter((h) => !req.exclude?.has(h.id)).slice(0, req.k);
    }
    const items = this.collection.itemsByIds(ranked.map((h) => h.id));
    const matches = ranked.flatMap((h) => {
      const item = items.get(h.id);
      return item ? [{ item, score: h.score }] : [];
    });
    if (!req.explain) return { matches };
    const fitted = metric ? this.ranker!.defaults : null;
    const { explanations, prediction } = explainResults({
      models: this.collection.manifest.models,
      views: this.views,
      query: vectors,
      itemVectors: (id) => this.itemVectors(id),
      results: matches.map((m) => ({ id: m.item.id, score: m.score, label: m.item.label })),
      // Without a fitted vote the neighbourhood is the results themselves, each counted once.
      neighbourhood: neighbourhood ?? matches.map((m) => ({ id: m.item.id, score: m.score, label: m.item.label })),
      vote: fitted?.vote ?? { k: req.k, tau: null },
      scoreKind: fitted ? 'metric' : 'cosine',
      curve: fitted?.probability ?? null,
    });
    return { matches: matches.map((m, i) => ({ ...m, explanation: explanations[i] })), prediction };
  }

  /** An indexed item's stored embeddings ("more like this" needs no model run); UNKNOWN_ITEM when absent. */
  itemVectors(id: number): ViewVectors {
    const vectors: ViewVectors = {};
    for (const view of this.views) {
      const v = this.collection.itemVectors(id, view);
      if (!v) throw new ImsearchError('UNKNOWN_ITEM', `no item ${id} in collection ${this.collection.name}`);
      vectors[view] = v;
    }
    return vectors;
  }

  /** Adds just-committed items to the in-memory index, from the vectors they were embedded to. */
  addItems(items: readonly Pick<AddedItem, 'id' | 'label' | 'vectors'>[]): void {
    if (!items.length) return;
    const models = this.collection.manifest.models;
    const dim = models.reduce((s, m) => s + m.dim, 0);
    const ids = items.map((i) => i.id);
    const data = new Float32Array(items.length * dim);
    items.forEach((item, i) => data.set(ensembleVector(models, item.vectors, this.views), i * dim));
    this.subsetIndex = undefined;
    if (this.ranker) for (const item of items) this.ranker.setLabel(item.id, item.label);
    this.index.add(ids, this.ranker ? this.ranker.addRows(ids, data) : data);
    for (const id of ids) if (id > this.maxId) this.maxId = id;
  }

  /** Adds the items another process committed since (ids above the largest this index holds). */
  addNewerItems(): number {
    const fresh = this.collection.itemsAfter(this.maxId);
    this.addItems(fresh.map((item) => ({ id: item.id, label: item.label, vectors: this.itemVectors(item.id) })));
    return fresh.length;
  }

  /** Removes committed removals from the in-memory index. */
  removeItems(ids: readonly number[]): void {
    if (!ids.length) return;
    this.subsetIndex = undefined;
    this.ranker?.removeRows(ids);
    this.index.remove(ids);
  }

  /** Saves the index for the collection's current version (so the next open loads it instead of rebuilding). */
  persist(): Promise<void> {
    return saveCollectionIndex(this.collection, this.index, this.space);
  }

  /** Whether the embedder computes the vectors this collection was built with. */
  checkEmbedder(embedder: { models: readonly { name: string; sha256: string }[]; crop: boolean; int8Sums: string }): void {
    const m = this.collection.manifest;
    const want = `[${m.models.map((x) => `${x.name}@${x.sha256}`).join(',')}] crop=${m.crop} int8Sums=${m.int8Sums}`;
    const have = `[${embedder.models.map((x) => `${x.name}@${x.sha256}`).join(',')}] crop=${embedder.crop} int8Sums=${embedder.int8Sums}`;
    if (want !== have) {
      throw new ImsearchError('MODEL_MISMATCH', `collection ${this.collection.name} was built with models ${want}; the embedder has ${have}`);
    }
  }
}

async function loadRanker(collection: Collection, indexSpec: string): Promise<QueryRanker | null> {
  const ref = collection.manifest.metric;
  if (!ref) return null;
  const file = path.join(collection.dir, ref.file);
  let metric: Metric;
  try {
    // Loaded here: only fitted collections need the metric's query code.
    const { Metric } = await import('../metric/metric.js');
    metric = Metric.load(await fsp.readFile(file));
  } catch (err) {
    throw new ImsearchError('COLLECTION_BROKEN', `collection ${collection.name}: cannot load metric ${file}: ${(err as Error).message}`);
  }
  if (metric.hash() !== ref.hash) {
    throw new ImsearchError('COLLECTION_BROKEN', `collection ${collection.name}: metric ${file} has hash ${metric.hash()}, the manifest expects ${ref.hash}`);
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
    .update(JSON.stringify({ models: m.models, views: m.views, crop: m.crop, int8Sums: m.int8Sums, metric: m.metric?.hash ?? null, mode }))
    .digest('hex')
    .slice(0, 16);
}
