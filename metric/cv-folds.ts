/**
 * Cross-validation folds: a seeded split of the gallery that holds out part of every class, and
 * per split everything a grid point's fit and evaluation reuse (the fold's fit context, all rows
 * in its PCA coordinates, the class of each query and candidate).
 */
import { ImsearchError } from '../errors/error-codes.js';
import { fitContext, type FitContext } from './fit-context.js';
import type { ClassIndex } from './labels.js';
import type { ScatterCache } from './pca.js';
import { Rng } from './random.js';

export interface Split {
  /** Rows fitted on (all unlabelled rows, and the kept part of every class), ascending. */
  train: Int32Array;
  /** Held-out labelled rows (the validation queries), ascending. */
  heldOut: Int32Array;
}

/**
 * Hold out round(n_c · holdout) items of every class with n_c ≥ 2 (at least 1, at most n_c − 1),
 * chosen by a seeded shuffle; classes are visited in name order, so the split depends only on
 * the labels, the gallery order and the seed.
 */
export function splitGallery(classes: ClassIndex, opts: { holdout: number; seed: number }): Split {
  if (!(opts.holdout > 0 && opts.holdout < 1)) throw new ImsearchError('BAD_USER_INPUT', `holdout must be in (0, 1), got ${opts.holdout}`);
  const rng = new Rng(opts.seed);
  const members: number[][] = classes.names.map(() => []);
  classes.classOf.forEach((c, i) => {
    if (c >= 0) members[c].push(i);
  });
  const held = new Uint8Array(classes.classOf.length);
  for (const list of members) {
    const n = list.length;
    if (n < 2) continue;
    const h = Math.min(n - 1, Math.max(1, Math.round(n * opts.holdout)));
    const shuffled = rng.shuffle(list.slice());
    for (let i = 0; i < h; i++) held[shuffled[i]] = 1;
  }
  const train: number[] = [];
  const heldOut: number[] = [];
  held.forEach((h, i) => (h ? heldOut : train).push(i));
  return { train: Int32Array.from(train), heldOut: Int32Array.from(heldOut) };
}

export interface Fold {
  split: Split;
  ctx: FitContext;
  /** PCA coordinates of all rows (n × pDim). */
  Yall: Float64Array;
  pDim: number;
  /** Class id of each held-out query / each fitted-part row (−1 unlabelled). */
  queryClass: Int32Array;
  galleryClass: Int32Array;
  /** Items of the query's class in the fitted part (R_q). */
  relevantTotal: Int32Array;
}

/**
 * `folds` independent splits, fold f seeded with seed + 7919·f. The PCA of each fold keeps up to
 * maxPcaDim components (0: none, an identity-only grid) and comes from the gallery's scatter.
 */
export function makeFolds(
  X: Float32Array,
  dim: number,
  classes: ClassIndex,
  opts: { folds: number; holdout: number; seed: number; maxPcaDim: number; scatter: ScatterCache | null },
): Fold[] {
  const folds: Fold[] = [];
  for (let f = 0; f < opts.folds; f++) {
    const split = splitGallery(classes, { holdout: opts.holdout, seed: opts.seed + 7919 * f });
    const { ctx, Yall } = fitContext(X, dim, classes, { rows: split.train, maxPcaDim: opts.maxPcaDim, supervised: true, seed: opts.seed, scatter: opts.scatter ?? undefined, projectAll: true });
    const galleryClass = Int32Array.from(split.train, (r) => classes.classOf[r]);
    const queryClass = Int32Array.from(split.heldOut, (r) => classes.classOf[r]);
    const inTrain = new Int32Array(classes.names.length);
    for (const c of galleryClass) if (c >= 0) inTrain[c]++;
    const relevantTotal = Int32Array.from(queryClass, (c) => inTrain[c]);
    folds.push({ split, ctx, Yall: Yall ?? new Float64Array(0), pDim: ctx.pca?.dim ?? 0, queryClass, galleryClass, relevantTotal });
  }
  return folds;
}

/** The given rows of an n × r matrix, in that order. */
export function rowsOf(T: Float32Array, r: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * r);
  for (let i = 0; i < rows.length; i++) out.set(T.subarray(rows[i] * r, rows[i] * r + r), i * r);
  return out;
}
