/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Images to add to a collection. */
export type AddImagesInput = {
  /** The collection; default the server's default collection (UNKNOWN_COLLECTION when absent). */
  collection?: string | null | undefined;
  /** The images, at most limits.maxFiles (TOO_MANY_FILES). */
  images: Array<ImageUpload>;
};

/** What a new collection is: its models, crop step, views and index. */
export type CreateCollectionInput = {
  /** Trim content-free borders before embedding. */
  crop?: boolean;
  /** Also embed the mirrored photo (flip test-time augmentation). */
  flip?: boolean;
  /** Index spec: flat, hnsw[:M=..], ivfpq[:...], annoy[:trees=..], faiss:<factory> (BAD_INDEX_SPEC otherwise). */
  indexSpec?: string;
  /** The embedders of the ensemble (UNKNOWN_MODEL / MODEL_MISSING when the server cannot load one). */
  models: Array<ModelWeightInput>;
  /** Letters, digits, ".", "_" or "-", at most 64 (BAD_COLLECTION_NAME otherwise); COLLECTION_EXISTS when taken. */
  name: string;
  /** Also embed the photo's zoomed centre (the middle 80% of each side; mirrored too with flip) for test-time augmentation. */
  zoom?: boolean;
};

/** Which collection to delete. */
export type DeleteCollectionInput = {
  /** The collection name (UNKNOWN_COLLECTION when there is none). */
  name: string;
};

/** The code in every error's `extensions.code` (and in job and upload results). */
export type ErrorCode =
  /** A collection name must be letters, digits, ".", "_" or "-", at most 64 characters. */
  | 'BAD_COLLECTION_NAME'
  /** The pagination cursor was not issued by this server. */
  | 'BAD_CURSOR'
  /** The image is empty, not a supported format, truncated, corrupt, too small or has too many pixels; extensions.reason says which. */
  | 'BAD_IMAGE'
  /** The index spec string does not parse or names an unknown kind or option. */
  | 'BAD_INDEX_SPEC'
  /** k is not an integer from 1 to the server limit. */
  | 'BAD_K'
  /** A model manifest is not valid; the message lists every problem. */
  | 'BAD_MANIFEST'
  /** minPrecision is not in (0, 1]. */
  | 'BAD_PRECISION'
  /** The HTTP request could not be read (malformed multipart or JSON body). */
  | 'BAD_REQUEST'
  /** An argument is out of its range or of the wrong form; the message names it. */
  | 'BAD_USER_INPUT'
  /** The server is at its limit of concurrent expensive work; retry shortly. */
  | 'BUSY'
  /** The job was cancelled (this server stopped it). */
  | 'CANCELLED'
  /** A collection's files are missing or inconsistent; the message names the file. */
  | 'COLLECTION_BROKEN'
  /** A collection of that name already exists. */
  | 'COLLECTION_EXISTS'
  /** The request's Host is not a name this server answers to (without an API key: loopback names and the --public-url host). */
  | 'FORBIDDEN_HOST'
  /** The request comes from a web page whose origin this server does not allow (without an API key: its own origin and the --cors-origin list). */
  | 'FORBIDDEN_ORIGIN'
  /** The query is not valid GraphQL syntax. */
  | 'GRAPHQL_PARSE_FAILED'
  /** The query does not match the schema (unknown field, wrong argument type, ...). */
  | 'GRAPHQL_VALIDATION_FAILED'
  /** The vector index could not be built, loaded or searched (bad file, native addon missing, bad input). */
  | 'INDEX_ERROR'
  /** An unexpected failure; it is logged on the server. */
  | 'INTERNAL_SERVER_ERROR'
  /** A previous server process ended before the job finished; committed work stays, re-running resumes it. */
  | 'INTERRUPTED'
  /** A model file's sha256 or size differs from its manifest. */
  | 'MODEL_CORRUPT'
  /** Every download location of a model failed. */
  | 'MODEL_DOWNLOAD_FAILED'
  /** The model store already has a model of that name or file name; importing again needs --force, and a built-in model cannot be replaced. */
  | 'MODEL_EXISTS'
  /** The ONNX graph, or the embedder, does not match what the manifest or collection declares. */
  | 'MODEL_MISMATCH'
  /** A model file is not in the model store; the message says how to get it. */
  | 'MODEL_MISSING'
  /** A model file has no published or recorded sha256, so it cannot be trusted. */
  | 'MODEL_UNVERIFIED'
  /** No score threshold is calibrated for the requested precision (fit the metric first). */
  | 'NOT_CALIBRATED'
  /** The collection has too few labelled classes to fit a metric. */
  | 'NOT_LABELLED'
  /** No model store directory was given (flag or IMSEARCH_MODEL_DIR). */
  | 'NO_MODEL_DIR'
  /** The request names an operation the document does not hold. */
  | 'OPERATION_RESOLUTION_FAILURE'
  /** The folder is outside the roots this server may read. */
  | 'PATH_NOT_ALLOWED'
  /** The query costs more than the per-request budget (aliases, depth, estimated work or response size). */
  | 'QUERY_TOO_COMPLEX'
  /** A file of the data directory could not be read or written; the message names it. */
  | 'STORAGE_ERROR'
  /** The disk holding the data directory is full; nothing was half-written. */
  | 'STORAGE_FULL'
  /** The data directory is read-only: reads work, writes are refused. */
  | 'STORAGE_READ_ONLY'
  /** The index type needs more vectors to train than the collection has. */
  | 'TOO_FEW_TO_TRAIN'
  /** More files in one request than the limit. */
  | 'TOO_MANY_FILES'
  /** The operation needs an API key (Authorization: Bearer <key>). */
  | 'UNAUTHENTICATED'
  /** No collection of that name. */
  | 'UNKNOWN_COLLECTION'
  /** No item with that id in the collection. */
  | 'UNKNOWN_ITEM'
  /** No job with that id. */
  | 'UNKNOWN_JOB'
  /** No model of that name (in the collection, or in the model manifests). */
  | 'UNKNOWN_MODEL'
  /** An upload is larger than the byte limit. */
  | 'UPLOAD_TOO_LARGE';

