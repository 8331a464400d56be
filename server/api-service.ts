/**
 * The operations the resolvers call: each looks up the collection, checks its input, and calls
 * the search layer (CollectionSearcher, Collection, the indexer). Writes to a collection run one
 * at a time behind its lock; searches never wait for them.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseIndexSpec } from '../indexes/spec.js';
import { sniffFormat } from '../models/image/decode.js';
import { CollectionSearcher, type Match, type SearchRequest } from '../search/collection-searcher.js';
import type { EmbeddedFile, FailedFile, ImageEmbedder } from '../search/embedder-port.js';
import type { IndexReport } from '../search/indexer.js';
import { thresholdFor } from '../search/search-config.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { Collection, type Item } from '../store/collection.js';
import { sha256Hex } from '../store/file-hash.js';
import { listLabelledFiles, type ListedFile } from '../store/folder-listing.js';
import type { Catalog, LoadedCollection } from './catalog.js';
import type { ServerLimits } from './config.js';
import { ApiError } from './errors.js';
import type { JobRecord, JobRegistry } from './jobs.js';
import { type FitMode, type FitOutcome, FitWorkerError, fitInWorker } from './metric-fit-job.js';
import { calibratedPrecisions } from './search-summary.js';
import type { AllowedRoots } from './roots.js';
import type { RequestTiming } from './timing.js';
import type { ReceivedFile } from './uploads.js';

export interface UploadOutcome {
  index: number;
  filename: string;
  status: 'ADDED' | 'UNCHANGED' | 'FAILED';
  item: Item | null;
  code: string | null;
  reason: string | null;
  message: string | null;
}

const ID = /^[1-9][0-9]{0,14}$/;

/** Item ids are positive integers, given as GraphQL IDs (strings). */
export function parseItemId(id: string | number, collection: string): number {
  const s = String(id);
  if (!ID.test(s)) throw new ApiError('UNKNOWN_ITEM', `no item ${JSON.stringify(s)} in collection ${collection}: item ids are positive integers`);
  return Number(s);
}

const CURSOR_PREFIX = 'item:';
const MAX_LABEL = 200;

export function encodeCursor(id: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const s = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = s.startsWith(CURSOR_PREFIX) ? s.slice(CURSOR_PREFIX.length) : '';
  if (!ID.test(id)) throw new ApiError('BAD_CURSOR', `${JSON.stringify(cursor)} is not a cursor this server gave out`);
  return Number(id);
}

export class ApiService {
  constructor(
    readonly catalog: Catalog,
    readonly jobs: JobRegistry,
    private readonly roots: AllowedRoots,
    readonly limits: ServerLimits,
    private readonly dataDir: string,
  ) {}

  collection(name?: string | null): LoadedCollection {
    return this.catalog.get(name);
  }

  async searchImage(name: string | null | undefined, image: Buffer, request: SearchRequest, timing: RequestTiming): Promise<{ collection: LoadedCollection; matches: Match[] }> {
    const c = this.catalog.get(name);
    const req = checkRequest(c, request);
    const { matches, timing: t } = await c.searcher.searchImage(c.embedder, image, req);
    timing.add('embedMs', t.embedMs);
    timing.add('searchMs', t.searchMs);
    return { collection: c, matches };
  }

  async similarTo(name: string | null | undefined, id: string, request: SearchRequest, timing: RequestTiming): Promise<{ collection: LoadedCollection; matches: Match[] }> {
    const c = this.catalog.get(name);
    const itemId = parseItemId(id, c.name);
    const req = checkRequest(c, request);
    const matches = await timing.time('searchMs', () => c.searcher.similarTo(itemId, req));
    return { collection: c, matches };
  }

  item(name: string | null | undefined, id: string): { collection: LoadedCollection; item: Item } {
    const c = this.catalog.get(name);
    const item = c.collection.item(parseItemId(id, c.name));
    if (!item) throw new ApiError('UNKNOWN_ITEM', `no item ${id} in collection ${c.name}`);
    return { collection: c, item };
  }

  items(
    name: string | null | undefined,
    page: { first: number; after?: string | null; label?: string | null },
  ): { collection: LoadedCollection; items: Item[]; hasNextPage: boolean; totalCount: number } {
    const c = this.catalog.get(name);
    if (!Number.isInteger(page.first) || page.first < 0 || page.first > this.limits.maxPageSize) {
      throw new ApiError('BAD_USER_INPUT', `first must be an integer from 0 to ${this.limits.maxPageSize}, received ${page.first}`);
    }
    const after = page.after ? decodeCursor(page.after) : 0;
    const label = page.label ?? undefined;
    const rows = c.collection.items({ after, limit: page.first + 1, label });
    const totalCount = label === undefined ? c.collection.count() : (c.collection.labels().get(label) ?? 0);
    return { collection: c, items: rows.slice(0, page.first), hasNextPage: rows.length > page.first, totalCount };
  }

