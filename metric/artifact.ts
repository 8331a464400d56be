/**
 * The fitted metric as data: a versioned, JSON-serialisable record (typed arrays as base64 of
 * their little-endian bytes) that round-trips exactly, plus its content hash for manifests.
 *
 * transform(x) = normalise?( ((x − mean) · pcaBasisᵀ) · projection )
 *   mean        input-space centre (inputDim)
 *   pcaBasis    pcaDim × inputDim, rows = principal directions, divided by √eigenvalue when whitened
 *   projection  pcaDim × outputDim learned map (KISSME / XQDA: M = L Lᵀ; JB: √g-scaled basis)
 * score(tq, tc) by `scoreKind`:
 *   'ip'        tq · tc
 *   'l2'        −‖tq − tc‖²
 *   'quadratic' 2 tq·tc − Σ_k normWeights_k (tq_k² + tc_k²)
 * Version 2 adds (both null in a version-1 artifact, which is still read and hashes as before):
 *   blockWeights  learned relative weights of the input's blocks (the ensemble's models, in
 *                 order): block i of x is multiplied by √(B·w_i/Σw) before everything above
 *   head          a softmax classification head on transform(x) (head.ts) and the weight its
 *                 class posterior gets in the class vote (rerank.ts, ClassPrior)
 */
import { createHash } from 'node:crypto';
import { ImsearchError } from '../errors/error-codes.js';
import type { WithinWeighting } from './stats.js';

export const ARTIFACT_FORMAT = 'imsearch-metric';
export const ARTIFACT_VERSION = 2;
/** Versions this build reads (version 1: no block weights, no head). */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

export type MetricMethod = 'identity' | 'pca' | 'kissme' | 'xqda' | 'jointBayesian';
export type ScoreKind = 'ip' | 'l2' | 'quadratic';
export const METRIC_METHODS: readonly MetricMethod[] = ['identity', 'pca', 'kissme', 'xqda', 'jointBayesian'];

/** What to fit. Unset fields get the defaults of `resolveParams`. */
export interface MetricParams {
  method: MetricMethod;
  /** PCA components kept before the metric (ignored by 'identity'); default by sample size. */
  pcaDim?: number;
  /** Whiten the PCA coordinates (unit variance per component). Default true. */
  whiten?: boolean;
  /** Covariance shrinkage α: Σ ← (1 − α)Σ + α tr(Σ)/p I. Default 0.1. */
  shrinkage?: number;
  /** Σ_S weighting over classes: 'pairs' (plain KISSME), 'items' (pooled), 'classes' (class-balanced). Default 'pairs'. */
  weighting?: WithinWeighting;
  /** XQDA subspace dimension: 'auto' keeps generalised eigenvalues > 1. Default 'auto'. */
  subspaceDim?: number | 'auto';
  /** Joint Bayesian EM refinements of S_μ, S_ε. Default 0. */
  emIterations?: number;
  /** L2-normalise the transformed vectors (score becomes cosine, kind 'ip'). Default: true for 'pca', else false. */
  normalize?: boolean;
  /** Seed of the randomized eigensolver. Default 1. */
  seed?: number;
}

export interface ResolvedParams {
  method: MetricMethod;
  pcaDim: number;
  whiten: boolean;
  shrinkage: number;
  weighting: WithinWeighting;
  subspaceDim: number | 'auto';
  emIterations: number;
  normalize: boolean;
  seed: number;
}

export interface FitSummary {
  /** Vectors fitted on. */
  items: number;
  labelled: number;
  classes: number;
  minClassSize: number;
  maxClassSize: number;
  /** Fraction of the total variance kept by the PCA (1 for identity). */
  explainedVariance: number;
  /** Learner diagnostics (rank, clipped eigenvalues, ...). */
  info: Record<string, number>;
}

/** Relative weights of the input's blocks (dims in input order, sum = inputDim). */
export interface BlockWeights {
  dims: number[];
  weights: number[];
}

/** The stored classification head: logits = W (featureScale · t) + b over `classes`. */
export interface HeadArtifact {
  /** Class names, in the order of W's rows. */
  classes: string[];
  featureScale: number;
  /** classes × outputDim. */
  W: Float32Array;
  b: Float32Array;
  /** Weight of the head's posterior in the class vote (ClassPrior.weight, > 0). */
  weight: number;
  /** The L2 penalty it was trained with (a record of the CV's choice). */
  l2: number;
  /** Whether the augmented views were extra training rows (a record of the CV's choice; written only when true, so older artifacts keep their bytes). */
  views: boolean;
  /** β of the class prior divided out (already in `b`; a record of the CV's choice, written only when > 0). */
  prior: number;
}

