/**
 * Dense linear algebra on small square matrices (row-major Float64Array, p ≤ ~512), with the
 * decompositions delegated to ml-matrix, plus a subspace-iteration eigensolver for the big
 * symmetric matrices (d × d covariance, n × n Gram) whose products run on the SIMD kernel.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { gemm, matmul } from './kernels.js';
import { Rng } from './random.js';
import { symmetricEigen } from './sym-eigen.js';

export interface SymEig {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** p × p row-major; column j is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

const toMatrix = (a: Float64Array, rows: number, cols: number): Matrix => {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, a[i * cols + j]);
  return m;
};

/** Symmetric eigendecomposition (input symmetrised first), eigenvalues descending, signs fixed. */
export function symEig(S: Float64Array, p: number): SymEig {
  if (p === 0) return { values: new Float64Array(0), vectors: new Float64Array(0) };
  const m = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) m[i * p + j] = 0.5 * (S[i * p + j] + S[j * p + i]);
  }
  // ml-matrix's symmetric EigenvalueDecomposition, on flat arrays (sym-eigen.ts: the same bits).
  const { values: vals, V } = symmetricEigen(m, p);
  const order = Array.from({ length: p }, (_, i) => i).sort((a, b) => vals[b] - vals[a] || a - b);
  const values = new Float64Array(p);
  const vectors = new Float64Array(p * p);
  order.forEach((src, dst) => {
    values[dst] = vals[src];
    // Deterministic sign: the largest-magnitude component is positive.
    let big = 0;
    for (let i = 0; i < p; i++) if (Math.abs(V[i * p + src]) > Math.abs(big)) big = V[i * p + src];
    const sign = big < 0 ? -1 : 1;
    for (let i = 0; i < p; i++) vectors[i * p + dst] = sign * V[i * p + src];
  });
  return { values, vectors };
}

/** Σ ← (1 − α)Σ + α (tr Σ / p) I, in place; returns Σ. */
export function shrink(S: Float64Array, p: number, alpha: number): Float64Array {
  if (alpha === 0) return S;
  let tr = 0;
  for (let i = 0; i < p; i++) tr += S[i * p + i];
  const target = (alpha * tr) / p;
  for (let i = 0; i < p * p; i++) S[i] *= 1 - alpha;
  for (let i = 0; i < p; i++) S[i * p + i] += target;
  return S;
}

/** V f(Λ) Vᵀ for a symmetric matrix given its eigendecomposition. */
export function spectralApply(e: SymEig, p: number, f: (lambda: number) => number): Float64Array {
  const out = new Float64Array(p * p);
  const fl = new Float64Array(p);
  for (let k = 0; k < p; k++) fl[k] = f(e.values[k]);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += e.vectors[i * p + k] * fl[k] * e.vectors[j * p + k];
      out[i * p + j] = s;
      out[j * p + i] = s;
    }
  }
  return out;
}

/** Relative eigenvalue floor below which a covariance direction counts as null. */
export const EIG_FLOOR = 1e-12;

/** Inverse of a symmetric positive (semi)definite matrix; eigenvalues floored at EIG_FLOOR·λ_max. */
export function inverseSpd(S: Float64Array, p: number): Float64Array {
  return inverseFromEig(symEig(S, p), p);
}

/** S^(−1/2) of a symmetric positive (semi)definite matrix (same floor as inverseSpd). */
export function inverseSqrtSpd(S: Float64Array, p: number): Float64Array {
  return inverseSqrtFromEig(symEig(S, p), p);
}

/** inverseSpd from the matrix's eigendecomposition (so one decomposition serves both inverses). */
export function inverseFromEig(e: SymEig, p: number): Float64Array {
  const floor = Math.max(e.values[0], 0) * EIG_FLOOR || EIG_FLOOR;
  return spectralApply(e, p, (l) => 1 / Math.max(l, floor));
}

/** inverseSqrtSpd from the matrix's eigendecomposition. */
export function inverseSqrtFromEig(e: SymEig, p: number): Float64Array {
  const floor = Math.max(e.values[0], 0) * EIG_FLOOR || EIG_FLOOR;
  return spectralApply(e, p, (l) => 1 / Math.sqrt(Math.max(l, floor)));
}

