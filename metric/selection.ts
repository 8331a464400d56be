/**
 * How the cross-validation chooses among candidates, and breaks ties. The same rule for every
 * choice (metric params, the stage-2 leaders, α-QE, the class vote):
 *
 *   1. the higher selection score (MAP@k, or class-balanced MAP@k), compared exactly: no rounding,
 *      so no threshold can put two nearly equal scores on either side of it;
 *   2. on an exact tie, the cheaper / simpler candidate: its cost keys compared in order, lower
 *      first (metricCost, rerankCost below);
 *   3. then the candidate evaluated first, i.e. its position in the grid (cv-grid.ts).
 *
 * Exact ties are common, not rare: MAP@10 over a few hundred queries takes few distinct values, and
 * many vote settings rank every held-out query alike (40 of 65 re-ranking rows tie at the top on
 * the synthetic gallery of the tests). With the rule written down, which one wins is a property of
 * the grid, not of evaluation order or of floating-point noise in a row that should have tied.
 * (Thresholds need no rule: among the cuts that reach a target precision, calibration.ts takes
 * the one accepting the most pairs, and those counts are all distinct.)
 */
import { METRIC_METHODS } from './artifact.js';
import type { CvRow, CvScores, SelectBy } from './cv-types.js';
import type { RerankParams } from './shortlist-chain.js';

export interface Candidate {
  score: number;
  /** Lower = cheaper / simpler, compared key by key. */
  cost: readonly number[];
  /** Evaluation order (position in the grid). */
  order: number;
}

export function selectionScore(s: CvScores, by: SelectBy): number {
  return by === 'map' ? s.map : s.classBalancedMap;
}

/** Negative when a is preferred to b (a sort comparator: the preferred candidate first). */
export function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.score !== b.score) return a.score > b.score ? -1 : 1;
  for (let i = 0; i < Math.min(a.cost.length, b.cost.length); i++) {
    if (a.cost[i] !== b.cost[i]) return a.cost[i] - b.cost[i];
  }
  return a.order - b.order;
}

/**
 * A metric's cost: the dimension the index searches and re-scores (query time and memory), then
 * the method in METRIC_METHODS order (identity, pca, kissme, xqda, jointBayesian: fewer things
 * estimated from the labels first).
 */
export function metricCost(row: CvRow): number[] {
  return [row.outputDim, METRIC_METHODS.indexOf(row.params.method)];
}

/**
 * A re-ranking's cost: α-QE first (it costs a second search), then the voters (none before any;
 * fewer voters, a more local decision, before more).
 */
export function rerankCost(r: RerankParams): number[] {
  return [r.qe ? 1 : 0, r.vote ? r.vote.k : 0];
}

/** Index of the preferred candidate (−1 for none). */
export function preferredIndex(candidates: readonly Candidate[]): number {
  let best = -1;
  candidates.forEach((c, i) => {
    if (best < 0 || compareCandidates(c, candidates[best]) < 0) best = i;
  });
  return best;
}

/** How many candidates share the preferred one's score exactly (1: the score alone decided). */
export function tiedAtTop(candidates: readonly Candidate[]): number {
  const best = preferredIndex(candidates);
  return best < 0 ? 0 : candidates.filter((c) => c.score === candidates[best].score).length;
}
