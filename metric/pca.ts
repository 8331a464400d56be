/**
 * PCA: centring, top-p principal directions, optional whitening.
 *
 * The scatter is formed once, on whichever side is smaller: the d × d covariance XᵀX when n ≥ d,
 * the n × n Gram matrix XXᵀ when n < d (the components are then Xᵀu/√λ). `ScatterCache` keeps it
 * so a cross-validation fold (a subset of the rows) gets its own exact PCA without a second pass
 * over the data: scatter_T = scatter_all − scatter_heldout − n_T δδᵀ (covariance side) or the
 * double-centred principal submatrix (Gram side).
 */
import { metricInputBug } from './errors.js';
import { crossProduct, gemm, gramMatrix, type Mat } from './kernels.js';
import { topEigenSymmetric } from './linalg.js';
import { scaleColumns } from './vectors.js';

export interface PcaModel {
  inputDim: number;
  /** Number of components kept (≤ requested: limited by d, n − 1 and numerical rank). */
  dim: number;
  mean: Float64Array;
  /** dim × inputDim row-major; row j = unit principal direction j. */
  components: Float64Array;
  /** Variance along each component (scatter / (n − 1)), descending. */
  eigenvalues: Float64Array;
  /** Total variance (trace of the covariance), for explained-variance ratios. */
  totalVariance: number;
  /** Rows the model was fitted on. */
  n: number;
}

/** Components whose variance is below this fraction of the first are dropped as numerically null. */
const RANK_TOL = 1e-9;

export class ScatterCache {
  readonly n: number;
  readonly d: number;
  readonly route: 'covariance' | 'gram';
  /** Mean of all rows. */
  readonly mean: Float64Array;
  private readonly X: Mat;
  /** d × d scatter about `mean` (covariance route) or n × n Gram about `mean` (gram route). */
  private readonly scatter: Float64Array;
  /**
   * Covariance route: the scatter of each held-out row set a subset fit removed (about `mean`),
   * by the set, so the same folds under another column scaling (scaled()) rescale it instead of
   * a second pass over those rows.
   */
  private readonly heldScatter = new Map<string, Float64Array>();

  /** `known`: the mean and scatter of X when the caller has them (see scaled()). */
  constructor(X: Float32Array, dim: number, known?: { mean: Float64Array; scatter: Float64Array }) {
    if (!Number.isInteger(dim) || dim <= 0) throw metricInputBug(`PCA: dimension must be a positive integer, got ${dim}`);
    if (X.length % dim !== 0) throw metricInputBug(`PCA: ${X.length} values are not a whole number of ${dim}-dimensional vectors`);
    const n = X.length / dim;
    if (n < 2) throw metricInputBug(`PCA needs at least 2 vectors, got ${n}`);
    this.n = n;
    this.d = dim;
    this.X = { data: X, rows: n, cols: dim };
    this.route = dim <= n ? 'covariance' : 'gram';
    this.mean = known?.mean ?? columnMean(X, n, dim);
    this.scatter = known?.scatter ?? (this.route === 'covariance' ? crossProduct(this.X, { center: this.mean }) : gramMatrix(this.X, { center: this.mean }));
  }

  /**
   * The cache of X with column j multiplied by s[j], and that X. On the covariance route the
   * scatter is D S D (D = diag(s)): no second pass over the rows, which is what makes trying
   * several ensemble weightings affordable.
   */
  scaled(s: Float64Array): { X: Float32Array; cache: ScatterCache } {
    const { n, d } = this;
    const X = scaleColumns(this.X.data as Float32Array, d, s);
    if (this.route !== 'covariance') return { X, cache: new ScatterCache(X, d) };
    // The mean of the float32-rounded rows, as the constructor would compute it.
    const mean = columnMean(X, n, d);
    const cache = new ScatterCache(X, d, { mean, scatter: scaledSymmetric(this.scatter, d, s) });
    for (const [key, held] of this.heldScatter) cache.heldScatter.set(key, scaledSymmetric(held, d, s));
    return { X, cache };
  }

