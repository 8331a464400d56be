/**
 * Every use case of the product, once: create / list / delete collections, add files or
 * uploads, remove, rebuild, fit, search. The CLI and the GraphQL resolvers are thin entry points
 * over this class, so both apply the same rules to the same data. Writes to a collection run one
 * at a time behind its lock; searches never wait for them.
 */
import { ImsearchError } from '../errors/error-codes.js';
import { parseIndexSpec } from '../indexes/spec.js';
import { sniffFormat } from '../models/image/decode.js';
import type { DecodeFailure } from '../models/image/decode-error.js';
import { getManifest } from '../models/manifest/registry.js';
import type { Item, View } from '../store/collection.js';
import { type ListedFile, listLabelledFiles } from '../store/folder-listing.js';
import { ThumbnailCache } from '../store/thumbnails.js';
import { UploadStore } from '../store/uploads.js';
import { CollectionSearcher, type SearchAnswer } from './collection-searcher.js';
import { CollectionRegistry, type CollectionSummary, checkCollectionName, type EmbedderFactory, EmbedderPool, type OpenCollection } from './collections.js';
import type { FitProgress, FitRequest, FitRunner } from './fit-port.js';
import { type IndexProgress, type IndexReport, type SkippedFile, indexFiles } from './indexing.js';
import { DEFAULT_LIMITS, DEFAULT_PAGE_SIZE, type Limits, checkInt } from './limits.js';
import type { FitReport } from './metric-fit.js';
import { type SearchRequest, checkSearchRequest } from './search-request.js';
import { WorkGate } from './work-gate.js';

export interface ServiceOptions {
  dataDir: string;
  /** Makes the embedder of a collection's models: in-process (CLI) or in a worker thread (server). */
  embedders: EmbedderFactory;
  /** How the metric fit runs: in-process (CLI) or in a worker thread (server). */
  fit: FitRunner;
  limits?: Partial<Limits>;
  /** The collection used when a request names none (default: the first there is when the service starts, else the only one). */
  defaultCollection?: string;
  log?: (line: string) => void;
  /** Called after a write added or removed items (the server checks the fit's freshness there). */
  onItemsChanged?: (c: OpenCollection) => void;
}

export interface NewCollection {
  models: readonly { name: string; weight: number }[];
  crop: boolean;
  views: readonly View[];
  indexSpec: string;
}

export interface SearchOutcome extends SearchAnswer {
  collection: OpenCollection;
  timing: { embedMs: number; searchMs: number };
}

export interface UploadedImage {
  filename: string;
  data: Buffer;
  label: string | null;
}

export interface UploadOutcome {
  index: number;
  filename: string;
  status: 'ADDED' | 'UNCHANGED' | 'FAILED';
  item: Item | null;
  reason: DecodeFailure | null;
  message: string | null;
}

export interface AddFilesOptions {
  onProgress?: (p: IndexProgress) => void;
  onFailed?: (f: SkippedFile) => void;
  /** Each entry of an indexed folder passed over while listing it (indexFolder only). */
  onSkipped?: (f: SkippedFile) => void;
  /** Items committed so far (an interrupted run still reports them). */
  onAdded?: (count: number) => void;
  signal?: AbortSignal;
}

export interface ModelSummary {
  name: string;
  dim: number;
  sha256: string;
  description: string;
  collections: string[];
}

/** A page of `items`: ids are the cursors' item ids. */
export interface ItemPageRequest {
  first?: number | null;
  after?: number | null;
  last?: number | null;
  before?: number | null;
  label?: string | null;
}

export const MAX_FIT_FOLDS = 10;
const MAX_LABEL = 200;
const ITEM_ID = /^[1-9][0-9]{0,14}$/;

/** Item ids are positive integers (GraphQL IDs and CLI arguments are strings). */
export function parseItemId(id: string | number, collection: string): number {
  const s = String(id);
  if (!ITEM_ID.test(s)) throw new ImsearchError('UNKNOWN_ITEM', `no item ${JSON.stringify(s)} in collection ${collection}: item ids are positive integers`);
  return Number(s);
}

export class ImsearchService {
  readonly collections: CollectionRegistry;
  readonly limits: Readonly<Limits>;
  readonly uploads: UploadStore;
  readonly thumbnails: ThumbnailCache;
  /** Bounds the searches (embedding + index probe) running and waiting at once. */
  readonly searchGate: WorkGate;
  private readonly fitRunner: FitRunner;
  private readonly defaultName: string | undefined;
  private readonly log: (line: string) => void;
  private readonly itemsChanged: (c: OpenCollection) => void;

