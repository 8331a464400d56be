/**
 * Hyperparameter selection by cross-validation inside the gallery only, then the refit.
 *
 * Per fold (cv-folds.ts), a seeded split holds out a fraction of every class; the metric is fitted
 * on the rest (PCA included: the fold's scatter is the gallery's minus the held-out part), the
 * held-out items query the fitted part as gallery, and MAP@k is computed by retrieval-scores.ts
 * exactly as the evaluation protocol defines it. Queries of the real evaluation are never seen.
 *
 * Stages, each its own module: metric params (cv-metric-search.ts: baseline, method × dimension,
 * regularisation around the leaders), re-ranking on the chosen metric's shortlists
 * (cv-rerank-search.ts: α-QE and the class vote through the shortlist chain), ensemble weights
 * when the input's blocks are given (cv-ensemble-search.ts: the chosen metric and the re-ranker
 * search per weighting), the classification head fused into the vote (cv-head-search.ts),
 * thresholds from the held-out pairs (cv-calibration.ts), then the chosen params, weights and
 * head fitted on the whole gallery (fit.ts, head.ts).
 *
 * Determinism: the result is a function of (vectors, labels, ids, options) alone.
 *   - Every choice among candidates follows selection.ts: exact score, then the cheaper candidate,
 *     then grid order; `ties` reports how many candidates shared the winning score.
 *   - With `ids`, rows are put in ascending id order first (canonical-order.ts), so handing the
 *     same gallery over in another order gives the same result, bit for bit.
 *   - The split and the PCA's random start come from `seed` (default DEFAULT_CV_SEED): rerun with
 *     other seeds to see how much the selection and its scores move with the split.
 *   - Products run on the WebAssembly SIMD kernel when the runtime has it and the product is big
 *     enough, in plain JS otherwise; the two round differently (float32 vs float64 partial sums),
 *     so `kernel` records which one the numbers came from.
 */
import { ascendingIdOrder, permuteRows, type RowIds } from './canonical-order.js';
import { withExtensions, type MetricArtifact, type ResolvedParams } from './artifact.js';
import type { ThresholdFit } from './calibration.js';
import { calibrate, calibrateOpenSet, firstDraw, unfamiliarFolds, type CalibrationPairs, type SignalSummary } from './cv-calibration.js';
import type { OpenSetSignal } from './calibration.js';
import { makeFolds } from './cv-folds.js';
import { searchBlockWeights, type EnsembleRow, type Weighted } from './cv-ensemble-search.js';
import { defaultBlockWeights, defaultGrid, type CvGrid } from './cv-grid.js';
import { searchHead, type HeadRow } from './cv-head-search.js';
import { withTrainedHead } from './head-fit.js';
import { searchMetricParams } from './cv-metric-search.js';
import { searchReranking } from './cv-rerank-search.js';
import type { CvRow, CvScores, HeadChoice, RerankRow, SelectBy } from './cv-types.js';
import { fitResolved } from './fit.js';
import { kernelKind, withRetainedScratch } from './kernels.js';
import { indexLabels, requireLabels, type Label } from './labels.js';
import { ScatterCache } from './pca.js';
import type { RerankParams } from './shortlist-chain.js';
import { checkVectors } from './vectors.js';
import { ImsearchError } from '../errors/error-codes.js';
import { DEFAULT_CV_SEED } from './params.js';

export interface CvOptions {
  /** Fraction of each class held out per fold (default 0.2). */
  holdout?: number;
  /** Independent seeded splits averaged (default 1). */
  folds?: number;
  /** Seed of the splits (fold f uses seed + 7919·f) and of the folds' PCA (default DEFAULT_CV_SEED). */
  seed?: number;
  /**
   * Stable ids of the rows (e.g. item ids), all numbers or all strings, distinct. Given, the
   * result does not depend on the order of the rows; without them the given order is the order.
   */
  ids?: RowIds;
  /** MAP@k (default 10, as the evaluation protocol). */
  k?: number;
  /** Neighbours kept per held-out query for re-ranking and calibration (default 100). */
  shortlist?: number;
  /** Override any part of the default grid. */
  grid?: Partial<CvGrid>;
  /** Selection criterion (default 'map'). */
  selectBy?: SelectBy;
  /** Calibration targets (default [0.5, 0.7, 0.8, 0.9, 0.95]). */
  targetPrecisions?: number[];
  /**
   * Size of each group of classes that in turn calibrates as photos of classes the collection
   * lacks, as a share of the classes (leave-classes-out, cv-calibration.ts: every class serves
   * once; default 0: none).
   */
  unfamiliarClasses?: number;
  /**
   * Calibrate an open-set condition with each threshold (open-set.ts: the query's class decision
   * must be sure enough for more than its first result; chosen per target on the calibration's
   * familiar and stranger queries; default false).
   */
  openSet?: boolean;
  /** Fit the chosen params on the whole gallery and return the artifact (default true). */
  fitFinal?: boolean;
  sourceHash?: string;
  /**
   * Dimensions of the input's blocks (the ensemble's models, in order; sum = dim). Given, the
   * blocks' relative weights are chosen too (grid.blockWeights, default defaultBlockWeights).
   */
  blocks?: number[];
  /**
   * The rows' augmented views (e.g. each photo and its mirror; n × dim each, the rows' order):
   * X holds their pooled rows. Given two or more, the classification head is also tried with them
   * as extra training rows (grid.headViews).
   */
  views?: Float32Array[];
  /** Called after every evaluated row (progress display). */
  onRow?: (row: CvRow) => void;
}