  /** Scatter of some rows about `mean` (covariance route), remembered by the row set. */
  private heldScatterOf(rows: number[]): Float64Array {
    const key = rows.join(',');
    let SH = this.heldScatter.get(key);
    if (!SH) this.heldScatter.set(key, (SH = crossProduct(this.X, { subset: rows, center: this.mean })));
    return SH;
  }

  /**
   * PCA of the rows in `subset` (default: all), keeping up to `maxDim` components.
   * `seed` makes the randomized eigensolver deterministic. `complementParts`: the rows outside
   * the subset as disjoint parts (e.g. a CV fold's held-out rows and a few more), so a part
   * already removed once is not scattered again (covariance route).
   */
  fit(maxDim: number, opts: { subset?: Int32Array; seed?: number; complementParts?: readonly ArrayLike<number>[] } = {}): PcaModel {
    const { n, d } = this;
    const subset = opts.subset;
    const nT = subset ? subset.length : n;
    if (nT < 2) throw metricInputBug(`PCA needs at least 2 vectors, got ${nT}`);
    if (subset) {
      const seen = new Uint8Array(n);
      for (const i of subset) {
        if (!(i >= 0 && i < n) || seen[i]) throw metricInputBug(`PCA subset: row ${i} is out of range or repeated`);
        seen[i] = 1;
      }
    }
    const want = Math.max(1, Math.min(Math.floor(maxDim), d, nT - 1));
    const meanT = subset ? columnMean(this.X.data as Float32Array, n, d, subset) : this.mean;
    let values: Float64Array;
    let components: Float64Array;
    let totalScatter = 0;
    if (this.route === 'covariance') {
      let S = this.scatter;
      if (subset && subset.length !== n) {
        const inT = new Uint8Array(n);
        for (const i of subset) inT[i] = 1;
        const held: number[] = [];
        for (let i = 0; i < n; i++) if (!inT[i]) held.push(i);
        let SH: Float64Array;
        if (opts.complementParts) {
          // The rows left out as a union of parts, each part's scatter computed (or found) once.
          const parts = opts.complementParts;
          const covered = new Uint8Array(n);
          for (const part of parts) for (let t = 0; t < part.length; t++) covered[part[t]] += 1;
          if (parts.reduce((a, part) => a + part.length, 0) !== held.length || held.some((i) => covered[i] !== 1)) {
            throw metricInputBug('PCA subset: complementParts must split the rows outside the subset');
          }
          SH = new Float64Array(d * d);
          for (const part of parts) {
            const P = this.heldScatterOf(Array.from(part));
            for (let t = 0; t < SH.length; t++) SH[t] += P[t];
          }
        } else SH = this.heldScatterOf(held);
        S = new Float64Array(d * d);
        const delta = new Float64Array(d);
        for (let j = 0; j < d; j++) delta[j] = meanT[j] - this.mean[j];
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) S[i * d + j] = this.scatter[i * d + j] - SH[i * d + j] - nT * delta[i] * delta[j];
        }
      }
      for (let i = 0; i < d; i++) totalScatter += S[i * d + i];
      const top = topEigenSymmetric(S, d, want, { seed: opts.seed });
      values = top.values;
      components = top.vectors;
    } else {
      // Double-centred Gram submatrix of the subset.
      const idx = subset ?? Int32Array.from({ length: n }, (_, i) => i);
      const K = new Float64Array(nT * nT);
      for (let a = 0; a < nT; a++) {
        const row = idx[a] * n;
        for (let b = 0; b < nT; b++) K[a * nT + b] = this.scatter[row + idx[b]];
      }
      const r = new Float64Array(nT);
      let all = 0;
      for (let a = 0; a < nT; a++) {
        let s = 0;
        for (let b = 0; b < nT; b++) s += K[a * nT + b];
        r[a] = s / nT;
        all += s;
      }
      all /= nT * nT;
      for (let a = 0; a < nT; a++) for (let b = 0; b < nT; b++) K[a * nT + b] += all - r[a] - r[b];
      for (let a = 0; a < nT; a++) totalScatter += K[a * nT + a];
      const top = topEigenSymmetric(K, nT, want, { seed: opts.seed });
      values = top.values;
      // components_j = Σ_i u_ji (x_i − μ) / √λ_j
      const kept = countAbove(values, RANK_TOL);
      const U = top.vectors.subarray(0, kept * nT);
      components = gemm({ data: U, rows: kept, cols: nT }, { ...this.X, subset: idx, center: this.mean, transpose: true });
      for (let j = 0; j < kept; j++) {
        let norm = 0;
        for (let t = 0; t < d; t++) norm += components[j * d + t] ** 2;
        norm = Math.sqrt(norm) || 1;
        for (let t = 0; t < d; t++) components[j * d + t] /= norm;
      }
      values = values.slice(0, kept);
    }
    const kept = countAbove(values, RANK_TOL);
    const eigenvalues = new Float64Array(kept);
    for (let j = 0; j < kept; j++) eigenvalues[j] = values[j] / (nT - 1);
    return {
      inputDim: d,
      dim: kept,
      mean: Float64Array.from(meanT),
      components: components.slice(0, kept * d),
      eigenvalues,
      totalVariance: totalScatter / (nT - 1),
      n: nT,
    };
  }
}