/** Why a file could not be used as an image. */
export type FileFailureReason =
  /** Listing a folder: a symbolic link whose target does not exist. */
  | 'BROKEN_SYMLINK'
  /** A recognised format whose data the decoder rejected. */
  | 'CORRUPT'
  /** Zero bytes. */
  | 'EMPTY'
  /** Listing a folder: a hidden entry (name starting with a dot), passed over. */
  | 'HIDDEN'
  /** Not a raster format the server decodes (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF). */
  | 'NOT_IMAGE'
  /** Listing a folder: a FIFO, socket or device, passed over. */
  | 'SPECIAL_FILE'
  /** Listing a folder: a symbolic link to a target outside the indexed folder, passed over. */
  | 'SYMLINK_OUTSIDE'
  /** More bytes than the server accepts (limits.maxUploadBytes). */
  | 'TOO_LARGE_BYTES'
  /** Width x height above the server limit (limits.maxPixels). */
  | 'TOO_MANY_PIXELS'
  /** Width or height below the minimum side the server accepts. */
  | 'TOO_SMALL'
  /** The data ends before the image does. */
  | 'TRUNCATED'
  /** The file could not be read (missing, not a regular file, no permission, too slow). */
  | 'UNREADABLE'
  /** A recognised image format this build cannot decode (HEIC: HEVC-coded HEIF). */
  | 'UNSUPPORTED_FORMAT';

/** How to fit a collection's metric. */
export type FitMetricInput = {
  /** The collection; default the server's default collection (UNKNOWN_COLLECTION when absent). */
  collection?: string | null | undefined;
  /** Independent seeded CV splits averaged (1 to 10): steadier numbers, proportionally longer. */
  folds?: number;
  /** Where the metric plugs in. */
  mode?: MetricMode;
};

