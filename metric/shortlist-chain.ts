/**
 * The query-side chain after the first search, in its one order:
 *
 *   shortlist (best first) → α-QE: the expanded query searches again (inner-product spaces only)
 *     → class vote over that shortlist (fused with the head's class posterior when the fit chose
 *     one) → calibrated threshold cut, or the top k.
 *
 * Searching belongs to the caller (a VectorIndex in search/query-ranker.ts, an exact score matrix
 * in rankGallery, a fold's fitted part in the CV re-ranker search), so the chain is these pure
 * steps; all three callers run them and none re-implements one.
 */
import type { ScoreKind } from './artifact.js';
import { cutResults, type OpenSetCut } from './calibration.js';
import { passesOpenSet } from './open-set.js';
import { alphaQueryExpansion, classVoteRerank, type ClassPrior, type Neighbour, type QueryExpansionParams, type VoteOutcome, type VoteParams } from './rerank.js';
import { topS, type Shortlists } from './shortlists.js';

/** The re-ranking a fit chooses (both null: plain ranking). */
export interface RerankParams {
  vote: VoteParams | null;
  qe: QueryExpansionParams | null;
}

/** One query's shortlist as parallel arrays, best first. */
export interface ShortlistRow {
  ids: ArrayLike<number>;
  scores: ArrayLike<number>;
}

/**
 * Whether α-QE runs: asked for (n > 0) in an inner-product space. Under an L2 or quadratic score
 * the sum of the query and its neighbours is not a better query, so callers skip or refuse it.
 */
export function qeApplies(qe: QueryExpansionParams | null, kind: ScoreKind): qe is QueryExpansionParams {
  return qe !== null && qe.n > 0 && kind === 'ip';
}

/** Step 2: the α-QE query from the first min(qe.n, length) entries of a shortlist. */
export function expandQuery(query: Float32Array, shortlist: ShortlistRow, vectorOf: (id: number) => Float32Array, qe: QueryExpansionParams): Float32Array {
  const r = query.length;
  const m = Math.min(qe.n, shortlist.ids.length);
  const neighbours = new Float32Array(m * r);
  for (let t = 0; t < m; t++) neighbours.set(vectorOf(shortlist.ids[t]), t * r);
  // Only the first m scores are read: as many as there are neighbour rows.
  return alphaQueryExpansion(query, neighbours, shortlist.scores, qe);
}

/** Query q of a batch of shortlists. */
export function shortlistRow(lists: Shortlists, q: number): { ids: Int32Array; scores: Float64Array } {
  const o = q * lists.s;
  return { ids: lists.ids.subarray(o, o + lists.s), scores: lists.scores.subarray(o, o + lists.s) };
}

/**
 * Step 2 with exact search, for a batch: every query (rows of Q) expanded from its shortlist over
 * the candidates (rows of C, r wide), then searched again with `score` (queries → nq × nc).
 */
export function expandedShortlists(Q: Float32Array, lists: Shortlists, C: Float32Array, r: number, qe: QueryExpansionParams, score: (Q2: Float32Array) => Float64Array): Shortlists {
  const Q2 = new Float32Array(lists.queries * r);
  const vectorOf = (id: number) => C.subarray(id * r, id * r + r);
  for (let q = 0; q < lists.queries; q++) Q2.set(expandQuery(Q.subarray(q * r, q * r + r), shortlistRow(lists, q), vectorOf, qe), q * r);
  return topS(score(Q2), lists.queries, C.length / r, lists.s);
}

/** Query q's shortlist as Neighbour objects (what the vote and the cut take). */
export function neighboursOf(lists: Shortlists, q: number, labelOf: (id: number) => string | null): Neighbour[] {
  const { ids, scores } = shortlistRow(lists, q);
  return Array.from(ids, (id, t): Neighbour => ({ id, score: scores[t], label: labelOf(id) }));
}

export interface CutParams {
  k: number;
  /** Keep results scoring ≥ this (undefined: exactly the top k; null: an unachievable target, see cutResults). */
  threshold?: number | null;
  /** Results kept regardless of the threshold (default 1). */
  minResults?: number;
  /** The query-level condition calibrated with the threshold (open-set.ts): a query failing it keeps only minResults. */
  openSet?: OpenSetCut | null;
}

/**
 * Steps 3 and 4: the class vote (when given; fused with the head's class posterior when `prior`
 * is given, see ClassPrior), then the calibrated cut or the top k.
 */
export function voteAndCut<T extends Neighbour>(list: readonly T[], vote: VoteParams | null, cut: CutParams, prior: ClassPrior | null = null): T[] {
  return voteAndCutOutcome(list, vote, cut, prior).results;
}

/** voteAndCut, with the vote's outcome (null: no vote and no head) for the callers that report on it. */
export function voteAndCutOutcome<T extends Neighbour>(
  list: readonly T[],
  vote: VoteParams | null,
  cut: CutParams,
  prior: ClassPrior | null = null,
): { results: T[]; outcome: VoteOutcome<T> | null } {
  const outcome = vote || (prior && prior.weight > 0) ? classVoteRerank(list, vote, prior) : null;
  const ranked = outcome ? outcome.ranked : list;
  if (cut.threshold === undefined) return { results: ranked.slice(0, cut.k), outcome };
  const familiar = passesOpenSet(cut.openSet, outcome, prior);
  return { results: cutResults(ranked, familiar ? cut.threshold : null, cut.k, cut.minResults ?? 1), outcome };
}
