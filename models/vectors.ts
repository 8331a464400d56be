/** Small vector helpers shared by the inference layer and its callers. Pure functions. */

/** `v` scaled to unit L2 norm, in place; a zero vector stays zero. Returns `v`. */
export function l2NormalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i] *= inv;
  }
  return v;
}

/** A unit-norm copy of `v`. */
export function l2Normalize(v: Float32Array): Float32Array {
  return l2NormalizeInPlace(Float32Array.from(v));
}

export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`dot: lengths ${a.length} and ${b.length} differ`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The ensemble vector: the parts (each L2-normalised by the caller) concatenated, part i scaled by
 * sqrt(w_i / sum(w)). The inner product of two such vectors is then the weighted mean of the
 * per-model inner products (cosines), and the result has unit norm. A zero weight keeps its slot
 * (zeros), so the layout depends only on the model list.
 */
export function concatWeighted(perModel: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (perModel.length === 0) throw new RangeError('concatWeighted: no parts');
  if (perModel.length !== weights.length) {
    throw new RangeError(`concatWeighted: ${perModel.length} parts but ${weights.length} weights`);
  }
  let total = 0;
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`concatWeighted: weights must be finite and >= 0, received ${w}`);
    total += w;
  }
  if (total <= 0) throw new RangeError('concatWeighted: the weights sum to 0');
  let length = 0;
  for (const p of perModel) length += p.length;
  const out = new Float32Array(length);
  let at = 0;
  perModel.forEach((part, i) => {
    const f = Math.sqrt(weights[i] / total);
    if (f > 0) for (let k = 0; k < part.length; k++) out[at + k] = part[k] * f;
    at += part.length;
  });
  return out;
}