export interface MetricArtifact {
  format: typeof ARTIFACT_FORMAT;
  version: 1 | 2;
  method: MetricMethod;
  params: ResolvedParams;
  inputDim: number;
  /** Dimension of transform() output (before any index augmentation). */
  outputDim: number;
  scoreKind: ScoreKind;
  mean: Float32Array | null;
  /** pcaDim × inputDim; whitening folded in when params.whiten. */
  pcaBasis: Float32Array | null;
  /** Variance along each PCA component (descending). */
  pcaEigenvalues: Float64Array | null;
  /** pcaDim × outputDim. */
  projection: Float32Array | null;
  /** outputDim, scoreKind 'quadratic' only. */
  normWeights: Float32Array | null;
  /** Filled by the caller: hashes of the models / weights whose vectors this was fitted on. */
  sourceHash: string;
  fit: FitSummary;
  blockWeights: BlockWeights | null;
  head: HeadArtifact | null;
}

/**
 * The artifact with the version-2 parts set. Without either it stays version 1, byte for byte
 * what the previous build wrote (same hash, readable by it): a fit that chooses equal weights and
 * no head is unchanged.
 */
export function withExtensions(a: MetricArtifact, ext: { blockWeights: BlockWeights | null; head: HeadArtifact | null }): MetricArtifact {
  return { ...a, ...ext, version: ext.blockWeights || ext.head ? 2 : 1 };
}

