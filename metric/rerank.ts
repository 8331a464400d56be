/**
 * Label-aware re-ranking of a shortlist: pure functions over (id, score, label) lists.
 *
 * - classVoteRerank: similarity-weighted vote of the top-K labelled neighbours; when the winner
 *   is confident (share of the vote ≥ minShare), the winner's items come first (in score order),
 *   then the rest (in score order). Otherwise the list is returned unchanged.
 *   A class posterior (a classification head's, head.ts) can join the vote: see ClassPrior.
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

/** Vote weight per labelled class among the first k entries, with the total (unlabelled voters included). */
function tallyVotes(shortlist: readonly Neighbour[], k: number, tau: number | null): { tally: Map<string, { weight: number; first: number }>; total: number } {
  const voters = shortlist.slice(0, k);
  const weights = voteWeights(
    voters.map((v) => v.score),
    tau,
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
  return { tally, total };
}

/**
 * The vote of the first k entries of a score-descending shortlist: each labelled class's share,
 * largest first (ties: the class whose best voter ranks higher). What an explanation reports (the
 * vote alone, before any class posterior joins it).
 */
export function classShares(shortlist: readonly Neighbour[], params: Pick<VoteParams, 'k' | 'tau'>): ClassShare[] {
  const k = Math.max(0, Math.min(Math.floor(params.k), shortlist.length));
  const { tally, total } = tallyVotes(shortlist, k, params.tau);
  return [...tally]
    .sort(([, a], [, b]) => b.weight - a.weight || a.first - b.first)
    .map(([label, t]) => ({ label, share: total > 0 ? t.weight / total : 0, first: t.first }));
}

/**
 * A class posterior for the query fused with the vote: class c scores (share_c + weight·p_c) /
 * (1 + weight), share_c its share of the vote (0 without a vote). weight 0 is the vote alone,
 * bit for bit. Any class in the shortlist can win, not only the voters' (the head may know
 * better than the K nearest).
 */
export interface ClassPrior {
  probability(label: string): number;
  weight: number;
}

/**
 * The shortlist must be sorted best first (as an index returns it; ties in the given order).
 * `params` null: no vote (only `prior` decides). Returns a new array; the input is not modified.
 */
export function classVoteRerank<T extends Neighbour>(shortlist: readonly T[], params: VoteParams | null, prior: ClassPrior | null = null): VoteOutcome<T> {
  const k = params ? Math.max(0, Math.min(Math.floor(params.k), shortlist.length)) : 0;
  const { tally, total } = tallyVotes(shortlist, k, params ? params.tau : null);
  const w = prior && prior.weight > 0 ? prior.weight : 0;
  if (w > 0) {
    shortlist.forEach((item, i) => {
      const label = item.label;
      if (label !== null && label !== undefined && label !== '' && !tally.has(label)) tally.set(label, { weight: 0, first: i });
    });
  }
  // Compared unnormalised (weight_c + w·total·p_c): at w = 0 that is the raw vote weight, so the
  // vote alone decides exactly as it always has; divided by (1 + w)·total it is the fused share.
  const fused = (label: string, t: { weight: number }) => (total > 0 ? t.weight + (w > 0 ? w * total * (prior as ClassPrior).probability(label) : 0) : w * (prior as ClassPrior).probability(label));
  let winner: string | null = null;
  let best = -1;
  let bestFirst = Infinity;
  for (const [label, t] of tally) {
    const s = fused(label, t);
    if (s > best || (s === best && t.first < bestFirst)) {
      winner = label;
      best = s;
      bestFirst = t.first;
    }
  }
  const share = winner === null ? 0 : total > 0 ? best / ((1 + w) * total) : best / (1 + w);
  const applied = winner !== null && share >= (params ? params.minShare : 0);
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
