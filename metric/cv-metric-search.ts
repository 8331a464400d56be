/**
 * Stages 0 to 2 of the cross-validation: which metric params.
 *   0. plain cosine / inner product on the raw vectors (the baseline);
 *   1. every method × PCA dimension at default shrinkage / weighting, raw and normalised output;
 *   2. shrinkage × Σ_S weighting (× JB EM iterations, × XQDA subspace caps) around the best
 *      dimension of each supervised method (and the runner-up dimension when within LEADER_MARGIN).
 * Each row is every fold's fit, ranked exactly (shortlists of the held-out queries against the
 * fold's fitted part) and scored by the protocol; the preferred row (selection.ts) keeps its
 * shortlists and spaces for the re-ranker search and the calibration.
 */
import { ImsearchError } from '../errors/error-codes.js';
import { metricInputBug } from './errors.js';
import type { MetricMethod, ResolvedParams, ScoreKind } from './artifact.js';
import { foldRetrieval, meanOverFolds } from './cv-fold-scores.js';
import { rowsOf, type Fold } from './cv-folds.js';
import { DEFAULT_SHRINKAGE, LEADER_MARGIN, type CvGrid } from './cv-grid.js';
import type { CvRow, CvScores, SelectBy } from './cv-types.js';
import { applyLearnedMap, type FitContext, type LearnedMap } from './fit-context.js';
import { resolveParams, SUPERVISED } from './params.js';
import { pcaProject } from './pca.js';
import type { RetrievalScores } from './retrieval-scores.js';
import { scoreMatrixOf } from './scoring.js';
import { compareCandidates, metricCost, selectionScore, tiedAtTop, type Candidate } from './selection.js';
import { topS, type Shortlists } from './shortlists.js';
import { normalizeRows } from './vectors.js';

/** One fold's transformed held-out queries (Tq) and fitted part (Tc), and how to score them. */
export interface FoldSpace {
  Tq: Float32Array;
  Tc: Float32Array;
  r: number;
  kind: ScoreKind;
  weights: Float64Array | null;
  /** The fold's map from input rows (the input's space, dim wide) to this space (rows × r): how other rows (e.g. augmented views) join it. */
  map: (rows: Float32Array) => Float32Array;
}

/** An evaluated configuration, with the per-fold shortlists and spaces the later stages reuse. */
export interface Evaluated {
  row: CvRow;
  lists: Shortlists[];
  spaces: FoldSpace[];
}

export interface MetricSearchInput {
  X: Float32Array;
  dim: number;
  folds: Fold[];
  names: string[];
  grid: CvGrid;
  /** The data the params resolve against (resolveParams' sample). */
  sample: { n: number; d: number; labelled: number; classes: number };
  k: number;
  shortlist: number;
  selectBy: SelectBy;
  onRow?: (row: CvRow) => void;
}

export interface MetricSearchResult {
  /** Every evaluated row, in evaluation order. */
  table: CvRow[];
  chosen: Evaluated;
  baseline: CvScores | null;
  /** Rows sharing the chosen row's selection score exactly. */
  tied: number;
}

