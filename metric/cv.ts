/**
 * Hyperparameter selection by cross-validation inside the gallery only.
 *
 * Per fold, a deterministic seeded split holds out a fraction of every class; the metric is fitted
 * on the rest (PCA included: the fold's scatter is the gallery's minus the held-out part), the
 * held-out items query the fitted part as gallery, and MAP@k is computed by retrieval-scores.ts's
 * scoreRetrieval exactly as the evaluation protocol defines it. Queries of the real evaluation
 * are never seen.
 *
 * The search is staged so it stays bounded (tens of seconds on 5,800 × 2,500):
 *   1. every method × PCA dimension at default shrinkage / weighting, raw and normalised output;
 *   2. shrinkage × Σ_S weighting (× JB EM iterations, × XQDA subspace caps) around the best
 *      dimension of each supervised method (and the runner-up dimension when within 0.02);
 *   3. re-ranking on the winner's shortlists: α-QE (cosine spaces only) and the class vote.
 * Every grid is relative to the data (n, d, labelled items, classes, class sizes): no constants
 * of one dataset. The chosen params are then fitted on the whole gallery.
 */
import { ImsearchError } from '../errors/error-codes.js';
import { scoreRetrieval, type QueryOutcome, type RetrievalScores } from './retrieval-scores.js';
import type { MetricArtifact, MetricMethod, ResolvedParams, ScoreKind } from './artifact.js';
import { fitThresholds, type ThresholdFit } from './calibration.js';
import { indexLabels, requireLabels, type ClassIndex, type Label } from './labels.js';
import {
  applyLearnedMap,
  checkVectors,
  defaultPcaDim,
  fitContext,
  normalizeRows,
  resolveParams,
  scoreMatrixOf,
  SUPERVISED,
  type FitContext,
  type LearnedMap,
} from './metric.js';
import { ScatterCache } from './pca.js';
import { Rng } from './random.js';
import { alphaQueryExpansion, classVoteRerank, type Neighbour, type QueryExpansionParams, type VoteParams } from './rerank.js';
import type { WithinWeighting } from './stats.js';

// ---------------------------------------------------------------------------------------------
// Split.

export interface Split {
  /** Rows fitted on (all unlabelled rows, and the kept part of every class), ascending. */
  train: Int32Array;
  /** Held-out labelled rows (the validation queries), ascending. */
  heldOut: Int32Array;
}

/**
 * Hold out round(n_c · holdout) items of every class with n_c ≥ 2 (at least 1, at most n_c − 1),
 * chosen by a seeded shuffle; classes are visited in name order, so the split depends only on
 * the labels, the gallery order and the seed.
 */
export function splitGallery(classes: ClassIndex, opts: { holdout: number; seed: number }): Split {
  if (!(opts.holdout > 0 && opts.holdout < 1)) throw new ImsearchError('BAD_USER_INPUT', `holdout must be in (0, 1), got ${opts.holdout}`);
  const rng = new Rng(opts.seed);
  const members: number[][] = classes.names.map(() => []);
  classes.classOf.forEach((c, i) => {
    if (c >= 0) members[c].push(i);
  });
  const held = new Uint8Array(classes.classOf.length);
  for (const list of members) {
    const n = list.length;
    if (n < 2) continue;
    const h = Math.min(n - 1, Math.max(1, Math.round(n * opts.holdout)));
    const shuffled = rng.shuffle(list.slice());
    for (let i = 0; i < h; i++) held[shuffled[i]] = 1;
  }
  const train: number[] = [];
  const heldOut: number[] = [];
  held.forEach((h, i) => (h ? heldOut : train).push(i));
  return { train: Int32Array.from(train), heldOut: Int32Array.from(heldOut) };
}

// ---------------------------------------------------------------------------------------------
// Ranking a held-out set against a fitted part.

/** Top-s candidates per query: local candidate indices and scores, best first (ties: lower index). */
export interface Shortlists {
  queries: number;
  s: number;
  ids: Int32Array;
  scores: Float64Array;
}