/** An image to add, with its label. */
export type ImageUpload = {
  /** The image file (a file part of the multipart request). */
  file: File | Blob;
  /** Its class label; null for unlabelled. */
  label?: string | null | undefined;
};

/** A server-side folder to index. */
export type IndexFolderInput = {
  /** The collection; default the server's default collection (UNKNOWN_COLLECTION when absent). */
  collection?: string | null | undefined;
  /** Absolute, or relative to the first root; inside the configured roots (PATH_NOT_ALLOWED otherwise). Labels come from first-level folder names. */
  path: string;
};

/** What a job does. */
export type JobKind =
  /** Fits a collection's learned metric and re-rankers (fitMetric). */
  | 'FIT_METRIC'
  /** Indexes a server-side folder (indexFolder). */
  | 'INDEX_FOLDER'
  /** Rebuilds a collection's index from its stored embeddings (rebuildIndex). */
  | 'REBUILD_INDEX';

/** Where a job is: QUEUED behind other writes to its collection, RUNNING, or finished. */
export type JobState =
  /** Stopped by an error; code and message say why. What it committed stays. */
  | 'FAILED'
  /** Waiting for the writes before it to the same collection. */
  | 'QUEUED'
  /** Working; done / total say how far. */
  | 'RUNNING'
  /** Finished; message summarises it (files that failed are listed in failures). */
  | 'SUCCEEDED';

/** A learned metric family. */
export type MetricMethod =
  /** No learned transform (cosine on the ensemble vectors, possibly re-ranked). */
  | 'IDENTITY'
  /** Joint Bayesian: a likelihood ratio of same versus different class. */
  | 'JOINT_BAYESIAN'
  /** KISSME: a Mahalanobis metric from the within- and between-class covariances. */
  | 'KISSME'
  /** PCA projection (optionally whitened). */
  | 'PCA'
  /** XQDA: a discriminant subspace with a KISSME metric inside it. */
  | 'XQDA';

/** Where a fitted metric plugs in. */
export type MetricMode =
  /** The index holds the plain ensemble vectors (cosine); each query's shortlist is re-scored exactly with the metric. */
  | 'RERANK'
  /** The index holds learned-metric vectors and searches the metric directly. */
  | 'TRANSFORM';

/** A model of a new collection, with its weight in the ensemble. */
export type ModelWeightInput = {
  /** A model name the server has a manifest and a verified file for (see the models query). */
  name: string;
  /** Weight in the ensemble (> 0); parts are scaled by sqrt(w / sum w). */
  weight?: number;
};

/** What an open-set condition looks at: how sure the query's class decision is. */
export type OpenSetSignal =
  /** The classification head's posterior of the predicted class. */
  | 'POSTERIOR'
  /** The predicted class's share of the fused class vote. */
  | 'SHARE';

/** A new index for a collection's stored embeddings. */
export type RebuildIndexInput = {
  /** The collection; default the server's default collection (UNKNOWN_COLLECTION when absent). */
  collection?: string | null | undefined;
  /** flat, hnsw[:M=..,efSearch=..], ivfpq[:...], annoy[:trees=..], faiss:<factory>, ... (BAD_INDEX_SPEC otherwise). */
  indexSpec: string;
};

/** Items to remove from a collection. */
export type RemoveItemsInput = {
  /** The collection; default the server's default collection (UNKNOWN_COLLECTION when absent). */
  collection?: string | null | undefined;
  /** Item ids; all or none are removed (UNKNOWN_ITEM when one is absent). */
  ids: Array<string | number>;
};

/** What a score is. */
export type ScoreKind =
  /** Weighted cosine over the models searched with (no fitted metric, or a subset of its models). */
  | 'COSINE'
  /** The collection's fitted (learned) metric. */
  | 'METRIC';

