/**
 * The fit context of a set of rows (FitContext, fitContext) and the map each learner produces
 * from it in PCA coordinates (LearnedMap, applyLearnedMap): what a single fit and every CV grid
 * point share.
 */
import { ImsearchError } from '../errors/error-codes.js';
import { metricInputBug } from './errors.js';
import { ARTIFACT_FORMAT, type FitSummary, type MetricArtifact, type ResolvedParams, type ScoreKind } from './artifact.js';
import { matmul } from './kernels.js';
import { requireLabels, type ClassIndex } from './labels.js';
import { learnJointBayesian, learnKissme, learnMemo, learnXqda, type Learned, type LearnMemo } from './learners.js';
import { columnMean, pcaProject, ScatterCache, whiteningScale, type PcaModel } from './pca.js';
import { ClassStats } from './stats.js';
import { normalizeRows } from './vectors.js';

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
  /** Decompositions shared between grid points, per (PCA dimension, whitening): see LearnMemo. */
  private readonly memos = new Map<string, LearnMemo>();

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
    if (!pca) throw metricInputBug('FitContext: PCA missing for a non-identity method');
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
    const memoKey = `${p}/${params.whiten}`;
    let memo = this.memos.get(memoKey);
    if (!memo) this.memos.set(memoKey, (memo = learnMemo()));
    const learned: Learned =
      params.method === 'kissme'
        ? learnKissme(stats, params, memo)
        : params.method === 'xqda'
          ? learnXqda(stats, params, memo)
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
      // Version 1 until withExtensions adds block weights or a head (artifact.ts).
      version: 1,
      method: params.method,
      inputDim: d,
      sourceHash,
      blockWeights: null,
      head: null,
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
  opts: { rows?: Int32Array; maxPcaDim: number; supervised: boolean; seed?: number; scatter?: ScatterCache; projectAll?: boolean; complementParts?: readonly ArrayLike<number>[] },
): { ctx: FitContext; Yall: Float64Array | null } {
  const n = X.length / d;
  const rows = opts.rows ?? Int32Array.from({ length: n }, (_, i) => i);
  let pca: PcaModel | null = null;
  if (opts.maxPcaDim > 0) {
    const cache = opts.scatter ?? new ScatterCache(X, d);
    pca = cache.fit(opts.maxPcaDim, { subset: rows.length === n ? undefined : rows, seed: opts.seed, complementParts: opts.complementParts });
  }
  const Yall = pca && opts.projectAll ? pcaProject(pca, X) : null;
  return { ctx: new FitContext({ X, d, rows, classes, pca, supervised: opts.supervised, Yall: Yall ?? undefined }), Yall };
}
