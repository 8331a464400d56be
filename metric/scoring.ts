/**
 * Scores of a learned metric (higher = more similar) for whole matrices of transformed vectors:
 * 'ip' ⟨q, c⟩, 'l2' −‖q − c‖², 'quadratic' 2⟨q, c⟩ − Σ w (q² + c²). What CV ranks with, and what
 * Metric.scoreMatrix runs.
 */
import type { ScoreKind } from './artifact.js';
import { gemm } from './kernels.js';

/** Per-vector norm term of the score: ‖t‖² ('l2'), Σ w t² ('quadratic'), 0 ('ip'). */
export function normTermOf(kind: ScoreKind, weights: ArrayLike<number> | null, T: Float32Array, r: number): Float64Array {
  const n = T.length / r;
  const out = new Float64Array(n);
  if (kind === 'ip') return out;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < r; j++) {
      const v = T[i * r + j];
      s += (weights ? weights[j] : 1) * v * v;
    }
    out[i] = s;
  }
  return out;
}

/** Scores (higher = more similar) of every row of Q against every row of C, nq × nc (in `into` when given and long enough). */
export function scoreMatrixOf(kind: ScoreKind, weights: ArrayLike<number> | null, Q: Float32Array, C: Float32Array, r: number, into?: Float64Array): Float64Array {
  const nq = Q.length / r, nc = C.length / r;
  const G = gemm({ data: Q, rows: nq, cols: r }, { data: C, rows: nc, cols: r }, false, into);
  if (kind === 'ip') return G;
  const a = normTermOf(kind, weights, Q, r), b = normTermOf(kind, weights, C, r);
  for (let i = 0; i < nq; i++) {
    const o = i * nc;
    for (let j = 0; j < nc; j++) G[o + j] = 2 * G[o + j] - a[i] - b[j];
  }
  return G;
}
