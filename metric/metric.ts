/**
 * The runtime `Metric`: artifact → transform, score, index layout. A Metric is always built from
 * an artifact, so what a fit evaluates in cross-validation is bit-for-bit what a loaded collection
 * runs.
 */
import { ImsearchError } from '../errors/error-codes.js';
import { checkShapes, hashArtifact, inputScaleOf, parseArtifact, type MetricArtifact, type MetricMethod, type ScoreKind } from './artifact.js';
import { predictProba, type SoftmaxHead } from './head.js';
import type { ClassPrior } from './rerank.js';
import { metricInputBug } from './errors.js';
import { gemm, matmul } from './kernels.js';
import { normTermOf, scoreMatrixOf } from './scoring.js';
import { normalizeRows, scaleColumns } from './vectors.js';

/** What a vector index ranks by (the same strings as indexes/' IndexMetric; metric/ imports nothing of that layer). */
export type IndexMetric = 'ip' | 'l2';

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
  private readonly inputScale: Float32Array | null;
  private readonly head: { model: SoftmaxHead; classOf: Map<string, number>; scale: number; weight: number } | null;
  private cachedHash: string | null = null;

  constructor(artifact: MetricArtifact) {
    checkShapes(artifact);
    this.artifact = artifact;
    this.inputDim = artifact.inputDim;
    this.dim = artifact.outputDim;
    this.scoreKind = artifact.scoreKind;
    this.center = artifact.mean;
    this.weights = artifact.normWeights;
    this.inputScale = inputScaleOf(artifact.blockWeights);
    const h = artifact.head;
    this.head = h
      ? {
          model: { dim: this.dim, classes: h.classes.length, W: Float64Array.from(h.W), b: Float64Array.from(h.b) },
          classOf: new Map(h.classes.map((c, i) => [c, i])),
          scale: h.featureScale,
          weight: h.weight,
        }
      : null;
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
    if (this.inputScale) {
      X = scaleColumns(X, this.inputDim, this.inputScale);
    }
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

  /**
   * The head's class posterior for one transformed query, as the vote takes it (null when the
   * fit chose no head). Classes the head never saw get probability 0.
   */
  classPrior(t: Float32Array): ClassPrior | null {
    const h = this.head;
    if (!h) return null;
    const P = predictProba(h.model, Float32Array.from(t, (v) => v * h.scale));
    return { weight: h.weight, probability: (label) => P[h.classOf.get(label) ?? -1] ?? 0 };
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
