/**
 * Calibration inside the cross-validation: every held-out query × its shortlist under the chosen
 * metric is one (score, same class?) pair; the thresholds for the target precisions are fitted
 * on those pairs (calibration.ts), never on queries.
 */
import { fitThresholds, type ThresholdFit } from './calibration.js';
import type { Fold } from './cv-folds.js';
import type { Shortlists } from './shortlists.js';

export interface CalibrationPairs {
  scores: Float64Array;
  same: Uint8Array;
}

/** The pairs in fold, query, rank order. */
export function calibrationPairs(lists: Shortlists[], folds: Fold[]): CalibrationPairs {
  let n = 0;
  for (const l of lists) n += l.queries * l.s;
  const scores = new Float64Array(n);
  const same = new Uint8Array(n);
  let o = 0;
  lists.forEach((l, f) => {
    for (let q = 0; q < l.queries; q++) {
      for (let t = 0; t < l.s; t++) {
        scores[o] = l.scores[q * l.s + t];
        same[o] = folds[f].galleryClass[l.ids[q * l.s + t]] === folds[f].queryClass[q] ? 1 : 0;
        o++;
      }
    }
  });
  return { scores, same };
}

export function calibrate(lists: Shortlists[], folds: Fold[], targetPrecisions: readonly number[]): { thresholds: ThresholdFit[]; pairs: CalibrationPairs } {
  const pairs = calibrationPairs(lists, folds);
  return { thresholds: fitThresholds(pairs.scores, pairs.same, targetPrecisions), pairs };
}
