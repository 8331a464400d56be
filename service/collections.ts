/**
 * The collections under one data directory, as the services hold them open: each with its
 * searcher (index, fitted metric), its embedder and a write lock. The CLI and the server use the
 * same registry, so both apply the same rules to the same data.
 *
 * Changes made by another process (an `imsearch index` beside a running server, a collection
 * created or deleted by the CLI) are picked up on the next request: `get` compares the database's
 * commit counter and the manifest file's identity with what the open searcher reflects (two
 * cheap reads), adds the new items to the in-memory index, and reopens the searcher when the
 * manifest changed or items were removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ImsearchError } from '../errors/error-codes.js';
import { Collection, type CollectionManifest } from '../store/collection.js';
import { CollectionSearcher } from './collection-searcher.js';
import type { EmbedderIdentity, ImageEmbedder } from './embedder-port.js';
import { type FitFreshness, fitFreshness } from './fit-freshness.js';
import { type FitReport, currentFit } from './metric-fit.js';
import { type SearchSummary, summarizeSearch } from './search-summary.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function checkCollectionName(name: string): string {
  if (!NAME.test(name)) {
    throw new ImsearchError('BAD_COLLECTION_NAME', `invalid collection name ${JSON.stringify(name)}: letters, digits, '.', '_' or '-', at most 64, starting with a letter or digit`);
  }
  return name;
}

/** Serialises the writes of one collection (add, remove, index jobs, rebuild, fit); reads never wait. */
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

/** Makes the embedder for a set of models and identity: in-process for the CLI, a worker thread for the server. */
export type EmbedderFactory = (models: readonly string[], identity: EmbedderIdentity) => Promise<ImageEmbedder>;

/** One embedder per distinct (models, identity), shared by the collections that use it. */
export class EmbedderPool {
  private readonly embedders = new Map<string, Promise<ImageEmbedder>>();

  constructor(private readonly factory: EmbedderFactory) {}

  get(models: readonly string[], identity: EmbedderIdentity): Promise<ImageEmbedder> {
    const key = `${models.join(',')}|${identity.crop}|${identity.int8Sums}`;
    let e = this.embedders.get(key);
    if (!e) {
      e = this.factory(models, { crop: identity.crop, int8Sums: identity.int8Sums });
      e.catch(() => this.embedders.delete(key));
      this.embedders.set(key, e);
    }
    return e;
  }

  /** The embedder of a collection with this manifest. */
  forManifest(m: Readonly<CollectionManifest>): Promise<ImageEmbedder> {
    return this.get(m.models.map((x) => x.name), m);
  }

  async close(): Promise<void> {
    const all = [...this.embedders.values()];
    this.embedders.clear();
    for (const e of all) await (await e.catch(() => null))?.close();
  }
}