export interface CvResult {
  /** Chosen metric params (fit them with fitMetric, or use `artifact`). */
  params: ResolvedParams;
  /** Chosen re-ranking on top of the metric (both null: plain ranking is best). */
  rerank: RerankParams;
  /** Chosen relative block weights (null: equal, or no blocks given). */
  blockWeights: number[] | null;
  /** Chosen classification head (null: none). */
  head: HeadChoice | null;
  /** CV scores of the chosen metric alone, of the whole chosen chain (re-ranking, weights, head), and of plain cosine on the raw vectors. */
  scores: { metric: CvScores; reranked: CvScores; baseline: CvScores };
  table: CvRow[];
  rerankTable: RerankRow[];
  /** Ensemble weightings tried (row 0: equal weights), each with its own re-ranker choice. */
  ensembleTable: EnsembleRow[];
  /** Heads tried on the chosen weighting (row 0: no head). */
  headTable: HeadRow[];
  /** Candidates that shared the winning selection score exactly (1: the score alone decided; more: selection.ts's tie rule did). */
  ties: { metric: number; rerank: number; ensemble: number; head: number };
  /** Thresholds on the chosen metric's score for the target precisions, from held-out shortlist pairs. */
  thresholds: ThresholdFit[];
  /** With options.openSet: how well each open-set signal told the calibration's familiar queries from its strangers. */
  openSetSignals: Partial<Record<OpenSetSignal, SignalSummary>> | null;
  /** The held-out pairs behind `thresholds` (score, same class), to fit other targets with fitThreshold. */
  calibrationPairs: CalibrationPairs;
  /** Fitted on the whole gallery with `params` (null when fitFinal is false). */
  artifact: MetricArtifact | null;
  grid: CvGrid;
  split: { folds: number; heldOut: number; fittedOn: number; holdout: number; seed: number };
  /** The product kernel the scores were computed with (see the module doc). */
  kernel: 'wasm-simd' | 'js';
  millis: { total: number; scatter: number; folds: number; ensemble: number; head: number; calibration: number; final: number };
}

/**
 * Choose metric params and re-ranking by cross-validation inside the labelled gallery X (n × dim),
 * then (by default) fit the choice on the whole gallery. Synchronous and CPU-bound: run it in a
 * worker when the event loop matters.
 */
export function crossValidateMetric(X: Float32Array, dim: number, labels: readonly Label[], options: CvOptions = {}): CvResult {
  // Thousands of products: one scratch memory for all of them (kernels.ts).
  return withRetainedScratch(() => crossValidate(X, dim, labels, options));
}

