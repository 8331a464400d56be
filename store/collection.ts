import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ImsearchError, storageError } from '../errors/error-codes.js';
import { removeStaleTemporaries, writeFileAtomic } from './atomic-file.js';

export const COLLECTION_FORMAT_VERSION = 1;

/** Embedding views stored per item (models/embedder.ts View): as is, mirrored, the zoomed centre, and that mirrored. */
export type View = 'orig' | 'flip' | 'zoom' | 'zoom-flip';

export interface CollectionModel {
  name: string;
  sha256: string;
  dim: number;
  weight: number;
}

export interface CollectionManifest {
  formatVersion: number;
  name: string;
  createdAt: string;
  models: CollectionModel[];
  /** The content-free-border crop step ran before each model's own resize. */
  crop: boolean;
  /**
   * How the int8 models summed (models/onnx/session.ts `Int8Sums`). Manifests written before
   * this field existed read as 'native': their vectors came from the CPU's own int8 arithmetic,
   * so their queries are embedded the same way to stay comparable.
   */
  int8Sums: 'exact' | 'native';
  views: View[];
  /** Index spec string (indexes/spec); the index file is derived data, rebuilt when stale. */
  indexSpec: string;
  /** File name of the fitted metric artifact inside the collection, with its hash; null = plain cosine. */
  metric: { file: string; hash: string } | null;
  /** Search-time defaults fitted or chosen for this collection (re-ranking etc.). */
  searchDefaults: Record<string, unknown>;
}

export interface Item {
  id: number;
  label: string | null;
  source: string;
  /**
   * The folder the source was indexed from (uploads: the collection's uploads folder): media is
   * served only while the source's real path stays inside it. Null for items recorded before it
   * was kept, and for files added one by one: the source's own folder then.
   */
  root: string | null;
  sha256: string;
  bytes: number;
  addedAt: string;
}

export interface NewItem {
  label: string | null;
  source: string;
  root?: string | null;
  sha256: string;
  bytes: number;
  /** Per view, per model: the L2-normalised embedding. */
  vectors: Partial<Record<View, Record<string, Float32Array>>>;
}

export interface VectorBlock {
  ids: Int32Array;
  /** Row-major ids.length x dim. */
  data: Float32Array;
  dim: number;
}

const MANIFEST = 'manifest.json';
const DATABASE = 'items.sqlite';

/**
 * A collection on disk: manifest.json (atomic rename), items.sqlite (item table + raw per-model
 * embeddings, one transaction per batch, WAL) and derived files (index, metric artifacts).
 * The database carries a version counter bumped by every write; derived files record the version
 * they were built from, so a kill between a database commit and an index save is detected and
 * repaired by a rebuild instead of serving a stale index.
 */