  constructor(opts: ServiceOptions) {
    this.log = opts.log ?? (() => undefined);
    this.itemsChanged = opts.onItemsChanged ?? (() => undefined);
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.collections = new CollectionRegistry(opts.dataDir, new EmbedderPool(opts.embedders), { log: opts.log });
    this.uploads = new UploadStore(opts.dataDir);
    this.thumbnails = new ThumbnailCache(opts.dataDir);
    this.searchGate = new WorkGate(this.limits.maxConcurrentSearches, this.limits.maxQueuedSearches);
    this.fitRunner = opts.fit;
    this.defaultName = opts.defaultCollection ?? this.collections.names()[0];
  }

  get dataDir(): string {
    return this.collections.dataDir;
  }

  /** The name a request without one means: the default while it exists, else the only collection. */
  defaultCollection(): string | null {
    if (this.defaultName && this.collections.exists(this.defaultName)) return this.defaultName;
    const names = this.collections.names();
    return names.length === 1 ? names[0] : null;
  }

  /** The named collection (the default one when absent); UNKNOWN_COLLECTION otherwise. */
  collection(name?: string | null, opts: { withEmbedder?: boolean } = {}): Promise<OpenCollection> {
    const key = name ?? this.defaultCollection();
    if (!key) {
      const names = this.collections.names();
      throw new ImsearchError('UNKNOWN_COLLECTION', names.length ? `name a collection: there are ${names.join(', ')}` : `there are no collections in ${this.dataDir} yet: create one first`);
    }
    return this.collections.get(key, opts);
  }

  /** The named collection (the default one when absent), or null when there is no such collection. */
  async findCollection(name?: string | null): Promise<OpenCollection | null> {
    const key = name ?? this.defaultCollection();
    return key && this.collections.exists(key) ? this.collections.get(key) : null;
  }

  /** Every collection on disk, opened (indexes loaded; models load on first embedding). */
  async listCollections(): Promise<OpenCollection[]> {
    return Promise.all(this.collections.names().map((n) => this.collections.get(n)));
  }

  /** Every collection's manifest and counts, without loading its index or models (a listing). */
  collectionSummaries(): Promise<CollectionSummary[]> {
    return Promise.all(this.collections.names().map((n) => this.collections.summary(n)));
  }