  /**
   * Adds uploaded images to a collection: each is kept under <dataDir>/uploads/<collection>/ by
   * content hash (the item's source), then embedded and indexed. Per-file outcomes: ADDED,
   * UNCHANGED (the same content is already in the collection) or FAILED with the decoder's reason.
   */
  async addImages(name: string | null | undefined, uploads: readonly (ReceivedFile & { label: string | null })[]): Promise<UploadOutcome[]> {
    const c = this.catalog.get(name);
    if (uploads.length > this.limits.maxFiles) {
      throw new ApiError('TOO_MANY_FILES', `${uploads.length} files in one request; the limit is ${this.limits.maxFiles}`);
    }
    for (const u of uploads) {
      if (u.label !== null && (u.label.trim() === '' || u.label.length > MAX_LABEL)) {
        throw new ApiError('BAD_USER_INPUT', `a label must be 1 to ${MAX_LABEL} characters, not blank (upload ${JSON.stringify(u.filename)})`);
      }
    }
    return c.writes.run(async () => {
      const dir = path.join(this.dataDir, 'uploads', c.name);
      await fsp.mkdir(dir, { recursive: true });
      const outcomes: UploadOutcome[] = [];
      const files: ListedFile[] = [];
      const fresh = new Set<string>();
      const pathOf = new Map<number, string>();
      for (const [index, u] of uploads.entries()) {
        const base = { index, filename: u.filename, item: null };
        const format = sniffFormat(u.data);
        if (!format || u.data.length === 0) {
          outcomes.push({ ...base, status: 'FAILED', code: 'BAD_IMAGE', reason: u.data.length ? 'not-image' : 'empty', message: `${u.filename} is not an image in a supported format` });
          continue;
        }
        const file = path.join(dir, `${sha256Hex(u.data)}.${format === 'jpeg' ? 'jpg' : format}`);
        if (!fs.existsSync(file)) {
          await writeFileAtomic(file, u.data);
          fresh.add(file);
        }
        files.push({ path: file, label: u.label });
        pathOf.set(index, file);
        outcomes.push({ ...base, status: 'UNCHANGED', code: null, reason: null, message: null });
      }
      const report = files.length ? await c.searcher.addFiles(c.embedder, files) : null;
      const failedByPath = new Map((report?.failed ?? []).map((f) => [f.path, f]));
      const added = new Set(report?.addedIds ?? []);
      for (const o of outcomes) {
        const file = pathOf.get(o.index);
        if (!file) continue;
        const failed = failedByPath.get(file);
        if (failed) {
          Object.assign(o, { status: 'FAILED', code: failed.reason === 'too-large-bytes' ? 'UPLOAD_TOO_LARGE' : 'BAD_IMAGE', reason: failed.reason, message: failed.message.replaceAll(file, o.filename) });
          continue;
        }
        const item = c.collection.itemBySha256(path.basename(file).split('.')[0]) ?? null;
        o.item = item;
        o.status = item && added.has(item.id) && !outcomes.some((p) => p !== o && p.index < o.index && p.item?.id === item.id) ? 'ADDED' : 'UNCHANGED';
      }
      // Files that did not become items are not kept.
      for (const file of fresh) if (failedByPath.has(file)) await fsp.rm(file, { force: true });
      return outcomes;
    });
  }

  /** Starts a job indexing a server-side folder (inside the configured roots) into a collection. */
  async indexFolder(name: string | null | undefined, requested: string): Promise<JobRecord> {
    const c = this.catalog.get(name);
    const folder = await this.roots.folder(requested);
    return this.jobs.start('INDEX_FOLDER', c.name, folder, (work) => c.writes.run(work), async (job) => {
      const files = await listLabelledFiles(folder);
      job.progress({ done: 0, total: files.length });
      const relative = (p: string) => path.relative(folder, p) || path.basename(p);
      const embedder = observeFailures(c.embedder, (f) => job.fail({ path: relative(f.path), reason: f.reason, message: f.message.replaceAll(folder + path.sep, '') }));
      const report: IndexReport = await c.searcher.addFiles(embedder, files, (p) => job.progress(p));
      job.job.failures = report.failed.map((f) => ({ path: relative(f.path), reason: f.reason, message: f.message.replaceAll(folder + path.sep, '') }));
      job.progress({ done: report.listed, total: report.listed });
      return {
        added: report.added,
        unchanged: report.unchanged,
        message: `${report.added} added, ${report.unchanged} unchanged, ${report.failed.length} failed in ${report.seconds.toFixed(1)} s`,
      };
    });
  }