export class Collection {
  /** Commits made through this object (another process's commits bump version() but not this). */
  private commits = 0;
  /** Prepared once per SQL text: preparing costs more than running these small queries. */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    readonly dir: string,
    private manifestData: CollectionManifest,
    private readonly db: Database.Database,
  ) {}

  static async create(dir: string, manifest: Omit<CollectionManifest, 'formatVersion' | 'createdAt'>): Promise<Collection> {
    if (fs.existsSync(path.join(dir, MANIFEST))) {
      throw new ImsearchError('COLLECTION_EXISTS', `collection already exists at ${dir}`);
    }
    try {
      await fsp.mkdir(dir, { recursive: true });
    } catch (err) {
      throw storageError(err, `the collection folder ${dir}`);
    }
    const full: CollectionManifest = {
      formatVersion: COLLECTION_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      ...manifest,
    };
    const db = openDatabase(path.join(dir, DATABASE));
    try {
      await writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(full, null, 2));
    } catch (err) {
      db.close();
      throw storageError(err, path.join(dir, MANIFEST));
    }
    return new Collection(dir, full, db);
  }

  static async open(dir: string): Promise<Collection> {
    const manifest = await readManifest(dir);
    await removeStaleTemporaries(dir).catch(() => undefined); // a read-only folder has none to remove
    return new Collection(dir, manifest, openDatabase(path.join(dir, DATABASE)));
  }

  /** Removes a collection's folder (the caller has closed it). */
  static async destroy(dir: string): Promise<void> {
    try {
      await fsp.rm(dir, { recursive: true, force: true });
    } catch (err) {
      throw storageError(err, dir);
    }
  }

  /** Re-reads the manifest another process may have replaced. */
  async reloadManifest(): Promise<void> {
    this.manifestData = await readManifest(this.dir);
  }

  get manifest(): Readonly<CollectionManifest> {
    return this.manifestData;
  }

  get name(): string {
    return this.manifestData.name;
  }

  async updateManifest(patch: Partial<Omit<CollectionManifest, 'formatVersion' | 'name' | 'createdAt'>>): Promise<void> {
    const next = { ...this.manifestData, ...patch };
    try {
      await writeFileAtomic(path.join(this.dir, MANIFEST), JSON.stringify(next, null, 2));
    } catch (err) {
      throw storageError(err, path.join(this.dir, MANIFEST));
    }
    this.manifestData = next;
  }

  /**
   * Writes a derived file of the collection (metric artifact, fit report, index state) atomically;
   * storage faults come back as STORAGE_FULL / STORAGE_READ_ONLY naming the file.
   */
  async writeFile(name: string, data: Uint8Array | string): Promise<void> {
    const file = path.join(this.dir, name);
    try {
      await writeFileAtomic(file, data);
    } catch (err) {
      throw storageError(err, file);
    }
  }

  /** A derived file's bytes, or null when it does not exist. */
  async readFile(name: string): Promise<Buffer | null> {
    try {
      return await fsp.readFile(path.join(this.dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storageError(err, path.join(this.dir, name));
    }
  }

  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) this.statements.set(text, (stmt = this.db.prepare(text)));
    return stmt;
  }

  get ownCommits(): number {
    return this.commits;
  }

  /** Monotonic counter of committed writes to items and vectors. */
  version(): number {
    return (this.sql(`SELECT value FROM meta WHERE key = 'version'`).get() as { value: number }).value;
  }

  count(): number {
    return (this.sql('SELECT count(*) AS n FROM items').get() as { n: number }).n;
  }

  labels(): Map<string, number> {
    const rows = this.sql('SELECT label, count(*) AS n FROM items WHERE label IS NOT NULL GROUP BY label ORDER BY label').all() as { label: string; n: number }[];
    return new Map(rows.map((r) => [r.label, r.n]));
  }

  item(id: number): Item | undefined {
    return rowToItem(this.sql('SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined);
  }

  itemsByIds(ids: readonly number[]): Map<number, Item> {
    const out = new Map<number, Item>();
    const stmt = this.sql('SELECT * FROM items WHERE id = ?');
    for (const id of ids) {
      const item = rowToItem(stmt.get(id) as ItemRow | undefined);
      if (item) out.set(id, item);
    }
    return out;
  }

  /** The sha256 of every item's content (what an indexing run skips without decoding). */
  contentHashes(): Set<string> {
    return new Set((this.sql('SELECT sha256 FROM items').pluck().all() as string[]));
  }

  /** The largest item id there is (0 for none). */
  maxItemId(): number {
    return (this.sql('SELECT coalesce(max(id), 0) AS m FROM items').get() as { m: number }).m;
  }

  /** Items with an id above `id`, in id order (what another process added since). */
  itemsAfter(id: number): Item[] {
    return (this.sql('SELECT * FROM items WHERE id > ? ORDER BY id').all(id) as ItemRow[]).map((r) => rowToItem(r)!);
  }

  itemBySha256(sha256: string): Item | undefined {
    return rowToItem(this.sql('SELECT * FROM items WHERE sha256 = ?').get(sha256) as ItemRow | undefined);
  }

  /**
   * Cursor pagination by id: the items with `after` < id < `before` (either bound optional), in id
   * order; the first `limit` of that range, or with `fromEnd` the last `limit` (a page backwards).
   */
  items(opts: { after?: number; before?: number; limit: number; label?: string; fromEnd?: boolean }): Item[] {
    const where = ['id > ?', ...(opts.before === undefined ? [] : ['id < ?']), ...(opts.label === undefined ? [] : ['label = ?'])];
    const params = [opts.after ?? 0, ...(opts.before === undefined ? [] : [opts.before]), ...(opts.label === undefined ? [] : [opts.label])];
    const rows = this.db
      .prepare(`SELECT * FROM items WHERE ${where.join(' AND ')} ORDER BY id ${opts.fromEnd ? 'DESC' : 'ASC'} LIMIT ?`)
      .all(...params, opts.limit) as ItemRow[];
    if (opts.fromEnd) rows.reverse();
    return rows.map((r) => rowToItem(r)!);
  }

  /** All items in id order (the gallery order that breaks score ties). */
  allItems(): Item[] {
    return (this.sql('SELECT * FROM items ORDER BY id').all() as ItemRow[]).map((r) => rowToItem(r)!);
  }

  /**
   * Adds a batch in one transaction. Items whose content hash is already present are skipped
   * (re-indexing the same file is a no-op); returns the new ids, null for skipped entries.
   */
  addItems(batch: readonly NewItem[]): (number | null)[] {
    const models = new Map(this.manifestData.models.map((m) => [m.name, m.dim]));
    for (const item of batch) this.checkVectors(item, models);
    const insertItem = this.sql(
      'INSERT OR IGNORE INTO items (label, source, root, sha256, bytes, added_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertVector = this.sql('INSERT INTO vectors (item_id, model, view, data) VALUES (?, ?, ?, ?)');
    const run = this.db.transaction((items: readonly NewItem[]) => {
      const ids: (number | null)[] = [];
      const now = new Date().toISOString();
      for (const item of items) {
        const info = insertItem.run(item.label, item.source, item.root ?? null, item.sha256, item.bytes, now);
        if (info.changes === 0) {
          ids.push(null);
          continue;
        }
        const id = Number(info.lastInsertRowid);
        for (const [view, perModel] of Object.entries(item.vectors)) {
          for (const [model, vec] of Object.entries(perModel!)) {
            insertVector.run(id, model, view, Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength));
          }
        }
        ids.push(id);
      }
      if (ids.some((id) => id !== null)) this.bumpVersion();
      return ids;
    });
    return this.write(() => run(batch), 'add items to');
  }

  /** Removes items and their vectors; returns the ids that existed. Ids are never reused. */
  removeItems(ids: readonly number[]): number[] {
    const del = this.sql('DELETE FROM items WHERE id = ?');
    const delVectors = this.sql('DELETE FROM vectors WHERE item_id = ?');
    const run = this.db.transaction((list: readonly number[]) => {
      const removed: number[] = [];
      for (const id of list) {
        delVectors.run(id);
        if (del.run(id).changes > 0) removed.push(id);
      }
      if (removed.length) this.bumpVersion();
      return removed;
    });
    return this.write(() => run(ids), 'remove items from');
  }

  /** Raw embeddings of one model and view for every item, in id order. */
  vectors(model: string, view: View = 'orig'): VectorBlock {
    const dim = this.manifestData.models.find((m) => m.name === model)?.dim;
    if (dim === undefined) throw new ImsearchError('UNKNOWN_MODEL', `collection ${this.name} has no model ${model}`);
    const rows = this.sql('SELECT item_id, data FROM vectors WHERE model = ? AND view = ? ORDER BY item_id').all(model, view) as { item_id: number; data: Buffer }[];
    const ids = new Int32Array(rows.length);
    const data = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => {
      ids[i] = r.item_id;
      data.set(new Float32Array(r.data.buffer, r.data.byteOffset, dim), i * dim);
    });
    return { ids, data, dim };
  }

  /** Raw embeddings of one item (all models) for a view, or undefined when absent. */
  itemVectors(id: number, view: View = 'orig'): Record<string, Float32Array> | undefined {
    const rows = this.sql('SELECT model, data FROM vectors WHERE item_id = ? AND view = ?').all(id, view) as {
      model: string;
      data: Buffer;
    }[];
    if (!rows.length) return undefined;
    return Object.fromEntries(rows.map((r) => [r.model, new Float32Array(new Uint8Array(r.data).buffer)]));
  }

  /** SQLite's own consistency check of the item database: empty when sound, else what it found. */
  integrityProblems(): string[] {
    const rows = this.db.pragma('quick_check') as { quick_check: string }[];
    return rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  }

  close(): void {
    this.db.close();
  }

  private bumpVersion(): void {
    this.sql(`UPDATE meta SET value = value + 1 WHERE key = 'version'`).run();
    this.commits++;
  }

  /** A database write, with storage faults (full, read-only) in the error vocabulary. */
  private write<T>(fn: () => T, what: string): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ImsearchError) throw err;
      throw storageError(err, `${what} collection ${this.name} (${path.join(this.dir, DATABASE)})`);
    }
  }

  private checkVectors(item: NewItem, models: Map<string, number>): void {
    for (const view of this.manifestData.views) {
      const perModel = item.vectors[view];
      for (const [model, dim] of models) {
        const vec = perModel?.[model];
        if (!vec || vec.length !== dim) {
          throw new ImsearchError(
            'INTERNAL_SERVER_ERROR',
            `item ${item.source}: missing or wrong-sized ${view} vector for model ${model} (want ${dim})`,
          );
        }
      }
    }
  }
}

