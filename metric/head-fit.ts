/**
 * The head a fit stores: trained on the gallery as the runtime Metric maps it (block weights
 * included: what queries will meet), with the augmented views as extra rows when the choice says
 * so. The final refit and the benchmarks that take a fit apart share it.
 */
import { withExtensions, type MetricArtifact } from './artifact.js';
import type { HeadChoice } from './cv-types.js';
import { classShares, dividePrior, trainScaledHead, withViewRows } from './head.js';
import type { ClassIndex } from './labels.js';
import { Metric } from './metric.js';

/**
 * `base` with a head trained on X (n × inputDim, the gallery's pooled rows) and, with choice.views,
 * each of `views` (same rows, per view), its training prior divided out to the power choice.prior.
 */
export function withTrainedHead(base: MetricArtifact, X: Float32Array, views: readonly Float32Array[], classes: ClassIndex, choice: HeadChoice, maxIterations: number): MetricArtifact {
  const unheaded = withExtensions(base, { blockWeights: base.blockWeights, head: null });
  const metric = new Metric(unheaded);
  const training = withViewRows(metric.transform(X), classes.classOf, choice.views ? views.map((v) => metric.transform(v)) : []);
  const prior = choice.prior ?? 0;
  const fitted = trainScaledHead(training.T, unheaded.outputDim, training.classOf, classes.names.length, { l2: choice.l2, maxIterations });
  const trained = dividePrior(fitted, classShares(training.classOf, classes.names.length), prior);
  const head = { classes: classes.names, featureScale: trained.featureScale, W: Float32Array.from(trained.model.W), b: Float32Array.from(trained.model.b), weight: choice.weight, l2: choice.l2, views: choice.views === true, prior };
  return withExtensions(unheaded, { blockWeights: unheaded.blockWeights, head });
}
