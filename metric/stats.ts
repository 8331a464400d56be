/**
 * Class statistics → the pair covariances of GLRT.md, with no pair loops.
 *
 * With Q_c = Σ_{i∈c} y_i y_iᵀ, s_c = Σ_{i∈c} y_i and class scatter S_c = Q_c − s_c s_cᵀ / n_c:
 *
 *   Σ_S = 2 Σ_c ω_c S_c / (n_c − 1) / Σ_c ω_c      (classes with n_c ≥ 2)
 *     ω_c = n_c (n_c − 1)  'pairs'   : every ordered same-class pair counts once (KISSME's Σ_S;
 *                                      big classes dominate)
 *     ω_c = n_c − 1        'items'   : pooled within-class covariance (LDA's S_W)
 *     ω_c = 1              'classes' : average of per-class covariances (imbalance-proof)
 *   Σ_D = (2 N S_T − 2 Σ_c n_c S_c) / (N² − Σ_c n_c²)  (every ordered different-class pair once)
 *
 * Σ_c w_c Q_c needs one weighted pass over the rows (row scale √w_c on the SIMD kernel); the
 * rest is C outer products of class sums. Everything is centred at the labelled mean, so the
 * statistics of the leading q ≤ p coordinates (and of a diagonal rescaling, i.e. whitening) are
 * sub-blocks and rescalings of these: `restrict` gives them without touching the rows again.
 */
import { crossProduct } from './kernels.js';

export type WithinWeighting = 'pairs' | 'items' | 'classes';

type MomentKey = 'total' | 'n' | 'one' | 'inv';

interface Source {
  parent: ClassStats;
  q: number;
  scale: Float64Array | null;
}

export class ClassStats {
  /** Dimension. */
  readonly p: number;
  /** Labelled items used. */
  readonly N: number;
  /** Items per class (classes with no item in these rows included, count 0). */
  readonly counts: Float64Array;
  /** Class sums (C × p), centred at `mean`. */
  readonly sums: Float64Array;
  /** Mean of the labelled rows (uncentred coordinates). */
  readonly mean: Float64Array;
  private readonly moments = new Map<MomentKey, Float64Array>();
  private readonly rows: { Y: Float64Array | Float32Array; classOf: Int32Array; subset: Int32Array } | null;
  private readonly source: Source | null;

  private constructor(init: {
    p: number;
    N: number;
    counts: Float64Array;
    sums: Float64Array;
    mean: Float64Array;
    rows: ClassStats['rows'];
    source: Source | null;
  }) {
    this.p = init.p;
    this.N = init.N;
    this.counts = init.counts;
    this.sums = init.sums;
    this.mean = init.mean;
    this.rows = init.rows;
    this.source = init.source;
  }

  get classes(): number {
    return this.counts.length;
  }

  /**
   * Statistics of rows of Y (rows × p) with class ids classOf[row] in 0..classes−1 (−1 = skip).
   * `classes` = number of class ids (default: max id + 1).
   */
  static fromRows(Y: Float64Array | Float32Array, p: number, classOf: Int32Array, classes?: number): ClassStats {
    const rowsTotal = classOf.length;
    let C = classes ?? 0;
    if (classes === undefined) for (const c of classOf) C = Math.max(C, c + 1);
    const subsetList: number[] = [];
    for (let i = 0; i < rowsTotal; i++) if (classOf[i] >= 0) subsetList.push(i);
    const subset = Int32Array.from(subsetList);
    const N = subset.length;
    const mean = new Float64Array(p);
    for (const i of subset) for (let j = 0; j < p; j++) mean[j] += Y[i * p + j];
    if (N) for (let j = 0; j < p; j++) mean[j] /= N;
    const counts = new Float64Array(C);
    const sums = new Float64Array(C * p);
    for (const i of subset) {
      const c = classOf[i];
      counts[c]++;
      for (let j = 0; j < p; j++) sums[c * p + j] += Y[i * p + j] - mean[j];
    }
    return new ClassStats({ p, N, counts, sums, mean, rows: { Y, classOf, subset }, source: null });
  }

  /** Statistics of the leading q coordinates, each multiplied by scale[j] (e.g. whitening). */
  restrict(q: number, scale: Float64Array | null = null): ClassStats {
    const root = this.source ? this.source : null;
    if (root) {
      // Compose with the existing restriction.
      const composed = new Float64Array(q);
      for (let j = 0; j < q; j++) composed[j] = (root.scale ? root.scale[j] : 1) * (scale ? scale[j] : 1);
      return root.parent.restrict(q, composed);
    }
    const p = this.p;
    if (q > p) throw new RangeError(`ClassStats.restrict: ${q} > ${p}`);
    const C = this.classes;
    const sc = (j: number) => (scale ? scale[j] : 1);
    const sums = new Float64Array(C * q);
    for (let c = 0; c < C; c++) for (let j = 0; j < q; j++) sums[c * q + j] = this.sums[c * p + j] * sc(j);
    const mean = new Float64Array(q);
    for (let j = 0; j < q; j++) mean[j] = this.mean[j] * sc(j);
    return new ClassStats({ p: q, N: this.N, counts: this.counts, sums, mean, rows: null, source: { parent: this, q, scale } });
  }