/** Projection onto the PSD cone: negative eigenvalues set to zero. */
export function psdClip(S: Float64Array, p: number): { matrix: Float64Array; eig: SymEig; clipped: number } {
  const eig = symEig(S, p);
  let clipped = 0;
  for (let k = 0; k < p; k++) if (eig.values[k] < 0) clipped++;
  const matrix = spectralApply(eig, p, (l) => Math.max(l, 0));
  for (let k = 0; k < p; k++) if (eig.values[k] < 0) eig.values[k] = 0;
  return { matrix, eig, clipped };
}

/** Row-major product of small dense matrices: (m × k) · (k × n). */
export function mul(A: Float64Array, m: number, k: number, B: Float64Array, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let t = 0; t < k; t++) {
      const a = A[i * k + t];
      if (a === 0) continue;
      const bo = t * n;
      const oo = i * n;
      for (let j = 0; j < n; j++) out[oo + j] += a * B[bo + j];
    }
  }
  return out;
}

/** Wᵀ S W for S (p × p) and W (p × r). */
export function congruence(S: Float64Array, p: number, W: Float64Array, r: number): Float64Array {
  const SW = mul(S, p, p, W, r);
  const out = new Float64Array(r * r);
  for (let i = 0; i < r; i++) {
    for (let j = i; j < r; j++) {
      let s = 0;
      for (let t = 0; t < p; t++) s += W[t * r + i] * SW[t * r + j];
      out[i * r + j] = s;
      out[j * r + i] = s;
    }
  }
  return out;
}

/** Leading principal submatrix (first q rows and columns) of a p × p matrix. */
export function leading(S: Float64Array, p: number, q: number): Float64Array {
  const out = new Float64Array(q * q);
  for (let i = 0; i < q; i++) out.set(S.subarray(i * p, i * p + q), i * q);
  return out;
}

export function trace(S: Float64Array, p: number): number {
  let t = 0;
  for (let i = 0; i < p; i++) t += S[i * p + i];
  return t;
}

// ---------------------------------------------------------------------------------------------
// Top eigenpairs of a big symmetric matrix.

/** Full decomposition below this size; subspace iteration above it. */
const DIRECT_EIG_MAX = 400;

export interface TopEigOptions {
  seed?: number;
  /** Subspace (power) iterations; each costs one s × s × l product. */
  iterations?: number;
  /** Extra subspace columns beyond r (default max(16, r/4)). */
  oversample?: number;
}

/**
 * Top-r eigenpairs of a symmetric s × s matrix (r ≤ s): direct for s ≤ 400, otherwise randomized
 * subspace iteration (block power method with Cholesky-QR re-orthonormalisation and a final
 * Rayleigh–Ritz step), all big products on the SIMD kernel. Returns r × s row-major eigenvectors
 * (row j = eigenvector j) and eigenvalues descending.
 */
export function topEigenSymmetric(S: Float64Array, s: number, r: number, opts: TopEigOptions = {}): { values: Float64Array; vectors: Float64Array } {
  r = Math.min(r, s);
  const l = Math.min(s, r + (opts.oversample ?? Math.max(16, Math.ceil(r / 4))));
  if (s <= DIRECT_EIG_MAX || l * 2 > s) {
    const e = symEig(S, s);
    const vectors = new Float64Array(r * s);
    for (let j = 0; j < r; j++) for (let i = 0; i < s; i++) vectors[j * s + i] = e.vectors[i * s + j];
    return { values: e.values.slice(0, r), vectors };
  }
  const rng = new Rng(opts.seed ?? 1);
  const iterations = opts.iterations ?? 4;
  // Work in float32 operands for the products (the kernel's precision); Ritz values in float64.
  const S32 = Float32Array.from(S);
  let Qt: Float64Array = new Float64Array(l * s);
  for (let i = 0; i < Qt.length; i++) Qt[i] = rng.normal();
  // One Cholesky-QR pass keeps the intermediate bases well conditioned; the basis the Ritz step
  // projects on gets the second pass (orthonormal to rounding).
  Qt = orthonormalRows(Qt, l, s, rng, iterations > 0 ? 1 : 2);
  for (let it = 0; it < iterations; it++) {
    const Zt = gemm({ data: Qt, rows: l, cols: s }, { data: S32, rows: s, cols: s }); // rows: (S q_i)ᵀ
    Qt = orthonormalRows(Zt, l, s, rng, it === iterations - 1 ? 2 : 1);
  }
  const Zt = gemm({ data: Qt, rows: l, cols: s }, { data: S32, rows: s, cols: s });
  const T = gemm({ data: Zt, rows: l, cols: s }, { data: Qt, rows: l, cols: s }); // Qᵀ S Q
  const e = symEig(T, l);
  // Ritz vectors: rows of Wᵀ Qt.
  const Wt = new Float64Array(r * l);
  for (let j = 0; j < r; j++) for (let i = 0; i < l; i++) Wt[j * l + i] = e.vectors[i * l + j];
  const vectors = matmul({ data: Wt, rows: r, cols: l }, { data: Qt, rows: l, cols: s });
  fixSigns(vectors, r, s);
  return { values: e.values.slice(0, r), vectors };
}