function crossValidate(X: Float32Array, dim: number, labels: readonly Label[], options: CvOptions): CvResult {
  const t0 = performance.now();
  const n = checkVectors(X, dim);
  let views = options.views ?? [];
  for (const v of views) if (v.length !== X.length) throw new ImsearchError('BAD_USER_INPUT', `a view has ${v.length} values, the gallery ${X.length} (${n} rows of ${dim})`);
  if (options.ids) {
    const order = ascendingIdOrder(options.ids, n);
    X = permuteRows(X, dim, order);
    views = views.map((v) => permuteRows(v, dim, order));
    labels = Array.from(order, (i) => labels[i]);
  }
  const classes = indexLabels(labels, n);
  requireLabels(classes, 'metric cross-validation');
  const holdout = options.holdout ?? 0.2;
  const foldsN = Math.max(1, Math.floor(options.folds ?? 1));
  const seed = options.seed ?? DEFAULT_CV_SEED;
  const k = options.k ?? 10;
  const shortlist = Math.max(k, options.shortlist ?? 100);
  const selectBy = options.selectBy ?? 'map';
  const sizes = [...classes.counts].filter((c) => c > 0).sort((a, b) => a - b);
  const median = sizes[Math.floor(sizes.length / 2)];
  const fitted = Math.round(classes.labelled * (1 - holdout));
  const grid: CvGrid = {
    ...defaultGrid({ n: Math.round(n * (1 - holdout)), d: dim, labelled: fitted, classes: classes.names.length, medianClassSize: Math.round(median * (1 - holdout)), shortlist }),
    ...(options.blocks ? { blockWeights: defaultBlockWeights(options.blocks.length) } : {}),
    ...options.grid,
  };

  // One scatter pass over the gallery; every fold's PCA, and the refit's, is derived from it.
  const needPca = grid.methods.some((m) => m !== 'identity');
  const tScatter = performance.now();
  const scatter = needPca ? new ScatterCache(X, dim) : null;
  const scatterMs = performance.now() - tScatter;

  const tFolds = performance.now();
  const foldOptions = { folds: foldsN, holdout, seed, maxPcaDim: needPca ? Math.max(1, ...grid.pcaDims) : 0 };
  const folds = makeFolds(X, dim, classes, { ...foldOptions, scatter });
  const sample = { n, d: dim, labelled: fitted, classes: classes.names.length };
  const metric = searchMetricParams({ X, dim, folds, names: classes.names, grid, sample, k, shortlist, selectBy, onRow: options.onRow });
  const rerank = searchReranking({ chosen: metric.chosen, folds, names: classes.names, grid, k, selectBy });
  const foldsMs = performance.now() - tFolds;

  const tEnsemble = performance.now();
  let chosenWeighting: Weighted = { weights: (options.blocks ?? [dim]).map(() => 1), X, views: () => views, scatter, folds, chosen: metric.chosen, rerank: rerank.best };
  let ensemble: ReturnType<typeof searchBlockWeights> | null = null;
  if (options.blocks && options.blocks.length > 1 && metric.chosen.row.params.method !== 'identity') {
    ensemble = searchBlockWeights({ blocks: options.blocks, dim, classes, params: metric.chosen.row.params, grid, foldOptions, sample, k, shortlist, selectBy, incumbent: chosenWeighting });
    chosenWeighting = ensemble.best;
  }
  const ensembleMs = performance.now() - tEnsemble;
  const { chosen } = chosenWeighting;
  const best = chosenWeighting.rerank;

  const tHead = performance.now();
  const head = searchHead({ chosen, rerank: best.rerank, incumbent: best, folds: chosenWeighting.folds, views: chosenWeighting.views(), dim, names: classes.names, grid, k, selectBy });
  const headMs = performance.now() - tHead;
  // Calibrated in the chosen weighting's space (what queries will be scored in), with the
  // unfamiliar classes' queries as wrong matches when asked for.
  const tCalibration = performance.now();
  const strangers = options.unfamiliarClasses
    ? unfamiliarFolds(chosenWeighting.X, dim, classes, chosenWeighting.folds, chosen.row.params, { share: options.unfamiliarClasses, seed, s: shortlist, scatter: chosenWeighting.scatter })
    : [];
  const targets = options.targetPrecisions ?? [0.5, 0.7, 0.8, 0.9, 0.95];
  const calibrated = options.openSet
    ? calibrateOpenSet({
        lists: chosen.lists,
        spaces: chosen.spaces,
        folds: chosenWeighting.folds,
        strangers,
        names: classes.names,
        rerank: head.best.rerank,
        head: head.best.head,
        headIterations: grid.headIterations,
        views: chosenWeighting.views(),
        dim,
        familiarPosteriors: head.posteriors,
        targets,
        k,
      })
    : { ...calibrate(chosen.lists, chosenWeighting.folds, targets, firstDraw(strangers).map((u) => u.lists)), signals: null };
  const { thresholds, pairs, signals: openSetSignals } = calibrated;
  const calibrationMs = performance.now() - tCalibration;

  const tFinal = performance.now();
  const params = chosen.row.params;
  const weighted = chosenWeighting.weights.some((w) => w !== 1);
  let artifact: MetricArtifact | null = null;
  if (options.fitFinal ?? true) {
    const base = fitResolved(chosenWeighting.X, dim, classes, params, { scatter: chosenWeighting.scatter ?? undefined, sourceHash: options.sourceHash });
    const weightedBase = withExtensions(base, { blockWeights: weighted ? { dims: options.blocks as number[], weights: chosenWeighting.weights } : null, head: null });
    const h = head.best.head;
    artifact = h ? withTrainedHead(weightedBase, X, views, classes, h, grid.headIterations) : weightedBase;
  }
  const finalMs = performance.now() - tFinal;

  const plain: CvScores = { map: chosen.row.map, classBalancedMap: chosen.row.classBalancedMap, precisionAt1: chosen.row.precisionAt1 };
  const heldOut = folds.reduce((a, f) => a + f.split.heldOut.length, 0) / folds.length;
  return {
    params,
    rerank: head.best.rerank,
    blockWeights: weighted ? chosenWeighting.weights : null,
    head: head.best.head,
    scores: {
      metric: plain,
      reranked: { map: head.best.map, classBalancedMap: head.best.classBalancedMap, precisionAt1: head.best.precisionAt1 },
      baseline: metric.baseline ?? plain,
    },
    table: metric.table,
    rerankTable: rerank.table,
    ensembleTable: ensemble?.table ?? [],
    headTable: head.table,
    ties: { metric: metric.tied, rerank: rerank.tied, ensemble: ensemble?.tied ?? 1, head: head.tied },
    thresholds,
    openSetSignals,
    calibrationPairs: pairs,
    artifact,
    grid,
    split: { folds: foldsN, heldOut, fittedOn: n - heldOut, holdout, seed },
    kernel: kernelKind(),
    millis: { total: performance.now() - t0, scatter: scatterMs, folds: foldsMs, ensemble: ensembleMs, head: headMs, calibration: calibrationMs, final: finalMs },
  };
}
