/**
 * Fitting: vectors + labels + params → artifact. The cross-validated selection ends with the same
 * call (fitResolved) on its chosen params, so a fit with fixed params and CV's final refit agree.
 */
import type { MetricArtifact, MetricParams, ResolvedParams } from './artifact.js';
import { metricInputBug } from './errors.js';
import { fitContext } from './fit-context.js';
import { indexLabels, requireLabels, type ClassIndex, type Label } from './labels.js';
import { resolveParams, SUPERVISED } from './params.js';
import type { ScatterCache } from './pca.js';
import { checkVectors } from './vectors.js';

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
  return fitResolved(X, dim, classes, resolved, opts);
}

/**
 * Fit already resolved params on every row of X. The CV refit hands in the gallery's
 * ScatterCache, so the d × d scatter is formed once for the whole selection.
 */
export function fitResolved(X: Float32Array, dim: number, classes: ClassIndex, params: ResolvedParams, opts: { scatter?: ScatterCache; sourceHash?: string } = {}): MetricArtifact {
  const { ctx } = fitContext(X, dim, classes, { maxPcaDim: params.pcaDim, supervised: SUPERVISED.includes(params.method), seed: params.seed, scatter: opts.scatter });
  return ctx.artifact(params, opts.sourceHash ?? '');
}
