/**
 * Metric parameters: the defaults a fit falls back to (relative to the data: n, d, labelled
 * items, classes) and the validation of what a caller asks for.
 */
import { ImsearchError } from '../errors/error-codes.js';
import { METRIC_METHODS, type MetricMethod, type MetricParams, type ResolvedParams } from './artifact.js';

/** The CV seed when none is given: fixed, so a fit is reproducible by default. */
export const DEFAULT_CV_SEED = 1;

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
