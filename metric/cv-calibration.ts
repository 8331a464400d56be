/**
 * Calibration inside the cross-validation: every held-out query × its shortlist under the chosen
 * metric is one (score, same class?) pair; the thresholds for the target precisions are fitted
 * on those pairs (calibration.ts), never on queries.
 *
 * Leave-classes-out: a photo of a class the collection does not have has no right match, and a
 * threshold fitted on familiar queries alone lets its nearest wrong matches through. So in every
 * fold a seeded share of the classes plays "not in the collection": the chosen params are fitted
 * again on the fold without them (a metric that never saw them, as for a real stranger), their
 * held-out items query the rest, and every pair of those shortlists joins the calibration as a
 * wrong match. (Removing the class from a shortlist under the fold's own metric is not enough:
 * measured on Caltech, a metric that learned a class scores strangers far too low.)
 */
import type { ResolvedParams } from './artifact.js';
import { fitThresholds, type ThresholdFit } from './calibration.js';
import { rowsOf, type Fold } from './cv-folds.js';
import { fitResolved } from './fit.js';
import { indexLabels, type ClassIndex } from './labels.js';
import { Metric } from './metric.js';
import { Rng } from './random.js';
import { topS, type Shortlists } from './shortlists.js';

export interface CalibrationPairs {
  scores: Float64Array;
  same: Uint8Array;
}

/**
 * The classes (ids) a fold treats as absent: round(share · classes with held-out queries), at
 * least 1 when the share is above 0 and at least 2 classes always kept, by a seeded shuffle.
 */
export function unfamiliarClassesOf(fold: Fold, share: number, seed: number): Set<number> {
  if (!(share > 0)) return new Set();
  const present = [...new Set(fold.queryClass)].filter((c) => c >= 0).sort((a, b) => a - b);
  const m = Math.min(present.length - 2, Math.max(1, Math.round(share * present.length)));
  return new Set(new Rng(seed).shuffle(present).slice(0, Math.max(0, m)));
}

/**
 * Per fold, the shortlists (s long) of the unfamiliar classes' held-out items against the fold's
 * fitted part without those classes, under `params` fitted on that part alone. Folds with no
 * unfamiliar class give an empty list.
 */
export function unfamiliarShortlists(
  X: Float32Array,
  dim: number,
  classes: ClassIndex,
  folds: Fold[],
  params: ResolvedParams,
  opts: { share: number; seed: number; s: number },
): Shortlists[] {
  return folds.map((fold, f) => {
    const absent = unfamiliarClassesOf(fold, opts.share, opts.seed + 7919 * f);
    const none: Shortlists = { queries: 0, s: opts.s, ids: new Int32Array(0), scores: new Float64Array(0) };
    if (!absent.size) return none;
    const train = fold.split.train.filter((r) => !absent.has(classes.classOf[r]));
    const queries = fold.split.heldOut.filter((r) => absent.has(classes.classOf[r]));
    const Xt = rowsOf(X, dim, train);
    const sub = indexLabels(Array.from(train, (r) => (classes.classOf[r] >= 0 ? classes.names[classes.classOf[r]] : null)), train.length);
    const metric = new Metric(fitResolved(Xt, dim, sub, params));
    const S = metric.scoreMatrix(metric.transform(rowsOf(X, dim, queries)), metric.transform(Xt));
    return topS(S, queries.length, train.length, Math.min(opts.s, train.length));
  });
}

/** The pairs in fold, query, rank order, then every pair of the unfamiliar shortlists (all wrong matches). */
export function calibrationPairs(lists: Shortlists[], folds: Fold[], unfamiliar: readonly Shortlists[] = []): CalibrationPairs {
  let n = 0;
  for (const l of lists) n += l.queries * l.s;
  for (const l of unfamiliar) n += l.queries * l.s;
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
  for (const l of unfamiliar) {
    scores.set(l.scores.subarray(0, l.queries * l.s), o);
    o += l.queries * l.s;
  }
  return { scores, same };
}

export function calibrate(
  lists: Shortlists[],
  folds: Fold[],
  targetPrecisions: readonly number[],
  unfamiliar: readonly Shortlists[] = [],
): { thresholds: ThresholdFit[]; pairs: CalibrationPairs } {
  const pairs = calibrationPairs(lists, folds, unfamiliar);
  return { thresholds: fitThresholds(pairs.scores, pairs.same, targetPrecisions), pairs };
}
