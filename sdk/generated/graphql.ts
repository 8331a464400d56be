/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** An image to add, with its label. */
export type ImageUpload = {
  file: File | Blob;
  label?: string | null | undefined;
};

/** What a job does. */
export type JobKind =
  | 'FIT_METRIC'
  | 'INDEX_FOLDER'
  | 'REBUILD_INDEX';

/** Where a job is: QUEUED behind other writes to its collection, RUNNING, or finished. */
export type JobState =
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

/** Where a fitted metric plugs in. */
export type MetricMode =
  /** The index holds the plain ensemble vectors (cosine); each query's shortlist is re-scored exactly with the metric. */
  | 'RERANK'
  /** The index holds learned-metric vectors and searches the metric directly. */
  | 'TRANSFORM';

/** The outcome of one uploaded image. */
export type UploadStatus =
  | 'ADDED'
  | 'FAILED'
  | 'UNCHANGED';

export type CollectionsQueryVariables = Exact<{ [key: string]: never; }>;


export type CollectionsQuery = { collections: Array<{ name: string, isDefault: boolean, itemCount: number, indexSize: number, indexSpec: string, crop: boolean, views: Array<string>, metric: string | null, createdAt: string, labels: Array<{ label: string, count: number }>, models: Array<{ name: string, dim: number, weight: number, sha256: string }>, search: { learned: boolean, method: string, mode: MetricMode | null, shortlist: number | null, calibratedPrecisions: Array<number>, metric: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean } | null, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } }> };

export type CollectionQueryVariables = Exact<{
  name?: string | null | undefined;
}>;


export type CollectionQuery = { collection: { name: string, isDefault: boolean, itemCount: number, indexSize: number, indexSpec: string, crop: boolean, views: Array<string>, metric: string | null, createdAt: string, labels: Array<{ label: string, count: number }>, models: Array<{ name: string, dim: number, weight: number, sha256: string }>, search: { learned: boolean, method: string, mode: MetricMode | null, shortlist: number | null, calibratedPrecisions: Array<number>, metric: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean } | null, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } } };

export type ModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsQuery = { models: Array<{ name: string, dim: number, sha256: string, description: string, collections: Array<string> }> };

export type ItemQueryVariables = Exact<{
  id: string | number;
  collection?: string | null | undefined;
}>;


export type ItemQuery = { item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string } };

export type ItemsQueryVariables = Exact<{
  collection?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  label?: string | null | undefined;
}>;


export type ItemsQuery = { items: { endCursor: string | null, hasNextPage: boolean, totalCount: number, items: Array<{ id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string }> } };

export type JobQueryVariables = Exact<{
  id: string | number;
}>;


export type JobQuery = { job: { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: string, message: string }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } };

export type JobsQueryVariables = Exact<{ [key: string]: never; }>;


export type JobsQuery = { jobs: Array<{ id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: string, message: string }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null }> };

export type LimitsQueryVariables = Exact<{ [key: string]: never; }>;


export type LimitsQuery = { limits: { maxK: number, maxUploadBytes: number, maxFiles: number, maxPixels: number, maxPageSize: number } };

export type ItemFieldsFragment = { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string };

export type SearchResultFieldsFragment = { collection: string, k: number, models: Array<string>, matches: Array<{ rank: number, score: number, item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string } }> };

export type JobFieldsFragment = { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: string, message: string }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null };

export type CalibratedThresholdFieldsFragment = { targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number };

export type MetricParametersFieldsFragment = { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean };

export type RetrievalScoresFieldsFragment = { map: number, classBalancedMap: number, precisionAt1: number };

export type MetricFitReportFieldsFragment = { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } };

export type SearchConfigFieldsFragment = { learned: boolean, method: string, mode: MetricMode | null, shortlist: number | null, calibratedPrecisions: Array<number>, metric: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean } | null, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null };

export type CollectionFieldsFragment = { name: string, isDefault: boolean, itemCount: number, indexSize: number, indexSpec: string, crop: boolean, views: Array<string>, metric: string | null, createdAt: string, labels: Array<{ label: string, count: number }>, models: Array<{ name: string, dim: number, weight: number, sha256: string }>, search: { learned: boolean, method: string, mode: MetricMode | null, shortlist: number | null, calibratedPrecisions: Array<number>, metric: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean } | null, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } };

export type AddImagesMutationVariables = Exact<{
  images: Array<ImageUpload> | ImageUpload;
  collection?: string | null | undefined;
}>;


export type AddImagesMutation = { addImages: { collection: string, added: number, unchanged: number, failed: number, results: Array<{ index: number, filename: string, status: UploadStatus, code: string | null, reason: string | null, message: string | null, item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string } | null }> } };

export type IndexFolderMutationVariables = Exact<{
  path: string;
  collection?: string | null | undefined;
}>;