interface ItemRow {
  id: number;
  label: string | null;
  source: string;
  root: string | null;
  sha256: string;
  bytes: number;
  added_at: string;
}

function rowToItem(row: ItemRow | undefined): Item | undefined {
  if (!row) return undefined;
  return { id: row.id, label: row.label, source: row.source, root: row.root ?? null, sha256: row.sha256, bytes: row.bytes, addedAt: row.added_at };
}

async function readManifest(dir: string): Promise<CollectionManifest> {
  const manifestPath = path.join(dir, MANIFEST);
  let raw: string;
  try {
    raw = await fsp.readFile(manifestPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ImsearchError('UNKNOWN_COLLECTION', `no collection at ${dir} (missing ${MANIFEST})`);
    throw storageError(err, manifestPath);
  }
  let manifest: CollectionManifest;
  try {
    manifest = JSON.parse(raw) as CollectionManifest;
  } catch (err) {
    throw new ImsearchError('COLLECTION_BROKEN', `${manifestPath} is not valid JSON: ${(err as Error).message}`);
  }
  if (manifest.formatVersion !== COLLECTION_FORMAT_VERSION) {
    throw new ImsearchError('COLLECTION_BROKEN', `${manifestPath} has format version ${manifest.formatVersion}; this build reads ${COLLECTION_FORMAT_VERSION}`);
  }
  return { ...manifest, int8Sums: manifest.int8Sums ?? 'native' };
}

const READ_ONLY_FAULTS = new Set(['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'EROFS', 'EACCES', 'EPERM']);

/**
 * The item database of a read-only data directory (a read-only mount, a snapshot): SQLite cannot
 * open a WAL-mode file there (it must create the -shm file beside it), so the file is read into
 * memory and opened read-only. Reads work; every write fails with SQLITE_READONLY, which
 * Collection.write reports as STORAGE_READ_ONLY naming the file.
 */
function openReadOnlyCopy(file: string, cause: unknown): Database.Database {
  // Commits still in a -wal file would be missing from the copy: refuse rather than serve old data.
  if ((fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0) {
    throw new ImsearchError('STORAGE_READ_ONLY', `cannot read ${file}: the data directory is read-only and the database has commits not yet checkpointed (${file}-wal); open it once where it is writable`, {}, { cause });
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw storageError(err, file);
  }
  // Bytes 18-19 say WAL (2); a copy in memory has no WAL: say rollback journal (1).
  if (bytes.length >= 20) bytes.fill(1, 18, 20);
  return new Database(bytes, { readonly: true });
}

function openDatabase(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
  } catch (err) {
    db?.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code && READ_ONLY_FAULTS.has(code) && fs.existsSync(file)) return openReadOnlyCopy(file, err);
    throw storageError(err, file);
  }
  db.pragma('synchronous = FULL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT OR IGNORE INTO meta (key, value) VALUES ('version', 0);
    CREATE TABLE IF NOT EXISTS items (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      label TEXT,
      source TEXT NOT NULL,
      sha256 TEXT NOT NULL UNIQUE,
      bytes INTEGER NOT NULL,
      added_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS items_label ON items (label, id);
    CREATE TABLE IF NOT EXISTS vectors (
      item_id INTEGER NOT NULL,
      model TEXT NOT NULL,
      view TEXT NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (model, view, item_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS vectors_item ON vectors (item_id);
  `);
  // Databases made before items kept their root gain the column (null: the source's own folder).
  const columns = db.prepare('PRAGMA table_info(items)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'root')) db.exec('ALTER TABLE items ADD COLUMN root TEXT');
  return db;
}
