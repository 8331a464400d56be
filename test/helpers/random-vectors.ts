/**
 * Seeded random vectors shared by the index tests and bench/index-bench.ts, so a benchmark's
 * data set is reproducible from its command line alone.
 */

/** mulberry32: uniform in [0, 1), deterministic by seed. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n x dim isotropic Gaussian vectors (row-major), each L2-normalised: uniform on the sphere. */
export function randomUnitVectors(n: number, dim: number, seed: number): Float32Array {
  const r = seededUniform(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j += 2) {
      // Box-Muller: two normals per pair of uniforms
      const rad = Math.sqrt(-2 * Math.log(1 - r()));
      const th = 2 * Math.PI * r();
      const a = rad * Math.cos(th);
      out[i * dim + j] = a;
      norm += a * a;
      if (j + 1 < dim) {
        const b = rad * Math.sin(th);
        out[i * dim + j + 1] = b;
        norm += b * b;
      }
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[i * dim + j]! *= inv;
  }
  return out;
}

/** x = normalise(A z + noise e): intrinsic dimension `rank`, A fixed by `seed`, rows by `rowSeed`. */
export function lowRankVectors(n: number, dim: number, rank: number, noise: number, seed: number, rowSeed: number): Float32Array {
  const a = randomUnitVectors(dim, rank, seed); // dim x rank, rows normalised: a fixed random basis
  const z = randomUnitVectors(n, rank, rowSeed);
  const e = randomUnitVectors(n, dim, rowSeed + 17);
  const out = new Float32Array(n * dim);
  const zs = Math.sqrt(rank); // undo the row normalisation of z: back to ~N(0, I)
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      let v = 0;
      for (let r = 0; r < rank; r++) v += a[j * rank + r]! * z[i * rank + r]! * zs;
      v += noise * Math.sqrt(rank) * e[i * dim + j]!;
      out[i * dim + j] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[i * dim + j]! *= inv;
  }
  return out;
}