export type IndexFolderMutation = { indexFolder: { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: string, message: string }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } };

export type RemoveItemsMutationVariables = Exact<{
  ids: Array<string | number> | string | number;
  collection?: string | null | undefined;
}>;


export type RemoveItemsMutation = { removeItems: { collection: string, removed: Array<string>, itemCount: number } };

export type RebuildIndexMutationVariables = Exact<{
  indexSpec: string;
  collection?: string | null | undefined;
}>;


export type RebuildIndexMutation = { rebuildIndex: { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: string, message: string }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } };

export type FitMetricMutationVariables = Exact<{
  collection?: string | null | undefined;
  mode?: MetricMode | null | undefined;
  folds?: number | null | undefined;
}>;


export type FitMetricMutation = { fitMetric: { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: string, message: string }>, fit: { metricHash: string, mode: MetricMode, method: string, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: string, pcaDim: number, shrinkage: number, weighting: string, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } };

export type SimilarImagesQueryVariables = Exact<{
  upload: File | Blob;
  k?: number | null | undefined;
  models?: Array<string> | string | null | undefined;
  collection?: string | null | undefined;
  minPrecision?: number | null | undefined;
}>;


export type SimilarImagesQuery = { similarImages: { collection: string, k: number, models: Array<string>, matches: Array<{ rank: number, score: number, item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string } }> } };

export type SimilarToQueryVariables = Exact<{
  id: string | number;
  k?: number | null | undefined;
  models?: Array<string> | string | null | undefined;
  collection?: string | null | undefined;
  minPrecision?: number | null | undefined;
}>;


