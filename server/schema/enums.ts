/**
 * The schema's fixed sets. Each enum's GraphQL names map to the strings the service and the store
 * use, so values cross the resolvers unconverted; each value carries its description.
 */
import { registerEnumType } from 'type-graphql';

type ValueSpec<V extends string> = { value: V; description: string };

/** Registers an enum from GraphQL name → { internal value, description }; returns the name → value object type-graphql uses. */
function defineEnum<K extends string, V extends string>(name: string, description: string, values: Record<K, ValueSpec<V>>): { [P in K]: V } {
  const entries = Object.entries(values) as [K, ValueSpec<V>][];
  const e = Object.fromEntries(entries.map(([k, v]) => [k, v.value])) as { [P in K]: V };
  const valuesConfig = Object.fromEntries(entries.map(([k, v]) => [k, { description: v.description }])) as Record<K, { description: string }>;
  registerEnumType(e, { name, description, valuesConfig });
  return e;
}

export const JobKind = defineEnum('JobKind', 'What a job does.', {
  INDEX_FOLDER: { value: 'INDEX_FOLDER', description: 'Indexes a server-side folder (indexFolder).' },
  REBUILD_INDEX: { value: 'REBUILD_INDEX', description: "Rebuilds a collection's index from its stored embeddings (rebuildIndex)." },
  FIT_METRIC: { value: 'FIT_METRIC', description: "Fits a collection's learned metric and re-rankers (fitMetric)." },
});

export const JobState = defineEnum('JobState', 'Where a job is: QUEUED behind other writes to its collection, RUNNING, or finished.', {
  QUEUED: { value: 'QUEUED', description: 'Waiting for the writes before it to the same collection.' },
  RUNNING: { value: 'RUNNING', description: 'Working; done / total say how far.' },
  SUCCEEDED: { value: 'SUCCEEDED', description: 'Finished; message summarises it (files that failed are listed in failures).' },
  FAILED: { value: 'FAILED', description: 'Stopped by an error; code and message say why. What it committed stays.' },
});

export const UploadStatus = defineEnum('UploadStatus', 'The outcome of one uploaded image.', {
  ADDED: { value: 'ADDED', description: 'A new item of the collection.' },
  UNCHANGED: { value: 'UNCHANGED', description: 'The same content is already an item of the collection (that item is returned).' },
  FAILED: { value: 'FAILED', description: 'Not added: code and reason say why.' },
});

export const MetricMode = defineEnum('MetricMode', 'Where a fitted metric plugs in.', {
  TRANSFORM: { value: 'transform', description: 'The index holds learned-metric vectors and searches the metric directly.' },
  RERANK: { value: 'rerank', description: "The index holds the plain ensemble vectors (cosine); each query's shortlist is re-scored exactly with the metric." },
});

export const FileFailureReason = defineEnum('FileFailureReason', 'Why a file could not be used as an image.', {
  EMPTY: { value: 'empty', description: 'Zero bytes.' },
  NOT_IMAGE: { value: 'not-image', description: 'Not a raster format the server decodes (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF).' },
  TRUNCATED: { value: 'truncated', description: 'The data ends before the image does.' },
  CORRUPT: { value: 'corrupt', description: 'A recognised format whose data the decoder rejected.' },
  TOO_MANY_PIXELS: { value: 'too-many-pixels', description: 'Width x height above the server limit (limits.maxPixels).' },
  TOO_LARGE_BYTES: { value: 'too-large-bytes', description: 'More bytes than the server accepts (limits.maxUploadBytes).' },
  UNSUPPORTED_FORMAT: { value: 'unsupported-format', description: 'A recognised image format this build cannot decode (HEIC: HEVC-coded HEIF).' },
  TOO_SMALL: { value: 'too-small', description: 'Width or height below the minimum side the server accepts.' },
  UNREADABLE: { value: 'unreadable', description: 'The file could not be read (missing, not a regular file, no permission, too slow).' },
  HIDDEN: { value: 'hidden', description: 'Listing a folder: a hidden entry (name starting with a dot), passed over.' },
  SPECIAL_FILE: { value: 'special-file', description: 'Listing a folder: a FIFO, socket or device, passed over.' },
  SYMLINK_OUTSIDE: { value: 'symlink-outside', description: 'Listing a folder: a symbolic link to a target outside the indexed folder, passed over.' },
  BROKEN_SYMLINK: { value: 'broken-symlink', description: 'Listing a folder: a symbolic link whose target does not exist.' },
});

const METRIC_METHODS = {
  IDENTITY: { value: 'identity', description: 'No learned transform (cosine on the ensemble vectors, possibly re-ranked).' },
  PCA: { value: 'pca', description: 'PCA projection (optionally whitened).' },
  KISSME: { value: 'kissme', description: 'KISSME: a Mahalanobis metric from the within- and between-class covariances.' },
  XQDA: { value: 'xqda', description: 'XQDA: a discriminant subspace with a KISSME metric inside it.' },
  JOINT_BAYESIAN: { value: 'jointBayesian', description: 'Joint Bayesian: a likelihood ratio of same versus different class.' },
} as const;

export const MetricMethod = defineEnum('MetricMethod', 'A learned metric family.', METRIC_METHODS);

export const SearchMethod = defineEnum('SearchMethod', 'How a collection scores matches: plain cosine or a fitted metric.', {
  COSINE: { value: 'cosine', description: 'Weighted cosine over the ensemble vectors (no fitted metric).' },
  ...METRIC_METHODS,
});

export const Weighting = defineEnum('Weighting', 'How the within-class scatter of a metric is weighted.', {
  PAIRS: { value: 'pairs', description: 'Every same-class pair counts once (large classes weigh more).' },
  ITEMS: { value: 'items', description: 'Every item counts once.' },
  CLASSES: { value: 'classes', description: 'Every class counts once.' },
});

/** The internal value type of an enum object above. */
export type EnumValue<E> = E[keyof E];

export const OpenSetSignal = defineEnum('OpenSetSignal', "What an open-set condition looks at: how sure the query's class decision is.", {
  SHARE: { value: 'share', description: "The predicted class's share of the fused class vote." },
  POSTERIOR: { value: 'posterior', description: "The classification head's posterior of the predicted class." },
});