/** Top-s of every row of an nq × nc score matrix (ties broken by candidate order). */
export function topS(scores: Float64Array, nq: number, nc: number, s: number): Shortlists {
  s = Math.min(s, nc);
  const ids = new Int32Array(nq * s);
  const out = new Float64Array(nq * s);
  const heapI = new Int32Array(s);
  const heapS = new Float64Array(s);
  // "a worse than b": lower score, or equal score and higher index.
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);
  for (let q = 0; q < nq; q++) {
    const row = q * nc;
    let size = 0;
    for (let j = 0; j < nc; j++) {
      const v = scores[row + j];
      if (size < s) {
        // sift up (min-heap on "worse")
        let i = size++;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!worse(v, j, heapS[parent], heapI[parent])) break;
          heapS[i] = heapS[parent];
          heapI[i] = heapI[parent];
          i = parent;
        }
        heapS[i] = v;
        heapI[i] = j;
      } else if (worse(heapS[0], heapI[0], v, j)) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= size) break;
          const r = l + 1;
          const c = r < size && worse(heapS[r], heapI[r], heapS[l], heapI[l]) ? r : l;
          if (!worse(heapS[c], heapI[c], v, j)) break;
          heapS[i] = heapS[c];
          heapI[i] = heapI[c];
          i = c;
        }
        heapS[i] = v;
        heapI[i] = j;
      }
    }
    const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => (worse(heapS[a], heapI[a], heapS[b], heapI[b]) ? 1 : worse(heapS[b], heapI[b], heapS[a], heapI[a]) ? -1 : 0));
    for (let t = 0; t < size; t++) {
      ids[q * s + t] = heapI[order[t]];
      out[q * s + t] = heapS[order[t]];
    }
  }
  return { queries: nq, s, ids, scores: out };
}

interface Fold {
  split: Split;
  ctx: FitContext;
  /** PCA coordinates of all rows (n × pDim). */
  Yall: Float64Array;
  pDim: number;
  /** Class id of each held-out query / each fitted-part row (−1 unlabelled). */
  queryClass: Int32Array;
  galleryClass: Int32Array;
  /** Items of the query's class in the fitted part (R_q). */
  relevantTotal: Int32Array;
}

function rowsOf(T: Float32Array, r: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * r);
  for (let i = 0; i < rows.length; i++) out.set(T.subarray(rows[i] * r, rows[i] * r + r), i * r);
  return out;
}

function retrievalOf(fold: Fold, names: string[], rankedIds: (q: number) => ArrayLike<number>, k: number): RetrievalScores {
  const outcomes: QueryOutcome[] = [];
  for (let q = 0; q < fold.queryClass.length; q++) {
    const ids = rankedIds(q);
    const labels: string[] = [];
    for (let t = 0; t < Math.min(k, ids.length); t++) {
      const c = fold.galleryClass[ids[t]];
      labels.push(c >= 0 ? names[c] : '');
    }
    outcomes.push({ label: names[fold.queryClass[q]], retrievedLabels: labels, relevantTotal: fold.relevantTotal[q] });
  }
  return scoreRetrieval(outcomes, k);
}

// ---------------------------------------------------------------------------------------------
// The search.

export interface CvGrid {
  methods: MetricMethod[];
  pcaDims: number[];
  shrinkages: number[];
  weightings: WithinWeighting[];
  normalize: boolean[];
  /** Whitening for the supervised methods (the 'pca' method always tries both). */
  whiten: boolean[];
  emIterations: number[];
  /**
   * XQDA subspace sizes as fractions of its 'auto' size (generalised eigenvalues > 1). With the
   * same Σ_S, Σ_D, XQDA at 'auto' equals PSD-clipped KISSME exactly (M = W⁻ᵀ(I − Λ⁻¹)₊W⁻¹), so
   * XQDA only differs through this cap. 1 = 'auto'.
   */
  xqdaFractions: number[];
  /** Class vote grid (empty ks = no vote tuning). */
  voteKs: number[];
  /** null = plain count. */
  voteTaus: (number | null)[];
  voteMinShares: number[];
  /** α-QE grid (cosine spaces only; empty = none). */
  qeNs: number[];
  qeAlphas: number[];
}

