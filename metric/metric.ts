/**
 * Fitting (vectors + labels + params → artifact) and the runtime `Metric` (artifact → transform,
 * score, index layout). A Metric is always built from an artifact, so what a fit evaluates in
 * cross-validation is bit-for-bit what a loaded collection runs.
 */
import type { IndexMetric } from '../indexes/vector-index.js';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_VERSION,
  checkShapes,
  hashArtifact,
  parseArtifact,
  type FitSummary,
  type MetricArtifact,
  type MetricMethod,
  type MetricParams,
  type ResolvedParams,
  type ScoreKind,
  METRIC_METHODS,
} from './artifact.js';
import { ImsearchError } from '../errors/error-codes.js';
import { metricInputBug } from './errors.js';
import { gemm, matmul } from './kernels.js';
import { indexLabels, requireLabels, type ClassIndex, type Label } from './labels.js';
import { learnJointBayesian, learnKissme, learnXqda, type Learned } from './learners.js';
import { columnMean, pcaProject, ScatterCache, whiteningScale, type PcaModel } from './pca.js';
import { ClassStats } from './stats.js';

export const SUPERVISED: readonly MetricMethod[] = ['kissme', 'xqda', 'jointBayesian'];

/** Largest PCA dimension the defaults ever pick (the small decompositions stay ≤ 256²). */
export const MAX_DEFAULT_PCA_DIM = 256;

/**
 * Default PCA dimension for a sample: the largest power of two ≤ (degrees of freedom) / 16, in
 * [8, 256], and never above d or n − 1. Degrees of freedom = labelled items − classes for the
 * supervised methods (what the within-class covariance is estimated from), n − 1 otherwise.
 */
export function defaultPcaDim(sample: { n: number; d: number; labelled?: number; classes?: number }): number {
  const dof = sample.labelled !== undefined && sample.classes !== undefined ? sample.labelled - sample.classes : sample.n - 1;
  const target = Math.max(8, Math.min(MAX_DEFAULT_PCA_DIM, 2 ** Math.floor(Math.log2(Math.max(1, dof / 16)))));
  return Math.max(1, Math.min(target, sample.d, sample.n - 1));
}

export function resolveParams(params: MetricParams, sample: { n: number; d: number; labelled?: number; classes?: number }): ResolvedParams {
  const method = params.method;
  if (!METRIC_METHODS.includes(method)) {
    throw new ImsearchError('BAD_USER_INPUT', `unknown metric method ${JSON.stringify(method)} (expected one of ${METRIC_METHODS.join(', ')})`);
  }
  const pcaDim = method === 'identity' ? 0 : Math.floor(params.pcaDim ?? defaultPcaDim(sample));
  if (method !== 'identity' && !(pcaDim >= 1)) throw new ImsearchError('BAD_USER_INPUT', `pcaDim must be a positive integer, got ${params.pcaDim}`);
  const shrinkage = params.shrinkage ?? 0.1;
  if (!(shrinkage >= 0 && shrinkage <= 1)) throw new ImsearchError('BAD_USER_INPUT', `shrinkage must be in [0, 1], got ${params.shrinkage}`);
  const weighting = params.weighting ?? 'pairs';
  if (!['pairs', 'items', 'classes'].includes(weighting)) throw new ImsearchError('BAD_USER_INPUT', `weighting must be "pairs", "items" or "classes", got ${JSON.stringify(weighting)}`);
  const subspaceDim = params.subspaceDim ?? 'auto';
  if (subspaceDim !== 'auto' && !(Number.isInteger(subspaceDim) && subspaceDim >= 1)) {
    throw new ImsearchError('BAD_USER_INPUT', `subspaceDim must be "auto" or a positive integer, got ${JSON.stringify(subspaceDim)}`);
  }
  const emIterations = params.emIterations ?? 0;
  if (!(Number.isInteger(emIterations) && emIterations >= 0 && emIterations <= 100)) throw new ImsearchError('BAD_USER_INPUT', `emIterations must be an integer in 0..100, got ${emIterations}`);
  return {
    method,
    pcaDim,
    whiten: params.whiten ?? true,
    shrinkage,
    weighting,
    subspaceDim,
    emIterations,
    normalize: params.normalize ?? method === 'pca',
    seed: params.seed ?? 1,
  };
}