  /** Removes items (all or none: an unknown id is UNKNOWN_ITEM and nothing is removed). */
  async removeItems(name: string | null | undefined, ids: readonly string[]): Promise<{ collection: LoadedCollection; removed: number[] }> {
    const c = this.catalog.get(name);
    const numeric = [...new Set(ids.map((id) => parseItemId(id, c.name)))];
    const removed = await c.writes.run(async () => {
      const found = c.collection.itemsByIds(numeric);
      const missing = numeric.filter((id) => !found.has(id));
      if (missing.length) throw new ApiError('UNKNOWN_ITEM', `no item ${missing.join(', ')} in collection ${c.name}; nothing was removed`, { ids: missing.map(String) });
      const gone = await c.searcher.remove(numeric);
      // Uploaded originals belong to their item (one file per content hash): remove them too.
      const uploads = path.join(this.dataDir, 'uploads', c.name) + path.sep;
      for (const id of gone) {
        const source = found.get(id)?.source;
        if (source?.startsWith(uploads)) await fsp.rm(source, { force: true });
      }
      return gone;
    });
    return { collection: c, removed };
  }

  /**
   * Starts a job that fits the collection's learned metric and re-rankers by cross-validation
   * inside its labelled items and makes them its search defaults (search/metric-fit.ts). The fit
   * runs in a worker thread; then the collection's searcher is reopened on the new metric and
   * index. NOT_LABELLED at once when the labels cannot support a fit.
   */
  fitMetric(name: string | null | undefined, options: { mode: FitMode; folds: number }): JobRecord {
    const c = this.catalog.get(name);
    if (!Number.isInteger(options.folds) || options.folds < 1 || options.folds > MAX_FIT_FOLDS) {
      throw new ApiError('BAD_USER_INPUT', `folds must be an integer from 1 to ${MAX_FIT_FOLDS}, received ${options.folds}`);
    }
    checkLabelled(c);
    const target = `mode=${options.mode} folds=${options.folds}`;
    return this.jobs.start('FIT_METRIC', c.name, target, (work) => c.writes.run(work), async (job) => {
      // The labels may have changed while the job was queued.
      checkLabelled(c);
      const t0 = performance.now();
      job.progress({ done: 0, total: 0 });
      let outcome: FitOutcome;
      try {
        outcome = await fitInWorker(
          { dir: c.collection.dir, collection: c.name, mode: options.mode, folds: options.folds },
          {
            signal: job.signal,
            onProgress: (p) => {
              job.progress({ done: p.evaluated, total: 0 });
              if (p.best) job.job.message = `cross-validating: ${p.evaluated} settings evaluated, best so far ${p.best.method} (pcaDim ${p.best.pcaDim}) MAP@10 ${p.best.map.toFixed(4)}`;
            },
          },
        );
      } catch (err) {
        await adoptManifestOnDisk(c);
        if (err instanceof FitWorkerError && err.cancelled) throw new ApiError('CANCELLED', err.message);
        throw err instanceof FitWorkerError && err.cause instanceof Error ? err.cause : err;
      }
      // The worker wrote the artifact and the manifest: adopt the manifest, then open a searcher on
      // it (this rebuilds the index in the new space, here: see server/metric-fit-worker.ts).
      await c.collection.updateManifest(outcome.manifest);
      await c.use(await CollectionSearcher.open(c.collection), outcome.report.cv.params);
      const { report } = outcome;
      const evaluated = report.cv.table.length + report.cv.rerankTable.length;
      job.progress({ done: evaluated, total: evaluated });
      const s = report.cv.scores;
      return {
        fit: report,
        message:
          `${report.cv.params.method} (pcaDim ${report.cv.params.pcaDim}, ${report.defaults.mode}) chosen from ${evaluated} settings: ` +
          `CV MAP@10 ${s.reranked.map.toFixed(4)} (metric ${s.metric.map.toFixed(4)}, cosine ${s.baseline.map.toFixed(4)}); ` +
          `index ${c.searcher.indexSpec} over ${c.searcher.size} items; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      };
    });
  }

  /** Starts a job that rebuilds the collection's index with another spec (from stored embeddings). */
  rebuildIndex(name: string | null | undefined, spec: string): JobRecord {
    const c = this.catalog.get(name);
    parseIndexSpec(spec);
    return this.jobs.start('REBUILD_INDEX', c.name, spec, (work) => c.writes.run(work), async (job) => {
      const total = c.collection.count();
      job.progress({ done: 0, total });
      const previous = c.collection.manifest.indexSpec;
      const t0 = performance.now();
      await c.collection.updateManifest({ indexSpec: spec });
      try {
        await c.use(await CollectionSearcher.open(c.collection));
      } catch (err) {
        await c.collection.updateManifest({ indexSpec: previous });
        throw err;
      }
      job.progress({ done: total, total });
      return { message: `index ${c.searcher.indexSpec} built over ${c.searcher.size} items in ${((performance.now() - t0) / 1000).toFixed(1)} s (was ${previous})` };
    });
  }
}

export const MAX_FIT_FOLDS = 10;

/** UNKNOWN_MODEL before the (costly) embedding rather than after it. */
export function checkModels(c: LoadedCollection, models: readonly string[] | undefined): void {
  const known = c.searcher.modelNames();
  const unknown = (models ?? []).filter((m) => !known.includes(m));
  if (unknown.length) {
    throw new ApiError('UNKNOWN_MODEL', `collection ${c.name} has no model ${unknown.map((m) => `"${m}"`).join(', ')} (it has: ${known.join(', ')})`);
  }
}

/**
 * After a fit that failed or was cancelled: when the worker got as far as writing the manifest,
 * the collection's in-memory manifest (which later writes start from) adopts it, and the searcher
 * follows.
 */
async function adoptManifestOnDisk(c: LoadedCollection): Promise<void> {
  const disk = await Collection.open(c.collection.dir);
  const { metric, searchDefaults } = disk.manifest;
  disk.close();
  if (metric?.hash === c.collection.manifest.metric?.hash) return;
  await c.collection.updateManifest({ metric, searchDefaults });
  await c.use(await CollectionSearcher.open(c.collection));
}

/** NOT_LABELLED unless at least two classes have two or more labelled items (what a metric fit needs). */
export function checkLabelled(c: LoadedCollection): void {
  const labels = [...c.collection.labels()].filter(([label]) => label !== '');
  const usable = labels.filter(([, n]) => n >= 2).length;
  if (usable < 2) {
    const labelled = labels.reduce((a, [, n]) => a + n, 0);
    throw new ApiError(
      'NOT_LABELLED',
      `collection ${c.name} cannot be fitted: a metric is learned from labels and needs at least 2 classes with 2 or more labelled items each; ` +
        `it has ${labelled} labelled of ${c.collection.count()} items in ${labels.length} class(es), ${usable} with 2 or more ` +
        '(index class folders, or add images with labels)',
    );
  }
}

/**
 * The request as the search layer should see it, checked before the (costly) embedding:
 * UNKNOWN_MODEL; naming every model of the collection is the default (the whole ensemble, with
 * its fitted metric); minPrecision needs a threshold calibrated at least that high, and applies
 * to the whole ensemble only (the thresholds are calibrated for its learned metric).
 */
export function checkRequest(c: LoadedCollection, req: SearchRequest): SearchRequest {
  checkModels(c, req.models);
  const all = c.searcher.modelNames();
  const subset = req.models?.length && !all.every((m) => req.models!.includes(m)) ? req.models : undefined;
  if (req.minPrecision !== undefined) {
    const calibrated = calibratedPrecisions(c.search);
    const defaults = c.searcher.searchDefaults;
    if (!defaults || !thresholdFor(defaults, req.minPrecision)) {
      throw new ApiError(
        'NOT_CALIBRATED',
        `collection ${c.name} has no threshold calibrated for precision ${req.minPrecision}: ` +
          (calibrated.length ? `it has thresholds up to ${calibrated[calibrated.length - 1]} (${calibrated.join(', ')})` : 'fit its metric first (fitMetric, or imsearch fit)'),
      );
    }
    if (subset) {
      throw new ApiError('NOT_CALIBRATED', `minPrecision thresholds are calibrated for collection ${c.name}'s learned metric over all its models (${all.join(', ')}); leave out models, or minPrecision`);
    }
  }
  return { ...req, models: subset };
}

/** The embedder, reporting each file it fails on as it goes (for live job progress). */
function observeFailures(e: ImageEmbedder, onFailed: (f: FailedFile) => void): ImageEmbedder {
  return {
    models: e.models,
    crop: e.crop,
    async *embedFiles(paths, views): AsyncIterable<EmbeddedFile | FailedFile> {
      for await (const r of e.embedFiles(paths, views)) {
        if (!r.ok) onFailed(r);
        yield r;
      }
    },
    embedImage: (input, views) => e.embedImage(input, views),
    close: async () => undefined,
  };
}
