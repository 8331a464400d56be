import type { ProbabilityCurve, QueryExpansionParams, ThresholdFit, VoteParams } from '../metric/index.js';

/**
 * How a collection answers queries once a metric is fitted (stored in its manifest as
 * `searchDefaults`): where the learned metric plugs in, the shortlist re-ranked, the re-rankers
 * chosen by cross-validation, and the calibrated thresholds for "up to k".
 */
export interface SearchDefaults {
  /**
   * transform: the index holds metric-space vectors and searches the learned metric directly;
   * rerank: the index holds the plain ensemble vectors (cosine) and the shortlist is re-scored
   * exactly with the metric.
   */
  mode: 'transform' | 'rerank';
  shortlist: number;
  vote: VoteParams | null;
  qe: QueryExpansionParams | null;
  /** Thresholds on the metric score for target precisions (held-out gallery pairs). */
  thresholds: ThresholdFit[];
  /** Metric score → probability of the same class, from the same pairs (null: fitted before curves were stored). */
  probability: ProbabilityCurve | null;
}

export const PLAIN_DEFAULTS: SearchDefaults = { mode: 'transform', shortlist: 100, vote: null, qe: null, thresholds: [], probability: null };

export function searchDefaultsOf(raw: Record<string, unknown>): SearchDefaults {
  return { ...PLAIN_DEFAULTS, ...(raw as Partial<SearchDefaults>) };
}

/** A calibrated cut as a search applies it: the score threshold and the open-set condition fitted with it. */
export type CalibratedCut = Pick<ThresholdFit, 'threshold' | 'openSet'>;

/**
 * The threshold for a requested precision: the fitted target closest above it (stricter is
 * safe), or null when none was fitted that high.
 */
export function thresholdFor(defaults: SearchDefaults, precision: number): ThresholdFit | null {
  const candidates = defaults.thresholds
    .filter((t) => t.targetPrecision >= precision && t.achievable)
    .sort((a, b) => a.targetPrecision - b.targetPrecision);
  return candidates[0] ?? null;
}