// ---------------------------------------------------------------------------------------------
// Fitting.

export function checkVectors(X: Float32Array, dim: number, what = 'vectors'): number {
  if (!(X instanceof Float32Array)) throw metricInputBug(`${what}: expected a Float32Array`);
  if (!Number.isInteger(dim) || dim <= 0) throw metricInputBug(`${what}: dimension must be a positive integer, got ${dim}`);
  if (X.length % dim !== 0) throw metricInputBug(`${what}: ${X.length} values are not a whole number of ${dim}-dimensional vectors`);
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) throw metricInputBug(`${what}: non-finite value at vector ${Math.floor(i / dim)}, component ${i % dim}`);
  }
  return X.length / dim;
}

/** A learner's output in PCA coordinates: t = (((y − center) ⊙ scale) · L), then normalised if asked. */
export interface LearnedMap {
  /** PCA components used. */
  p: number;
  /** Subtracted from the (unwhitened) PCA coordinates: the labelled mean for supervised methods, null = none. */
  center: Float64Array | null;
  /** Whitening scale per component, or null. */
  scale: Float64Array | null;
  /** p × r, or null (r = p, no learned map). */
  L: Float64Array | null;
  r: number;
  kind: ScoreKind;
  normWeights: Float64Array | null;
  info: Record<string, number>;
}

/**
 * Everything a fit needs that does not depend on the learner's params, for one set of rows: the
 * PCA (at the largest dimension wanted), the projected rows and their class statistics. CV
 * builds one per fold and fits every grid point from it.
 */
export class FitContext {
  readonly X: Float32Array;
  readonly d: number;
  readonly rows: Int32Array;
  readonly classes: ClassIndex;
  readonly pca: PcaModel | null;
  /** Class statistics of the labelled rows in (unwhitened) PCA coordinates, or null without usable labels. */
  readonly stats: ClassStats | null;
  /** Mean of the labelled rows in input space (the centre of the supervised methods). */
  readonly labelledMean: Float64Array | null;

  /**
   * `Yall`: PCA coordinates of all rows of X (n × pca.dim), when the caller already has them
   * (CV projects every row once per fold); otherwise the fitted rows are projected here.
   */
  constructor(init: { X: Float32Array; d: number; rows: Int32Array; classes: ClassIndex; pca: PcaModel | null; supervised: boolean; Yall?: Float64Array }) {
    this.X = init.X;
    this.d = init.d;
    this.rows = init.rows;
    this.classes = init.classes;
    this.pca = init.pca;
    this.stats = null;
    this.labelledMean = null;
    if (init.pca && init.supervised) {
      const labelledRows = init.rows.filter((r) => init.classes.classOf[r] >= 0);
      if (labelledRows.length >= 2) {
        const C = init.classes.names.length;
        if (init.Yall) {
          const classOf = new Int32Array(init.X.length / init.d).fill(-1);
          for (const r of labelledRows) classOf[r] = init.classes.classOf[r];
          this.stats = ClassStats.fromRows(init.Yall, init.pca.dim, classOf, C);
        } else {
          const Y = pcaProject(init.pca, init.X, { subset: labelledRows });
          const classOf = Int32Array.from(labelledRows, (r) => init.classes.classOf[r]);
          this.stats = ClassStats.fromRows(Y, init.pca.dim, classOf, C);
        }
        this.labelledMean = columnMean(init.X, init.X.length / init.d, init.d, labelledRows);
      }
    }
  }

