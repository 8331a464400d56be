import { createHash } from 'node:crypto';
import type { CvOptions, CvResult } from '../metric/index.js';
import { DEFAULT_CV_SEED } from '../metric/params.js';
import type { Collection } from '../store/collection.js';
import { ImsearchError } from '../errors/error-codes.js';
import { galleryViewMatrices } from './ensemble-space.js';
import type { SearchDefaults } from './search-config.js';

/**
 * Size of the groups of classes that in turn calibrate as "not in the collection", as a share of
 * the classes (metric/cv-calibration.ts; every class serves once), so "up to k" at precision p
 * also holds back the wrong matches of photos of other classes.
 */
export const UNFAMILIAR_CLASSES = 0.2;

/**
 * Whether each calibrated threshold comes with an open-set condition (metric/open-set.ts): past
 * its first result, a query whose class decision is unsure gets nothing at a minPrecision, so a
 * photo of a class the collection lacks does not come back with ten confident wrong matches.
 */
export const OPEN_SET = true;

/**
 * How the stored fit was calibrated, for currentFit: a report from an older calibration is not
 * the fit these options give now (2: every class a stranger once, metric/cv-calibration.ts).
 */
const CALIBRATION = 2;

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
  // Each view's rows beside the pooled ones (one read of the stored vectors): the head may train on them as extra rows.
  const { pooled: matrix, perView } = galleryViewMatrices(collection, views);
  const items = collection.allItems();
  if (items.length !== matrix.ids.length || items.some((it, i) => it.id !== matrix.ids[i])) {
    throw new ImsearchError('COLLECTION_BROKEN', `collection ${collection.name}: items and stored embeddings disagree; re-index it`);
  }
  const labels = items.map((i) => i.label);
  if (!labels.some((l) => l !== null && l !== '')) {
    throw new ImsearchError('NOT_LABELLED', `collection ${collection.name} has no labelled items: a metric is learned from labels (index class folders, or upload with labels)`);
  }
  const shortlist = opts.shortlist ?? 100;
  // Loaded here: the fitting code takes ~150 ms to load, and the processes that only search (the
  // CLI's search, a server between fits) read this module for the fit report alone.
  const { Metric, crossValidateMetric, fitProbabilityCurve, serializeArtifact } = await import('../metric/index.js');
  // Item ids put the rows in a canonical order, so the selection does not depend on how they were read.
  const unfamiliarClasses = opts.cv?.unfamiliarClasses ?? UNFAMILIAR_CLASSES;
  const openSet = opts.cv?.openSet ?? OPEN_SET;
  const cv = crossValidateMetric(matrix.data, matrix.dim, labels, {
    ...opts.cv,
    unfamiliarClasses,
    openSet,
    ids: Array.from(matrix.ids),
    views: perView,
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
    probability: fitProbabilityCurve(cv.calibrationPairs.scores, cv.calibrationPairs.same),
  };
  const { artifact: _a, calibrationPairs: _p, ...summary } = cv;
  const report: FitReport = { defaults, metricHash: hash, cv: summary };
  const fittedOn = { count: items.length, maxId: items.reduce((m, i) => Math.max(m, i.id), 0) };
  const stored: StoredFitReport = { ...report, version: collection.version(), items: fittedOn, options: { mode: defaults.mode, shortlist, seed: cv.split.seed, unfamiliarClasses, openSet, calibration: CALIBRATION } };
  await collection.writeFile(REPORT, JSON.stringify(stored));
  await collection.updateManifest({ metric: { file, hash }, searchDefaults: { ...defaults } });
  return report;
}

const REPORT = 'fit-report.json';

/** The items a fit saw: how many, and the largest id (ids are never reused, so later ones are additions). */
export interface FittedItems {
  count: number;
  maxId: number;
}

interface StoredFitReport extends FitReport {
  version: number;
  /** Absent in reports written before it was recorded. */
  items?: FittedItems;
  /** calibration: absent in reports of the first calibration (1). */
  options: { mode: SearchDefaults['mode']; shortlist: number; seed: number; unfamiliarClasses?: number; openSet?: boolean; calibration?: number };
}

/**
 * The report of the metric the collection serves now, when it was fitted on exactly the
 * collection's current items with these options (else null: fit again).
 */
export async function currentFit(collection: Collection, opts: FitOptions = {}): Promise<FitReport | null> {
  const stored = await servedFitReport(collection);
  const fresh =
    stored !== null &&
    stored.version === collection.version() &&
    stored.options.mode === (opts.mode ?? 'transform') &&
    stored.options.shortlist === (opts.shortlist ?? 100) &&
    stored.options.seed === (opts.cv?.seed ?? DEFAULT_CV_SEED) &&
    stored.options.unfamiliarClasses === (opts.cv?.unfamiliarClasses ?? UNFAMILIAR_CLASSES) &&
    (stored.options.openSet ?? false) === (opts.cv?.openSet ?? OPEN_SET) &&
    (stored.options.calibration ?? 1) === CALIBRATION;
  if (!fresh) return null;
  const { version: _v, options: _o, items: _i, ...report } = stored;
  return report;
}

/**
 * What the served metric was fitted on: its items, and whether the collection is still at the
 * fit's version; null without a fitted metric (or its report). `items` is null for a report
 * written before the items were recorded.
 */
export async function servedFitItems(collection: Collection): Promise<{ items: FittedItems | null; sameVersion: boolean } | null> {
  const stored = await servedFitReport(collection);
  return stored && { items: stored.items ?? null, sameVersion: stored.version === collection.version() };
}

/** The stored report of the metric the manifest names, or null. */
async function servedFitReport(collection: Collection): Promise<StoredFitReport | null> {
  let stored: StoredFitReport;
  try {
    const bytes = await collection.readFile(REPORT);
    if (!bytes) return null;
    stored = JSON.parse(bytes.toString('utf8')) as StoredFitReport;
  } catch {
    return null;
  }
  return stored.metricHash === collection.manifest.metric?.hash ? stored : null;
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