export type SimilarToQuery = { similarTo: { collection: string, k: number, models: Array<string>, matches: Array<{ rank: number, score: number, item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string } }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ItemFieldsFragmentDoc = new TypedDocumentString(`
    fragment ItemFields on Item {
  id
  collection
  label
  sourceName
  bytes
  sha256
  addedAt
  url
  thumbnailUrl
}
    `, {"fragmentName":"ItemFields"}) as unknown as TypedDocumentString<ItemFieldsFragment, unknown>;
export const SearchResultFieldsFragmentDoc = new TypedDocumentString(`
    fragment SearchResultFields on SearchResult {
  collection
  k
  models
  matches {
    rank
    score
    item {
      ...ItemFields
    }
  }
}
    fragment ItemFields on Item {
  id
  collection
  label
  sourceName
  bytes
  sha256
  addedAt
  url
  thumbnailUrl
}`, {"fragmentName":"SearchResultFields"}) as unknown as TypedDocumentString<SearchResultFieldsFragment, unknown>;
export const MetricParametersFieldsFragmentDoc = new TypedDocumentString(`
    fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
    `, {"fragmentName":"MetricParametersFields"}) as unknown as TypedDocumentString<MetricParametersFieldsFragment, unknown>;
export const RetrievalScoresFieldsFragmentDoc = new TypedDocumentString(`
    fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
    `, {"fragmentName":"RetrievalScoresFields"}) as unknown as TypedDocumentString<RetrievalScoresFieldsFragment, unknown>;
export const CalibratedThresholdFieldsFragmentDoc = new TypedDocumentString(`
    fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
    `, {"fragmentName":"CalibratedThresholdFields"}) as unknown as TypedDocumentString<CalibratedThresholdFieldsFragment, unknown>;
export const MetricFitReportFieldsFragmentDoc = new TypedDocumentString(`
    fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}
    fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}`, {"fragmentName":"MetricFitReportFields"}) as unknown as TypedDocumentString<MetricFitReportFieldsFragment, unknown>;
export const JobFieldsFragmentDoc = new TypedDocumentString(`
    fragment JobFields on Job {
  id
  kind
  collection
  target
  state
  done
  total
  failed
  failures {
    path
    reason
    message
  }
  added
  unchanged
  message
  code
  fit {
    ...MetricFitReportFields
  }
  createdAt
  startedAt
  finishedAt
}
    fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}`, {"fragmentName":"JobFields"}) as unknown as TypedDocumentString<JobFieldsFragment, unknown>;
export const SearchConfigFieldsFragmentDoc = new TypedDocumentString(`
    fragment SearchConfigFields on SearchConfig {
  learned
  method
  metric {
    ...MetricParametersFields
  }
  mode
  shortlist
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  calibratedPrecisions
  fit {
    ...MetricFitReportFields
  }
}
    fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}`, {"fragmentName":"SearchConfigFields"}) as unknown as TypedDocumentString<SearchConfigFieldsFragment, unknown>;
export const CollectionFieldsFragmentDoc = new TypedDocumentString(`
    fragment CollectionFields on CollectionInfo {
  name
  isDefault
  itemCount
  indexSize
  labels {
    label
    count
  }
  models {
    name
    dim
    weight
    sha256
  }
  indexSpec
  crop
  views
  metric
  search {
    ...SearchConfigFields
  }
  createdAt
}
    fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}
fragment SearchConfigFields on SearchConfig {
  learned
  method
  metric {
    ...MetricParametersFields
  }
  mode
  shortlist
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  calibratedPrecisions
  fit {
    ...MetricFitReportFields
  }
}`, {"fragmentName":"CollectionFields"}) as unknown as TypedDocumentString<CollectionFieldsFragment, unknown>;
export const CollectionsDocument = new TypedDocumentString(`
    query Collections {
  collections {
    ...CollectionFields
  }
}
    fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}
fragment SearchConfigFields on SearchConfig {
  learned
  method
  metric {
    ...MetricParametersFields
  }
  mode
  shortlist
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  calibratedPrecisions
  fit {
    ...MetricFitReportFields
  }
}
fragment CollectionFields on CollectionInfo {
  name
  isDefault
  itemCount
  indexSize
  labels {
    label
    count
  }
  models {
    name
    dim
    weight
    sha256
  }
  indexSpec
  crop
  views
  metric
  search {
    ...SearchConfigFields
  }
  createdAt
}`) as unknown as TypedDocumentString<CollectionsQuery, CollectionsQueryVariables>;
export const CollectionDocument = new TypedDocumentString(`
    query Collection($name: String) {
  collection(name: $name) {
    ...CollectionFields
  }
}
    fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}
fragment SearchConfigFields on SearchConfig {
  learned
  method
  metric {
    ...MetricParametersFields
  }
  mode
  shortlist
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  calibratedPrecisions
  fit {
    ...MetricFitReportFields
  }
}
fragment CollectionFields on CollectionInfo {
  name
  isDefault
  itemCount
  indexSize
  labels {
    label
    count
  }
  models {
    name
    dim
    weight
    sha256
  }
  indexSpec
  crop
  views
  metric
  search {
    ...SearchConfigFields
  }
  createdAt
}`) as unknown as TypedDocumentString<CollectionQuery, CollectionQueryVariables>;
export const ModelsDocument = new TypedDocumentString(`
    query Models {
  models {
    name
    dim
    sha256
    description
    collections
  }
}
    `) as unknown as TypedDocumentString<ModelsQuery, ModelsQueryVariables>;
export const ItemDocument = new TypedDocumentString(`
    query Item($id: ID!, $collection: String) {
  item(id: $id, collection: $collection) {
    ...ItemFields
  }
}
    fragment ItemFields on Item {
  id
  collection
  label
  sourceName
  bytes
  sha256
  addedAt
  url
  thumbnailUrl
}`) as unknown as TypedDocumentString<ItemQuery, ItemQueryVariables>;
export const ItemsDocument = new TypedDocumentString(`
    query Items($collection: String, $first: Int, $after: String, $label: String) {
  items(collection: $collection, first: $first, after: $after, label: $label) {
    items {
      ...ItemFields
    }
    endCursor
    hasNextPage
    totalCount
  }
}
    fragment ItemFields on Item {
  id
  collection
  label
  sourceName
  bytes
  sha256
  addedAt
  url
  thumbnailUrl
}`) as unknown as TypedDocumentString<ItemsQuery, ItemsQueryVariables>;
export const JobDocument = new TypedDocumentString(`
    query Job($id: ID!) {
  job(id: $id) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  kind
  collection
  target
  state
  done
  total
  failed
  failures {
    path
    reason
    message
  }
  added
  unchanged
  message
  code
  fit {
    ...MetricFitReportFields
  }
  createdAt
  startedAt
  finishedAt
}
fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}`) as unknown as TypedDocumentString<JobQuery, JobQueryVariables>;
export const JobsDocument = new TypedDocumentString(`
    query Jobs {
  jobs {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  kind
  collection
  target
  state
  done
  total
  failed
  failures {
    path
    reason
    message
  }
  added
  unchanged
  message
  code
  fit {
    ...MetricFitReportFields
  }
  createdAt
  startedAt
  finishedAt
}
fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}`) as unknown as TypedDocumentString<JobsQuery, JobsQueryVariables>;
export const LimitsDocument = new TypedDocumentString(`
    query Limits {
  limits {
    maxK
    maxUploadBytes
    maxFiles
    maxPixels
    maxPageSize
  }
}
    `) as unknown as TypedDocumentString<LimitsQuery, LimitsQueryVariables>;
export const AddImagesDocument = new TypedDocumentString(`
    mutation AddImages($images: [ImageUpload!]!, $collection: String) {
  addImages(images: $images, collection: $collection) {
    collection
    added
    unchanged
    failed
    results {
      index
      filename
      status
      code
      reason
      message
      item {
        ...ItemFields
      }
    }
  }
}
    fragment ItemFields on Item {
  id
  collection
  label
  sourceName
  bytes
  sha256
  addedAt
  url
  thumbnailUrl
}`) as unknown as TypedDocumentString<AddImagesMutation, AddImagesMutationVariables>;
export const IndexFolderDocument = new TypedDocumentString(`
    mutation IndexFolder($path: String!, $collection: String) {
  indexFolder(path: $path, collection: $collection) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  kind
  collection
  target
  state
  done
  total
  failed
  failures {
    path
    reason
    message
  }
  added
  unchanged
  message
  code
  fit {
    ...MetricFitReportFields
  }
  createdAt
  startedAt
  finishedAt
}
fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}`) as unknown as TypedDocumentString<IndexFolderMutation, IndexFolderMutationVariables>;
export const RemoveItemsDocument = new TypedDocumentString(`
    mutation RemoveItems($ids: [ID!]!, $collection: String) {
  removeItems(ids: $ids, collection: $collection) {
    collection
    removed
    itemCount
  }
}
    `) as unknown as TypedDocumentString<RemoveItemsMutation, RemoveItemsMutationVariables>;
export const RebuildIndexDocument = new TypedDocumentString(`
    mutation RebuildIndex($indexSpec: String!, $collection: String) {
  rebuildIndex(indexSpec: $indexSpec, collection: $collection) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  kind
  collection
  target
  state
  done
  total
  failed
  failures {
    path
    reason
    message
  }
  added
  unchanged
  message
  code
  fit {
    ...MetricFitReportFields
  }
  createdAt
  startedAt
  finishedAt
}
fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}`) as unknown as TypedDocumentString<RebuildIndexMutation, RebuildIndexMutationVariables>;
export const FitMetricDocument = new TypedDocumentString(`
    mutation FitMetric($collection: String, $mode: MetricMode, $folds: Int) {
  fitMetric(collection: $collection, mode: $mode, folds: $folds) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  kind
  collection
  target
  state
  done
  total
  failed
  failures {
    path
    reason
    message
  }
  added
  unchanged
  message
  code
  fit {
    ...MetricFitReportFields
  }
  createdAt
  startedAt
  finishedAt
}
fragment CalibratedThresholdFields on CalibratedThreshold {
  targetPrecision
  achievable
  threshold
  precision
  recall
  accepted
  positives
  total
}
fragment MetricParametersFields on MetricParameters {
  method
  pcaDim
  shrinkage
  weighting
  whiten
  normalize
}
fragment RetrievalScoresFields on RetrievalScores {
  map
  classBalancedMap
  precisionAt1
}
fragment MetricFitReportFields on MetricFitReport {
  metricHash
  mode
  method
  pcaDim
  shrinkage
  params {
    ...MetricParametersFields
  }
  vote {
    k
    tau
    minShare
  }
  queryExpansion {
    n
    alpha
  }
  scores {
    baseline {
      ...RetrievalScoresFields
    }
    metric {
      ...RetrievalScoresFields
    }
    reranked {
      ...RetrievalScoresFields
    }
  }
  thresholds {
    ...CalibratedThresholdFields
  }
  split {
    folds
    holdout
    heldOut
    fittedOn
    seed
  }
  settingsEvaluated
  seconds
}`) as unknown as TypedDocumentString<FitMetricMutation, FitMetricMutationVariables>;
export const SimilarImagesDocument = new TypedDocumentString(`
    query SimilarImages($upload: Upload!, $k: Int, $models: [String!], $collection: String, $minPrecision: Float) {
  similarImages(
    upload: $upload
    k: $k
    models: $models
    collection: $collection
    minPrecision: $minPrecision
  ) {
    ...SearchResultFields
  }
}
    fragment ItemFields on Item {
  id
  collection
  label
  sourceName
  bytes
  sha256
  addedAt
  url
  thumbnailUrl
}
fragment SearchResultFields on SearchResult {
  collection
  k
  models
  matches {
    rank
    score
    item {
      ...ItemFields
    }
  }
}`) as unknown as TypedDocumentString<SimilarImagesQuery, SimilarImagesQueryVariables>;
export const SimilarToDocument = new TypedDocumentString(`
    query SimilarTo($id: ID!, $k: Int, $models: [String!], $collection: String, $minPrecision: Float) {
  similarTo(
    id: $id
    k: $k
    models: $models
    collection: $collection
    minPrecision: $minPrecision
  ) {
    ...SearchResultFields
  }
}
    fragment ItemFields on Item {
  id
  collection
  label
  sourceName
  bytes
  sha256
  addedAt
  url
  thumbnailUrl
}
fragment SearchResultFields on SearchResult {
  collection
  k
  models
  matches {
    rank
    score
    item {
      ...ItemFields
    }
  }
}`) as unknown as TypedDocumentString<SimilarToQuery, SimilarToQueryVariables>;