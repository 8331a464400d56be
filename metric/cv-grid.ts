/**
 * The grid cross-validation searches. Every default is relative to the data (n, d, labelled
 * items, classes, class sizes, shortlist length): no constants of one dataset. The order of every
 * list is the order its candidates are evaluated in: the last tie-break of the selection, after
 * the cost keys (selection.ts).
 */
import type { MetricMethod } from './artifact.js';
import { defaultPcaDim } from './params.js';
import type { WithinWeighting } from './stats.js';

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
  /** L2 penalties the classification head is trained with (empty = no head). */
  headL2s: number[];
  /** Weights of the head's class posterior in the vote (> 0; no head is always a candidate). */
  headWeights: number[];
  /** Train each head without and/or with the augmented views as extra rows (with fewer than two views, true means the pooled rows alone). */
  headViews: boolean[];
  /** Powers β of the class prior divided out of each head's posterior (0: as trained; head.ts dividePrior). */
  headPriors: number[];
  /** L-BFGS iterations per head fit. */
  headIterations: number;
  /** Relative weights of the input's blocks (the ensemble's models) to try; [] = equal weights only. */
  blockWeights: number[][];
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
    // One penalty: 1e-4 under-fits (flatter posteriors) and lost to 1e-5 on every CV seed measured.
    headL2s: [1e-5],
    headWeights: [0.5, 1, 2, 4],
    headViews: [false, true],
    headPriors: [0, 0.5, 1],
    headIterations: 50,
    blockWeights: [],
  };
}

/**
 * The ensemble weightings tried for `blocks` models: each model's weight halved, the others at 1
 * (equal weights, the incumbent, are always a candidate). One model at a time keeps the search
 * at `blocks` extra fits (each a fold PCA, a metric fit and the re-ranker search): the full
 * {0.5, 1, 2}^B simplex is 19 for B = 3. Doublings were tried too until the fit-time budget
 * (BENCHMARKS.md, "Fit time"): over three CV seeds on Caltech-101 a doubling won once, inside
 * the seeds' spread, and on that seed's queries the weights paid nothing measurable.
 */
export function defaultBlockWeights(blocks: number): number[][] {
  if (blocks < 2) return [];
  return Array.from({ length: blocks }, (_, i) => Array.from({ length: blocks }, (_, j) => (j === i ? 0.5 : 1)));
}

/** Shrinkage of the stage-1 (method × dimension) rows; stage 2 tries the grid's shrinkages around the leaders. */
export const DEFAULT_SHRINKAGE = 0.1;
/** A method's second-best dimension is refined too when its stage-1 score is this close to the best. */
export const LEADER_MARGIN = 0.02;
