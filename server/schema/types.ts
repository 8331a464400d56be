/** The GraphQL object types (code-first, type-graphql) and the mappers that fill them. */
import path from 'node:path';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Item as StoredItem } from '../../store/collection.js';
import type { UploadOutcome } from '../api-service.js';
import type { LoadedCollection, ModelSummary } from '../catalog.js';
import type { JobFailure, JobRecord } from '../jobs.js';
import { mediaPaths } from '../media.js';

export enum JobKind {
  INDEX_FOLDER = 'INDEX_FOLDER',
  REBUILD_INDEX = 'REBUILD_INDEX',
}
export enum JobState {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
export enum UploadStatus {
  ADDED = 'ADDED',
  UNCHANGED = 'UNCHANGED',
  FAILED = 'FAILED',
}
registerEnumType(JobKind, { name: 'JobKind', description: 'What a job does.' });
registerEnumType(JobState, { name: 'JobState', description: 'Where a job is: QUEUED behind other writes to its collection, RUNNING, or finished.' });
registerEnumType(UploadStatus, { name: 'UploadStatus', description: 'The outcome of one uploaded image.' });

@ObjectType({ description: 'An image of a collection.' })
export class Item {
  @Field(() => ID, { description: 'Stable within its collection; never reused.' })
  id!: string;

  @Field()
  collection!: string;

  @Field(() => String, { nullable: true, description: 'The class label (folder name or given on upload); null when unlabelled.' })
  label!: string | null;

  @Field({ description: "The file name of the item's source (no server path)." })
  sourceName!: string;

  @Field(() => Int, { description: 'Size of the source file in bytes.' })
  bytes!: number;

  @Field({ description: 'sha256 of the source file (hex).' })
  sha256!: string;

  @Field({ description: 'When the item was added (ISO 8601).' })
  addedAt!: string;

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
    addedAt: item.addedAt,
    url: baseUrl + media.url,
    thumbnailUrl: baseUrl + media.thumbnailUrl,
  };
}

@ObjectType({ description: 'One result: an item and how similar it is to the query.' })
export class Match {
  @Field(() => Int, { description: '1 for the best match.' })
  rank!: number;

  @Field(() => Float, { description: 'Similarity (higher is more similar): weighted cosine over the models searched with.' })
  score!: number;

  @Field(() => Item)
  item!: Item;
}

@ObjectType({ description: 'Ranked matches of a search.' })
export class SearchResult {
  @Field()
  collection!: string;

  @Field(() => Int, { description: 'The k asked for (fewer matches when the collection is smaller).' })
  k!: number;

  @Field(() => [String], { description: 'The models searched with.' })
  models!: string[];

  @Field(() => [Match])
  matches!: Match[];
}

@ObjectType()
export class LabelCount {
  @Field()
  label!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: "A model of a collection's ensemble." })
export class CollectionModel {
  @Field()
  name!: string;

  @Field(() => Int, { description: 'Embedding dimension.' })
  dim!: number;

  @Field(() => Float, { description: 'Weight in the ensemble.' })
  weight!: number;

  @Field({ description: 'sha256 of the model file the collection was embedded with.' })
  sha256!: string;
}

@ObjectType({ description: 'A collection the server serves.' })
export class CollectionInfo {
  @Field()
  name!: string;

  @Field({ description: 'Searches without a collection argument use this one.' })
  isDefault!: boolean;

  @Field(() => Int)
  itemCount!: number;

  @Field(() => Int, { description: 'Items in the index (equal to itemCount when the index is current).' })
  indexSize!: number;

  @Field(() => [LabelCount], { description: 'Items per label, by label.' })
  labels!: LabelCount[];

  @Field(() => [CollectionModel])
  models!: CollectionModel[];

  @Field({ description: 'Index spec string (flat, hnsw:M=32,efSearch=128, ivfpq, annoy, faiss:<factory>, ...).' })
  indexSpec!: string;

  @Field({ description: 'The crop step (trim content-free borders) runs before embedding.' })
  crop!: boolean;

  @Field(() => [String], { description: 'Embedded views: orig, and flip for flip test-time augmentation.' })
  views!: string[];

  @Field(() => String, { nullable: true, description: 'Hash of the fitted metric artifact; null for plain cosine.' })
  metric!: string | null;

  @Field()
  createdAt!: string;
}