/** How a collection scores matches: plain cosine or a fitted metric. */
export type SearchMethod =
  /** Weighted cosine over the ensemble vectors (no fitted metric). */
  | 'COSINE'
  /** No learned transform (cosine on the ensemble vectors, possibly re-ranked). */
  | 'IDENTITY'
  /** Joint Bayesian: a likelihood ratio of same versus different class. */
  | 'JOINT_BAYESIAN'
  /** KISSME: a Mahalanobis metric from the within- and between-class covariances. */
  | 'KISSME'
  /** PCA projection (optionally whitened). */
  | 'PCA'
  /** XQDA: a discriminant subspace with a KISSME metric inside it. */
  | 'XQDA';

/** The outcome of one uploaded image. */
export type UploadStatus =
  /** A new item of the collection. */
  | 'ADDED'
  /** Not added: code and reason say why. */
  | 'FAILED'
  /** The same content is already an item of the collection (that item is returned). */
  | 'UNCHANGED';

/** How the within-class scatter of a metric is weighted. */
export type Weighting =
  /** Every class counts once. */
  | 'CLASSES'
  /** Every item counts once. */
  | 'ITEMS'
  /** Every same-class pair counts once (large classes weigh more). */
  | 'PAIRS';

export type CollectionsQueryVariables = Exact<{ [key: string]: never; }>;


export type CollectionsQuery = { collections: Array<{ name: string, isDefault: boolean, itemCount: number, indexSize: number, indexSpec: string, crop: boolean, views: Array<string>, metric: string | null, createdAt: string, labels: Array<{ label: string, count: number }>, models: Array<{ name: string, dim: number, weight: number, sha256: string }>, search: { learned: boolean, method: SearchMethod, mode: MetricMode | null, shortlist: number | null, calibratedPrecisions: Array<number>, metric: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean } | null, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null }, fitFreshness: { fittedItems: number | null, itemsChanged: number | null, changedShare: number | null, stale: boolean } | null }> };

export type CollectionQueryVariables = Exact<{
  name?: string | null | undefined;
}>;


export type CollectionQuery = { collection: { name: string, isDefault: boolean, itemCount: number, indexSize: number, indexSpec: string, crop: boolean, views: Array<string>, metric: string | null, createdAt: string, labels: Array<{ label: string, count: number }>, models: Array<{ name: string, dim: number, weight: number, sha256: string }>, search: { learned: boolean, method: SearchMethod, mode: MetricMode | null, shortlist: number | null, calibratedPrecisions: Array<number>, metric: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean } | null, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null }, fitFreshness: { fittedItems: number | null, itemsChanged: number | null, changedShare: number | null, stale: boolean } | null } | null };

export type ModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsQuery = { models: Array<{ name: string, dim: number, sha256: string, description: string, collections: Array<string> }> };

export type ItemQueryVariables = Exact<{
  id: string | number;
  collection?: string | null | undefined;
}>;


export type ItemQuery = { item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string } | null };

export type ItemsQueryVariables = Exact<{
  collection?: string | null | undefined;
  label?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type ItemsQuery = { items: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type JobQueryVariables = Exact<{
  id: string | number;
}>;


export type JobQuery = { job: { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: ErrorCode | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: FileFailureReason, message: string }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } | null };

export type JobsQueryVariables = Exact<{ [key: string]: never; }>;


export type JobsQuery = { jobs: Array<{ id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: ErrorCode | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: FileFailureReason, message: string }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null }> };

export type LimitsQueryVariables = Exact<{ [key: string]: never; }>;


export type LimitsQuery = { limits: { maxK: number, maxUploadBytes: number, maxFiles: number, maxPixels: number, maxPageSize: number, maxQueryCost: number, maxAliases: number, maxDepth: number } };

export type ErrorCodesQueryVariables = Exact<{ [key: string]: never; }>;


export type ErrorCodesQuery = { errorCodes: Array<{ code: ErrorCode, description: string }> };

export type ItemFieldsFragment = { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string };

export type SearchResultFieldsFragment = { collection: string, k: number, models: Array<string>, matches: Array<{ rank: number, score: number, item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string }, explanation: { score: number, scoreKind: ScoreKind, probability: number | null, classShare: number, models: Array<{ model: string, cosine: number }> } | null }>, prediction: { label: string, share: number, probability: number | null, voters: number, weighted: boolean, runnerUp: { label: string, share: number, probability: number | null } | null } | null };

