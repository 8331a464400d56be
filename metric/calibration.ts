/**
 * Calibrated cut-off: from held-out gallery pairs (score, same class?), the lowest score
 * threshold whose accepted pairs reach a target precision; applied to a result list it keeps
 * "up to k" results. Fit it on gallery pairs (cross-validation shortlists), never on queries.
 */
import { ImsearchError } from '../errors/error-codes.js';
import { metricInputBug } from './errors.js';

/** The query-level signals an open-set condition can use (open-set.ts). */
export const OPEN_SET_SIGNALS = ['share', 'posterior'] as const;
export type OpenSetSignal = (typeof OPEN_SET_SIGNALS)[number];

/** The query-level condition of a calibrated cut (open-set.ts): past its first result a query keeps results only when its signal ≥ threshold. */
export interface OpenSetCut {
  signal: OpenSetSignal;
  threshold: number;
  /** Share of the calibration's familiar queries below the threshold (what the condition costs them). */
  rejectedFamiliar: number;
}

export interface ThresholdFit {
  targetPrecision: number;
  /** Accept a result when score ≥ threshold (Infinity when the target is unreachable). */
  threshold: number;
  /** Precision / recall of the accepted pairs on the calibration set. */
  precision: number;
  recall: number;
  accepted: number;
  positives: number;
  total: number;
  achievable: boolean;
  /** The open-set condition fitted with the threshold (absent or null: the score alone). */
  openSet?: OpenSetCut | null;
  /**
   * The cut as the CV's own queries meet it (cv-calibration.ts): results per familiar held-out
   * query and their precision, results per stranger query (a class the fold's metric never saw).
   */
  cv?: { familiarResults: number; familiarPrecision: number; strangerResults: number };
}

/**
 * Among all cuts "score ≥ t" (t at distinct observed scores), the one accepting the most pairs
 * with precision ≥ targetPrecision and at least `minAccepted` accepted pairs (default 1).
 */
export function fitThreshold(
  scores: ArrayLike<number>,
  same: ArrayLike<boolean | number>,
  targetPrecision: number,
  opts: { minAccepted?: number } = {},
): ThresholdFit {
  return fitThresholds(scores, same, [targetPrecision], opts)[0];
}

/** fitThreshold for several targets with one sort. */
export function fitThresholds(
  scores: ArrayLike<number>,
  same: ArrayLike<boolean | number>,
  targetPrecisions: readonly number[],
  opts: { minAccepted?: number } = {},
): ThresholdFit[] {
  if (scores.length !== same.length) throw metricInputBug(`fitThreshold: ${scores.length} scores but ${same.length} same-class flags`);
  for (const t of targetPrecisions) {
    if (!(t > 0 && t <= 1)) throw new ImsearchError('BAD_USER_INPUT', `targetPrecision must be in (0, 1], got ${t}`);
  }
  return sweepThresholds(scores, same, scoreOrder(scores), targetPrecisions, opts);
}

/** The pairs best first: score descending, then index (the order every threshold sweep walks). */
export function scoreOrder(scores: ArrayLike<number>): number[] {
  const n = scores.length;
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) throw metricInputBug(`fitThreshold: score ${i} is NaN`);
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * fitThresholds over the pairs listed in `order` alone (a subsequence of scoreOrder's order):
 * the same fits as fitThresholds on just those pairs, without sorting again (open-set.ts sweeps
 * one sorted set of pairs under many query conditions).
 */
export function sweepThresholds(
  scores: ArrayLike<number>,
  same: ArrayLike<boolean | number>,
  order: ArrayLike<number>,
  targetPrecisions: readonly number[],
  opts: { minAccepted?: number } = {},
): ThresholdFit[] {
  const n = order.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (same[order[i]]) positives++;
  const minAccepted = Math.max(1, opts.minAccepted ?? 1);
  const best: (ThresholdFit | null)[] = targetPrecisions.map(() => null);
  let tp = 0;
  for (let i = 0; i < n; ) {
    const s = scores[order[i]];
    // Take the whole group of equal scores: a threshold cannot split it.
    while (i < n && scores[order[i]] === s) {
      if (same[order[i]]) tp++;
      i++;
    }
    const precision = tp / i;
    if (i < minAccepted) continue;
    targetPrecisions.forEach((target, t) => {
      if (precision >= target) {
        best[t] = { targetPrecision: target, threshold: s, precision, recall: positives ? tp / positives : 0, accepted: i, positives, total: n, achievable: true };
      }
    });
  }
  return targetPrecisions.map(
    (target, t) => best[t] ?? { targetPrecision: target, threshold: Infinity, precision: 0, recall: 0, accepted: 0, positives, total: n, achievable: false },
  );
}

/**
 * Keep the results (in their order) whose score ≥ threshold, at most k; the first `minResults`
 * (default 1) are kept regardless, so a query never comes back empty unless asked to. A null or
 * NaN threshold (an unachievable target that went through JSON) accepts nothing beyond those.
 */
export function cutResults<T extends { score: number }>(results: readonly T[], threshold: number | null, k: number, minResults = 1): T[] {
  const t = threshold === null || Number.isNaN(threshold) ? Infinity : threshold;
  const out: T[] = [];
  for (let i = 0; i < results.length && out.length < k; i++) {
    if (i < minResults || results[i].score >= t) out.push(results[i]);
  }
  return out;
}
