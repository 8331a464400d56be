/**
 * "Up to k" for photos of classes the collection does not have: a query-level condition joins
 * the calibrated score threshold. The score threshold alone cannot stop a stranger (its nearest
 * wrong matches score as high as a familiar photo's right ones), but how sure the class decision
 * is differs: a query whose predicted class is weakly supported is cut to its first result.
 *
 * The signals (higher = more familiar), from what a query's shortlist chain already computes:
 *   'share'     the winning class's fused share: (vote share + w·head posterior) / (1 + w), or the
 *               vote share alone without a head (rerank.ts, classVoteRerank's `share`);
 *   'posterior' the head's class posterior of the winning class (only with a head).
 *
 * Calibration (fitOpenSetCuts), over the leave-classes-out calibration's
 * queries (cv-calibration.ts: familiar held-out queries, and strangers: held-out photos of
 * classes the fold's metric was fitted without), each with its ranked results and its signals:
 *   - the candidate conditions are none, and per signal the values below which a given share of
 *     the familiar queries fall (DEFAULT_REJECT_SHARES);
 *   - with a condition u, the score threshold t(u) for a target p is the lowest reaching p on the
 *     shortlist pairs of the familiar queries that pass u (calibration.ts's rule: in-collection
 *     precision ≥ p is the promise);
 *   - the cut (u, t(u)) is applied to every calibration query as a query runs it (the first
 *     result always kept, then results scoring ≥ t up to k for a query that passes u), and its
 *     value is the right results per familiar query minus the results per stranger query;
 *   - one condition serves every target, so a stricter precision never returns more: the one
 *     with the largest value summed over the targets (on a tie: none, then the milder
 *     condition, then signal order).
 * Pooling the strangers' pairs into the precision instead (what the threshold alone does) lets a
 * few stranger classes with a look-alike in the collection push t so high that familiar queries
 * get almost nothing (Caltech, CV seed 2: t at p = 0.9 kept 6 % of the right pairs).
 */
import { OPEN_SET_SIGNALS, scoreOrder, sweepThresholds, type OpenSetCut, type OpenSetSignal, type ThresholdFit } from './calibration.js';
import type { ClassPrior, VoteOutcome, Neighbour } from './rerank.js';

/**
 * A query's signal from its vote outcome and head prior; null when the chain has nothing to
 * judge by (no vote and no head, no labelled neighbour, or 'posterior' without a head).
 */
export function openSetSignal(signal: OpenSetSignal, outcome: Pick<VoteOutcome<Neighbour>, 'winner' | 'share'> | null, prior: ClassPrior | null): number | null {
  if (!outcome || outcome.winner === null) return null;
  if (signal === 'share') return outcome.share;
  return prior ? prior.probability(outcome.winner) : null;
}

/** Whether a query passes the condition (no condition, or no signal to judge by: it passes). */
export function passesOpenSet(cut: OpenSetCut | null | undefined, outcome: Pick<VoteOutcome<Neighbour>, 'winner' | 'share'> | null, prior: ClassPrior | null): boolean {
  if (!cut) return true;
  const v = openSetSignal(cut.signal, outcome, prior);
  return v === null || v >= cut.threshold;
}

export { OPEN_SET_SIGNALS, type OpenSetCut, type OpenSetSignal };

/** Calibration pairs with the query each pair belongs to, and per query its signals. */
export interface SignalledPairs {
  scores: Float64Array;
  same: Uint8Array;
  /** Query index of each pair. */
  query: Int32Array;
  /** Per query: 1 for a familiar (in-collection) query, 0 for a stranger. */
  familiar: Uint8Array;
  /** Per signal, per query (NaN: no signal, the query always passes). */
  signals: Partial<Record<OpenSetSignal, Float64Array>>;
}

/** One calibration query's results as its chain ranks them (the vote's order), before any cut. */
export interface RankedQuery {
  scores: ArrayLike<number>;
  /** 1 where the result shares the query's class (always 0 for a stranger). */
  right: ArrayLike<number>;
}

/** The familiar queries' share rejected by each candidate signal threshold. */
export const DEFAULT_REJECT_SHARES = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3];

export interface OpenSetFit extends ThresholdFit {
  openSet: OpenSetCut | null;
  cv?: { familiarResults: number; familiarPrecision: number; strangerResults: number };
}