export type JobFieldsFragment = { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: ErrorCode | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: FileFailureReason, message: string }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null };

export type CalibratedThresholdFieldsFragment = { targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null };

export type MetricParametersFieldsFragment = { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean };

export type RetrievalScoresFieldsFragment = { map: number, classBalancedMap: number, precisionAt1: number };

export type MetricFitReportFieldsFragment = { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } };

export type SearchConfigFieldsFragment = { learned: boolean, method: SearchMethod, mode: MetricMode | null, shortlist: number | null, calibratedPrecisions: Array<number>, metric: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean } | null, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null };

export type CollectionFieldsFragment = { name: string, isDefault: boolean, itemCount: number, indexSize: number, indexSpec: string, crop: boolean, views: Array<string>, metric: string | null, createdAt: string, labels: Array<{ label: string, count: number }>, models: Array<{ name: string, dim: number, weight: number, sha256: string }>, search: { learned: boolean, method: SearchMethod, mode: MetricMode | null, shortlist: number | null, calibratedPrecisions: Array<number>, metric: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean } | null, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null }, fitFreshness: { fittedItems: number | null, itemsChanged: number | null, changedShare: number | null, stale: boolean } | null };

export type AddImagesMutationVariables = Exact<{
  input: AddImagesInput;
}>;


export type AddImagesMutation = { addImages: { collection: string, added: number, unchanged: number, failed: number, results: Array<{ index: number, filename: string, status: UploadStatus, code: ErrorCode | null, reason: FileFailureReason | null, message: string | null, item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string } | null }> } };

export type IndexFolderMutationVariables = Exact<{
  input: IndexFolderInput;
}>;


export type IndexFolderMutation = { indexFolder: { job: { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: ErrorCode | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: FileFailureReason, message: string }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } } };

export type RemoveItemsMutationVariables = Exact<{
  input: RemoveItemsInput;
}>;


export type RemoveItemsMutation = { removeItems: { collection: string, removed: Array<string>, itemCount: number } };

export type RebuildIndexMutationVariables = Exact<{
  input: RebuildIndexInput;
}>;


export type RebuildIndexMutation = { rebuildIndex: { job: { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: ErrorCode | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: FileFailureReason, message: string }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } } };

export type FitMetricMutationVariables = Exact<{
  input: FitMetricInput;
}>;


export type FitMetricMutation = { fitMetric: { job: { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: ErrorCode | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: FileFailureReason, message: string }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } } };

export type CreateCollectionMutationVariables = Exact<{
  input: CreateCollectionInput;
}>;


export type CreateCollectionMutation = { createCollection: { collection: { name: string, isDefault: boolean, itemCount: number, indexSize: number, indexSpec: string, crop: boolean, views: Array<string>, metric: string | null, createdAt: string, labels: Array<{ label: string, count: number }>, models: Array<{ name: string, dim: number, weight: number, sha256: string }>, search: { learned: boolean, method: SearchMethod, mode: MetricMode | null, shortlist: number | null, calibratedPrecisions: Array<number>, metric: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean } | null, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null }, fitFreshness: { fittedItems: number | null, itemsChanged: number | null, changedShare: number | null, stale: boolean } | null } } };

export type DeleteCollectionMutationVariables = Exact<{
  input: DeleteCollectionInput;
}>;


export type DeleteCollectionMutation = { deleteCollection: { name: string } };

export type SimilarImagesQueryVariables = Exact<{
  upload: File | Blob;
  k?: number | null | undefined;
  models?: Array<string> | string | null | undefined;
  collection?: string | null | undefined;
  minPrecision?: number | null | undefined;
  explain?: boolean | null | undefined;
  efSearch?: number | null | undefined;
  nprobe?: number | null | undefined;
  searchK?: number | null | undefined;
  shortlist?: number | null | undefined;
}>;


