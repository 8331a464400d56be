/**
 * Calibration inside the cross-validation: every held-out query × its shortlist under the chosen
 * metric is one (score, same class?) pair; the thresholds for the target precisions are fitted
 * on those pairs (calibration.ts), never on queries.
 *
 * Leave-classes-out: a photo of a class the collection does not have has no right match, and a
 * threshold fitted on familiar queries alone lets its nearest wrong matches through. So in every
 * fold a seeded share of the classes plays "not in the collection": their held-out queries keep
 * only the shortlist entries of other classes (every one a wrong match), and those pairs join the
 * calibration. (The fold's metric was still fitted with those classes' other items: the scores are
 * those of a familiar-looking stranger, so this errs on the lenient side.)
 */
import { fitThresholds, type ThresholdFit } from './calibration.js';
import type { Fold } from './cv-folds.js';
import { Rng } from './random.js';
import type { Shortlists } from './shortlists.js';

export interface CalibrationPairs {
  scores: Float64Array;
  same: Uint8Array;
}

export interface CalibrationOptions {
  /** Share of the classes treated as absent from the collection in each fold (default 0: none). */
  unfamiliarClasses?: number;
  /** Seed of the choice of those classes (fold f uses seed + 7919·f, as the splits do). */
  seed?: number;
}

/**
 * The classes (ids) a fold treats as absent: round(share · classes with held-out queries), at
 * least 1 when the share is above 0, by a seeded shuffle of the class ids in ascending order.
 */
export function unfamiliarClassesOf(fold: Fold, share: number, seed: number): Set<number> {
  if (!(share > 0)) return new Set();
  const present = [...new Set(fold.queryClass)].filter((c) => c >= 0).sort((a, b) => a - b);
  const m = Math.min(present.length - 1, Math.max(1, Math.round(share * present.length)));
  return new Set(new Rng(seed).shuffle(present).slice(0, Math.max(0, m)));
}

/** The pairs in fold, query, rank order (an unfamiliar query's own-class entries left out). */
export function calibrationPairs(lists: Shortlists[], folds: Fold[], opts: CalibrationOptions = {}): CalibrationPairs {
  const scores: number[] = [];
  const same: number[] = [];
  lists.forEach((l, f) => {
    const fold = folds[f];
    const unfamiliar = unfamiliarClassesOf(fold, opts.unfamiliarClasses ?? 0, (opts.seed ?? 0) + 7919 * f);
    for (let q = 0; q < l.queries; q++) {
      const qc = fold.queryClass[q];
      for (let t = 0; t < l.s; t++) {
        const isSame = fold.galleryClass[l.ids[q * l.s + t]] === qc;
        if (isSame && unfamiliar.has(qc)) continue;
        scores.push(l.scores[q * l.s + t]);
        same.push(isSame ? 1 : 0);
      }
    }
  });
  return { scores: Float64Array.from(scores), same: Uint8Array.from(same) };
}

export function calibrate(
  lists: Shortlists[],
  folds: Fold[],
  targetPrecisions: readonly number[],
  opts: CalibrationOptions = {},
): { thresholds: ThresholdFit[]; pairs: CalibrationPairs } {
  const pairs = calibrationPairs(lists, folds, opts);
  return { thresholds: fitThresholds(pairs.scores, pairs.same, targetPrecisions), pairs };
}