  /** The models the collections use, each once, with the collections using it. */
  async models(): Promise<ModelSummary[]> {
    const byName = new Map<string, ModelSummary>();
    for (const c of await this.listCollections()) {
      for (const m of c.manifest.models) {
        let s = byName.get(m.name);
        if (!s) {
          s = { name: m.name, dim: m.dim, sha256: m.sha256, description: describeModel(m.name), collections: [] };
          byName.set(m.name, s);
        }
        s.collections.push(c.name);
      }
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates a collection for the given models (UNKNOWN_MODEL / MODEL_MISSING before anything is written). */
  async createCollection(name: string, spec: NewCollection): Promise<OpenCollection> {
    parseIndexSpec(spec.indexSpec);
    if (!spec.models.length) throw new ImsearchError('BAD_USER_INPUT', 'a collection needs at least one model');
    for (const m of spec.models) {
      if (!(m.weight > 0 && Number.isFinite(m.weight))) throw new ImsearchError('BAD_USER_INPUT', `the weight of model ${m.name} must be a number above 0, received ${m.weight}`);
    }
    checkCollectionName(name);
    // New collections sum int8 exactly: their vectors are the same on every CPU.
    const embedder = await this.collections.embedders.get(spec.models.map((m) => m.name), { crop: spec.crop, int8Sums: 'exact' });
    return this.collections.create(name, {
      models: embedder.models.map((m) => ({ ...m, weight: spec.models.find((w) => w.name === m.name)!.weight })),
      crop: spec.crop,
      int8Sums: embedder.int8Sums,
      views: [...spec.views],
      indexSpec: spec.indexSpec,
      metric: null,
      searchDefaults: {},
    });
  }

  /** The collection, created with `spec` when it does not exist yet. */
  async openOrCreate(name: string, spec: NewCollection): Promise<OpenCollection> {
    return this.collections.exists(name) ? this.collections.get(name, { withEmbedder: true }) : this.createCollection(name, spec);
  }

  async deleteCollection(name: string): Promise<void> {
    await this.collections.delete(name);
    await this.uploads.removeCollection(name);
    await this.thumbnails.removeCollection(name);
  }

  /**
   * Searches with an image. The collection is looked up and the request checked before the image
   * is read (`image` may be a reader: an upload, a file) or embedded.
   */
  async searchImage(name: string | null | undefined, image: Buffer | (() => Promise<Buffer>), request: SearchRequest): Promise<SearchOutcome> {
    const c = await this.collection(name, { withEmbedder: true });
    const checked = checkSearchRequest(c, request, this.limits.maxK);
    const embedder = await c.embedder();
    const searcher = c.searcher;
    searcher.checkEmbedder(embedder);
    const bytes = typeof image === 'function' ? await image() : image;
    return this.searchGate.run(async () => {
      const t0 = performance.now();
      const vectors = await embedder.embedImage(bytes, c.manifest.views);
      const t1 = performance.now();
      const answer = await searcher.search(vectors, checked);
      return { collection: c, ...answer, timing: { embedMs: t1 - t0, searchMs: performance.now() - t1 } };
    });
  }

  /** "More like this" for an indexed item, from its stored embeddings (no model run); the item itself is left out. */
  async similarTo(name: string | null | undefined, id: string | number, request: SearchRequest): Promise<SearchOutcome> {
    const c = await this.collection(name);
    const itemId = parseItemId(id, c.name);
    const checked = checkSearchRequest(c, request, this.limits.maxK);
    const searcher = c.searcher;
    const vectors = searcher.itemVectors(itemId);
    return this.searchGate.run(async () => {
      const t0 = performance.now();
      const answer = await searcher.search(vectors, { ...checked, exclude: new Set([itemId]) });
      return { collection: c, ...answer, timing: { embedMs: 0, searchMs: performance.now() - t0 } };
    });
  }

  async item(name: string | null | undefined, id: string | number): Promise<{ collection: OpenCollection; item: Item | null }> {
    const c = await this.collection(name);
    return { collection: c, item: c.collection.item(parseItemId(id, c.name)) ?? null };
  }

  /**
   * A page of items in id order, optionally only one label: the `first` items after `after`
   * (forward), or the `last` items before `before` (backward); an id given on the other side
   * bounds the range too. Neither size: the first DEFAULT_PAGE_SIZE.
   */
  async items(name: string | null | undefined, page: ItemPageRequest) {
    const c = await this.collection(name);
    if (page.first != null && page.last != null) throw new ImsearchError('BAD_USER_INPUT', 'pass first or last, not both');
    const backward = page.last != null;
    const size = checkInt(backward ? 'last' : 'first', (backward ? page.last : page.first) ?? DEFAULT_PAGE_SIZE, 0, this.limits.maxPageSize);
    const label = page.label ?? undefined;
    const after = page.after ?? undefined;
    const before = page.before ?? undefined;
    // One row more than asked says whether the range goes on.
    const rows = c.collection.items({ after, before, label, limit: size + 1, fromEnd: backward });
    const more = rows.length > size;
    const items = backward ? rows.slice(more ? 1 : 0) : rows.slice(0, size);
    // Beyond the cursor on the other side: one row tells.
    const any = (range: { after?: number; before?: number }) => c.collection.items({ ...range, label, limit: 1 }).length > 0;
    const totalCount = label === undefined ? c.collection.count() : (c.collection.labels().get(label) ?? 0);
    return {
      collection: c,
      items,
      hasNextPage: backward ? before !== undefined && any({ after: before - 1 }) : more,
      hasPreviousPage: backward ? more : after !== undefined && any({ before: after + 1 }),
      totalCount,
    };
  }

  /**
   * Embeds and adds files to a collection (content already there is a no-op) and updates its
   * index; bad files are reported, never thrown. Used by `imsearch index` and `indexFolder`.
   */
  async addFiles(name: string, files: readonly ListedFile[], opts: AddFilesOptions = {}): Promise<IndexReport> {
    const c = await this.collection(name);
    const report = await c.write(() => this.addFilesLocked(c, files, opts));
    if (report.added) this.itemsChanged(c);
    return report;
  }

  /** Lists a folder (labels from first-level folder names) and adds its files. */
  async indexFolder(name: string, folder: string, opts: AddFilesOptions = {}): Promise<IndexReport> {
    const listing = await listLabelledFiles(folder);
    for (const s of listing.skipped) opts.onSkipped?.(s);
    const report = await this.addFiles(name, listing.files, opts);
    return { ...report, skipped: listing.skipped };
  }

  /**
   * Adds uploaded images: each is kept by content hash (the item's source), then embedded and
   * indexed. Per-file outcomes: ADDED, UNCHANGED (the content is already in the collection) or
   * FAILED with the decoder's reason; originals that did not become items are not kept.
   */
  async addUploads(name: string | null | undefined, uploads: readonly UploadedImage[]): Promise<{ collection: OpenCollection; outcomes: UploadOutcome[] }> {
    const c = await this.collection(name);
    if (uploads.length > this.limits.maxFiles) {
      throw new ImsearchError('TOO_MANY_FILES', `${uploads.length} files in one request; the limit is ${this.limits.maxFiles}`);
    }
    for (const u of uploads) {
      if (u.label !== null && (u.label.trim() === '' || u.label.length > MAX_LABEL)) {
        throw new ImsearchError('BAD_USER_INPUT', `a label must be 1 to ${MAX_LABEL} characters, not blank (upload ${JSON.stringify(u.filename)})`);
      }
    }
    const outcomes = await c.write(async () => {
      const outcomes: UploadOutcome[] = [];
      const files: ListedFile[] = [];
      const kept = new Map<number, { path: string; sha256: string; fresh: boolean }>();
      for (const [index, u] of uploads.entries()) {
        const format = u.data.length ? sniffFormat(u.data) : null;
        if (!format) {
          const empty = u.data.length === 0;
          outcomes.push({ index, filename: u.filename, item: null, status: 'FAILED', reason: empty ? 'empty' : 'not-image', message: empty ? `${u.filename} is empty (0 bytes)` : `${u.filename} is not an image in a supported format` });
          continue;
        }
        const file = await this.uploads.keep(c.name, u.data, format === 'jpeg' ? 'jpg' : format);
        kept.set(index, file);
        files.push({ path: file.path, label: u.label, root: this.uploads.dir(c.name) });
        outcomes.push({ index, filename: u.filename, item: null, status: 'UNCHANGED', reason: null, message: null });
      }
      const report = files.length ? await this.addFilesLocked(c, files, {}) : null;
      const failedByPath = new Map((report?.failed ?? []).map((f) => [f.path, f]));
      const added = new Set((report?.addedItems ?? []).map((i) => i.id));
      const seen = new Set<number>();
      for (const o of outcomes) {
        const file = kept.get(o.index);
        if (!file) continue;
        const failed = failedByPath.get(file.path);
        if (failed) {
          Object.assign(o, { status: 'FAILED', reason: failed.reason, message: failed.message.replaceAll(file.path, o.filename) });
          if (file.fresh) await this.uploads.discard(c.name, file.path);
          continue;
        }
        const item = c.collection.itemBySha256(file.sha256) ?? null;
        o.item = item;
        o.status = item && added.has(item.id) && !seen.has(item.id) ? 'ADDED' : 'UNCHANGED';
        if (item) seen.add(item.id);
      }
      return outcomes;
    });
    if (outcomes.some((o) => o.status === 'ADDED')) this.itemsChanged(c);
    return { collection: c, outcomes };
  }

  /** Removes items (all or none: an unknown id is UNKNOWN_ITEM and nothing is removed), with their uploaded originals. */
  async remove(name: string | null | undefined, ids: readonly (string | number)[]): Promise<{ collection: OpenCollection; removed: number[] }> {
    const c = await this.collection(name);
    const numeric = [...new Set(ids.map((id) => parseItemId(id, c.name)))];
    const removed = await c.write(async () => {
      const found = c.collection.itemsByIds(numeric);
      const missing = numeric.filter((id) => !found.has(id));
      if (missing.length) throw new ImsearchError('UNKNOWN_ITEM', `no item ${missing.join(', ')} in collection ${c.name}; nothing was removed`, { ids: missing.map(String) });
      const gone = c.collection.removeItems(numeric);
      c.searcher.removeItems(gone);
      await this.persist(c);
      for (const id of gone) await this.uploads.discard(c.name, found.get(id)!.source);
      return gone;
    });
    this.itemsChanged(c);
    return { collection: c, removed };
  }

  /** Rebuilds the collection's index with another spec, from the stored embeddings (the old one stays on failure). */
  async rebuildIndex(name: string | null | undefined, spec: string): Promise<OpenCollection> {
    parseIndexSpec(spec);
    const c = await this.collection(name);
    await c.write(async () => {
      const previous = c.manifest.indexSpec;
      await c.collection.updateManifest({ indexSpec: spec });
      try {
        await c.use(await CollectionSearcher.open(c.collection));
      } catch (err) {
        await c.collection.updateManifest({ indexSpec: previous });
        throw err;
      }
    });
    return c;
  }

  /**
   * Fits the collection's learned metric and re-rankers by cross-validation inside its labelled
   * items and makes them its search defaults (NOT_LABELLED at once when the labels cannot support
   * a fit); then serves the new metric, with the index rebuilt in its space.
   */
  async fit(name: string | null | undefined, request: FitRequest, opts: { signal?: AbortSignal; onProgress?: (p: FitProgress) => void; onQueued?: (c: OpenCollection) => void } = {}): Promise<{ collection: OpenCollection; report: FitReport }> {
    const c = await this.checkFit(name, request);
    opts.onQueued?.(c);
    const report = await c.write(async () => {
      checkLabelled(c); // the labels may have changed while the fit was queued
      const fitted = () => JSON.stringify({ metric: c.manifest.metric, defaults: c.manifest.searchDefaults });
      const served = fitted();
      try {
        return await this.fitRunner(c.collection, request, { signal: opts.signal, onProgress: opts.onProgress });
      } finally {
        // The runner wrote the manifest (in this process, or on disk from a worker; also when it
        // failed late): serve what is there now whenever it differs from what was served.
        await c.collection.reloadManifest();
        if (fitted() !== served) await c.use(await CollectionSearcher.open(c.collection));
      }
    });
    return { collection: c, report };
  }

  /** The checks a fit makes before it is queued (the API refuses at once rather than in a job). */
  async checkFit(name: string | null | undefined, request: FitRequest): Promise<OpenCollection> {
    checkInt('folds', request.folds, 1, MAX_FIT_FOLDS);
    if (request.mode !== 'transform' && request.mode !== 'rerank') throw new ImsearchError('BAD_USER_INPUT', `mode must be transform or rerank, received ${JSON.stringify(request.mode)}`);
    const c = await this.collection(name);
    checkLabelled(c);
    return c;
  }

  async close(): Promise<void> {
    await this.collections.close();
  }

  private async addFilesLocked(c: OpenCollection, files: readonly ListedFile[], opts: AddFilesOptions): Promise<IndexReport> {
    const embedder = await c.embedder();
    c.searcher.checkEmbedder(embedder);
    let added = 0;
    const report = await indexFiles(c.collection, embedder, files, {
      onProgress: opts.onProgress,
      onFailed: opts.onFailed,
      signal: opts.signal,
      onCommitted: (items) => {
        c.searcher.addItems(items);
        added += items.length;
        opts.onAdded?.(added);
      },
    }).finally(() => (added ? this.persist(c) : undefined));
    return report;
  }

  /**
   * Saves the index after a write. A save that fails for lack of space or write access leaves the
   * index served from memory (the next open rebuilds it from the committed embeddings).
   */
  private async persist(c: OpenCollection): Promise<void> {
    try {
      await c.searcher.persist();
    } catch (err) {
      const code = (err as ImsearchError).code;
      if (code !== 'STORAGE_FULL' && code !== 'STORAGE_READ_ONLY') throw err;
      this.log(`collection ${c.name}: index kept in memory only: ${(err as Error).message}`);
    }
  }
}

/** NOT_LABELLED unless at least two classes have two or more labelled items (what a metric fit needs). */
export function checkLabelled(c: OpenCollection): void {
  const labels = [...c.collection.labels()].filter(([label]) => label !== '');
  const usable = labels.filter(([, n]) => n >= 2).length;
  if (usable < 2) {
    const labelled = labels.reduce((a, [, n]) => a + n, 0);
    throw new ImsearchError(
      'NOT_LABELLED',
      `collection ${c.name} cannot be fitted: a metric is learned from labels and needs at least 2 classes with 2 or more labelled items each; ` +
        `it has ${labelled} labelled of ${c.collection.count()} items in ${labels.length} class(es), ${usable} with 2 or more ` +
        '(index class folders, or add images with labels)',
    );
  }
}

/** A model's manifest description; empty for a collection made with a manifest this build no longer has. */
function describeModel(name: string): string {
  try {
    return getManifest(name).description;
  } catch {
    return '';
  }
}