export type SimilarImagesQuery = { similarImages: { collection: string, k: number, models: Array<string>, matches: Array<{ rank: number, score: number, item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string }, explanation: { score: number, scoreKind: ScoreKind, probability: number | null, classShare: number, models: Array<{ model: string, cosine: number }> } | null }>, prediction: { label: string, share: number, probability: number | null, voters: number, weighted: boolean, runnerUp: { label: string, share: number, probability: number | null } | null } | null } };

export type SimilarToQueryVariables = Exact<{
  id: string | number;
  k?: number | null | undefined;
  models?: Array<string> | string | null | undefined;
  collection?: string | null | undefined;
  minPrecision?: number | null | undefined;
  explain?: boolean | null | undefined;
  efSearch?: number | null | undefined;
  nprobe?: number | null | undefined;
  searchK?: number | null | undefined;
  shortlist?: number | null | undefined;
}>;


export type SimilarToQuery = { similarTo: { collection: string, k: number, models: Array<string>, matches: Array<{ rank: number, score: number, item: { id: string, collection: string, label: string | null, sourceName: string, bytes: number, sha256: string, addedAt: string, url: string, thumbnailUrl: string }, explanation: { score: number, scoreKind: ScoreKind, probability: number | null, classShare: number, models: Array<{ model: string, cosine: number }> } | null }>, prediction: { label: string, share: number, probability: number | null, voters: number, weighted: boolean, runnerUp: { label: string, share: number, probability: number | null } | null } | null } };

