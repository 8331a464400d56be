/** The GraphQL object types (code-first, type-graphql) and the mappers that fill them. */
import path from 'node:path';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { DateTimeResolver } from 'graphql-scalars';
import { ClassType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { QueryExpansionParams, ResolvedParams, ThresholdFit, VoteParams } from '../../metric/index.js';
import type { ErrorCode } from '../../errors/error-codes.js';
import { ZOOM_SCALE } from '../../models/image/crop.js';
import type { FitReport } from '../../service/metric-fit.js';
import type { Item as StoredItem } from '../../store/collection.js';
import type { OpenCollection } from '../../service/collections.js';
import type { MatchExplanation as StoredExplanation } from '../../service/explain.js';
import { REFIT_SHARE } from '../../service/fit-freshness.js';
import { type SearchSummary, calibratedPrecisions } from '../../service/search-summary.js';
import type { ModelSummary, UploadOutcome } from '../../service/service.js';
import type { JobRecord } from '../jobs.js';
import { mediaPaths } from '../media.js';
import { ErrorCodeEnum } from './error-code.js';
import { type EnumValue, FileFailureReason, JobKind, JobState, MetricMethod, MetricMode, OpenSetSignal, SearchMethod, UploadStatus, Weighting } from './enums.js';

/** GraphQL Floats are finite: NaN and ±Infinity (an unreachable threshold, an empty ratio) become null. */
function finite(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

@ObjectType({ description: 'An image of a collection.' })
export class Item {
  @Field(() => ID, { description: 'Stable within its collection; never reused.' })
  id!: string;

  @Field({ description: 'The collection it belongs to.' })
  collection!: string;

  @Field(() => String, { nullable: true, description: 'The class label (folder name or given on upload); null when unlabelled.' })
  label!: string | null;

  @Field({ description: "The file name of the item's source (no server path)." })
  sourceName!: string;

  @Field(() => Int, { description: 'Size of the source file in bytes.' })
  bytes!: number;

  @Field({ description: 'sha256 of the source file (hex).' })
  sha256!: string;

  @Field(() => DateTimeResolver, { description: 'When the item was added.' })
  addedAt!: Date;

  @Field({ description: 'The original image, served by this server.' })
  url!: string;

  @Field({ description: 'A thumbnail (WebP, fits in the server\'s thumbnail size), served by this server.' })
  thumbnailUrl!: string;
}

export function toItem(item: StoredItem, collection: string, baseUrl: string): Item {
  const media = mediaPaths(collection, item.id);
  return {
    id: String(item.id),
    collection,
    label: item.label,
    sourceName: path.basename(item.source),
    bytes: item.bytes,
    sha256: item.sha256,
    addedAt: new Date(item.addedAt),
    url: baseUrl + media.url,
    thumbnailUrl: baseUrl + media.thumbnailUrl,
  };
}

export enum ScoreKind {
  METRIC = 'metric',
  COSINE = 'cosine',
}
registerEnumType(ScoreKind, {
  name: 'ScoreKind',
  description: 'What a score is.',
  valuesConfig: {
    METRIC: { description: "The collection's fitted (learned) metric." },
    COSINE: { description: 'Weighted cosine over the models searched with (no fitted metric, or a subset of its models).' },
  },
});

@ObjectType({ description: "A result's similarity to the query under one model of the ensemble." })
export class ModelSimilarity {
  @Field({ description: 'The model.' })
  model!: string;

  @Field(() => Float, { description: "Cosine of the query's and the item's embeddings under this model (each averaged over the views, e.g. the photo and its mirror image, as the ensemble does)." })
  cosine!: number;
}

@ObjectType({ description: 'Why a result came back (asked for with `explain: true`).' })
export class MatchExplanation {
  @Field(() => [ModelSimilarity], { description: "Per model of the collection's ensemble, in the collection's order." })
  models!: ModelSimilarity[];

  @Field(() => Float, { description: 'The score the result was ranked by (equal to `Match.score`).' })
  score!: number;

  @Field(() => ScoreKind, { description: 'Whether `score` is the learned metric or the cosine.' })
  scoreKind!: ScoreKind;

  @Field(() => Float, {
    nullable: true,
    description:
      "Calibrated probability that the item shows the query's class: the score mapped through the same-class rate of held-out gallery pairs " +
      'at that score (isotonic fit made with the metric). Null when the score is not a fitted metric\'s, or the fit predates the calibration curve.',
  })
  probability!: number | null;

  @Field(() => Float, {
    description:
      "Share of the item's class in the vote of the query's neighbourhood (see `SearchResult.prediction`), 0 to 1; 0 when the item is unlabelled or its class has no voter.",
  })
  classShare!: number;
}

@ObjectType({ description: "A class's part of the neighbourhood vote." })
export class ClassVote {
  @Field({ description: 'The class label.' })
  label!: string;

  @Field(() => Float, { description: 'Its share of the total vote weight, 0 to 1 (unlabelled voters count in the total).' })
  share!: number;

  @Field(() => Float, { nullable: true, description: "Calibrated probability (as `MatchExplanation.probability`) at the score of the class's best voter; null without a fitted metric." })
  probability!: number | null;
}

@ObjectType({
  description:
    "The query's predicted class: the top class of a vote over its neighbourhood. With a fitted class vote, the collection's shortlist under the metric " +
    'votes (its first `vote.k` neighbours, weighted by score with temperature `vote.tau`); otherwise the returned matches vote, one vote each.',
})
export class Prediction {
  @Field({ description: 'The predicted class label.' })
  label!: string;

  @Field(() => Float, { description: 'Its share of the vote, 0 to 1.' })
  share!: number;

  @Field(() => Float, { nullable: true, description: "Calibrated probability at the score of the class's best voter; null without a fitted metric." })
  probability!: number | null;

  @Field(() => ClassVote, { nullable: true, description: 'The second class of the vote; null when only one class voted.' })
  runnerUp!: ClassVote | null;

  @Field(() => Int, { description: 'How many neighbours voted.' })
  voters!: number;

  @Field({ description: 'True when votes were weighted by score (a fitted vote), false when each voter counted once.' })
  weighted!: boolean;
}

@ObjectType({ description: 'One result: an item and how similar it is to the query.' })
export class Match {
  @Field(() => Int, { description: '1 for the best match.' })
  rank!: number;

  @Field(() => Float, { description: "Similarity (higher is more similar): the collection's learned metric when fitted, else weighted cosine over the models searched with." })
  score!: number;

  @Field(() => Item, { description: 'The matching item of the collection.' })
  item!: Item;

  @Field(() => MatchExplanation, { nullable: true, description: 'Why this result came back; null unless the search asked with `explain: true`.' })
  explanation!: MatchExplanation | null;
}

@ObjectType({ description: 'Ranked matches of a search.' })
export class SearchResult {
  @Field({ description: 'The collection searched.' })
  collection!: string;

  @Field(() => Int, { description: 'The k asked for (fewer matches when the collection is smaller).' })
  k!: number;

  @Field(() => [String], { description: 'The models searched with.' })
  models!: string[];

  @Field(() => [Match], { description: 'The matches, best first: k of them, or fewer when the collection has fewer items or `minPrecision` cuts the list.' })
  matches!: Match[];

  @Field(() => Prediction, { nullable: true, description: "The query's predicted class; null unless the search asked with `explain: true`, or when no labelled neighbour voted." })
  prediction!: Prediction | null;
}

export function toExplanation(e: StoredExplanation | undefined): MatchExplanation | null {
  return e ? { ...e, scoreKind: e.scoreKind === 'metric' ? ScoreKind.METRIC : ScoreKind.COSINE } : null;
}

@ObjectType({ description: 'How many items of a collection have a label.' })
export class LabelCount {
  @Field({ description: 'The class label.' })
  label!: string;

  @Field(() => Int, { description: 'Items with this label.' })
  count!: number;
}

@ObjectType({ description: "A model of a collection's ensemble." })
export class CollectionModel {
  @Field({ description: 'The model name (see the models query).' })
  name!: string;

  @Field(() => Int, { description: 'Embedding dimension.' })
  dim!: number;

  @Field(() => Float, { description: 'Weight in the ensemble.' })
  weight!: number;

  @Field({ description: 'sha256 of the model file the collection was embedded with.' })
  sha256!: string;
}

@ObjectType({ description: 'Class-vote re-ranking: the shortlist\'s top voters elect a label, whose items move up.' })
export class VoteConfig {
  @Field(() => Int, { description: 'Neighbours that vote.' })
  k!: number;

  @Field(() => Float, { nullable: true, description: 'Vote temperature relative to the voters\' score spread; null = plain count.' })
  tau!: number | null;

  @Field(() => Float, { description: 'Minimum share of the vote weight for the winner to be applied.' })
  minShare!: number;
}

function toVote(v: VoteParams | null): VoteConfig | null {
  return v ? { k: v.k, tau: finite(v.tau), minShare: v.minShare } : null;
}

@ObjectType({ description: 'α-query expansion: the query is averaged with its top neighbours, weighted by similarity^α, and searched again.' })
export class QueryExpansionConfig {
  @Field(() => Int, { description: 'Neighbours averaged into the query.' })
  n!: number;

  @Field(() => Float, { description: 'The exponent on each neighbour\'s similarity in the average.' })
  alpha!: number;
}

function toQe(q: QueryExpansionParams | null): QueryExpansionConfig | null {
  return q && q.n > 0 ? { n: q.n, alpha: q.alpha } : null;
}

@ObjectType({ description: "A query-level condition of a calibrated cut (leave-classes-out calibration): a photo whose class decision is unsure gets only its best match at a minPrecision, so a photo of a class the collection lacks does not get k confident wrong matches." })
export class OpenSetCondition {
  @Field(() => OpenSetSignal, { description: 'The signal compared with the threshold.' })
  signal!: EnumValue<typeof OpenSetSignal>;

  @Field(() => Float, { description: 'A query keeps its matches past the first when its signal is at least this.' })
  threshold!: number;

  @Field(() => Float, { description: "Share of the calibration's in-collection queries below the threshold (what the condition costs them)." })
  rejectedFamiliar!: number;
}

@ObjectType({ description: "A calibrated cut met by the cross-validation's own held-out queries: photos of the collection's classes and photos of classes held out of the fold's metric (strangers)." })
export class CutEstimate {
  @Field(() => Float, { description: 'Matches returned per in-collection query.' })
  familiarResults!: number;

  @Field(() => Float, { description: 'Precision of those matches.' })
  familiarPrecision!: number;

  @Field(() => Float, { description: 'Matches returned per stranger query (every one of them wrong).' })
  strangerResults!: number;
}

@ObjectType({ description: 'A threshold on the learned-metric score calibrated for a target precision on held-out item pairs (what minPrecision uses).' })
export class CalibratedThreshold {
  @Field(() => Float, { description: 'The precision this threshold was calibrated for.' })
  targetPrecision!: number;

  @Field({ description: 'A threshold reaching the target exists (minPrecision up to this target is accepted).' })
  achievable!: boolean;

  @Field(() => Float, { nullable: true, description: 'Accept a match when its score is at least this; null when the target is unreachable.' })
  threshold!: number | null;

  @Field(() => Float, { nullable: true, description: 'Precision of the accepted calibration pairs.' })
  precision!: number | null;

  @Field(() => Float, { nullable: true, description: 'Recall of the same-class calibration pairs.' })
  recall!: number | null;

  @Field(() => Int, { description: 'Calibration pairs the threshold accepts.' })
  accepted!: number;

  @Field(() => Int, { description: 'Calibration pairs of the same class.' })
  positives!: number;

  @Field(() => Int, { description: "Calibration pairs in all (held-out queries of the collection's own classes)." })
  total!: number;

  @Field(() => OpenSetCondition, {
    nullable: true,
    description: 'The second condition of the cut, fitted with the threshold: past its first result a query keeps matches only when this holds. Null: the score threshold alone.',
  })
  openSet!: OpenSetCondition | null;

  @Field(() => CutEstimate, { nullable: true, description: "What the cut does to the calibration's own held-out queries; null for fits made before it was recorded." })
  estimate!: CutEstimate | null;
}

function toThreshold(t: ThresholdFit): CalibratedThreshold {
  return {
    targetPrecision: t.targetPrecision,
    achievable: t.achievable,
    threshold: t.achievable ? finite(t.threshold) : null,
    precision: finite(t.precision),
    recall: finite(t.recall),
    accepted: t.accepted,
    positives: t.positives,
    total: t.total,
    openSet: t.openSet ? { signal: t.openSet.signal, threshold: t.openSet.threshold, rejectedFamiliar: t.openSet.rejectedFamiliar } : null,
    estimate: t.cv ? { familiarResults: t.cv.familiarResults, familiarPrecision: t.cv.familiarPrecision, strangerResults: t.cv.strangerResults } : null,
  };
}

@ObjectType({ description: 'The parameters of a fitted metric.' })
export class MetricParameters {
  @Field(() => MetricMethod, { description: 'The metric family.' })
  method!: EnumValue<typeof MetricMethod>;

  @Field(() => Int, { description: 'PCA components kept before the metric (0: none).' })
  pcaDim!: number;

  @Field(() => Float, { description: 'Covariance shrinkage.' })
  shrinkage!: number;

  @Field(() => Weighting, { description: 'How the within-class scatter is weighted.' })
  weighting!: EnumValue<typeof Weighting>;

  @Field({ description: 'PCA coordinates whitened.' })
  whiten!: boolean;

  @Field({ description: 'Transformed vectors L2-normalised (the score is a cosine).' })
  normalize!: boolean;
}

function toParams(p: ResolvedParams): MetricParameters {
  return { method: p.method, pcaDim: p.pcaDim, shrinkage: p.shrinkage, weighting: p.weighting, whiten: p.whiten, normalize: p.normalize };
}

@ObjectType({ description: 'Retrieval quality of held-out items queried against the rest (the evaluation protocol, inside the collection).' })
export class RetrievalScores {
  @Field(() => Float, { description: 'MAP@10.' })
  map!: number;

  @Field(() => Float, { description: 'Class-balanced MAP@10 (mean over classes of the per-class mean).' })
  classBalancedMap!: number;

  @Field(() => Float, { description: 'Precision at 1.' })
  precisionAt1!: number;
}

@ObjectType({ description: 'Cross-validated scores: plain cosine, the chosen metric alone, and the metric with the chosen re-ranking.' })
export class FitScores {
  @Field(() => RetrievalScores, { description: 'Plain cosine.' })
  baseline!: RetrievalScores;

  @Field(() => RetrievalScores, { description: 'The chosen metric alone.' })
  metric!: RetrievalScores;

  @Field(() => RetrievalScores, { description: 'The metric with the chosen re-rankers: what is served.' })
  reranked!: RetrievalScores;
}

@ObjectType({ description: 'How the labelled items were split for cross-validation.' })
export class CvSplit {
  @Field(() => Int, { description: 'Independent seeded splits averaged.' })
  folds!: number;

  @Field(() => Float, { description: 'Fraction of each class held out as queries.' })
  holdout!: number;

  @Field(() => Int, { description: 'Items held out (queries) per split.' })
  heldOut!: number;

  @Field(() => Int, { description: 'Items fitted on per split.' })
  fittedOn!: number;

  @Field(() => Int, { description: 'The seed of the first split (split i uses seed + i).' })
  seed!: number;
}

@ObjectType({ description: "A fitMetric job's report: the choice, its cross-validated scores, and the calibrated thresholds." })
export class MetricFitReport {
  @Field({ description: 'Hash of the metric artifact written (CollectionInfo.metric while it is served).' })
  metricHash!: string;

  @Field(() => MetricMode, { description: 'Where the metric plugs in.' })
  mode!: EnumValue<typeof MetricMode>;

  @Field(() => MetricMethod, { description: 'The chosen method.' })
  method!: EnumValue<typeof MetricMethod>;

  @Field(() => Int, { description: 'PCA components kept before the metric (0: none).' })
  pcaDim!: number;

  @Field(() => Float, { description: 'Covariance shrinkage.' })
  shrinkage!: number;

  @Field(() => MetricParameters, { description: 'Every parameter of the chosen metric.' })
  params!: MetricParameters;

  @Field(() => VoteConfig, { nullable: true, description: 'The chosen class-vote re-ranking; null when none helped.' })
  vote!: VoteConfig | null;

  @Field(() => QueryExpansionConfig, { nullable: true, description: 'The chosen α-query expansion; null when none helped.' })
  queryExpansion!: QueryExpansionConfig | null;

  @Field(() => FitScores, { description: 'Cross-validated retrieval scores.' })
  scores!: FitScores;

  @Field(() => [CalibratedThreshold], { description: 'Thresholds calibrated for target precisions (0.5, 0.7, 0.8, 0.9, 0.95).' })
  thresholds!: CalibratedThreshold[];

  @Field(() => CvSplit, { description: 'How the labelled items were split.' })
  split!: CvSplit;

  @Field(() => Int, { description: 'Metric settings and re-rankers evaluated.' })
  settingsEvaluated!: number;

  @Field(() => Float, { description: 'Time of the cross-validation and the final fit.' })
  seconds!: number;
}

export function toFitReport(r: FitReport): MetricFitReport {
  const scores = (x: { map: number; classBalancedMap: number; precisionAt1: number }): RetrievalScores => ({
    map: x.map,
    classBalancedMap: x.classBalancedMap,
    precisionAt1: x.precisionAt1,
  });
  return {
    metricHash: r.metricHash,
    mode: r.defaults.mode,
    method: r.cv.params.method,
    pcaDim: r.cv.params.pcaDim,
    shrinkage: r.cv.params.shrinkage,
    params: toParams(r.cv.params),
    vote: toVote(r.defaults.vote),
    queryExpansion: toQe(r.defaults.qe),
    scores: { baseline: scores(r.cv.scores.baseline), metric: scores(r.cv.scores.metric), reranked: scores(r.cv.scores.reranked) },
    thresholds: r.defaults.thresholds.map(toThreshold),
    split: { folds: r.cv.split.folds, holdout: r.cv.split.holdout, heldOut: r.cv.split.heldOut, fittedOn: r.cv.split.fittedOn, seed: r.cv.split.seed },
    settingsEvaluated: r.cv.table.length + r.cv.rerankTable.length,
    seconds: r.cv.millis.total / 1000,
  };
}

@ObjectType({ description: "How a collection answers queries: plain cosine, or its fitted metric with re-rankers and calibrated thresholds." })
export class SearchConfig {
  @Field({ description: 'A fitted metric is in use.' })
  learned!: boolean;

  @Field(() => SearchMethod, { description: "COSINE, or the fitted metric's method." })
  method!: EnumValue<typeof SearchMethod>;

  @Field(() => MetricParameters, { nullable: true, description: 'The fitted metric; null for cosine.' })
  metric!: MetricParameters | null;

  @Field(() => MetricMode, { nullable: true, description: 'Where the metric plugs in; null for cosine.' })
  mode!: EnumValue<typeof MetricMode> | null;

  @Field(() => Int, { nullable: true, description: 'Candidates re-scored per query; null for cosine.' })
  shortlist!: number | null;

  @Field(() => VoteConfig, { nullable: true, description: 'Class-vote re-ranking; null when off.' })
  vote!: VoteConfig | null;

  @Field(() => QueryExpansionConfig, { nullable: true, description: 'α-query expansion; null when off.' })
  queryExpansion!: QueryExpansionConfig | null;

  @Field(() => [CalibratedThreshold], { description: 'The calibrated thresholds of the fitted metric; empty for cosine.' })
  thresholds!: CalibratedThreshold[];

  @Field(() => [Float], {
    description: 'Target precisions with a reachable threshold, ascending: minPrecision up to the largest is accepted (the closest target at or above it applies).',
  })
  calibratedPrecisions!: number[];

  @Field(() => MetricFitReport, {
    nullable: true,
    description: "The served metric's validation report, when it was fitted on exactly the collection's current items (null after items were added or removed, and for cosine).",
  })
  fit!: MetricFitReport | null;
}

export function toSearchConfig(s: SearchSummary, fit: FitReport | null): SearchConfig {
  return {
    learned: s.metricHash !== null,
    method: s.method,
    metric: s.params ? toParams(s.params) : null,
    mode: s.mode ?? null,
    shortlist: s.shortlist,
    vote: toVote(s.vote),
    queryExpansion: toQe(s.qe),
    thresholds: s.thresholds.map(toThreshold),
    calibratedPrecisions: calibratedPrecisions(s),
    fit: fit && fit.metricHash === s.metricHash ? toFitReport(fit) : null,
  };
}

@ObjectType({
  description:
    `Whether the fitted metric still describes the collection. Policy: once more than ${REFIT_SHARE * 100} % of the items it was fitted on ` +
    'have been added or removed since, the fit is stale and the server starts a FIT_METRIC job by itself (see `jobs`); until it ends, searches use the previous fit.',
})
export class FitFreshness {
  @Field(() => Int, { nullable: true, description: 'Items the metric was fitted on; null for a fit made before this was recorded.' })
  fittedItems!: number | null;

  @Field(() => Int, { nullable: true, description: 'Items added or removed since the fit; null when unknown (an older fit, and the items changed).' })
  itemsChanged!: number | null;

  @Field(() => Float, { nullable: true, description: 'itemsChanged / fittedItems.' })
  changedShare!: number | null;

  @Field({ description: 'More than the policy share changed (or an unknown amount): the fit is being, or should be, refreshed.' })
  stale!: boolean;
}

@ObjectType({ description: 'A collection the server serves.' })
export class CollectionInfo {
  @Field({ description: 'The collection name (the `collection` argument of queries and mutations).' })
  name!: string;

  @Field({ description: 'Searches without a collection argument use this one.' })
  isDefault!: boolean;

  @Field(() => Int, { description: 'Items in the collection.' })
  itemCount!: number;

  @Field(() => Int, { description: 'Items in the index (equal to itemCount when the index is current).' })
  indexSize!: number;

  @Field(() => [LabelCount], { description: 'Items per label, by label.' })
  labels!: LabelCount[];

  @Field(() => [CollectionModel], { description: 'The ensemble of embedding models, with their weights.' })
  models!: CollectionModel[];

  @Field({ description: 'Index spec string (flat, hnsw:M=32,efSearch=128, ivfpq, annoy, faiss:<factory>, ...).' })
  indexSpec!: string;

  @Field({ description: 'The crop step (trim content-free borders) runs before embedding.' })
  crop!: boolean;

  @Field(() => [String], { description: 'Embedded views, pooled per model at search: orig; flip (mirrored), zoom (the zoomed centre) and zoom-flip for test-time augmentation.' })
  views!: string[];

  @Field(() => String, { nullable: true, description: 'Hash of the fitted metric artifact; null for plain cosine.' })
  metric!: string | null;

  @Field(() => SearchConfig, { description: 'How searches are answered: cosine or the fitted metric, re-rankers, calibrated thresholds.' })
  search!: SearchConfig;

  @Field(() => FitFreshness, { nullable: true, description: 'How far the items moved since the metric was fitted; null for plain cosine.' })
  fitFreshness!: FitFreshness | null;

  @Field(() => DateTimeResolver, { description: 'When the collection was created.' })
  createdAt!: Date;
}

export async function toCollectionInfo(c: OpenCollection, isDefault: boolean): Promise<CollectionInfo> {
  const m = c.collection.manifest;
  return {
    name: c.name,
    isDefault,
    itemCount: c.collection.count(),
    indexSize: c.searcher.size,
    labels: [...c.collection.labels()].map(([label, count]) => ({ label, count })),
    models: m.models.map((x) => ({ name: x.name, dim: x.dim, weight: x.weight, sha256: x.sha256 })),
    indexSpec: c.searcher.indexSpec,
    crop: m.crop,
    views: [...m.views],
    metric: m.metric?.hash ?? null,
    search: toSearchConfig(c.summary, await c.currentFit()),
    fitFreshness: await c.fitFreshness(),
    createdAt: new Date(m.createdAt),
  };
}

@ObjectType({ description: 'An embedding model loaded by the server.' })
export class ModelInfo implements ModelSummary {
  @Field({ description: 'The model name.' })
  name!: string;

  @Field(() => Int, { description: 'Embedding dimension.' })
  dim!: number;

  @Field({ description: 'sha256 of the model file.' })
  sha256!: string;

  @Field({ description: 'What the model is (architecture, training data, precision).' })
  description!: string;

  @Field(() => [String], { description: 'Collections embedded with this model.' })
  collections!: string[];
}

@ObjectType({ description: 'An item and the cursor that points at it.' })
export class ItemEdge {
  @Field({ description: 'Pass as `after` for the items after this one, or as `before` for those before it.' })
  cursor!: string;

  @Field(() => Item, { description: 'The item.' })
  node!: Item;
}

@ObjectType({ description: 'Where a page sits in the whole list (Relay cursor connections).' })
export class PageInfo {
  @Field({ description: 'More items follow the last edge (forward: beyond `first`; backward: at or after `before`).' })
  hasNextPage!: boolean;

  @Field({ description: 'More items precede the first edge (backward: beyond `last`; forward: at or before `after`).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the first edge; null on an empty page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'The cursor of the last edge; null on an empty page.' })
  endCursor!: string | null;
}

@ObjectType({ description: 'A page of items in id order (a Relay cursor connection).' })
export class ItemConnection {
  @Field(() => [ItemEdge], { description: 'The items of this page, in id order.' })
  edges!: ItemEdge[];

  @Field(() => PageInfo, { description: 'Cursors and whether there is more on either side.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Items matching the filter, all pages.' })
  totalCount!: number;
}

@ObjectType({ description: 'A file a job could not use, and why.' })
export class FileFailure {
  @Field({ description: 'Path relative to the indexed folder.' })
  path!: string;

  @Field(() => FileFailureReason, { description: 'Why the file could not be used.' })
  reason!: EnumValue<typeof FileFailureReason>;

  @Field({ description: 'What went wrong, for people (no server path).' })
  message!: string;
}

@ObjectType({ description: 'Long work (indexing a folder, rebuilding an index, fitting a metric) and its progress.' })
export class Job {
  @Field(() => ID, { description: 'The job id (job(id), jobUpdated(id)).' })
  id!: string;

  @Field(() => JobKind, { description: 'What the job does.' })
  kind!: EnumValue<typeof JobKind>;

  @Field({ description: 'The collection it works on.' })
  collection!: string;

  @Field({ description: "The indexed folder (real path; without the API key, relative to its root), the new index spec, or the fit's options." })
  target!: string;

  @Field(() => JobState, { description: 'Where the job is.' })
  state!: EnumValue<typeof JobState>;

  @Field(() => Int, { description: 'Files (or items) processed so far, failed ones included; for FIT_METRIC, settings evaluated.' })
  done!: number;

  @Field(() => Int, { description: 'Out of; 0 while not known in advance (FIT_METRIC until it ends).' })
  total!: number;

  @Field(() => Int, { description: 'How many files failed so far.' })
  failed!: number;

  @Field(() => [FileFailure], { description: 'The files that failed so far, with why.' })
  failures!: FileFailure[];

  @Field(() => Int, { description: 'Items added so far.' })
  added!: number;

  @Field(() => Int, { description: 'Files already in the collection (same content).' })
  unchanged!: number;

  @Field(() => String, { nullable: true, description: 'A summary when SUCCEEDED, the cause when FAILED (FIT_METRIC: progress while RUNNING).' })
  message!: string | null;

  @Field(() => ErrorCodeEnum, { nullable: true, description: 'The error code when FAILED (e.g. NOT_LABELLED), as in extensions.code; CANCELLED when this server stopped it, INTERRUPTED when a previous server process ended before the job finished.' })
  code!: ErrorCode | null;

  @Field(() => MetricFitReport, { nullable: true, description: 'The validation report of a FIT_METRIC job that SUCCEEDED.' })
  fit!: MetricFitReport | null;

  @Field(() => DateTimeResolver, { description: 'When the job was started (queued).' })
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When it began running; null while QUEUED.' })
  startedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When it SUCCEEDED or FAILED; null before.' })
  finishedAt!: Date | null;
}

export function toJob(j: JobRecord): Job {
  return {
    id: j.id,
    kind: j.kind,
    collection: j.collection,
    target: j.target,
    state: j.state,
    done: j.done,
    total: j.total,
    failed: j.failures.length,
    failures: j.failures.map((f) => ({ ...f })),
    added: j.added,
    unchanged: j.unchanged,
    message: j.message,
    code: j.code,
    fit: j.fit ? toFitReport(j.fit) : null,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
  };
}

@InputType({ description: 'A model of a new collection, with its weight in the ensemble.' })
export class ModelWeightInput {
  @Field({ description: 'A model name the server has a manifest and a verified file for (see the models query).' })
  name!: string;

  @Field(() => Float, { defaultValue: 1, description: 'Weight in the ensemble (> 0); parts are scaled by sqrt(w / sum w).' })
  weight!: number;
}

@InputType({ description: 'What a new collection is: its models, crop step, views and index.' })
export class CreateCollectionInput {
  @Field({ description: 'Letters, digits, ".", "_" or "-", at most 64 (BAD_COLLECTION_NAME otherwise); COLLECTION_EXISTS when taken.' })
  name!: string;

  @Field(() => [ModelWeightInput], { description: 'The embedders of the ensemble (UNKNOWN_MODEL / MODEL_MISSING when the server cannot load one).' })
  models!: ModelWeightInput[];

  @Field({ defaultValue: false, description: 'Trim content-free borders before embedding.' })
  crop!: boolean;

  @Field({ defaultValue: false, description: 'Also embed the mirrored photo (flip test-time augmentation).' })
  flip!: boolean;

  @Field({ defaultValue: false, description: `Also embed the photo's zoomed centre (the middle ${ZOOM_SCALE * 100}% of each side; mirrored too with flip) for test-time augmentation.` })
  zoom!: boolean;

  @Field({ defaultValue: 'flat', description: 'Index spec: flat, hnsw[:M=..], ivfpq[:...], annoy[:trees=..], faiss:<factory> (BAD_INDEX_SPEC otherwise).' })
  indexSpec!: string;
}

@ObjectType({ description: 'The result of createCollection.' })
export class CreateCollectionPayload {
  @Field(() => CollectionInfo, { description: 'The new, empty collection.' })
  collection!: CollectionInfo;
}

@InputType({ description: 'Which collection to delete.' })
export class DeleteCollectionInput {
  @Field({ description: 'The collection name (UNKNOWN_COLLECTION when there is none).' })
  name!: string;
}

@ObjectType({ description: 'The result of deleteCollection.' })
export class DeleteCollectionPayload {
  @Field({ description: 'The name of the deleted collection.' })
  name!: string;
}

/** A `collection` input field: the collection a mutation writes to. */
function collectionField() {
  return Field(() => String, { nullable: true, description: "The collection; default the server's default collection (UNKNOWN_COLLECTION when absent)." });
}

@InputType({ description: 'An image to add, with its label.' })
export class ImageUpload {
  @Field(() => GraphQLUpload, { description: 'The image file (a file part of the multipart request).' })
  file!: Promise<FileUpload>;

  @Field(() => String, { nullable: true, description: 'Its class label; null for unlabelled.' })
  label?: string | null;
}

@InputType({ description: 'Images to add to a collection.' })
export class AddImagesInput {
  @Field(() => [ImageUpload], { description: 'The images, at most limits.maxFiles (TOO_MANY_FILES).' })
  images!: ImageUpload[];

  @collectionField()
  collection?: string | null;
}

@ObjectType({ description: 'What happened to one uploaded image.' })
export class UploadResult {
  @Field(() => Int, { description: 'Position in the request.' })
  index!: number;

  @Field({ description: 'The file name the client sent.' })
  filename!: string;

  @Field(() => UploadStatus, { description: 'Added, already there, or failed.' })
  status!: EnumValue<typeof UploadStatus>;

  @Field(() => Item, { nullable: true, description: 'The item (new or already present); null when FAILED.' })
  item!: Item | null;

  @Field(() => ErrorCodeEnum, { nullable: true, description: 'BAD_IMAGE or UPLOAD_TOO_LARGE when FAILED.' })
  code!: ErrorCode | null;

  @Field(() => FileFailureReason, { nullable: true, description: "The decoder's reason when FAILED." })
  reason!: EnumValue<typeof FileFailureReason> | null;

  @Field(() => String, { nullable: true, description: 'What went wrong when FAILED, for people.' })
  message!: string | null;
}

export function toUploadResult(o: UploadOutcome, collection: string, baseUrl: string): UploadResult {
  const code: ErrorCode | null = o.status !== 'FAILED' ? null : o.reason === 'too-large-bytes' ? 'UPLOAD_TOO_LARGE' : 'BAD_IMAGE';
  return { ...o, code, item: o.item ? toItem(o.item, collection, baseUrl) : null };
}

@ObjectType({ description: 'The result of addImages: counts and one result per image, in request order.' })
export class AddImagesPayload {
  @Field({ description: 'The collection the images went to.' })
  collection!: string;

  @Field(() => Int, { description: 'Images that became new items.' })
  added!: number;

  @Field(() => Int, { description: 'Images already in the collection.' })
  unchanged!: number;

  @Field(() => Int, { description: 'Images that could not be added.' })
  failed!: number;

  @Field(() => [UploadResult], { description: 'Per image, in request order.' })
  results!: UploadResult[];
}

@InputType({ description: 'Items to remove from a collection.' })
export class RemoveItemsInput {
  @Field(() => [ID], { description: 'Item ids; all or none are removed (UNKNOWN_ITEM when one is absent).' })
  ids!: string[];

  @collectionField()
  collection?: string | null;
}

@ObjectType({ description: 'The result of removeItems.' })
export class RemoveItemsPayload {
  @Field({ description: 'The collection the items were removed from.' })
  collection!: string;

  @Field(() => [ID], { description: 'The ids removed.' })
  removed!: string[];

  @Field(() => Int, { description: 'Items left in the collection.' })
  itemCount!: number;
}

@InputType({ description: 'A server-side folder to index.' })
export class IndexFolderInput {
  @Field({ description: 'Absolute, or relative to the first root; inside the configured roots (PATH_NOT_ALLOWED otherwise). Labels come from first-level folder names.' })
  path!: string;

  @collectionField()
  collection?: string | null;
}

@InputType({ description: "A new index for a collection's stored embeddings." })
export class RebuildIndexInput {
  @Field({ description: 'flat, hnsw[:M=..,efSearch=..], ivfpq[:...], annoy[:trees=..], faiss:<factory>, ... (BAD_INDEX_SPEC otherwise).' })
  indexSpec!: string;

  @collectionField()
  collection?: string | null;
}

@InputType({ description: "How to fit a collection's metric." })
export class FitMetricInput {
  @collectionField()
  collection?: string | null;

  @Field(() => MetricMode, { defaultValue: MetricMode.TRANSFORM, description: 'Where the metric plugs in.' })
  mode!: EnumValue<typeof MetricMode>;

  @Field(() => Int, { defaultValue: 1, description: 'Independent seeded CV splits averaged (1 to 10): steadier numbers, proportionally longer.' })
  folds!: number;
}

/** The payload of a mutation that starts a job: the job, to follow with job(id) or jobUpdated(id). */
function jobPayload(mutation: string): ClassType<{ job: Job }> {
  @ObjectType(`${mutation[0].toUpperCase()}${mutation.slice(1)}Payload`, { description: `The result of ${mutation}: the job it started.` })
  class JobPayload {
    @Field(() => Job, { description: 'The job; follow it with job(id) or the jobUpdated(id) subscription.' })
    job!: Job;
  }
  return JobPayload;
}

export const IndexFolderPayload = jobPayload('indexFolder');
export const RebuildIndexPayload = jobPayload('rebuildIndex');
export const FitMetricPayload = jobPayload('fitMetric');

@ObjectType({ description: "The server's limits (requests beyond them fail with the code named)." })
export class Limits {
  @Field(() => Int, { description: 'Largest k (BAD_K).' })
  maxK!: number;

  @Field(() => Int, { description: 'Largest uploaded file in bytes (UPLOAD_TOO_LARGE).' })
  maxUploadBytes!: number;

  @Field(() => Int, { description: 'Most files in one request (TOO_MANY_FILES).' })
  maxFiles!: number;

  @Field(() => Int, { description: 'Largest decoded image, width x height (BAD_IMAGE, reason too-many-pixels).' })
  maxPixels!: number;

  @Field(() => Int, { description: 'Largest page of items.' })
  maxPageSize!: number;

  @Field(() => Int, { description: 'Largest estimated cost of one request: result fields + 1,000 per embedded image + 10 + k per search (QUERY_TOO_COMPLEX).' })
  maxQueryCost!: number;

  @Field(() => Int, { description: 'Most aliased fields in one request (QUERY_TOO_COMPLEX).' })
  maxAliases!: number;

  @Field(() => Int, { description: 'Deepest field nesting of a request (QUERY_TOO_COMPLEX).' })
  maxDepth!: number;
}