  /** Summary of the labelled rows (for the artifact). */
  summary(pcaDim: number, info: Record<string, number>): FitSummary {
    const counts = new Map<number, number>();
    for (const r of this.rows) {
      const c = this.classes.classOf[r];
      if (c >= 0) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const sizes = [...counts.values()];
    let explained = 1;
    if (this.pca && pcaDim > 0) {
      let kept = 0;
      for (let j = 0; j < Math.min(pcaDim, this.pca.dim); j++) kept += this.pca.eigenvalues[j];
      explained = this.pca.totalVariance > 0 ? kept / this.pca.totalVariance : 1;
    }
    return {
      items: this.rows.length,
      labelled: sizes.reduce((a, b) => a + b, 0),
      classes: sizes.length,
      minClassSize: sizes.length ? Math.min(...sizes) : 0,
      maxClassSize: sizes.length ? Math.max(...sizes) : 0,
      explainedVariance: explained,
      info,
    };
  }

  /** Run the learner of `params` (method ≠ identity; pcaDim capped at the context's PCA dim). */
  learn(params: ResolvedParams): LearnedMap {
    const pca = this.pca;
    if (!pca) throw new Error('FitContext: PCA missing for a non-identity method');
    const p = Math.min(params.pcaDim, pca.dim);
    const scale = params.whiten ? whiteningScale(pca.eigenvalues, p) : null;
    if (params.method === 'pca') {
      return { p, center: null, scale, L: null, r: p, kind: params.normalize ? 'ip' : 'l2', normWeights: null, info: {} };
    }
    if (!this.stats || !this.labelledMean) {
      requireLabels(this.classes, params.method);
      throw new ImsearchError('NOT_LABELLED', `${params.method}: no labelled items among the rows fitted on`);
    }
    const stats = this.stats.restrict(p, scale);
    const learned: Learned =
      params.method === 'kissme'
        ? learnKissme(stats, params)
        : params.method === 'xqda'
          ? learnXqda(stats, params)
          : learnJointBayesian(stats, params);
    if (learned.r === 0) {
      throw new ImsearchError('NOT_LABELLED', `${params.method}: the labels carry no usable class structure in ${p} dimensions (learned rank 0)`);
    }
    const kind: ScoreKind = params.normalize ? 'ip' : learned.kind;
    return {
      p,
      center: this.stats.mean.slice(0, p),
      scale,
      L: learned.L,
      r: learned.r,
      kind,
      normWeights: kind === 'quadratic' ? learned.normWeights : null,
      info: learned.info,
    };
  }

  /** Fit the learner of `params` and package the artifact. */
  artifact(params: ResolvedParams, sourceHash = ''): MetricArtifact {
    const d = this.d;
    const base = {
      format: ARTIFACT_FORMAT,
      version: ARTIFACT_VERSION,
      method: params.method,
      inputDim: d,
      sourceHash,
    } as const;
    if (params.method === 'identity') {
      return {
        ...base,
        params,
        outputDim: d,
        scoreKind: 'ip',
        mean: null,
        pcaBasis: null,
        pcaEigenvalues: null,
        projection: null,
        normWeights: null,
        fit: this.summary(0, {}),
      };
    }
    const pca = this.pca as PcaModel;
    const m = this.learn(params);
    const p = m.p;
    const basis = new Float32Array(p * d);
    for (let j = 0; j < p; j++) {
      const s = m.scale ? m.scale[j] : 1;
      for (let t = 0; t < d; t++) basis[j * d + t] = pca.components[j * d + t] * s;
    }
    return {
      ...base,
      params: { ...params, pcaDim: p },
      outputDim: m.r,
      scoreKind: m.kind,
      // Supervised maps act on coordinates centred at the labelled mean: V(x − μ_lab) = y − ȳ.
      mean: Float32Array.from(m.center ? (this.labelledMean as Float64Array) : pca.mean),
      pcaBasis: basis,
      pcaEigenvalues: pca.eigenvalues.slice(0, p),
      projection: m.L ? Float32Array.from(m.L) : null,
      normWeights: m.normWeights ? Float32Array.from(m.normWeights) : null,
      fit: this.summary(p, m.info),
    };
  }
}

/**
 * Apply a learned map to PCA coordinates (rows × pDim of Y, pDim ≥ m.p): the CV fast path that
 * skips the input-space product. Returns rows × m.r float32 (normalised when `normalize`).
 */
export function applyLearnedMap(m: LearnedMap, Y: Float64Array, pDim: number, normalize: boolean): Float32Array {
  const rows = Y.length / pDim;
  const p = m.p;
  const Z = new Float32Array(rows * p);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < p; j++) {
      Z[i * p + j] = (Y[i * pDim + j] - (m.center ? m.center[j] : 0)) * (m.scale ? m.scale[j] : 1);
    }
  }
  const T = m.L ? Float32Array.from(matmul({ data: Z, rows, cols: p }, { data: m.L, rows: p, cols: m.r })) : Z;
  if (normalize) normalizeRows(T, m.r);
  return T;
}