export type JobUpdatedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type JobUpdatedSubscription = { jobUpdated: { id: string, kind: JobKind, collection: string, target: string, state: JobState, done: number, total: number, failed: number, added: number, unchanged: number, message: string | null, code: ErrorCode | null, createdAt: string, startedAt: string | null, finishedAt: string | null, failures: Array<{ path: string, reason: FileFailureReason, message: string }>, fit: { metricHash: string, mode: MetricMode, method: MetricMethod, pcaDim: number, shrinkage: number, settingsEvaluated: number, seconds: number, params: { method: MetricMethod, pcaDim: number, shrinkage: number, weighting: Weighting, whiten: boolean, normalize: boolean }, vote: { k: number, tau: number | null, minShare: number } | null, queryExpansion: { n: number, alpha: number } | null, scores: { baseline: { map: number, classBalancedMap: number, precisionAt1: number }, metric: { map: number, classBalancedMap: number, precisionAt1: number }, reranked: { map: number, classBalancedMap: number, precisionAt1: number } }, thresholds: Array<{ targetPrecision: number, achievable: boolean, threshold: number | null, precision: number | null, recall: number | null, accepted: number, positives: number, total: number, openSet: { signal: OpenSetSignal, threshold: number, rejectedFamiliar: number } | null, estimate: { familiarResults: number, familiarPrecision: number, strangerResults: number } | null }>, split: { folds: number, holdout: number, heldOut: number, fittedOn: number, seed: number } } | null } };

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
    explanation {
      models {
        model
        cosine
      }
      score
      scoreKind
      probability
      classShare
    }
  }
  prediction {
    label
    share
    probability
    voters
    weighted
    runnerUp {
      label
      share
      probability
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
  fitFreshness {
    fittedItems
    itemsChanged
    changedShare
    stale
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
  fitFreshness {
    fittedItems
    itemsChanged
    changedShare
    stale
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
  fitFreshness {
    fittedItems
    itemsChanged
    changedShare
    stale
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
    query Items($collection: String, $label: String, $first: Int, $after: String, $last: Int, $before: String) {
  items(
    collection: $collection
    label: $label
    first: $first
    after: $after
    last: $last
    before: $before
  ) {
    edges {
      cursor
      node {
        ...ItemFields
      }
    }
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
    maxQueryCost
    maxAliases
    maxDepth
  }
}
    `) as unknown as TypedDocumentString<LimitsQuery, LimitsQueryVariables>;
export const ErrorCodesDocument = new TypedDocumentString(`
    query ErrorCodes {
  errorCodes {
    code
    description
  }
}
    `) as unknown as TypedDocumentString<ErrorCodesQuery, ErrorCodesQueryVariables>;
export const AddImagesDocument = new TypedDocumentString(`
    mutation AddImages($input: AddImagesInput!) {
  addImages(input: $input) {
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
    mutation IndexFolder($input: IndexFolderInput!) {
  indexFolder(input: $input) {
    job {
      ...JobFields
    }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
    mutation RemoveItems($input: RemoveItemsInput!) {
  removeItems(input: $input) {
    collection
    removed
    itemCount
  }
}
    `) as unknown as TypedDocumentString<RemoveItemsMutation, RemoveItemsMutationVariables>;
export const RebuildIndexDocument = new TypedDocumentString(`
    mutation RebuildIndex($input: RebuildIndexInput!) {
  rebuildIndex(input: $input) {
    job {
      ...JobFields
    }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
    mutation FitMetric($input: FitMetricInput!) {
  fitMetric(input: $input) {
    job {
      ...JobFields
    }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
export const CreateCollectionDocument = new TypedDocumentString(`
    mutation CreateCollection($input: CreateCollectionInput!) {
  createCollection(input: $input) {
    collection {
      ...CollectionFields
    }
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
  fitFreshness {
    fittedItems
    itemsChanged
    changedShare
    stale
  }
  createdAt
}`) as unknown as TypedDocumentString<CreateCollectionMutation, CreateCollectionMutationVariables>;
export const DeleteCollectionDocument = new TypedDocumentString(`
    mutation DeleteCollection($input: DeleteCollectionInput!) {
  deleteCollection(input: $input) {
    name
  }
}
    `) as unknown as TypedDocumentString<DeleteCollectionMutation, DeleteCollectionMutationVariables>;
export const SimilarImagesDocument = new TypedDocumentString(`
    query SimilarImages($upload: Upload!, $k: Int, $models: [String!], $collection: String, $minPrecision: Float, $explain: Boolean, $efSearch: Int, $nprobe: Int, $searchK: Int, $shortlist: Int) {
  similarImages(
    upload: $upload
    k: $k
    models: $models
    collection: $collection
    minPrecision: $minPrecision
    explain: $explain
    efSearch: $efSearch
    nprobe: $nprobe
    searchK: $searchK
    shortlist: $shortlist
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
    explanation {
      models {
        model
        cosine
      }
      score
      scoreKind
      probability
      classShare
    }
  }
  prediction {
    label
    share
    probability
    voters
    weighted
    runnerUp {
      label
      share
      probability
    }
  }
}`) as unknown as TypedDocumentString<SimilarImagesQuery, SimilarImagesQueryVariables>;
export const SimilarToDocument = new TypedDocumentString(`
    query SimilarTo($id: ID!, $k: Int, $models: [String!], $collection: String, $minPrecision: Float, $explain: Boolean, $efSearch: Int, $nprobe: Int, $searchK: Int, $shortlist: Int) {
  similarTo(
    id: $id
    k: $k
    models: $models
    collection: $collection
    minPrecision: $minPrecision
    explain: $explain
    efSearch: $efSearch
    nprobe: $nprobe
    searchK: $searchK
    shortlist: $shortlist
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
    explanation {
      models {
        model
        cosine
      }
      score
      scoreKind
      probability
      classShare
    }
  }
  prediction {
    label
    share
    probability
    voters
    weighted
    runnerUp {
      label
      share
      probability
    }
  }
}`) as unknown as TypedDocumentString<SimilarToQuery, SimilarToQueryVariables>;
export const JobUpdatedDocument = new TypedDocumentString(`
    subscription JobUpdated($id: ID!) {
  jobUpdated(id: $id) {
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
  openSet {
    signal
    threshold
    rejectedFamiliar
  }
  estimate {
    familiarResults
    familiarPrecision
    strangerResults
  }
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
}`) as unknown as TypedDocumentString<JobUpdatedSubscription, JobUpdatedSubscriptionVariables>;