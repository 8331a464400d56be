/**
 * A seeded synthetic labelled gallery for the metric tests: 10 classes of unequal size whose
 * means differ along a few low-variance directions, under a high-variance nuisance subspace that
 * dominates raw cosine (so the learned metric, the vote and the thresholds all have work to do),
 * plus a few unlabelled rows. Deterministic from the seed alone.
 */
import { Rng } from '../../metric/random.js';

export interface LabelledClusters {
  X: Float32Array;
  d: number;
  labels: (string | null)[];
  /** Stable row ids (what a collection would give), distinct from the row order. */
  ids: number[];
}

export function labelledClusters(seed = 11): LabelledClusters {
  const d = 24;
  const sizes = [18, 22, 25, 28, 30, 32, 35, 38, 40, 45];
  const unlabelled = 7;
  const informative = 4, nuisance = 5;
  const rng = new Rng(seed);
  const means = sizes.map(() => Array.from({ length: informative }, () => rng.normal()));
  const n = sizes.reduce((a, b) => a + b, 0) + unlabelled;
  const X = new Float32Array(n * d);
  const labels: (string | null)[] = [];
  const row = (i: number, c: number | null) => {
    for (let j = 0; j < d; j++) X[i * d + j] = 1 + 0.3 * rng.normal();
    for (let j = 0; j < nuisance; j++) X[i * d + informative + j] += 6 * rng.normal();
    if (c !== null) for (let j = 0; j < informative; j++) X[i * d + j] += 1.5 * means[c][j];
  };
  let i = 0;
  sizes.forEach((nc, c) => {
    for (let t = 0; t < nc; t++, i++) {
      row(i, c);
      labels.push(`class-${c}`);
    }
  });
  for (let t = 0; t < unlabelled; t++, i++) {
    row(i, null);
    labels.push(null);
  }
  const ids = Array.from({ length: n }, (_, r) => 1000 + 3 * r);
  return { X, d, labels, ids };
}

/** The same gallery with its rows in another (seeded) order, ids and labels moved with them. */
export function shuffledRows(g: LabelledClusters, seed: number): LabelledClusters {
  const n = g.labels.length;
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const X = new Float32Array(g.X.length);
  order.forEach((src, dst) => X.set(g.X.subarray(src * g.d, (src + 1) * g.d), dst * g.d));
  return { X, d: g.d, labels: order.map((r) => g.labels[r]), ids: order.map((r) => g.ids[r]) };
}