/** Build the fit context of a set of rows (PCA up to maxPcaDim, class statistics if supervised). */
export function fitContext(
  X: Float32Array,
  d: number,
  classes: ClassIndex,
  opts: { rows?: Int32Array; maxPcaDim: number; supervised: boolean; seed?: number; scatter?: ScatterCache; projectAll?: boolean },
): { ctx: FitContext; Yall: Float64Array | null } {
  const n = X.length / d;
  const rows = opts.rows ?? Int32Array.from({ length: n }, (_, i) => i);
  let pca: PcaModel | null = null;
  if (opts.maxPcaDim > 0) {
    const cache = opts.scatter ?? new ScatterCache(X, d);
    pca = cache.fit(opts.maxPcaDim, { subset: rows.length === n ? undefined : rows, seed: opts.seed });
  }
  const Yall = pca && opts.projectAll ? pcaProject(pca, X) : null;
  return { ctx: new FitContext({ X, d, rows, classes, pca, supervised: opts.supervised, Yall: Yall ?? undefined }), Yall };
}

/**
 * Fit a metric on the gallery. `labels[i]` labels row i (null / '' = unlabelled; unlabelled
 * rows still shape the PCA). Label-using methods refuse data without ≥ 2 classes of ≥ 2 items.
 */
export function fitMetric(X: Float32Array, dim: number, labels: readonly Label[] | null, params: MetricParams, opts: { sourceHash?: string } = {}): MetricArtifact {
  const n = checkVectors(X, dim);
  const classes = indexLabels(labels ?? new Array<Label>(n).fill(null), n);
  const supervised = SUPERVISED.includes(params.method);
  if (supervised) requireLabels(classes, params.method);
  const resolved = resolveParams(params, { n, d: dim, labelled: supervised ? classes.labelled : undefined, classes: supervised ? classes.names.length : undefined });
  if (resolved.method !== 'identity' && n < 2) throw metricInputBug(`${resolved.method} needs at least 2 vectors, got ${n}`);
  const { ctx } = fitContext(X, dim, classes, { maxPcaDim: resolved.pcaDim, supervised, seed: resolved.seed });
  return ctx.artifact(resolved, opts.sourceHash ?? '');
}

// ---------------------------------------------------------------------------------------------
// Runtime.

/** How to lay transformed vectors into a VectorIndex so its ranking equals score()'s. */
export interface IndexLayout {
  metric: IndexMetric;
  dim: number;
}

export class Metric {
  readonly artifact: MetricArtifact;
  readonly inputDim: number;
  /** Dimension of transform() output. */
  readonly dim: number;
  readonly scoreKind: ScoreKind;
  /** Composed map, dim × inputDim (rows), or null for identity. */
  private readonly mapT: Float32Array | null;
  private readonly center: Float32Array | null;
  private readonly weights: Float32Array | null;
  private cachedHash: string | null = null;