  /** Σ_c w(n_c) Q_c about the labelled mean: 'total' w = 1 (S_T), 'n' w = n_c, 'one' w = 1 for n_c ≥ 2, 'inv' w = 1/(n_c − 1). */
  moment(key: MomentKey): Float64Array {
    const hit = this.moments.get(key);
    if (hit) return hit;
    let out: Float64Array;
    if (this.source) {
      const { parent, q, scale } = this.source;
      const P = parent.moment(key);
      const p = parent.p;
      out = new Float64Array(q * q);
      for (let i = 0; i < q; i++) {
        for (let j = 0; j < q; j++) out[i * q + j] = P[i * p + j] * (scale ? scale[i] * scale[j] : 1);
      }
    } else {
      const rows = this.rows as NonNullable<ClassStats['rows']>;
      const weight = (n: number): number => {
        if (key === 'total') return 1;
        if (n < 2) return 0;
        return key === 'n' ? n : key === 'one' ? 1 : 1 / (n - 1);
      };
      const rowScale = new Float64Array(rows.classOf.length);
      for (const i of rows.subset) rowScale[i] = Math.sqrt(weight(this.counts[rows.classOf[i]]));
      out = crossProduct(
        { data: rows.Y, rows: rows.classOf.length, cols: this.p },
        { subset: rows.subset, center: this.mean, rowScale },
      );
    }
    this.moments.set(key, out);
    return out;
  }

  /** Σ_c coef(n_c) s_c s_cᵀ (p × p). */
  private sumOuter(coef: (n: number) => number): Float64Array {
    const p = this.p;
    const out = new Float64Array(p * p);
    for (let c = 0; c < this.classes; c++) {
      const a = coef(this.counts[c]);
      if (a === 0) continue;
      const s = this.sums.subarray(c * p, (c + 1) * p);
      for (let i = 0; i < p; i++) {
        const ai = a * s[i];
        if (ai === 0) continue;
        for (let j = 0; j < p; j++) out[i * p + j] += ai * s[j];
      }
    }
    return out;
  }

  /** Σ_c n_c S_c (the same-class pair sum is twice this). */
  weightedWithinScatter(): Float64Array {
    const M = Float64Array.from(this.moment('n'));
    const O = this.sumOuter((n) => (n >= 2 ? 1 : 0));
    for (let i = 0; i < M.length; i++) M[i] -= O[i];
    return M;
  }

  /** Same-class pair covariance Σ_S (see the header for the weightings). */
  sigmaS(weighting: WithinWeighting = 'pairs'): Float64Array {
    let M: Float64Array;
    let O: Float64Array;
    let norm = 0;
    for (const n of this.counts) {
      if (n < 2) continue;
      norm += weighting === 'pairs' ? n * (n - 1) : weighting === 'items' ? n - 1 : 1;
    }
    if (weighting === 'pairs') {
      M = Float64Array.from(this.moment('n'));
      O = this.sumOuter((n) => (n >= 2 ? 1 : 0));
    } else if (weighting === 'items') {
      M = Float64Array.from(this.moment('one'));
      O = this.sumOuter((n) => (n >= 2 ? 1 / n : 0));
    } else {
      M = Float64Array.from(this.moment('inv'));
      O = this.sumOuter((n) => (n >= 2 ? 1 / (n * (n - 1)) : 0));
    }
    const f = norm > 0 ? 2 / norm : 0;
    for (let i = 0; i < M.length; i++) M[i] = (M[i] - O[i]) * f;
    return M;
  }

  /** Different-class pair covariance Σ_D. */
  sigmaD(): Float64Array {
    const N = this.N;
    const ST = this.moment('total'); // about the labelled mean: already the total scatter
    const W = this.weightedWithinScatter();
    let sumSq = 0;
    for (const n of this.counts) sumSq += n * n;
    const pairs = N * N - sumSq;
    const out = new Float64Array(ST.length);
    const f = pairs > 0 ? 2 / pairs : 0;
    for (let i = 0; i < out.length; i++) out[i] = (N * ST[i] - W[i]) * f;
    return out;
  }

  /** Covariance of the class means (each class with ≥ 1 item counts once), about their average. */
  classMeanCovariance(): Float64Array {
    const p = this.p;
    const means: Float64Array[] = [];
    for (let c = 0; c < this.classes; c++) {
      const n = this.counts[c];
      if (n < 1) continue;
      const m = new Float64Array(p);
      for (let j = 0; j < p; j++) m[j] = this.sums[c * p + j] / n;
      means.push(m);
    }
    const avg = new Float64Array(p);
    for (const m of means) for (let j = 0; j < p; j++) avg[j] += m[j] / means.length;
    const out = new Float64Array(p * p);
    for (const m of means) {
      for (let i = 0; i < p; i++) {
        const a = m[i] - avg[i];
        for (let j = 0; j < p; j++) out[i * p + j] += (a * (m[j] - avg[j])) / means.length;
      }
    }
    return out;
  }

  /** Number of ordered same-class and different-class pairs. */
  pairCounts(): { same: number; different: number } {
    let same = 0, sq = 0;
    for (const n of this.counts) {
      same += n * (n - 1);
      sq += n * n;
    }
    return { same, different: this.N * this.N - sq };
  }
}