/** D S D for a d × d matrix S and D = diag(s). */
function scaledSymmetric(S: Float64Array, d: number, s: Float64Array): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const si = s[i];
    for (let j = 0; j < d; j++) out[i * d + j] = S[i * d + j] * si * s[j];
  }
  return out;
}

function countAbove(values: Float64Array, tol: number): number {
  const top = values.length ? values[0] : 0;
  let k = 0;
  while (k < values.length && values[k] > top * tol && values[k] > 0) k++;
  return k;
}

export function columnMean(X: Float32Array, n: number, d: number, subset?: ArrayLike<number>): Float64Array {
  const mean = new Float64Array(d);
  const rows = subset ? subset.length : n;
  for (let r = 0; r < rows; r++) {
    const off = (subset ? subset[r] : r) * d;
    for (let j = 0; j < d; j++) mean[j] += X[off + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= rows;
  return mean;
}

/** PCA of all rows of X (n × dim). */
export function fitPca(X: Float32Array, dim: number, opts: { dim: number; seed?: number }): PcaModel {
  return new ScatterCache(X, dim).fit(opts.dim, { seed: opts.seed });
}

/**
 * Project rows onto the first `dim` components (default all): y = (x − mean)·Vᵀ, whitened
 * (divided by √eigenvalue) when asked. Returns rows × dim float64.
 */
export function pcaProject(model: PcaModel, X: Float32Array, opts: { dim?: number; whiten?: boolean; subset?: ArrayLike<number> } = {}): Float64Array {
  const d = model.inputDim;
  if (X.length % d !== 0) throw metricInputBug(`PCA transform: ${X.length} values are not a whole number of ${d}-dimensional vectors`);
  const n = X.length / d;
  const p = Math.min(opts.dim ?? model.dim, model.dim);
  const Y = gemm({ data: X, rows: n, cols: d, subset: opts.subset, center: model.mean }, { data: model.components, rows: p, cols: d });
  if (opts.whiten) {
    const rows = Y.length / p;
    const s = whiteningScale(model.eigenvalues, p);
    for (let i = 0; i < rows; i++) for (let j = 0; j < p; j++) Y[i * p + j] *= s[j];
  }
  return Y;
}

/** 1/√λ per component, with λ floored at 1e-12·λ₁ so near-null directions are not blown up. */
export function whiteningScale(eigenvalues: Float64Array, p: number): Float64Array {
  const floor = (eigenvalues[0] ?? 1) * 1e-12;
  const s = new Float64Array(p);
  for (let j = 0; j < p; j++) s[j] = 1 / Math.sqrt(Math.max(eigenvalues[j], floor));
  return s;
}
