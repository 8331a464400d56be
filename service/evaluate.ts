import { createHash } from 'node:crypto';
import path from 'node:path';
import fs from 'node:fs';
import { Collection, type View } from '../store/collection.js';
import { listLabelledFiles } from '../store/folder-listing.js';
import type { ImageEmbedder } from './embedder-port.js';
import { ImsearchError } from '../errors/error-codes.js';
import { CollectionSearcher } from './collection-searcher.js';
import { type CalibratedCut, thresholdFor } from './search-config.js';
import { indexFiles, type IndexProgress, type SkippedFile } from './indexing.js';
import { type RetrievalScores, recallAtK, scoreRetrieval } from '../metric/index.js';
import { type FitOptions, type FitReport, clearCollectionMetric, currentFit, fitCollectionMetric } from './metric-fit.js';

export interface EvalOptions {
  gallery: string;
  queries: string;
  /** Where cached eval collections live (raw embeddings are reused across runs). */
  workDir: string;
  embedder: ImageEmbedder;
  models: readonly { name: string; weight: number }[];
  views: readonly View[];
  indexSpec: string;
  k?: number;
  /** Fit the metric and re-rankers on the gallery (cross-validation inside it) before searching; false = plain cosine. */
  fit?: FitOptions | false;
  /** Calibrated "up to k": ask every query for this precision (needs fit). */
  minPrecision?: number;
  onProgress?: (stage: 'gallery' | 'queries', p: IndexProgress) => void;
}

export interface EvalResult extends RetrievalScores {
  k: number;
  indexSpec: string;
  models: { name: string; weight: number }[];
  crop: boolean;
  views: View[];
  galleryItems: number;
  /** Recall@k of the chosen index against exact inner-product search (1 for exact). */
  recallAtK: number;
  /** Mean single-query search time (ms), embedding excluded. */
  queryMs: number;
  skipped: SkippedFile[];
  /** The fitted configuration, when `fit` was asked for. */
  fit: FitReport | null;
  /** With minPrecision: results returned per query and the fraction of them sharing the query's class. */
  cut: { meanResults: number; precision: number } | null;
}

/**
 * The evaluation protocol of docs/ARCHITECTURE.md: index the gallery, search each query image (never
 * indexed: its embeddings live in a separate cache collection that nothing is fitted on), and
 * score the top k by label.
 */
export async function evaluate(opts: EvalOptions): Promise<EvalResult> {
  const k = opts.k ?? 10;
  const { gallery, queries } = await evalCollections(opts);
  try {
    await gallery.collection.updateManifest({ indexSpec: opts.indexSpec });
    // The cached gallery keeps its fitted metric: refit only when its items or the options changed.
    const fit = opts.fit ? ((await currentFit(gallery.collection, opts.fit)) ?? (await fitCollectionMetric(gallery.collection, opts.fit))) : null;
    if (!opts.fit) await clearCollectionMetric(gallery.collection);
    const searcher = await CollectionSearcher.open(gallery.collection);
    const exact = opts.indexSpec === 'flat' ? searcher : await CollectionSearcher.open(gallery.collection, { ephemeral: 'flat' });
    const relevant = gallery.collection.labels();
    const cut = opts.minPrecision === undefined ? undefined : calibratedCut(searcher, opts.minPrecision);
    const outcomes = [];
    const approxIds: number[][] = [];
    const exactIds: number[][] = [];
    let searchMs = 0;
    let returned = 0;
    let correct = 0;
    for (const item of queries.collection.allItems()) {
      const vectors: Partial<Record<View, Record<string, Float32Array>>> = {};
      for (const v of opts.views) vectors[v] = queries.collection.itemVectors(item.id, v);
      const t0 = performance.now();
      const matches = await searcher.searchVectors(vectors, { k, cut });
      searchMs += performance.now() - t0;
      returned += matches.length;
      correct += matches.filter((m) => m.item.label === item.label).length;
      outcomes.push({
        label: item.label ?? '',
        retrievedLabels: matches.map((m) => m.item.label ?? ''),
        relevantTotal: relevant.get(item.label ?? '') ?? 0,
      });
      approxIds.push(matches.map((m) => m.item.id));
      if (exact !== searcher) exactIds.push((await exact.searchVectors(vectors, { k })).map((m) => m.item.id));
    }
    const scores = scoreRetrieval(outcomes, k);
    return {
      ...scores,
      k,
      indexSpec: searcher.indexSpec,
      models: opts.models.map((m) => ({ ...m })),
      crop: opts.embedder.crop,
      views: [...opts.views],
      galleryItems: searcher.size,
      recallAtK: exact === searcher ? 1 : recallAtK(approxIds, exactIds, k),
      queryMs: outcomes.length ? searchMs / outcomes.length : 0,
      skipped: [...gallery.skipped, ...queries.skipped],
      fit,
      cut: opts.minPrecision === undefined ? null : { meanResults: returned / Math.max(1, outcomes.length), precision: correct / Math.max(1, returned) },
    };
  } finally {
    gallery.collection.close();
    queries.collection.close();
  }
}

/**
 * The gallery and query folders embedded into two cached collections (resumable; a second run
 * re-embeds nothing). The query collection is only ever read: nothing is fitted on it.
 */
export async function evalCollections(
  opts: Pick<EvalOptions, 'gallery' | 'queries' | 'workDir' | 'embedder' | 'models' | 'views' | 'onProgress'>,
): Promise<{ gallery: CachedCollection; queries: CachedCollection }> {
  return {
    gallery: await cachedCollection(opts, 'gallery', opts.gallery),
    queries: await cachedCollection(opts, 'queries', opts.queries),
  };
}

export interface CachedCollection {
  collection: Collection;
  skipped: SkippedFile[];
}

async function cachedCollection(
  opts: Pick<EvalOptions, 'workDir' | 'embedder' | 'models' | 'views' | 'onProgress'>,
  role: 'gallery' | 'queries',
  folder: string,
): Promise<CachedCollection> {
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        folder: path.resolve(folder),
        models: opts.embedder.models,
        weights: opts.models,
        crop: opts.embedder.crop,
        int8Sums: opts.embedder.int8Sums,
        views: opts.views,
      }),
    )
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(opts.workDir, `eval-${role}-${key}`);
  const collection = fs.existsSync(path.join(dir, 'manifest.json'))
    ? await Collection.open(dir)
    : await Collection.create(dir, {
        name: `eval-${role}-${key}`,
        models: opts.embedder.models.map((m) => ({
          ...m,
          weight: opts.models.find((w) => w.name === m.name)?.weight ?? 1,
        })),
        crop: opts.embedder.crop,
        int8Sums: opts.embedder.int8Sums,
        views: [...opts.views],
        indexSpec: 'flat',
        metric: null,
        searchDefaults: {},
      });
  const listing = await listLabelledFiles(folder);
  const report = await indexFiles(collection, opts.embedder, listing.files, {
    onProgress: (p) => opts.onProgress?.(role, p),
  });
  return { collection, skipped: [...listing.skipped, ...report.failed] };
}

function calibratedCut(searcher: CollectionSearcher, precision: number): CalibratedCut {
  const fit = searcher.searchDefaults ? thresholdFor(searcher.searchDefaults, precision) : null;
  if (!fit) throw new ImsearchError('NOT_CALIBRATED', `no threshold calibrated for precision ${precision}: pass --fit, or a lower --min-precision`);
  return fit;
}
