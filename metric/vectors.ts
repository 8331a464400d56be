/** The shape checks every entry point applies to its vectors, and row normalisation. */
import { metricInputBug } from './errors.js';

export function checkVectors(X: Float32Array, dim: number, what = 'vectors'): number {
  if (!(X instanceof Float32Array)) throw metricInputBug(`${what}: expected a Float32Array`);
  if (!Number.isInteger(dim) || dim <= 0) throw metricInputBug(`${what}: dimension must be a positive integer, got ${dim}`);
  if (X.length % dim !== 0) throw metricInputBug(`${what}: ${X.length} values are not a whole number of ${dim}-dimensional vectors`);
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) throw metricInputBug(`${what}: non-finite value at vector ${Math.floor(i / dim)}, component ${i % dim}`);
  }
  return X.length / dim;
}

export function normalizeRows(T: Float32Array, r: number): void {
  const n = T.length / r;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < r; j++) s += T[i * r + j] * T[i * r + j];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < r; j++) T[i * r + j] *= inv;
    }
  }
}

/** Rows of X (n × d) with column j multiplied by s[j] (float32, as X). */
export function scaleColumns(X: Float32Array, d: number, s: ArrayLike<number>): Float32Array {
  const out = new Float32Array(X.length);
  for (let o = 0; o < X.length; o += d) for (let j = 0; j < d; j++) out[o + j] = X[o + j] * s[j];
  return out;
}