export interface CvOptions {
  /** Fraction of each class held out per fold (default 0.2). */
  holdout?: number;
  /** Independent seeded splits averaged (default 1). */
  folds?: number;
  seed?: number;
  /** MAP@k (default 10, as the evaluation protocol). */
  k?: number;
  /** Neighbours kept per held-out query for re-ranking and calibration (default 100). */
  shortlist?: number;
  /** Override any part of the default grid. */
  grid?: Partial<CvGrid>;
  /** Selection criterion (default 'map'). */
  selectBy?: 'map' | 'classBalancedMap';
  /** Calibration targets (default [0.5, 0.7, 0.8, 0.9, 0.95]). */
  targetPrecisions?: number[];
  /** Fit the chosen params on the whole gallery and return the artifact (default true). */
  fitFinal?: boolean;
  sourceHash?: string;
  /** Called after every evaluated row (progress display). */
  onRow?: (row: CvRow) => void;
}

export interface CvScores {
  map: number;
  classBalancedMap: number;
  precisionAt1: number;
}

export interface CvRow extends CvScores {
  stage: 'baseline' | 'dimension' | 'regularisation';
  params: ResolvedParams;
  outputDim: number;
  scoreKind: ScoreKind;
  millis: number;
}

export interface RerankParams {
  vote: VoteParams | null;
  qe: QueryExpansionParams | null;
}

export interface RerankRow extends CvScores {
  rerank: RerankParams;
}

export interface CvResult {
  /** Chosen metric params (fit them with fitMetric, or use `artifact`). */
  params: ResolvedParams;
  /** Chosen re-ranking on top of the metric (both null: plain ranking is best). */
  rerank: RerankParams;
  /** CV scores of the chosen metric alone, of metric + re-ranking, and of plain cosine on the raw vectors. */
  scores: { metric: CvScores; reranked: CvScores; baseline: CvScores };
  table: CvRow[];
  rerankTable: RerankRow[];
  /** Thresholds on the chosen metric's score for the target precisions, from held-out shortlist pairs. */
  thresholds: ThresholdFit[];
  /** The held-out pairs behind `thresholds` (score, same class), to fit other targets with fitThreshold. */
  calibrationPairs: { scores: Float64Array; same: Uint8Array };
  /** Fitted on the whole gallery with `params` (null when fitFinal is false). */
  artifact: MetricArtifact | null;
  grid: CvGrid;
  split: { folds: number; heldOut: number; fittedOn: number; holdout: number; seed: number };
  millis: { total: number; scatter: number; folds: number; final: number };
}

/** Default grid for a sample (all relative to the data, none specific to one collection). */
export function defaultGrid(sample: { n: number; d: number; labelled: number; classes: number; medianClassSize: number; shortlist: number }): CvGrid {
  const top = defaultPcaDim(sample);
  const dims = [...new Set([top, top >> 1, top >> 2, top >> 3].filter((p) => p >= 8 || p === top))];
  const ks = [1, 3, 5, 10, 20, 40].filter((k) => k <= sample.shortlist && k <= Math.max(3, 2 * sample.medianClassSize));
  const qeNs = [1, 2, 3, 5, 10].filter((n) => n <= Math.max(1, sample.medianClassSize));
  return {
    methods: ['identity', 'pca', 'kissme', 'xqda', 'jointBayesian'],
    pcaDims: dims,
    shrinkages: [0.01, 0.1, 0.3, 0.5],
    weightings: ['pairs', 'classes'],
    normalize: [false, true],
    whiten: [true],
    emIterations: [0],
    xqdaFractions: [1, 0.5, 0.25],
    voteKs: ks,
    voteTaus: [0.25, 1, null],
    voteMinShares: [0, 0.4, 0.6, 0.8],
    qeNs,
    qeAlphas: [1, 3],
  };
}

const DEFAULT_SHRINKAGE = 0.1;
/** A method's second-best dimension is refined too when its stage-1 score is this close to the best. */
const LEADER_MARGIN = 0.02;

/**
 * Choose metric params and re-ranking by cross-validation inside the labelled gallery X (n × dim),
 * then (by default) fit the choice on the whole gallery. Synchronous and CPU-bound: run it in a
 * worker when the event loop matters.
 */