  constructor(artifact: MetricArtifact) {
    checkShapes(artifact);
    this.artifact = artifact;
    this.inputDim = artifact.inputDim;
    this.dim = artifact.outputDim;
    this.scoreKind = artifact.scoreKind;
    this.center = artifact.mean;
    this.weights = artifact.normWeights;
    const { pcaBasis, projection } = artifact;
    if (!pcaBasis) this.mapT = null;
    else if (!projection) this.mapT = pcaBasis;
    else {
      // (projectionᵀ · basis): dim × inputDim.
      const p = pcaBasis.length / this.inputDim;
      const r = this.dim;
      const Pt = new Float32Array(r * p);
      for (let i = 0; i < p; i++) for (let j = 0; j < r; j++) Pt[j * p + i] = projection[i * r + j];
      this.mapT = Float32Array.from(matmul({ data: Pt, rows: r, cols: p }, { data: pcaBasis, rows: p, cols: this.inputDim }));
    }
  }

  /** Load from an artifact object, its JSON text or its UTF-8 bytes. */
  static load(a: MetricArtifact | string | Uint8Array): Metric {
    return new Metric(typeof a === 'string' || a instanceof Uint8Array ? parseArtifact(a) : a);
  }

  get method(): MetricMethod {
    return this.artifact.method;
  }

  /** Content hash of the artifact ("sha256:…"), for manifests. */
  hash(): string {
    this.cachedHash ??= hashArtifact(this.artifact);
    return this.cachedHash;
  }

  /** Raw (ensemble) vectors, n × inputDim → metric space, n × dim. */
  transform(X: Float32Array): Float32Array {
    if (X.length % this.inputDim !== 0) {
      throw metricInputBug(`transform: ${X.length} values are not a whole number of ${this.inputDim}-dimensional vectors (wrong model set or weights?)`);
    }
    const n = X.length / this.inputDim;
    let out: Float32Array;
    if (!this.mapT) out = Float32Array.from(X);
    else if (n <= 16 || n * this.inputDim * this.dim < 1 << 20) out = this.transformSmall(X, n, this.mapT);
    else out = Float32Array.from(gemm({ data: X, rows: n, cols: this.inputDim, center: this.center ?? undefined }, { data: this.mapT, rows: this.dim, cols: this.inputDim }));
    if (this.artifact.params.normalize) normalizeRows(out, this.dim);
    return out;
  }