export function toCollectionInfo(c: LoadedCollection, isDefault: boolean): CollectionInfo {
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
    createdAt: m.createdAt,
  };
}

@ObjectType({ description: 'An embedding model loaded by the server.' })
export class ModelInfo implements ModelSummary {
  @Field()
  name!: string;

  @Field(() => Int)
  dim!: number;

  @Field()
  sha256!: string;

  @Field()
  description!: string;

  @Field(() => [String], { description: 'Collections embedded with this model.' })
  collections!: string[];
}

@ObjectType({ description: 'A page of items in id order.' })
export class ItemPage {
  @Field(() => [Item])
  items!: Item[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on an empty page.' })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;

  @Field(() => Int, { description: 'Items matching the filter, all pages.' })
  totalCount!: number;
}

@ObjectType({ description: 'A file a job could not use, and why.' })
export class FileFailure implements JobFailure {
  @Field({ description: 'Path relative to the indexed folder.' })
  path!: string;

  @Field({ description: 'empty, not-image, truncated, corrupt, too-many-pixels, too-large-bytes or unreadable.' })
  reason!: string;

  @Field()
  message!: string;
}

@ObjectType({ description: 'Long work (indexing a folder, rebuilding an index) and its progress.' })
export class Job {
  @Field(() => ID)
  id!: string;

  @Field(() => JobKind)
  kind!: JobKind;

  @Field()
  collection!: string;

  @Field({ description: 'The indexed folder (real path) or the new index spec.' })
  target!: string;

  @Field(() => JobState)
  state!: JobState;

  @Field(() => Int, { description: 'Files (or items) processed so far, failed ones included.' })
  done!: number;

  @Field(() => Int)
  total!: number;

  @Field(() => Int, { description: 'How many files failed so far.' })
  failed!: number;

  @Field(() => [FileFailure])
  failures!: FileFailure[];

  @Field(() => Int)
  added!: number;

  @Field(() => Int, { description: 'Files already in the collection (same content).' })
  unchanged!: number;

  @Field(() => String, { nullable: true, description: 'A summary when SUCCEEDED, the cause when FAILED.' })
  message!: string | null;

  @Field()
  createdAt!: string;

  @Field(() => String, { nullable: true })
  startedAt!: string | null;

  @Field(() => String, { nullable: true })
  finishedAt!: string | null;
}

export function toJob(j: JobRecord): Job {
  return {
    id: j.id,
    kind: j.kind as JobKind,
    collection: j.collection,
    target: j.target,
    state: j.state as JobState,
    done: j.done,
    total: j.total,
    failed: j.failures.length,
    failures: j.failures.map((f) => ({ ...f })),
    added: j.added,
    unchanged: j.unchanged,
    message: j.message,
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

@InputType({ description: 'An image to add, with its label.' })
export class ImageUpload {
  @Field(() => GraphQLUpload)
  file!: Promise<FileUpload>;

  @Field(() => String, { nullable: true })
  label?: string | null;
}

@ObjectType({ description: 'What happened to one uploaded image.' })
export class UploadResult {
  @Field(() => Int, { description: 'Position in the request.' })
  index!: number;

  @Field()
  filename!: string;

  @Field(() => UploadStatus)
  status!: UploadStatus;

  @Field(() => Item, { nullable: true, description: 'The item (new or already present); null when FAILED.' })
  item!: Item | null;

  @Field(() => String, { nullable: true, description: 'BAD_IMAGE or UPLOAD_TOO_LARGE when FAILED.' })
  code!: string | null;

  @Field(() => String, { nullable: true, description: "The decoder's reason when FAILED." })
  reason!: string | null;

  @Field(() => String, { nullable: true })
  message!: string | null;
}

export function toUploadResult(o: UploadOutcome, collection: string, baseUrl: string): UploadResult {
  return { ...o, status: o.status as UploadStatus, item: o.item ? toItem(o.item, collection, baseUrl) : null };
}

@ObjectType()
export class AddImagesResult {
  @Field()
  collection!: string;

  @Field(() => Int)
  added!: number;

  @Field(() => Int)
  unchanged!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => [UploadResult])
  results!: UploadResult[];
}

@ObjectType()
export class RemoveItemsResult {
  @Field()
  collection!: string;

  @Field(() => [ID])
  removed!: string[];

  @Field(() => Int, { description: 'Items left in the collection.' })
  itemCount!: number;
}

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
}