export function crossValidateMetric(X: Float32Array, dim: number, labels: readonly Label[], options: CvOptions = {}): CvResult {
  const t0 = performance.now();
  const n = checkVectors(X, dim);
  const classes = indexLabels(labels, n);
  requireLabels(classes, 'metric cross-validation');
  const holdout = options.holdout ?? 0.2;
  const foldsN = Math.max(1, Math.floor(options.folds ?? 1));
  const seed = options.seed ?? 1;
  const k = options.k ?? 10;
  const shortlist = Math.max(k, options.shortlist ?? 100);
  const selectBy = options.selectBy ?? 'map';
  const sizes = [...classes.counts].filter((c) => c > 0).sort((a, b) => a - b);
  const median = sizes[Math.floor(sizes.length / 2)];
  const fitted = Math.round(classes.labelled * (1 - holdout));
  const grid: CvGrid = {
    ...defaultGrid({ n: Math.round(n * (1 - holdout)), d: dim, labelled: fitted, classes: classes.names.length, medianClassSize: Math.round(median * (1 - holdout)), shortlist }),
    ...options.grid,
  };
  const maxDim = Math.max(1, ...grid.pcaDims);

  // One scatter pass over the gallery; every fold's PCA is derived from it.
  const needPca = grid.methods.some((m) => m !== 'identity');
  const tScatter = performance.now();
  const scatter = needPca ? new ScatterCache(X, dim) : null;
  const scatterMs = performance.now() - tScatter;

  const tFolds = performance.now();
  const folds: Fold[] = [];
  for (let f = 0; f < foldsN; f++) {
    const split = splitGallery(classes, { holdout, seed: seed + 7919 * f });
    const { ctx, Yall } = fitContext(X, dim, classes, { rows: split.train, maxPcaDim: needPca ? maxDim : 0, supervised: true, seed, scatter: scatter ?? undefined, projectAll: true });
    const galleryClass = Int32Array.from(split.train, (r) => classes.classOf[r]);
    const queryClass = Int32Array.from(split.heldOut, (r) => classes.classOf[r]);
    const inTrain = new Int32Array(classes.names.length);
    for (const c of galleryClass) if (c >= 0) inTrain[c]++;
    const relevantTotal = Int32Array.from(queryClass, (c) => inTrain[c]);
    folds.push({ split, ctx, Yall: Yall ?? new Float64Array(0), pDim: ctx.pca?.dim ?? 0, queryClass, galleryClass, relevantTotal });
  }

  const pick = (s: CvScores) => (selectBy === 'map' ? s.map : s.classBalancedMap);
  const mean = (xs: RetrievalScores[]): CvScores => ({
    map: xs.reduce((a, x) => a + x.map, 0) / xs.length,
    classBalancedMap: xs.reduce((a, x) => a + x.classBalancedMap, 0) / xs.length,
    precisionAt1: xs.reduce((a, x) => a + x.precisionAt1, 0) / xs.length,
  });

  // Evaluated configurations keep their per-fold shortlists only while they might win.
  interface Evaluated {
    row: CvRow;
    lists: Shortlists[];
    spaces: { Tq: Float32Array; Tc: Float32Array; r: number; kind: ScoreKind; weights: Float64Array | null }[];
  }
  const table: CvRow[] = [];
  let best: Evaluated | null = null;
  let baseline: CvScores | null = null;
  const sample = { n, d: dim, labelled: fitted, classes: classes.names.length };

  const consider = (e: Evaluated) => {
    table.push(e.row);
    options.onRow?.(e.row);
    if (!best || pick(e.row) > pick(best.row)) best = e;
  };

  const evaluateSpaces = (stage: CvRow['stage'], params: ResolvedParams, perFold: { T: Float32Array; r: number; kind: ScoreKind; weights: Float64Array | null }[], started: number): Evaluated => {
    const lists: Shortlists[] = [];
    const spaces: Evaluated['spaces'] = [];
    const scores: RetrievalScores[] = [];
    perFold.forEach((sp, f) => {
      const fold = folds[f];
      const Tq = rowsOf(sp.T, sp.r, fold.split.heldOut);
      const Tc = rowsOf(sp.T, sp.r, fold.split.train);
      const S = scoreMatrixOf(sp.kind, sp.weights, Tq, Tc, sp.r);
      const list = topS(S, fold.split.heldOut.length, fold.split.train.length, shortlist);
      lists.push(list);
      spaces.push({ Tq, Tc, r: sp.r, kind: sp.kind, weights: sp.weights });
      scores.push(retrievalOf(fold, classes.names, (q) => list.ids.subarray(q * list.s, q * list.s + list.s), k));
    });
    const row: CvRow = { stage, params, outputDim: perFold[0].r, scoreKind: perFold[0].kind, ...mean(scores), millis: performance.now() - started };
    return { row, lists, spaces };
  };

  /** Learn params on every fold, evaluate raw and/or normalised output. */
  const evaluateLearned = (stage: CvRow['stage'], params: ResolvedParams, normalizeOptions: boolean[]): void => {
    const started = performance.now();
    let maps: LearnedMap[];
    try {
      // Learned once with normalize = false: m.kind / m.normWeights describe the raw score.
      maps = folds.map((fold) => fold.ctx.learn({ ...params, normalize: false }));
    } catch (err) {
      if (err instanceof ImsearchError && err.code === 'NOT_LABELLED') return; // e.g. rank 0 at this dimension
      throw err;
    }
    const raw = maps.map((m, f) => applyLearnedMap(m, folds[f].Yall, folds[f].pDim, false));
    for (const normalize of normalizeOptions) {
      const perFold = maps.map((m, f) => {
        if (!normalize) return { T: raw[f], r: m.r, kind: m.kind, weights: m.normWeights };
        const T = Float32Array.from(raw[f]);
        normalizeRows(T, m.r);
        return { T, r: m.r, kind: 'ip' as ScoreKind, weights: null };
      });
      consider(evaluateSpaces(stage, { ...params, normalize }, perFold, started));
    }
  };

  // Stage 0: plain cosine / inner product on the raw vectors.
  if (grid.methods.includes('identity')) {
    const started = performance.now();
    const params = resolveParams({ method: 'identity', normalize: false }, sample);
    const e = evaluateSpaces('baseline', params, folds.map(() => ({ T: X, r: dim, kind: 'ip' as ScoreKind, weights: null })), started);
    baseline = { map: e.row.map, classBalancedMap: e.row.classBalancedMap, precisionAt1: e.row.precisionAt1 };
    consider(e);
  }

  // Stage 1: method × dimension at default regularisation. XQDA at 'auto' is KISSME exactly
  // (see CvGrid.xqdaFractions), so with both in the grid it only enters stage 2, capped.
  const xqdaViaKissme = grid.methods.includes('kissme') && grid.methods.includes('xqda');
  for (const method of grid.methods) {
    if (method === 'identity' || (method === 'xqda' && xqdaViaKissme)) continue;
    for (const pcaDim of grid.pcaDims) {
      if (method === 'pca') {
        for (const whiten of [false, true]) evaluateLearned('dimension', resolveParams({ method, pcaDim, whiten, normalize: true }, sample), [true]);
        continue;
      }
      const shrinkage = grid.shrinkages.includes(DEFAULT_SHRINKAGE) || grid.shrinkages.length === 0 ? DEFAULT_SHRINKAGE : grid.shrinkages[0];
      for (const whiten of grid.whiten) {
        evaluateLearned('dimension', resolveParams({ method, pcaDim, whiten, shrinkage, weighting: grid.weightings[0] ?? 'pairs', emIterations: 0 }, sample), grid.normalize);
      }
    }
  }

  // Stage 2: regularisation around the best (dimension, whiten) of each supervised method, and its
  // runner-up when that is within LEADER_MARGIN (the optimum of α and of the dimension interact).
  const seen = new Set<string>();
  const bestOf = new Map<MetricMethod, number>();
  const perMethod = new Map<MetricMethod, number>();
  const leaders = table
    .filter((r) => SUPERVISED.includes(r.params.method))
    .sort((a, b) => pick(b) - pick(a))
    .filter((r) => {
      const key = `${r.params.method}/${r.params.pcaDim}/${r.params.whiten}`;
      if (seen.has(key)) return false;
      seen.add(key);
      const top = bestOf.get(r.params.method) ?? pick(r);
      bestOf.set(r.params.method, top);
      const count = perMethod.get(r.params.method) ?? 0;
      if (count >= 2 || (count > 0 && pick(r) < top - LEADER_MARGIN)) return false;
      perMethod.set(r.params.method, count + 1);
      return true;
    });
  const done = new Set(table.map((r) => JSON.stringify(r.params)));
  for (const leader of leaders) {
    for (const shrinkage of grid.shrinkages) {
      for (const weighting of grid.weightings) {
        const ems = leader.params.method === 'jointBayesian' ? grid.emIterations : [0];
        const variants: { method: MetricMethod; emIterations: number; subspaceDim: number | 'auto' }[] = [];
        for (const emIterations of ems) variants.push({ method: leader.params.method, emIterations, subspaceDim: 'auto' });
        const xqdaHere = leader.params.method === 'xqda' || (leader.params.method === 'kissme' && xqdaViaKissme);
        if (xqdaHere) {
          for (const subspaceDim of xqdaSubspaces(folds[0].ctx, { ...leader.params, method: 'xqda', shrinkage, weighting }, grid.xqdaFractions)) {
            if (subspaceDim !== 'auto' || leader.params.method === 'xqda') variants.push({ method: 'xqda', emIterations: 0, subspaceDim });
          }
        }
        for (const { method, emIterations, subspaceDim } of variants) {
          const params = resolveParams({ ...leader.params, method, shrinkage, weighting, emIterations, subspaceDim, normalize: false }, sample);
          const todo = grid.normalize.filter((normalize) => !done.has(JSON.stringify({ ...params, normalize })));
          if (todo.length === 0) continue;
          evaluateLearned('regularisation', params, todo);
          for (const normalize of todo) done.add(JSON.stringify({ ...params, normalize }));
        }
      }
    }
  }

  if (!best) throw new ImsearchError('BAD_USER_INPUT', 'cross-validation grid evaluated no configuration (empty methods or dimensions?)');
  const chosen = best as Evaluated;

  // Stage 3: re-ranking on the chosen metric's shortlists.
  const rerankTable: RerankRow[] = [];
  const plain: CvScores = { map: chosen.row.map, classBalancedMap: chosen.row.classBalancedMap, precisionAt1: chosen.row.precisionAt1 };
  rerankTable.push({ rerank: { vote: null, qe: null }, ...plain });
  let bestRerank: RerankRow = rerankTable[0];
  const bases: { qe: QueryExpansionParams | null; lists: Shortlists[] }[] = [{ qe: null, lists: chosen.lists }];
  if (chosen.row.scoreKind === 'ip' && grid.qeNs.length && grid.qeAlphas.length) {
    let bestQe: { qe: QueryExpansionParams; lists: Shortlists[]; score: number } | null = null;
    for (const qn of grid.qeNs) {
      for (const alpha of grid.qeAlphas) {
        const qe: QueryExpansionParams = { n: qn, alpha };
        const lists: Shortlists[] = [];
        const scores: RetrievalScores[] = [];
        chosen.spaces.forEach((sp, f) => {
          const fold = folds[f];
          const base = chosen.lists[f];
          const nq = base.queries;
          const Q2 = new Float32Array(nq * sp.r);
          const neigh = new Float32Array(qn * sp.r);
          for (let q = 0; q < nq; q++) {
            const m = Math.min(qn, base.s);
            for (let t = 0; t < m; t++) {
              const id = base.ids[q * base.s + t];
              neigh.set(sp.Tc.subarray(id * sp.r, id * sp.r + sp.r), t * sp.r);
            }
            Q2.set(alphaQueryExpansion(sp.Tq.subarray(q * sp.r, q * sp.r + sp.r), neigh.subarray(0, m * sp.r), base.scores.subarray(q * base.s, q * base.s + m), qe), q * sp.r);
          }
          const S = scoreMatrixOf('ip', null, Q2, sp.Tc, sp.r);
          const list = topS(S, nq, fold.split.train.length, shortlist);
          lists.push(list);
          scores.push(retrievalOf(fold, classes.names, (q) => list.ids.subarray(q * list.s, q * list.s + list.s), k));
        });
        const row: RerankRow = { rerank: { vote: null, qe }, ...mean(scores) };
        rerankTable.push(row);
        if (pick(row) > pick(bestRerank)) bestRerank = row;
        if (!bestQe || pick(row) > bestQe.score) bestQe = { qe, lists, score: pick(row) };
      }
    }
    if (bestQe && bestQe.score > pick(plain)) bases.push({ qe: bestQe.qe, lists: bestQe.lists });
  }
  if (grid.voteKs.length) {
    for (const base of bases) {
      // Neighbour objects built once per query, reused by every vote setting.
      const perFold = base.lists.map((list, f) =>
        Array.from({ length: list.queries }, (_, q) =>
          Array.from({ length: list.s }, (_, t): Neighbour => {
            const id = list.ids[q * list.s + t];
            const c = folds[f].galleryClass[id];
            return { id, score: list.scores[q * list.s + t], label: c >= 0 ? classes.names[c] : null };
          }),
        ),
      );
      for (const vk of grid.voteKs) {
        for (const tau of vk === 1 ? [null] : grid.voteTaus) {
          for (const minShare of grid.voteMinShares) {
            const vote: VoteParams = { k: vk, tau, minShare };
            const scores = perFold.map((queries, f) => {
              const ranked = queries.map((sl) => classVoteRerank(sl, vote).ranked);
              return retrievalOf(folds[f], classes.names, (q) => ranked[q].map((nb) => nb.id), k);
            });
            const row: RerankRow = { rerank: { vote, qe: base.qe }, ...mean(scores) };
            rerankTable.push(row);
            if (pick(row) > pick(bestRerank)) bestRerank = row;
          }
        }
      }
    }
  }

  // Calibration pairs: every held-out query × its shortlist under the chosen metric.
  let pairsN = 0;
  for (const l of chosen.lists) pairsN += l.queries * l.s;
  const pairScores = new Float64Array(pairsN);
  const pairSame = new Uint8Array(pairsN);
  let o = 0;
  chosen.lists.forEach((l, f) => {
    for (let q = 0; q < l.queries; q++) {
      for (let t = 0; t < l.s; t++) {
        pairScores[o] = l.scores[q * l.s + t];
        pairSame[o] = folds[f].galleryClass[l.ids[q * l.s + t]] === folds[f].queryClass[q] ? 1 : 0;
        o++;
      }
    }
  });
  const thresholds = fitThresholds(pairScores, pairSame, options.targetPrecisions ?? [0.5, 0.7, 0.8, 0.9, 0.95]);
  const foldsMs = performance.now() - tFolds;

  // Final fit on the whole gallery.
  const tFinal = performance.now();
  let artifact: MetricArtifact | null = null;
  const params = chosen.row.params;
  if (options.fitFinal ?? true) {
    const supervised = SUPERVISED.includes(params.method);
    const { ctx } = fitContext(X, dim, classes, { maxPcaDim: params.method === 'identity' ? 0 : params.pcaDim, supervised, seed: params.seed, scatter: scatter ?? undefined });
    artifact = ctx.artifact(params, options.sourceHash ?? '');
  }
  const finalMs = performance.now() - tFinal;
  const heldOut = folds.reduce((a, f) => a + f.split.heldOut.length, 0) / folds.length;
  return {
    params,
    rerank: bestRerank.rerank,
    scores: {
      metric: plain,
      reranked: { map: bestRerank.map, classBalancedMap: bestRerank.classBalancedMap, precisionAt1: bestRerank.precisionAt1 },
      baseline: baseline ?? plain,
    },
    table,
    rerankTable,
    thresholds,
    calibrationPairs: { scores: pairScores, same: pairSame },
    artifact,
    grid,
    split: { folds: foldsN, heldOut, fittedOn: n - heldOut, holdout, seed },
    millis: { total: performance.now() - t0, scatter: scatterMs, folds: foldsMs, final: finalMs },
  };
}

/** XQDA subspace sizes for the fractions of its 'auto' size on one fold ('auto' for fraction 1). */
function xqdaSubspaces(ctx: FitContext, params: ResolvedParams, fractions: number[]): (number | 'auto')[] {
  let above = 0;
  try {
    above = ctx.learn({ ...params, subspaceDim: 'auto', normalize: false }).info.eigenvaluesAboveOne ?? 0;
  } catch {
    return ['auto'];
  }
  const out = new Set<number | 'auto'>();
  for (const f of fractions) {
    if (f >= 1) out.add('auto');
    else {
      const r = Math.max(1, Math.round(f * above));
      if (r < above) out.add(r);
    }
  }
  return [...out];
}
