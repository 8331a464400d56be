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
 * Calibration (fitOpenSetCuts) extends calibration.ts's rule to the pair (signal threshold u,
 * score threshold t): a pair (query, shortlist entry) is accepted when the query's signal ≥ u and
 * the entry's score ≥ t; among the candidate u (quantiles of the familiar queries' signal), t is
 * the lowest score threshold reaching the target precision on the accepted pairs, and the pair
 * (signal, u) kept is the one accepting the most right matches (on a tie: no condition, then the
 * milder one). The stranger queries of the leave-classes-out calibration (cv-calibration.ts) are
 * in the pairs as wrong matches: rejecting them is what lets t come down.
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

/** The familiar queries' share rejected by each candidate signal threshold. */
export const DEFAULT_REJECT_SHARES = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3];

export interface OpenSetFit extends ThresholdFit {
  openSet: OpenSetCut | null;
}

export { OPEN_SET_SIGNALS, type OpenSetCut, type OpenSetSignal };

/**
 * For each target precision: the score threshold alone (fitThresholds on every pair) and, per
 * signal and candidate signal threshold u (the value below which `rejectShares` of the familiar
 * queries fall), the score threshold on the pairs of the queries with signal ≥ u; the choice
 * keeps the most right matches (true positives), then no condition, then the smaller rejected
 * share, then signal order. `recall` and `positives` stay relative to every right pair.
 */
export function fitOpenSetCuts(pairs: SignalledPairs, targets: readonly number[], rejectShares: readonly number[] = DEFAULT_REJECT_SHARES): OpenSetFit[] {
  const order = scoreOrder(pairs.scores);
  const plain = sweepThresholds(pairs.scores, pairs.same, order, targets);
  const best: OpenSetFit[] = plain.map((t) => ({ ...t, openSet: null }));
  const tp = (t: ThresholdFit) => Math.round(t.recall * t.positives);
  for (const signal of OPEN_SET_SIGNALS) {
    const values = pairs.signals[signal];
    if (!values) continue;
    const familiarValues = Array.from(values).filter((v, q) => pairs.familiar[q] && !Number.isNaN(v)).sort((a, b) => a - b);
    if (!familiarValues.length) continue;
    const tried = new Set<number>();
    for (const share of [...rejectShares].sort((a, b) => a - b)) {
      // The smallest familiar value with at least `share` of them below it.
      const u = familiarValues[Math.min(familiarValues.length - 1, Math.ceil(share * familiarValues.length))];
      if (tried.has(u)) continue;
      tried.add(u);
      const kept = order.filter((i) => {
        const v = values[pairs.query[i]];
        return Number.isNaN(v) || v >= u;
      });
      const fits = sweepThresholds(pairs.scores, pairs.same, kept, targets);
      let rejected = 0;
      for (const v of familiarValues) if (v < u) rejected++;
      const rejectedFamiliar = rejected / familiarValues.length;
      fits.forEach((fit, t) => {
        if (!fit.achievable) return;
        const positives = plain[t].positives;
        const candidate: OpenSetFit = { ...fit, recall: positives ? tp(fit) / positives : 0, positives, total: pairs.scores.length, openSet: { signal, threshold: u, rejectedFamiliar } };
        const incumbent = best[t];
        const a = tp(candidate), b = incumbent.achievable ? tp(incumbent) : -1;
        const milder = incumbent.openSet !== null && rejectedFamiliar < incumbent.openSet.rejectedFamiliar;
        if (a > b || (a === b && milder)) best[t] = candidate;
      });
    }
  }
  return best;
}
