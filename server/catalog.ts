/**
 * What the server holds in memory: the collections it serves, each with its embedder (ONNX
 * sessions) and its searcher (index), all loaded before the server listens. A collection that
 * cannot be opened, a model file that is missing or damaged, an index that cannot be built:
 * the start stops with a message naming the collection, its folder and the cause.
 */
import type { ResolvedParams } from '../metric/index.js';
import { getManifest } from '../models/manifest/registry.js';
import { CollectionSearcher } from '../search/collection-searcher.js';
import { Library } from '../search/library.js';
import { type FitReport, currentFit } from '../search/metric-fit.js';
import type { Collection } from '../store/collection.js';
import { ApiError } from './errors.js';
import { type SearchSummary, summarizeSearch } from './search-summary.js';
import { WorkerEmbedder } from './worker-embedder.js';

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Serialises the writes of one collection (add, remove, index jobs, rebuild); reads never wait. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  get pending(): number {
    return this.waiting;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(async () => {
      try {
        return await work();
      } finally {
        this.waiting--;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export class LoadedCollection {
  readonly writes = new Mutex();

  constructor(
    readonly collection: Collection,
    /** Runs in a worker thread: decoding and inference stay off the serving event loop. */
    readonly embedder: WorkerEmbedder,
    /** Swapped whole by a rebuild or a fit; a search in flight keeps the searcher it started with. */
    public searcher: CollectionSearcher,
    /** How the searcher answers (cosine, or the fitted metric and its defaults). */
    public search: SearchSummary,
  ) {}

  private fitCache: { key: string; report: Promise<FitReport | null> } | null = null;

  /**
   * The validation report of the metric served now, when it was fitted on exactly the
   * collection's current items (null otherwise, or for cosine). Read once per state.
   */
  currentFit(): Promise<FitReport | null> {
    const metric = this.collection.manifest.metric;
    const defaults = this.searcher.searchDefaults;
    if (!metric || !defaults) return Promise.resolve(null);
    const key = `${metric.hash}|${this.collection.version()}|${defaults.mode}|${defaults.shortlist}`;
    if (this.fitCache?.key !== key) {
      this.fitCache = { key, report: currentFit(this.collection, { mode: defaults.mode, shortlist: defaults.shortlist }).catch(() => null) };
    }
    return this.fitCache.report;
  }

  /** Serves `searcher` from now on (`params`: the fitted metric's, when the caller has them). */
  async use(searcher: CollectionSearcher, params?: ResolvedParams): Promise<void> {
    const search = await summarizeSearch(this.collection, searcher, params);
    this.searcher = searcher;
    this.search = search;
  }

  get name(): string {
    return this.collection.name;
  }
}

export interface ModelSummary {
  name: string;
  dim: number;
  sha256: string;
  description: string;
  collections: string[];
}

export class Catalog {
  private constructor(
    readonly library: Library,
    private readonly loaded: Map<string, LoadedCollection>,
    private readonly embedders: Map<string, WorkerEmbedder>,
    readonly defaultName: string,
  ) {}

  /**
   * Opens the named collections (all under dataDir when none are named), loads their models and
   * their indexes (rebuilt from the stored embeddings when stale). Any failure closes what was
   * opened and throws a StartupError.
   */
  static async load(opts: {
    dataDir: string;
    modelDir: string;
    collections: readonly string[];
    embedder: { threads?: number; maxPixels?: number; maxBytes?: number };
    log?: (line: string) => void;
  }): Promise<Catalog> {
    const library = new Library(opts.dataDir, opts.modelDir, opts.embedder);
    const loaded = new Map<string, LoadedCollection>();
    // One worker per distinct (models, crop), shared by the collections that use it.
    const embedders = new Map<string, WorkerEmbedder>();
    const embedderFor = async (c: Collection): Promise<WorkerEmbedder> => {
      const models = c.manifest.models.map((m) => m.name);
      const key = `${models.join(',')}|${c.manifest.crop}`;
      let e = embedders.get(key);
      if (!e) {
        e = await WorkerEmbedder.create(models, { modelDir: opts.modelDir, crop: c.manifest.crop, ...opts.embedder });
        embedders.set(key, e);
      }
      return e;
    };
    const fail = async (message: string, cause?: unknown): Promise<never> => {
      for (const c of loaded.values()) c.collection.close();
      for (const e of embedders.values()) await e.close();
      await library.close();
      throw new StartupError(message, { cause });
    };
    let names = [...new Set(opts.collections)];
    if (names.length === 0) names = await library.names();
    if (names.length === 0) {
      await fail(`no collections under ${opts.dataDir}/collections: create one first (imsearch index <folder> --collection NAME)`);
    }
    for (const name of names) {
      let dir = '';
      let collection: Collection | undefined;
      try {
        dir = library.dir(name);
        const t0 = performance.now();
        collection = await library.open(name);
        const embedder = await embedderFor(collection);
        const searcher = await CollectionSearcher.open(collection);
        loaded.set(name, new LoadedCollection(collection, embedder, searcher, await summarizeSearch(collection, searcher)));
        opts.log?.(
          `loaded collection ${name}: ${searcher.size} items, models ${searcher.modelNames().join(',')}, index ${searcher.indexSpec} (${(performance.now() - t0).toFixed(0)} ms)`,
        );
      } catch (err) {
        collection?.close();
        const where = dir ? ` (${dir})` : '';
        await fail(`cannot load collection "${name}"${where}: ${(err as Error).message ?? String(err)}`, err);
      }
    }
    return new Catalog(library, loaded, embedders, names[0]);
  }

  /** The collection called `name` (the default one when absent); UNKNOWN_COLLECTION otherwise. */
  get(name?: string | null): LoadedCollection {
    const key = name ?? this.defaultName;
    const c = this.loaded.get(key);
    if (!c) {
      throw new ApiError('UNKNOWN_COLLECTION', `no collection "${key}" on this server (it serves: ${[...this.loaded.keys()].join(', ')})`);
    }
    return c;
  }

  list(): LoadedCollection[] {
    return [...this.loaded.values()];
  }

  /** The models the loaded collections use, each once, with the collections using it. */
  models(): ModelSummary[] {
    const byName = new Map<string, ModelSummary>();
    for (const c of this.loaded.values()) {
      for (const m of c.collection.manifest.models) {
        let s = byName.get(m.name);
        if (!s) {
          let description = '';
          try {
            description = getManifest(m.name).description;
          } catch {
            // a collection made with a manifest this build no longer has: still listed
          }
          s = { name: m.name, dim: m.dim, sha256: m.sha256, description, collections: [] };
          byName.set(m.name, s);
        }
        s.collections.push(c.name);
      }
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Waits for queued writes, then closes databases and model sessions. */
  async close(): Promise<void> {
    for (const c of this.loaded.values()) {
      await c.writes.run(async () => undefined);
      c.collection.close();
    }
    this.loaded.clear();
    for (const e of this.embedders.values()) await e.close();
    this.embedders.clear();
    await this.library.close();
  }
}