export function searchMetricParams(input: MetricSearchInput): MetricSearchResult {
  const { X, dim, folds, names, grid, sample, k, shortlist, selectBy } = input;
  const table: CvRow[] = [];
  const candidateOf = (row: CvRow, order: number): Candidate => ({ score: selectionScore(row, selectBy), cost: metricCost(row), order });
  let best: { e: Evaluated; order: number } | null = null;
  let baseline: CvScores | null = null;

  const consider = (e: Evaluated) => {
    const order = table.length;
    table.push(e.row);
    input.onRow?.(e.row);
    if (!best || compareCandidates(candidateOf(e.row, order), candidateOf(best.e.row, best.order)) < 0) best = { e, order };
  };

  // One score buffer for every row's fold score matrices (only their shortlists are kept).
  let scratch = new Float64Array(0);
  type Space = Omit<FoldSpace, 'Tq' | 'Tc'> & { T: Float32Array };
  const evaluateSpaces = (stage: CvRow['stage'], params: ResolvedParams, perFold: Space[], started: number): Evaluated => {
    const lists: Shortlists[] = [];
    const spaces: FoldSpace[] = [];
    const scores: RetrievalScores[] = [];
    perFold.forEach((sp, f) => {
      const fold = folds[f];
      const Tq = rowsOf(sp.T, sp.r, fold.split.heldOut);
      const Tc = rowsOf(sp.T, sp.r, fold.split.train);
      const size = fold.split.heldOut.length * fold.split.train.length;
      if (scratch.length < size) scratch = new Float64Array(size);
      const S = scoreMatrixOf(sp.kind, sp.weights, Tq, Tc, sp.r, scratch);
      const list = topS(S, fold.split.heldOut.length, fold.split.train.length, shortlist);
      lists.push(list);
      spaces.push({ Tq, Tc, r: sp.r, kind: sp.kind, weights: sp.weights, map: sp.map });
      scores.push(foldRetrieval(fold, names, (q) => list.ids.subarray(q * list.s, q * list.s + list.s), k));
    });
    const row: CvRow = { stage, params, outputDim: perFold[0].r, scoreKind: perFold[0].kind, ...meanOverFolds(scores), millis: performance.now() - started };
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
      const perFold = maps.map((m, f): Space => {
        const fold = folds[f];
        const pca = fold.ctx.pca;
        if (!pca) throw metricInputBug("cv-metric-search: a learned map without the fold's PCA");
        const map = (rows: Float32Array) => applyLearnedMap(m, pcaProject(pca, rows), fold.pDim, normalize);
        if (!normalize) return { T: raw[f], r: m.r, kind: m.kind, weights: m.normWeights, map };
        const T = Float32Array.from(raw[f]);
        normalizeRows(T, m.r);
        return { T, r: m.r, kind: 'ip', weights: null, map };
      });
      consider(evaluateSpaces(stage, { ...params, normalize }, perFold, started));
    }
  };

  // Stage 0: plain cosine / inner product on the raw vectors.
  if (grid.methods.includes('identity')) {
    const started = performance.now();
    const params = resolveParams({ method: 'identity', normalize: false }, sample);
    const e = evaluateSpaces('baseline', params, folds.map((): Space => ({ T: X, r: dim, kind: 'ip', weights: null, map: (rows) => rows })), started);
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

  // Stage 2: regularisation around the leaders of stage 1.
  const leaders = stageTwoLeaders(table.map((row, order) => ({ row, candidate: candidateOf(row, order) })));
  const done = new Set(table.map((r) => JSON.stringify(r.params)));
  const evaluate = (params: ResolvedParams) => {
    const todo = grid.normalize.filter((normalize) => !done.has(JSON.stringify({ ...params, normalize })));
    if (todo.length === 0) return;
    evaluateLearned('regularisation', params, todo);
    for (const normalize of todo) done.add(JSON.stringify({ ...params, normalize }));
  };
  for (const leader of leaders) {
    const first = table.length;
    for (const shrinkage of grid.shrinkages) {
      for (const weighting of grid.weightings) {
        const ems = leader.params.method === 'jointBayesian' ? grid.emIterations : [0];
        const variants: { method: MetricMethod; emIterations: number; subspaceDim: number | 'auto' }[] = [];
        for (const emIterations of ems) variants.push({ method: leader.params.method, emIterations, subspaceDim: 'auto' });
        if (leader.params.method === 'xqda') {
          for (const subspaceDim of xqdaSubspaces(folds[0].ctx, { ...leader.params, shrinkage, weighting }, grid.xqdaFractions)) variants.push({ method: 'xqda', emIterations: 0, subspaceDim });
        }
        for (const { method, emIterations, subspaceDim } of variants) {
          evaluate(resolveParams({ ...leader.params, method, shrinkage, weighting, emIterations, subspaceDim, normalize: false }, sample));
        }
      }
    }
    // XQDA at 'auto' is this KISSME (CvGrid.xqdaFractions): its capped subspaces are tried at the
    // regularisation that suits KISSME best here (the leader's own row and the rows just
    // evaluated), not over the whole shrinkage × weighting grid again: the cap and the
    // regularisation are nearly independent choices, and the full cross product was most of
    // stage 2's rows (issue 13, "Fit time").
    if (leader.params.method === 'kissme' && xqdaViaKissme) {
      const own = [table.indexOf(leader), ...Array.from({ length: table.length - first }, (_, i) => first + i)].filter((i) => i >= 0 && table[i].params.method === 'kissme');
      const top = own.reduce((a, b) => (compareCandidates(candidateOf(table[b], b), candidateOf(table[a], a)) < 0 ? b : a));
      const { shrinkage, weighting } = table[top].params;
      for (const subspaceDim of xqdaSubspaces(folds[0].ctx, { ...leader.params, method: 'xqda', shrinkage, weighting }, grid.xqdaFractions)) {
        if (subspaceDim !== 'auto') evaluate(resolveParams({ ...leader.params, method: 'xqda', shrinkage, weighting, emIterations: 0, subspaceDim, normalize: false }, sample));
      }
    }
  }

  const chosen = (best as { e: Evaluated } | null)?.e;
  if (!chosen) throw new ImsearchError('BAD_USER_INPUT', 'cross-validation grid evaluated no configuration (empty methods or dimensions?)');
  return { table, chosen, baseline, tied: tiedAtTop(table.map(candidateOf)) };
}

/**
 * The rows stage 2 refines: the best (dimension, whiten) of each supervised method, and its
 * runner-up when that is within LEADER_MARGIN (the optimum of α and of the dimension interact).
 * Rows are ranked by the selection rule, so equal scores order the same way on every run.
 */
function stageTwoLeaders(rows: { row: CvRow; candidate: Candidate }[]): CvRow[] {
  const seen = new Set<string>();
  const bestOf = new Map<MetricMethod, number>();
  const perMethod = new Map<MetricMethod, number>();
  return rows
    .filter(({ row }) => SUPERVISED.includes(row.params.method))
    .sort((a, b) => compareCandidates(a.candidate, b.candidate))
    .filter(({ row: r, candidate }) => {
      const key = `${r.params.method}/${r.params.pcaDim}/${r.params.whiten}`;
      if (seen.has(key)) return false;
      seen.add(key);
      const top = bestOf.get(r.params.method) ?? candidate.score;
      bestOf.set(r.params.method, top);
      const count = perMethod.get(r.params.method) ?? 0;
      if (count >= 2 || (count > 0 && candidate.score < top - LEADER_MARGIN)) return false;
      perMethod.set(r.params.method, count + 1);
      return true;
    })
    .map(({ row }) => row);
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
