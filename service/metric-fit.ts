import { createHash } from 'node:crypto';
import { DEFAULT_CV_SEED, Metric, crossValidateMetric, serializeArtifact, type CvOptions, type CvResult } from '../metric/index.js';
import type { Collection } from '../store/collection.js';
import { ImsearchError } from '../errors/error-codes.js';
import { galleryMatrix } from './ensemble-space.js';
import type { SearchDefaults } from './search-config.js';

export interface FitOptions {
  /** Where the metric plugs in (default transform: the index searches the learned metric). */
  mode?: SearchDefaults['mode'];
  /** Shortlist re-ranked per query (default 100). */
  shortlist?: number;
  cv?: Omit<CvOptions, 'sourceHash' | 'shortlist'>;
}

export interface FitReport {
  defaults: SearchDefaults;
  metricHash: string;
  cv: Omit<CvResult, 'artifact' | 'calibrationPairs'>;
}

/**
 * Fits the collection's metric and re-rankers by cross-validation inside its own labelled items
 * (nothing else is looked at), stores the artifact beside the collection and makes the chosen
 * configuration the collection's search default. The index is rebuilt on the next open.
 */
export async function fitCollectionMetric(collection: Collection, opts: FitOptions = {}): Promise<FitReport> {
  const views = collection.manifest.views;
  const matrix = galleryMatrix(collection, views);
  const items = collection.allItems();
  if (items.length !== matrix.ids.length || items.some((it, i) => it.id !== matrix.ids[i])) {
    throw new ImsearchError('COLLECTION_BROKEN', `collection ${collection.name}: items and stored embeddings disagree; re-index it`);
  }
  const labels = items.map((i) => i.label);
  if (!labels.some((l) => l !== null && l !== '')) {
    throw new ImsearchError('NOT_LABELLED', `collection ${collection.name} has no labelled items: a metric is learned from labels (index class folders, or upload with labels)`);
  }
  const shortlist = opts.shortlist ?? 100;
  // Item ids put the rows in a canonical order, so the selection does not depend on how they were read.
  const cv = crossValidateMetric(matrix.data, matrix.dim, labels, {
    ...opts.cv,
    ids: Array.from(matrix.ids),
    // The models' blocks, so the CV also chooses their relative weights (stored in the artifact).
    blocks: collection.manifest.models.map((m) => m.dim),
    shortlist,
    sourceHash: sourceHash(collection),
  });
  const metric = new Metric(cv.artifact!);
  const hash = metric.hash();
  const file = `metric-${hash.replace(/^sha256:/, '').slice(0, 16)}.json`;
  await collection.writeFile(file, serializeArtifact(cv.artifact!));
  const defaults: SearchDefaults = {
    mode: opts.mode ?? 'transform',
    shortlist,
    vote: cv.rerank.vote,
    qe: cv.rerank.qe,
    thresholds: cv.thresholds,
  };
  const { artifact: _a, calibrationPairs: _p, ...summary } = cv;
  const report: FitReport = { defaults, metricHash: hash, cv: summary };
  const stored: StoredFitReport = { ...report, version: collection.version(), options: { mode: defaults.mode, shortlist, seed: cv.split.seed } };
  await collection.writeFile(REPORT, JSON.stringify(stored));
  await collection.updateManifest({ metric: { file, hash }, searchDefaults: { ...defaults } });
  return report;
}

const REPORT = 'fit-report.json';

interface StoredFitReport extends FitReport {
  version: number;
  options: { mode: SearchDefaults['mode']; shortlist: number; seed: number };
}

/**
 * The report of the metric the collection serves now, when it was fitted on exactly the
 * collection's current items with these options (else null: fit again).
 */
export async function currentFit(collection: Collection, opts: FitOptions = {}): Promise<FitReport | null> {
  let stored: StoredFitReport;
  try {
    const bytes = await collection.readFile(REPORT);
    if (!bytes) return null;
    stored = JSON.parse(bytes.toString('utf8')) as StoredFitReport;
  } catch {
    return null;
  }
  const fresh =
    stored.metricHash === collection.manifest.metric?.hash &&
    stored.version === collection.version() &&
    stored.options.mode === (opts.mode ?? 'transform') &&
    stored.options.shortlist === (opts.shortlist ?? 100) &&
    stored.options.seed === (opts.cv?.seed ?? DEFAULT_CV_SEED);
  if (!fresh) return null;
  const { version: _v, options: _o, ...report } = stored;
  return report;
}

/** Drops the fitted metric: the collection goes back to plain cosine. */
export async function clearCollectionMetric(collection: Collection): Promise<void> {
  await collection.updateManifest({ metric: null, searchDefaults: {} });
}

function sourceHash(collection: Collection): string {
  const m = collection.manifest;
  return createHash('sha256')
    .update(JSON.stringify({ models: m.models, views: m.views, crop: m.crop }))
    .digest('hex');
}
