/**
 * The stage after the re-ranker search: learned ensemble weights. The input's blocks (the
 * ensemble's models, each L2-normalised and concatenated with equal weights) are re-weighted,
 * block i by √(B·w_i/Σw), for each candidate of grid.blockWeights; each candidate gets its own
 * folds (the same seeded split, the PCA of the re-weighted rows, from the gallery's scatter as
 * D S D: no second pass over the data), the chosen metric refitted at the chosen regularisation,
 * and the re-ranker search on top. Equal weights (the incumbent, already evaluated) win ties.
 *
 * The metric params are not searched again per weighting: that would multiply the fit time by
 * the number of candidates. "The chosen regularisation" is the grid restricted to the chosen
 * method, dimension, shrinkage, weighting, whitening and normalisation (an XQDA subspace cap is
 * not carried over: XQDA re-fits at 'auto').
 */
import { inputScaleOf, type ResolvedParams } from './artifact.js';
import { makeFolds, type Fold } from './cv-folds.js';
import type { CvGrid } from './cv-grid.js';
import { searchMetricParams, type Evaluated } from './cv-metric-search.js';
import { searchReranking } from './cv-rerank-search.js';
import type { CvScores, RerankRow, SelectBy } from './cv-types.js';
import type { ClassIndex } from './labels.js';
import type { ScatterCache } from './pca.js';
import { scaleColumns } from './vectors.js';
import { preferredIndex, selectionScore, tiedAtTop, type Candidate } from './selection.js';

export interface EnsembleRow extends CvScores {
  /** Relative block weights (all 1: equal). */
  weights: number[];
  rerank: RerankRow['rerank'];
}

/** Everything the later stages need of one weighting. */
export interface Weighted {
  weights: number[];
  X: Float32Array;
  /** The input's augmented views, weighted like X (scaled when first asked for: only the chosen weighting's are). */
  views: () => Float32Array[];
  scatter: ScatterCache | null;
  folds: Fold[];
  chosen: Evaluated;
  rerank: RerankRow;
}

export interface EnsembleSearchInput {
  blocks: number[];
  dim: number;
  classes: ClassIndex;
  params: ResolvedParams;
  grid: CvGrid;
  foldOptions: { folds: number; holdout: number; seed: number; maxPcaDim: number };
  sample: { n: number; d: number; labelled: number; classes: number };
  k: number;
  shortlist: number;
  selectBy: SelectBy;
  /** Equal weights, as the earlier stages evaluated them. */
  incumbent: Weighted;
}

export interface EnsembleSearchResult {
  table: EnsembleRow[];
  best: Weighted;
  tied: number;
}

export function searchBlockWeights(input: EnsembleSearchInput): EnsembleSearchResult {
  const { blocks, dim, classes, params, grid, k, shortlist, selectBy, incumbent } = input;
  const restricted: CvGrid = {
    ...grid,
    methods: [params.method],
    pcaDims: [params.pcaDim],
    shrinkages: [params.shrinkage],
    weightings: [params.weighting],
    normalize: [params.normalize],
    whiten: [params.whiten],
    emIterations: [params.emIterations],
    xqdaFractions: [1],
  };
  const rowOf = (w: Weighted): EnsembleRow => ({ weights: w.weights, rerank: w.rerank.rerank, map: w.rerank.map, classBalancedMap: w.rerank.classBalancedMap, precisionAt1: w.rerank.precisionAt1 });
  const table: EnsembleRow[] = [rowOf(incumbent)];
  let best = incumbent;
  let bestCandidate: Candidate = { score: selectionScore(table[0], selectBy), cost: [0], order: 0 };
  for (const weights of grid.blockWeights) {
    if (weights.length !== blocks.length || weights.every((w) => w === weights[0])) continue;
    const s = Float64Array.from(inputScaleOf({ dims: blocks, weights }) as Float32Array);
    const { X, cache } = incumbent.scatter ? incumbent.scatter.scaled(s) : { X: scaleColumns(incumbent.X, dim, s), cache: null };
    const folds = makeFolds(X, dim, classes, { ...input.foldOptions, scatter: cache });
    const metric = searchMetricParams({ X, dim, folds, names: classes.names, grid: restricted, sample: input.sample, k, shortlist, selectBy });
    const rerank = searchReranking({ chosen: metric.chosen, folds, names: classes.names, grid, k, selectBy });
    let scaled: Float32Array[] | null = null;
    const views = () => (scaled ??= incumbent.views().map((v) => scaleColumns(v, dim, s)));
    const w: Weighted = { weights, X, views, scatter: cache, folds, chosen: metric.chosen, rerank: rerank.best };
    const row = rowOf(w);
    const candidate: Candidate = { score: selectionScore(row, selectBy), cost: [1], order: table.length };
    table.push(row);
    if (preferredIndex([bestCandidate, candidate]) === 1) {
      best = w;
      bestCandidate = candidate;
    }
  }
  return { table, best, tied: tiedAtTop(table.map((row, order) => ({ score: selectionScore(row, selectBy), cost: [order === 0 ? 0 : 1], order }))) };
}