/** Per input dimension, the factor blockWeights apply (null: none). */
export function inputScaleOf(b: BlockWeights | null): Float32Array | null {
  if (!b) return null;
  const total = b.weights.reduce((a, w) => a + w, 0);
  const out = new Float32Array(b.dims.reduce((a, d) => a + d, 0));
  let at = 0;
  b.dims.forEach((d, i) => {
    out.fill(Math.sqrt((b.dims.length * b.weights[i]) / total), at, at + d);
    at += d;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Typed arrays <-> base64 (little-endian regardless of platform).

interface EncodedArray {
  dtype: 'float32' | 'float64';
  length: number;
  base64: string;
}

function encodeArray(a: Float32Array | Float64Array | null): EncodedArray | null {
  if (!a) return null;
  const f64 = a instanceof Float64Array;
  const size = f64 ? 8 : 4;
  const bytes = new Uint8Array(a.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < a.length; i++) {
    if (f64) view.setFloat64(i * 8, a[i], true);
    else view.setFloat32(i * 4, a[i], true);
  }
  return { dtype: f64 ? 'float64' : 'float32', length: a.length, base64: Buffer.from(bytes).toString('base64') };
}

function decodeArray(e: unknown, dtype: 'float32', what: string): Float32Array | null;
function decodeArray(e: unknown, dtype: 'float64', what: string): Float64Array | null;
function decodeArray(e: unknown, dtype: 'float32' | 'float64', what: string): Float32Array | Float64Array | null {
  if (e === null || e === undefined) return null;
  const o = e as Partial<EncodedArray>;
  if (typeof o !== 'object' || o.dtype !== dtype || typeof o.base64 !== 'string' || !Number.isInteger(o.length)) {
    throw new ImsearchError('COLLECTION_BROKEN', `metric artifact: field ${what} is not a ${dtype} array`);
  }
  const bytes = Buffer.from(o.base64, 'base64');
  const size = dtype === 'float64' ? 8 : 4;
  if (bytes.length !== (o.length as number) * size) {
    throw new ImsearchError('COLLECTION_BROKEN', `metric artifact: field ${what} holds ${bytes.length} bytes, expected ${(o.length as number) * size}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = dtype === 'float64' ? new Float64Array(o.length as number) : new Float32Array(o.length as number);
  for (let i = 0; i < out.length; i++) out[i] = dtype === 'float64' ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
  return out;
}

const sortedObject = (o: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The JSON-ready form (fixed key order, so the same artifact always gives the same text). */
export function artifactToJson(a: MetricArtifact): Record<string, unknown> {
  const v2 =
    a.version === 1
      ? {}
      : {
          blockWeights: a.blockWeights ? { dims: a.blockWeights.dims, weights: a.blockWeights.weights } : null,
          head: a.head ? { classes: a.head.classes, featureScale: a.head.featureScale, W: encodeArray(a.head.W), b: encodeArray(a.head.b), weight: a.head.weight, l2: a.head.l2, ...(a.head.views ? { views: true } : {}), ...(a.head.prior ? { prior: a.head.prior } : {}) } : null,
        };
  return {
    format: a.format,
    version: a.version,
    method: a.method,
    params: sortedObject(a.params),
    inputDim: a.inputDim,
    outputDim: a.outputDim,
    scoreKind: a.scoreKind,
    sourceHash: a.sourceHash,
    fit: { ...sortedObject({ ...a.fit, info: sortedObject(a.fit.info) }) },
    mean: encodeArray(a.mean),
    pcaBasis: encodeArray(a.pcaBasis),
    pcaEigenvalues: encodeArray(a.pcaEigenvalues),
    projection: encodeArray(a.projection),
    normWeights: encodeArray(a.normWeights),
    ...v2,
  };
}

export function serializeArtifact(a: MetricArtifact): string {
  return JSON.stringify(artifactToJson(a));
}

export function artifactToBytes(a: MetricArtifact): Uint8Array {
  return new TextEncoder().encode(serializeArtifact(a));
}

/** Content hash: "sha256:<hex>" of the canonical serialisation (sourceHash included). */
export function hashArtifact(a: MetricArtifact): string {
  return 'sha256:' + createHash('sha256').update(serializeArtifact(a)).digest('hex');
}

/** Parse and validate (JSON text, UTF-8 bytes, or the already-parsed object). */
export function parseArtifact(input: string | Uint8Array | Record<string, unknown>): MetricArtifact {
  let o: Record<string, unknown>;
  try {
    o = typeof input === 'string' ? JSON.parse(input) : input instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(input)) : input;
  } catch (err) {
    throw new ImsearchError('COLLECTION_BROKEN', `metric artifact is not valid JSON: ${(err as Error).message}`);
  }
  if (!o || typeof o !== 'object') throw new ImsearchError('COLLECTION_BROKEN', 'metric artifact is not an object');
  if (o.format !== ARTIFACT_FORMAT) throw new ImsearchError('COLLECTION_BROKEN', `not a metric artifact (format ${JSON.stringify(o.format)}, expected "${ARTIFACT_FORMAT}")`);
  if (!READABLE_VERSIONS.includes(o.version as number)) {
    throw new ImsearchError('COLLECTION_BROKEN', `metric artifact version ${JSON.stringify(o.version)} is not supported (this build reads ${READABLE_VERSIONS.join(', ')}): refit the metric`);
  }
  const method = o.method as MetricMethod;
  if (!METRIC_METHODS.includes(method)) throw new ImsearchError('COLLECTION_BROKEN', `metric artifact: unknown method ${JSON.stringify(o.method)}`);
  const scoreKind = o.scoreKind as ScoreKind;
  if (!['ip', 'l2', 'quadratic'].includes(scoreKind)) throw new ImsearchError('COLLECTION_BROKEN', `metric artifact: unknown scoreKind ${JSON.stringify(o.scoreKind)}`);
  const inputDim = o.inputDim as number;
  const outputDim = o.outputDim as number;
  if (!Number.isInteger(inputDim) || inputDim <= 0 || !Number.isInteger(outputDim) || outputDim < 0) {
    throw new ImsearchError('COLLECTION_BROKEN', 'metric artifact: inputDim / outputDim missing or invalid');
  }
  const a: MetricArtifact = {
    format: ARTIFACT_FORMAT,
    version: o.version as 1 | 2,
    method,
    params: o.params as ResolvedParams,
    inputDim,
    outputDim,
    scoreKind,
    sourceHash: typeof o.sourceHash === 'string' ? o.sourceHash : '',
    fit: o.fit as FitSummary,
    mean: decodeArray(o.mean, 'float32', 'mean'),
    pcaBasis: decodeArray(o.pcaBasis, 'float32', 'pcaBasis'),
    pcaEigenvalues: decodeArray(o.pcaEigenvalues, 'float64', 'pcaEigenvalues'),
    projection: decodeArray(o.projection, 'float32', 'projection'),
    normWeights: decodeArray(o.normWeights, 'float32', 'normWeights'),
    blockWeights: parseBlockWeights(o.blockWeights),
    head: parseHead(o.head),
  };
  if (!a.params || typeof a.params !== 'object' || a.params.method !== method) throw new ImsearchError('COLLECTION_BROKEN', 'metric artifact: params missing or inconsistent with method');
  if (!a.fit || typeof a.fit !== 'object') throw new ImsearchError('COLLECTION_BROKEN', 'metric artifact: fit summary missing');
  checkShapes(a);
  return a;
}

/** Array lengths agree with the declared dimensions (throws COLLECTION_BROKEN). */
export function checkShapes(a: MetricArtifact): void {
  const bad = (msg: string) => new ImsearchError('COLLECTION_BROKEN', `metric artifact: ${msg}`);
  const d = a.inputDim;
  if (a.mean && a.mean.length !== d) throw bad(`mean has ${a.mean.length} values for inputDim ${d}`);
  let pcaDim = d;
  if (a.pcaBasis) {
    if (a.pcaBasis.length % d !== 0) throw bad(`pcaBasis length ${a.pcaBasis.length} is not a multiple of inputDim ${d}`);
    pcaDim = a.pcaBasis.length / d;
    if (!a.mean) throw bad('pcaBasis without mean');
    if (a.pcaEigenvalues && a.pcaEigenvalues.length !== pcaDim) throw bad(`pcaEigenvalues has ${a.pcaEigenvalues.length} values for ${pcaDim} components`);
  }
  if (a.projection) {
    if (a.projection.length !== pcaDim * a.outputDim) throw bad(`projection has ${a.projection.length} values, expected ${pcaDim} × ${a.outputDim}`);
  } else if (a.outputDim !== pcaDim) {
    throw bad(`outputDim ${a.outputDim} without a projection (expected ${pcaDim})`);
  }
  if (a.scoreKind === 'quadratic' && (!a.normWeights || a.normWeights.length !== a.outputDim)) throw bad('quadratic score without normWeights of length outputDim');
  const bw = a.blockWeights;
  if (bw) {
    if (bw.dims.length !== bw.weights.length || bw.dims.reduce((x, y) => x + y, 0) !== d) throw bad(`blockWeights: ${bw.dims.length} blocks of ${bw.dims.reduce((x, y) => x + y, 0)} dims for inputDim ${d}`);
    if (!bw.weights.every((w) => Number.isFinite(w) && w > 0)) throw bad('blockWeights: weights must be finite and > 0');
  }
  const h = a.head;
  if (h) {
    if (h.W.length !== h.classes.length * a.outputDim || h.b.length !== h.classes.length) throw bad(`head: W has ${h.W.length} values, b ${h.b.length}, for ${h.classes.length} classes × ${a.outputDim}`);
    if (!(h.weight > 0) || !(h.featureScale > 0)) throw bad('head: weight and featureScale must be > 0');
  }
}

function parseBlockWeights(e: unknown): BlockWeights | null {
  if (e === null || e === undefined) return null;
  const o = e as Partial<BlockWeights>;
  if (!Array.isArray(o.dims) || !Array.isArray(o.weights)) throw new ImsearchError('COLLECTION_BROKEN', 'metric artifact: blockWeights is not { dims, weights }');
  return { dims: o.dims.map(Number), weights: o.weights.map(Number) };
}

function parseHead(e: unknown): HeadArtifact | null {
  if (e === null || e === undefined) return null;
  const o = e as Record<string, unknown>;
  if (!Array.isArray(o.classes) || typeof o.featureScale !== 'number' || typeof o.weight !== 'number' || typeof o.l2 !== 'number') {
    throw new ImsearchError('COLLECTION_BROKEN', 'metric artifact: head is missing classes, featureScale, weight or l2');
  }
  return {
    classes: o.classes.map(String),
    featureScale: o.featureScale,
    W: decodeArray(o.W, 'float32', 'head.W') ?? new Float32Array(0),
    b: decodeArray(o.b, 'float32', 'head.b') ?? new Float32Array(0),
    weight: o.weight,
    l2: o.l2,
    views: o.views === true,
    prior: typeof o.prior === 'number' ? o.prior : 0,
  };
}