/** What identifies the manifest file's content cheaply: replaced atomically, so a new inode. */
function manifestStamp(dir: string): string {
  try {
    const s = fs.statSync(path.join(dir, 'manifest.json'));
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

export class OpenCollection {
  readonly writes = new Mutex();
  /** The commit counter and manifest identity the searcher reflects. */
  private seen: { version: number; stamp: string };

  private constructor(
    readonly collection: Collection,
    /** Swapped whole by a rebuild, a fit or a refresh; a search in flight keeps the one it started with. */
    public searcher: CollectionSearcher,
    public summary: SearchSummary,
    private readonly embedders: EmbedderPool,
  ) {
    this.seen = { version: collection.version(), stamp: manifestStamp(collection.dir) };
  }

  static async open(collection: Collection, embedders: EmbedderPool): Promise<OpenCollection> {
    const searcher = await CollectionSearcher.open(collection);
    return new OpenCollection(collection, searcher, await summarizeSearch(collection, searcher), embedders);
  }

  get name(): string {
    return this.collection.name;
  }

  get manifest(): Readonly<CollectionManifest> {
    return this.collection.manifest;
  }

  embedder(): Promise<ImageEmbedder> {
    return this.embedders.forManifest(this.collection.manifest);
  }

  /**
   * Runs a write of this process under the collection's lock. Afterwards the searcher reflects
   * the collection again, unless another process committed meanwhile: then the next `refresh`
   * brings those changes in.
   */
  write<T>(work: () => Promise<T>): Promise<T> {
    return this.writes.run(async () => {
      const before = { version: this.collection.version(), own: this.collection.ownCommits };
      try {
        return await work();
      } finally {
        const commits = this.collection.version() - before.version;
        const own = this.collection.ownCommits - before.own;
        const stamp = manifestStamp(this.collection.dir);
        if (commits === own && this.seen.version === before.version) this.seen = { version: this.collection.version(), stamp };
      }
    });
  }

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

  private freshnessCache: { key: string; freshness: Promise<FitFreshness | null> } | null = null;

  /** How far the collection's items moved since its metric was fitted (null for cosine). Read once per state. */
  fitFreshness(): Promise<FitFreshness | null> {
    const key = `${this.collection.manifest.metric?.hash ?? 'cosine'}|${this.collection.version()}`;
    if (this.freshnessCache?.key !== key) this.freshnessCache = { key, freshness: fitFreshness(this.collection) };
    return this.freshnessCache.freshness;
  }

  /** Serves `searcher` from now on. */
  async use(searcher: CollectionSearcher): Promise<void> {
    const summary = await summarizeSearch(this.collection, searcher);
    this.searcher = searcher;
    this.summary = summary;
    this.seen = { version: this.collection.version(), stamp: manifestStamp(this.collection.dir) };
  }

  /** True when another process changed the collection since the searcher was opened or updated. */
  stale(): boolean {
    return this.collection.version() !== this.seen.version || manifestStamp(this.collection.dir) !== this.seen.stamp;
  }

  /**
   * Brings the searcher up to date with changes other processes made. Skipped while a write of
   * this process is running or queued (searches never wait for writes); that write's end
   * leaves the collection stale when someone else also wrote, so the next request refreshes.
   */
  async refresh(log?: (line: string) => void): Promise<void> {
    if (!this.stale() || this.writes.pending > 0) return;
    await this.writes.run(async () => {
      if (!this.stale()) return;
      const t0 = performance.now();
      const stamp = manifestStamp(this.collection.dir);
      const before = this.searcher.size;
      if (stamp !== this.seen.stamp) {
        await this.collection.reloadManifest();
        await this.use(await CollectionSearcher.open(this.collection, { save: false }));
      } else {
        const version = this.collection.version();
        this.searcher.addNewerItems();
        // Items removed elsewhere leave fewer rows than the index holds: reopen from the stored embeddings.
        if (this.searcher.size !== this.collection.count()) await this.use(await CollectionSearcher.open(this.collection, { save: false }));
        else this.seen = { version, stamp };
      }
      log?.(
        `collection ${this.name} changed on disk: now ${this.searcher.size} items (was ${before}), index ${this.searcher.indexSpec}, ` +
          `picked up in ${(performance.now() - t0).toFixed(0)} ms`,
      );
    });
  }

  /** Waits for queued writes, then closes the database. */
  async close(): Promise<void> {
    await this.writes.run(async () => undefined);
    this.collection.close();
  }
}

export interface CollectionSummary {
  name: string;
  manifest: Readonly<CollectionManifest>;
  items: number;
  labels: number;
}

/** The collections of a data directory, each opened once and kept open. */
export class CollectionRegistry {
  private readonly open = new Map<string, Promise<OpenCollection>>();

  constructor(
    readonly dataDir: string,
    readonly embedders: EmbedderPool,
    private readonly opts: { log?: (line: string) => void } = {},
  ) {}

  dir(name: string): string {
    return path.join(this.dataDir, 'collections', checkCollectionName(name));
  }

  /** The collections on disk now (another process may have created or deleted some). */
  names(): string[] {
    const root = path.join(this.dataDir, 'collections');
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(root, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((e) => e.isDirectory() && NAME.test(e.name) && fs.existsSync(path.join(root, e.name, 'manifest.json')))
      .map((e) => e.name)
      .sort();
  }

  exists(name: string): boolean {
    return fs.existsSync(path.join(this.dir(name), 'manifest.json'));
  }

  /** A collection's manifest and counts, read from its store alone (no index, metric or model is loaded). */
  async summary(name: string): Promise<CollectionSummary> {
    if (!this.exists(name)) throw new ImsearchError('UNKNOWN_COLLECTION', `no collection "${name}" in ${this.dataDir}`);
    const collection = await Collection.open(this.dir(name));
    try {
      return { name, manifest: collection.manifest, items: collection.count(), labels: collection.labels().size };
    } finally {
      collection.close();
    }
  }

  /**
   * The open collection, opened on first use and refreshed when another process changed it;
   * UNKNOWN_COLLECTION when absent. `withEmbedder`: the caller embeds next, so when this call
   * opens the collection its models start loading as soon as the manifest is read, while the
   * index loads (a one-shot search's main thread otherwise idles through the index read before
   * the models' ~100 ms); their load is awaited here, so a model error is thrown once, by this
   * call (the pool forgets a failed load: a later embedder() call would start another).
   */
  async get(name: string, opts: { withEmbedder?: boolean } = {}): Promise<OpenCollection> {
    const dir = this.dir(name);
    let pending = this.open.get(name);
    let models: Promise<unknown> | undefined;
    if (pending && !this.exists(name)) {
      // deleted by another process
      this.open.delete(name);
      await (await pending.catch(() => null))?.close();
      pending = undefined;
    }
    if (!pending) {
      if (!this.exists(name)) {
        const have = this.names();
        throw new ImsearchError('UNKNOWN_COLLECTION', `no collection "${name}" in ${this.dataDir}` + (have.length ? ` (there are: ${have.join(', ')})` : ' (there are none yet)'));
      }
      pending = (async () => {
        const t0 = performance.now();
        const collection = await Collection.open(dir);
        try {
          if (opts.withEmbedder) {
            models = this.embedders.forManifest(collection.manifest);
            void models.catch(() => undefined); // awaited below, after the index
          }
          const c = await OpenCollection.open(collection, this.embedders);
          this.opts.log?.(
            `opened collection ${name}: ${c.searcher.size} items, models ${c.searcher.modelNames().join(',')}, index ${c.searcher.indexSpec} (${(performance.now() - t0).toFixed(0)} ms)` +
              (collection.manifest.int8Sums === 'native'
                ? "; made before exact int8 sums: its int8 models' vectors depend on the CPU that computed them (queries are embedded the same way; index the photos into a new collection for vectors that do not)"
                : ''),
          );
          return c;
        } catch (err) {
          collection.close();
          throw err;
        }
      })();
      pending.catch(() => this.open.delete(name));
      this.open.set(name, pending);
    }
    const c = await pending;
    await c.refresh(this.opts.log);
    await models;
    return c;
  }

  /** Creates a collection (COLLECTION_EXISTS when the name is taken) and opens it. */
  async create(name: string, manifest: Omit<CollectionManifest, 'formatVersion' | 'createdAt' | 'name'>): Promise<OpenCollection> {
    const dir = this.dir(name);
    if (this.exists(name)) throw new ImsearchError('COLLECTION_EXISTS', `collection "${name}" already exists in ${this.dataDir}`);
    const collection = await Collection.create(dir, { ...manifest, name });
    collection.close();
    return this.get(name);
  }

  /** Closes and deletes a collection's folder (its items, embeddings, index and metric). */
  async delete(name: string): Promise<void> {
    const c = await this.get(name);
    await c.writes.run(async () => {
      this.open.delete(name);
      c.collection.close();
      await Collection.destroy(c.collection.dir);
    });
  }

  /** The collections opened so far. */
  async opened(): Promise<OpenCollection[]> {
    const all = await Promise.all([...this.open.values()].map((p) => p.catch(() => null)));
    return all.filter((c): c is OpenCollection => c !== null);
  }

  async close(): Promise<void> {
    for (const c of await this.opened()) await c.close();
    this.open.clear();
    await this.embedders.close();
  }
}