/** Results, right results per query group under the cut (t, pass), as cutResults keeps them (the first always). */
export function cutCounts(
  ranked: readonly RankedQuery[],
  familiar: ArrayLike<number>,
  t: number,
  pass: (q: number) => boolean,
  k: number,
): { familiarQueries: number; familiarResults: number; familiarRight: number; strangerQueries: number; strangerResults: number } {
  const out = { familiarQueries: 0, familiarResults: 0, familiarRight: 0, strangerQueries: 0, strangerResults: 0 };
  ranked.forEach((r, q) => {
    const passes = pass(q);
    let kept = 0, right = 0;
    for (let i = 0; i < r.scores.length && kept < k; i++) {
      if (i < 1 || (passes && r.scores[i] >= t)) {
        kept++;
        right += r.right[i];
      }
    }
    if (familiar[q]) {
      out.familiarQueries++;
      out.familiarResults += kept;
      out.familiarRight += right;
    } else {
      out.strangerQueries++;
      out.strangerResults += kept;
    }
  });
  return out;
}

/** See the module doc. `ranked[q]`: query q's ranked results (queries indexed as pairs.query). */
export function fitOpenSetCuts(
  pairs: SignalledPairs,
  ranked: readonly RankedQuery[],
  targets: readonly number[],
  opts: { k: number; rejectShares?: readonly number[] },
): OpenSetFit[] {
  const order = scoreOrder(pairs.scores);
  const familiarOrder = order.filter((i) => pairs.familiar[pairs.query[i]]);
  const candidates: { cut: OpenSetCut | null; pass: (q: number) => boolean; kept: number[] }[] = [{ cut: null, pass: () => true, kept: familiarOrder }];
  for (const signal of OPEN_SET_SIGNALS) {
    const values = pairs.signals[signal];
    if (!values) continue;
    const familiarValues = Array.from(values).filter((v, q) => pairs.familiar[q] && !Number.isNaN(v)).sort((a, b) => a - b);
    if (!familiarValues.length) continue;
    const tried = new Set<number>();
    for (const share of [...(opts.rejectShares ?? DEFAULT_REJECT_SHARES)].sort((a, b) => a - b)) {
      // The smallest familiar value with at least `share` of them below it.
      const u = familiarValues[Math.min(familiarValues.length - 1, Math.ceil(share * familiarValues.length))];
      if (tried.has(u)) continue;
      tried.add(u);
      let rejected = 0;
      for (const v of familiarValues) if (v < u) rejected++;
      const pass = (q: number) => !(values[q] < u); // NaN (no signal) passes
      candidates.push({ cut: { signal, threshold: u, rejectedFamiliar: rejected / familiarValues.length }, pass, kept: familiarOrder.filter((i) => pass(pairs.query[i])) });
    }
  }
  const positives = familiarOrder.reduce((a, i) => a + pairs.same[i], 0);
  const fitsOf = candidates.map((c) => sweepThresholds(pairs.scores, pairs.same, c.kept, targets));
  // Every candidate's cut at every target: its fit, and what it returns to the calibration queries.
  const evaluated = candidates.map((c, ci) =>
    targets.map((_target, t) => {
      const fit = fitsOf[ci][t];
      if (!fit.achievable) return null;
      const n = cutCounts(ranked, pairs.familiar, fit.threshold, c.pass, opts.k);
      const value = n.familiarRight / Math.max(1, n.familiarQueries) - n.strangerResults / Math.max(1, n.strangerQueries);
      const tp = Math.round(fit.recall * fit.positives);
      const out: OpenSetFit = {
        ...fit,
        recall: positives ? tp / positives : 0,
        positives,
        total: familiarOrder.length,
        openSet: c.cut,
        cv: {
          familiarResults: n.familiarResults / Math.max(1, n.familiarQueries),
          familiarPrecision: n.familiarRight / Math.max(1, n.familiarResults),
          strangerResults: n.strangerResults / Math.max(1, n.strangerQueries),
        },
      };
      return { fit: out, value };
    }),
  );
  // One condition for every target (so a stricter precision never returns more): the candidate
  // with the largest value summed over the targets, among those that reach every target the
  // score alone reaches. Ties: no condition, then the milder one, then candidate (signal) order.
  const rank = (ci: number) => candidates[ci].cut?.rejectedFamiliar ?? -1;
  let chosen = 0;
  let chosenValue = -Infinity;
  evaluated.forEach((rows, ci) => {
    if (rows.some((row, t) => row === null && evaluated[0][t] !== null)) return;
    const total = rows.reduce((a, row) => a + (row ? row.value : 0), 0);
    if (total > chosenValue || (total === chosenValue && rank(ci) < rank(chosen))) {
      chosen = ci;
      chosenValue = total;
    }
  });
  return targets.map((_target, t) => {
    const own = evaluated[chosen][t];
    if (own) return own.fit;
    // A target only some condition reaches: the best of those here.
    let best: { fit: OpenSetFit; value: number } | null = null;
    for (const rows of evaluated) if (rows[t] && (!best || rows[t]!.value > best.value)) best = rows[t];
    return best ? best.fit : { ...fitsOf[0][t], openSet: null };
  });
}