  private transformSmall(X: Float32Array, n: number, mapT: Float32Array): Float32Array {
    const d = this.inputDim, r = this.dim;
    const out = new Float32Array(n * r);
    const c = this.center;
    const x = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < d; t++) x[t] = X[i * d + t] - (c ? c[t] : 0);
      for (let j = 0; j < r; j++) {
        let s = 0;
        const o = j * d;
        for (let t = 0; t < d; t++) s += x[t] * mapT[o + t];
        out[i * r + j] = s;
      }
    }
    return out;
  }

  /** Per-vector norm term of the score: ‖t‖² ('l2'), Σ w t² ('quadratic'), 0 ('ip'). */
  normTerm(T: Float32Array): Float64Array {
    return normTermOf(this.scoreKind, this.weights, T, this.dim);
  }

  /** Exact scores (higher = more similar) of one transformed query against transformed candidates. */
  score(query: Float32Array, candidates: Float32Array): Float64Array {
    const r = this.dim;
    if (query.length !== r) throw metricInputBug(`score: query has ${query.length} values, expected ${r} (transform it first)`);
    if (candidates.length % r !== 0) throw metricInputBug(`score: candidates are not a whole number of ${r}-dimensional vectors`);
    const m = candidates.length / r;
    const out = new Float64Array(m);
    const w = this.weights;
    for (let i = 0; i < m; i++) {
      const o = i * r;
      let s = 0;
      if (this.scoreKind === 'ip') {
        for (let j = 0; j < r; j++) s += query[j] * candidates[o + j];
      } else if (this.scoreKind === 'l2') {
        for (let j = 0; j < r; j++) {
          const z = query[j] - candidates[o + j];
          s -= z * z;
        }
      } else {
        for (let j = 0; j < r; j++) {
          const a = query[j], b = candidates[o + j];
          s += 2 * a * b - (w as Float32Array)[j] * (a * a + b * b);
        }
      }
      out[i] = s;
    }
    return out;
  }

  /** All scores of transformed queries (nq × dim) against candidates (nc × dim): nq × nc. */
  scoreMatrix(Q: Float32Array, C: Float32Array): Float64Array {
    return scoreMatrixOf(this.scoreKind, this.weights, Q, C, this.dim);
  }

  /** The index layout matching score(): 'ip' → IP, 'l2' → L2, 'quadratic' → IP on dim + 1. */
  indexLayout(metric?: IndexMetric): IndexLayout {
    const want = metric ?? (this.scoreKind === 'l2' ? 'l2' : 'ip');
    if (want === 'ip') return { metric: 'ip', dim: this.scoreKind === 'ip' ? this.dim : this.dim + 1 };
    if (this.scoreKind === 'l2' || (this.scoreKind === 'ip' && this.artifact.params.normalize)) return { metric: 'l2', dim: this.dim };
    throw new ImsearchError('BAD_USER_INPUT', `a ${this.scoreKind} metric cannot be searched by an L2 index: use an inner-product index (indexLayout('ip'))`);
  }

  /**
   * Transformed gallery vectors → the vectors to add to an index of `indexLayout(metric)`.
   * For an IP index over an 'l2' or 'quadratic' metric each item gets one extra component
   * −½·normTerm(t): then ⟨[q, 1], [t, −½ n(t)]⟩ = ½(score(q, t) + n(q)), the same ranking per query.
   */
  indexVectors(T: Float32Array, metric?: IndexMetric): Float32Array {
    const layout = this.indexLayout(metric);
    if (layout.dim === this.dim) return T;
    const r = this.dim;
    const n = T.length / r;
    const norms = this.normTerm(T);
    const out = new Float32Array(n * (r + 1));
    for (let i = 0; i < n; i++) {
      out.set(T.subarray(i * r, (i + 1) * r), i * (r + 1));
      out[i * (r + 1) + r] = -0.5 * norms[i];
    }
    return out;
  }

  /** A transformed query → the query vector for an index built with indexVectors(…, metric). */
  indexQuery(t: Float32Array, metric?: IndexMetric): Float32Array {
    const layout = this.indexLayout(metric);
    if (layout.dim === this.dim) return t;
    const r = this.dim;
    const n = t.length / r;
    const out = new Float32Array(n * (r + 1));
    for (let i = 0; i < n; i++) {
      out.set(t.subarray(i * r, (i + 1) * r), i * (r + 1));
      out[i * (r + 1) + r] = 1;
    }
    return out;
  }

  /** Convert an index score back to score(): identity except for augmented IP (2·ip − n(q)). */
  fromIndexScore(indexScore: number, t: Float32Array, metric?: IndexMetric): number {
    const layout = this.indexLayout(metric);
    if (layout.dim === this.dim) {
      // An L2 index reports −‖q − t‖²: that is score() for 'l2'; for normalised 'ip' map back to cosine.
      if (layout.metric === 'l2' && this.scoreKind === 'ip') return 1 + indexScore / 2;
      return indexScore;
    }
    return 2 * indexScore - this.normTerm(t)[0];
  }
}

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

/** Scores (higher = more similar) of every row of Q against every row of C, nq × nc. */
export function scoreMatrixOf(kind: ScoreKind, weights: ArrayLike<number> | null, Q: Float32Array, C: Float32Array, r: number): Float64Array {
  const nq = Q.length / r, nc = C.length / r;
  const G = gemm({ data: Q, rows: nq, cols: r }, { data: C, rows: nc, cols: r });
  if (kind === 'ip') return G;
  const a = normTermOf(kind, weights, Q, r), b = normTermOf(kind, weights, C, r);
  for (let i = 0; i < nq; i++) {
    const o = i * nc;
    for (let j = 0; j < nc; j++) G[o + j] = 2 * G[o + j] - a[i] - b[j];
  }
  return G;
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
