/**
 * metric/: the pure maths of retrieval quality. PCA, GLRT metric learning (KISSME, XQDA, Joint
 * Bayesian), label-aware re-ranking, calibration, and cross-validated selection inside the
 * gallery. No I/O: artifacts (de)serialise to JSON text / bytes; callers store them.
 *
 * Typical use (collection fit → index → query):
 *
 *   const cv = crossValidateMetric(galleryVectors, dim, galleryLabels, { sourceHash });
 *   const metric = new Metric(cv.artifact!);            // store serializeArtifact(cv.artifact!)
 *   const layout = metric.indexLayout();                // { metric: 'ip' | 'l2', dim }
 *   index.add(ids, metric.indexVectors(metric.transform(galleryVectors)));
 *   const t = metric.transform(queryVector);
 *   const hits = await index.search(metric.indexQuery(t), shortlistSize);
 *   // then exact re-score (metric.score) and the shortlist chain: expandQuery (cv.rerank.qe, a
 *   // second search), voteAndCut (cv.rerank.vote, cv.thresholds[i].threshold, k,
 *   // metric.classPrior(t): the fitted head's posterior, null without a head)
 *   // crossValidateMetric(..., { blocks: [1280, 960, 256] }) also chooses the models' weights.
 *   // or, without an index (exact, in memory): rankGallery(metric, queriesT, galleryT, labels, {...})
 *
 * Modules: artifact (the stored form), params (defaults, validation), vectors (input checks),
 * pca, stats, learners, linalg, kernels (the maths), fit-context + fit (fitting), metric (the
 * runtime Metric), scoring (score matrices), shortlists (top-s), shortlist-chain (α-QE → vote →
 * cut), rerank (the vote and α-QE themselves; the vote takes the head's class posterior),
 * head (softmax classification head on the metric space, L-BFGS), head-fit (the stored head, with augmented views as extra rows), calibration (thresholds),
 * rank-gallery (the exact query chain), retrieval-scores (the evaluation protocol), and the
 * cross-validation: cv (orchestration) over canonical-order, cv-folds, cv-grid, cv-metric-search,
 * cv-rerank-search, cv-ensemble-search (the models' relative weights), cv-head-search (the head
 * and its weight in the vote), cv-calibration, cv-fold-scores, cv-types and selection (the
 * tie-break rule); cv-seed-spread reruns it per seed. Errors are ImsearchError (errors.ts says which codes). Nothing here
 * imports another layer but errors/.
 */
export { indexLabels, requireLabels, type ClassIndex, type Label } from './labels.js';
export {
  ARTIFACT_FORMAT,
  ARTIFACT_VERSION,
  METRIC_METHODS,
  READABLE_VERSIONS,
  inputScaleOf,
  withExtensions,
  type BlockWeights,
  type HeadArtifact,
  artifactToBytes,
  artifactToJson,
  hashArtifact,
  parseArtifact,
  serializeArtifact,
  type FitSummary,
  type MetricArtifact,
  type MetricMethod,
  type MetricParams,
  type ResolvedParams,
  type ScoreKind,
} from './artifact.js';
export { Metric, type IndexLayout, type IndexMetric } from './metric.js';
export { DEFAULT_CV_SEED, defaultPcaDim, resolveParams } from './params.js';
export { fitMetric } from './fit.js';
export { ScatterCache, fitPca, pcaProject, type PcaModel } from './pca.js';
export { ClassStats, type WithinWeighting } from './stats.js';
export { learnJointBayesian, learnKissme, learnXqda, pairCovariances, type Learned } from './learners.js';
export { psdClip, shrink, symEig } from './linalg.js';
export { predictProba, softmaxLoss, trainScaledHead, trainSoftmax, type HeadTraining, type ScaledHead, type SoftmaxHead } from './head.js';
export { alphaQueryExpansion, classShares, classVoteRerank, voteWeights, type ClassPrior, type ClassShare, type Neighbour, type QueryExpansionParams, type VoteOutcome, type VoteParams } from './rerank.js';
export { cutResults, fitThreshold, fitThresholds, OPEN_SET_SIGNALS, type OpenSetCut, type OpenSetSignal, type ThresholdFit } from './calibration.js';
export { fitOpenSetCuts, openSetSignal, passesOpenSet, type SignalledPairs } from './open-set.js';
export { fitProbabilityCurve, probabilityAt, type ProbabilityCurve } from './probability-curve.js';
export { crossValidateMetric, type CvOptions, type CvResult } from './cv.js';
export { seedSpread, type SeedChoice, type SeedSpread } from './cv-seed-spread.js';
export type { RowIds } from './canonical-order.js';
export type { CvRow, CvScores, HeadChoice, RerankRow, SelectBy } from './cv-types.js';
export { defaultBlockWeights, defaultGrid, type CvGrid } from './cv-grid.js';
export type { EnsembleRow } from './cv-ensemble-search.js';
export type { HeadRow } from './cv-head-search.js';
export { withTrainedHead } from './head-fit.js';
export { splitGallery, type Split } from './cv-folds.js';
export { topS, type Shortlists } from './shortlists.js';
export { expandQuery, qeApplies, voteAndCut, type CutParams, type RerankParams, type ShortlistRow } from './shortlist-chain.js';
export { compareCandidates, metricCost, rerankCost, type Candidate } from './selection.js';
export { averagePrecisionAtK, recallAtK, scoreRetrieval, type QueryOutcome, type RetrievalScores } from './retrieval-scores.js';
export { rankGallery, type RankOptions, type RankedResult } from './rank-gallery.js';
export { kernelKind } from './kernels.js';