/** Make each row's largest-magnitude entry positive (deterministic eigenvector signs). */
export function fixSigns(rowsMat: Float64Array, r: number, s: number): void {
  for (let j = 0; j < r; j++) {
    let big = 0;
    for (let i = 0; i < s; i++) if (Math.abs(rowsMat[j * s + i]) > Math.abs(big)) big = rowsMat[j * s + i];
    if (big < 0) for (let i = 0; i < s; i++) rowsMat[j * s + i] = -rowsMat[j * s + i];
  }
}

/**
 * Orthonormalise the rows of Z (l × s): Cholesky-QR `passes` times (default twice: Z Zᵀ = L Lᵀ,
 * Q = L⁻¹ Z); if Z is rank deficient, Gram–Schmidt with fresh random rows fills the missing
 * directions.
 */
export function orthonormalRows(Z: Float64Array, l: number, s: number, rng: Rng, passes = 2): Float64Array {
  let Q = Z;
  for (let pass = 0; pass < passes; pass++) {
    const G = gemm({ data: Q, rows: l, cols: s }, { data: Q, rows: l, cols: s }, true);
    const chol = new CholeskyDecomposition(toMatrix(G, l, l));
    let ok = chol.isPositiveDefinite();
    let Linv: Float64Array | null = null;
    if (ok) {
      const L = chol.lowerTriangularMatrix;
      // Well conditioned enough for a Cholesky-QR pass? (diagonal ratio as a cheap proxy)
      let dmin = Infinity, dmax = 0;
      for (let i = 0; i < l; i++) {
        const v = L.get(i, i);
        dmin = Math.min(dmin, v);
        dmax = Math.max(dmax, v);
      }
      if (!(dmin > dmax * 1e-6)) ok = false;
      else Linv = lowerInverse(L, l);
    }
    if (!ok || !Linv) return gramSchmidtRows(Q, l, s, rng);
    Q = matmul({ data: Linv, rows: l, cols: l }, { data: Q, rows: l, cols: s });
  }
  return Q;
}

/** Inverse of a lower-triangular matrix by forward substitution. */
function lowerInverse(L: Matrix, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let col = 0; col < n; col++) {
    for (let i = col; i < n; i++) {
      let s = i === col ? 1 : 0;
      for (let k = col; k < i; k++) s -= L.get(i, k) * inv[k * n + col];
      inv[i * n + col] = s / L.get(i, i);
    }
  }
  return inv;
}

/** Modified Gram–Schmidt on rows, replacing (near-)dependent rows by fresh random ones. */
function gramSchmidtRows(Z: Float64Array, l: number, s: number, rng: Rng): Float64Array {
  const Q = Float64Array.from(Z);
  for (let j = 0; j < l; j++) {
    for (let attempt = 0; ; attempt++) {
      const row = Q.subarray(j * s, (j + 1) * s);
      const before = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < j; i++) {
          const prev = Q.subarray(i * s, (i + 1) * s);
          let dot = 0;
          for (let t = 0; t < s; t++) dot += row[t] * prev[t];
          for (let t = 0; t < s; t++) row[t] -= dot * prev[t];
        }
      }
      const norm = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
      if (norm > 1e-10 * Math.max(before, 1e-300) && norm > 1e-300) {
        for (let t = 0; t < s; t++) row[t] /= norm;
        break;
      }
      if (attempt > 5) throw new Error('orthonormalRows: cannot complete an orthonormal basis');
      for (let t = 0; t < s; t++) row[t] = rng.normal();
    }
  }
  return Q;
}
