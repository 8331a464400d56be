/**
 * Label-aware re-ranking of a shortlist: pure functions over (id, score, label) lists.
 *
 * - classVoteRerank: similarity-weighted vote of the top-K labelled neighbours; when the winner
 *   is confident (share of the vote ≥ minShare), the winner's items come first (in score order),
 *   then the rest (in score order). Otherwise the list is returned unchanged.
 * - alphaQueryExpansion (α-QE): the expanded query q' = normalise(q + Σ_{i<n} max(s_i, 0)^α x_i),
 *   for a second search. Meant for cosine / inner-product spaces (identity, or normalize = true).
 */

export interface Neighbour {
  id: number;
  /** Higher = more similar. */
  score: number;
  /** Gallery label; null / undefined / '' = unlabelled (never wins a vote). */
  label?: string | null;
}

export interface VoteParams {
  /** Neighbours that vote. */
  k: number;
  /**
   * Temperature relative to the score spread of the voters: w_i = exp((s_i − s_1) / (τ·(s_1 − s_K))).
   * At τ = 1 the K-th voter weighs e⁻¹ of the first; null (or Infinity) is a plain count; τ = 0
   * gives the top score alone. Scale-free, so one τ fits cosine and −distance² alike. (null, not
   * Infinity, is what survives JSON.)
   */
  tau: number | null;
  /** Minimum share of the total vote weight (unlabelled voters included) for the winner to be applied. */
  minShare: number;
}

export interface VoteOutcome<T extends Neighbour> {
  ranked: T[];
  /** Winning label, or null when nobody labelled voted. */
  winner: string | null;
  /** Winner's share of the total vote weight (0..1). */
  share: number;
  /** Whether the ranking was changed (winner confident enough). */
  applied: boolean;
}

/** Vote weights of the first k entries of a score-descending list (see VoteParams.tau). */
export function voteWeights(scores: readonly number[], tau: number | null): number[] {
  const k = scores.length;
  if (k === 0) return [];
  const top = scores[0];
  const spread = top - scores[k - 1];
  return scores.map((s) => {
    if (tau === null || tau === Infinity || !(spread > 0)) return 1;
    if (tau <= 0) return s === top ? 1 : 0;
    return Math.exp((s - top) / (tau * spread));
  });
}

/** One class's part of a vote. */
export interface ClassShare {
  label: string;
  /** Its share of the total vote weight (unlabelled voters included), 0..1. */
  share: number;
  /** Position in the shortlist of its best voter. */
  first: number;
}

/**
 * The vote of the first k entries of a score-descending shortlist: each labelled class's share,
 * largest first (ties: the class whose best voter ranks higher). What the re-ranker acts on and
 * what an explanation reports.
 */
export function classShares(shortlist: readonly Neighbour[], params: Pick<VoteParams, 'k' | 'tau'>): ClassShare[] {
  const k = Math.max(0, Math.min(Math.floor(params.k), shortlist.length));
  const voters = shortlist.slice(0, k);
  const weights = voteWeights(
    voters.map((v) => v.score),
    params.tau,
  );
  const tally = new Map<string, { weight: number; first: number }>();
  let total = 0;
  voters.forEach((v, i) => {
    total += weights[i];
    const label = v.label;
    if (label === null || label === undefined || label === '') return;
    const t = tally.get(label);
    if (t) t.weight += weights[i];
    else tally.set(label, { weight: weights[i], first: i });
  });
  return [...tally]
    .sort(([, a], [, b]) => b.weight - a.weight || a.first - b.first)
    .map(([label, t]) => ({ label, share: total > 0 ? t.weight / total : 0, first: t.first }));
}

/**
 * The shortlist must be sorted best first (as an index returns it; ties in the given order).
 * Returns a new array; the input is not modified.
 */
export function classVoteRerank<T extends Neighbour>(shortlist: readonly T[], params: VoteParams): VoteOutcome<T> {
  const top = classShares(shortlist, params)[0];
  const winner = top?.label ?? null;
  const share = top?.share ?? 0;
  const applied = winner !== null && share >= params.minShare;
  if (!applied) return { ranked: shortlist.slice(), winner, share, applied };
  const first: T[] = [];
  const rest: T[] = [];
  for (const item of shortlist) (item.label === winner ? first : rest).push(item);
  return { ranked: first.concat(rest), winner, share, applied };
}

export interface QueryExpansionParams {
  /** Neighbours averaged into the query (0 = no expansion). */
  n: number;
  /** Exponent on the (clipped) similarity: weight = max(s, 0)^α. */
  alpha: number;
  /** Weight of the original query (default 1). */
  queryWeight?: number;
}

/**
 * α-QE: q' = normalise(w_q·q + Σ_{i<n} max(s_i, 0)^α · x_i), with x_i the i-th neighbour's vector
 * (rows of `neighbours`, same space as q, best first) and s_i its score. Returns a new vector.
 */
export function alphaQueryExpansion(query: Float32Array, neighbours: Float32Array, scores: ArrayLike<number>, params: QueryExpansionParams): Float32Array {
  const r = query.length;
  const m = Math.min(Math.floor(params.n), neighbours.length / r, scores.length);
  const out = new Float64Array(r);
  const wq = params.queryWeight ?? 1;
  for (let j = 0; j < r; j++) out[j] = wq * query[j];
  for (let i = 0; i < m; i++) {
    const w = Math.pow(Math.max(scores[i], 0), params.alpha);
    if (w === 0) continue;
    for (let j = 0; j < r; j++) out[j] += w * neighbours[i * r + j];
  }
  let norm = 0;
  for (let j = 0; j < r; j++) norm += out[j] * out[j];
  norm = Math.sqrt(norm);
  const res = new Float32Array(r);
  for (let j = 0; j < r; j++) res[j] = norm > 0 ? out[j] / norm : 0;
  return res;
}
