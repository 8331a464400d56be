/** Resolvers: decorators plus one call into the service layer and a mapping of the result. */
import path from 'node:path';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { Arg, Args, Authorized, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { ImsearchError } from '../../errors/error-codes.js';
import { parseIndexSpec } from '../../indexes/spec.js';
import type { SkippedFile } from '../../service/indexing.js';
import type { SearchOutcome } from '../../service/service.js';
import { ttaViews } from '../../service/views.js';
import type { ApiContext } from '../context.js';
import type { JobRecord } from '../jobs.js';
import { startFitJob } from '../fit-job.js';
import { readUpload } from '../uploads.js';
import { ErrorCodeInfo, errorCodeInfos } from './error-code.js';
import { itemConnection, pageRequest } from './item-connection.js';
import { SearchOptions, toSearchRequest } from './search-options.js';
import {
  AddImagesInput,
  AddImagesPayload,
  CollectionInfo,
  CreateCollectionInput,
  CreateCollectionPayload,
  DeleteCollectionInput,
  DeleteCollectionPayload,
  FitMetricInput,
  FitMetricPayload,
  IndexFolderInput,
  IndexFolderPayload,
  Item,
  ItemConnection,
  Job,
  Limits,
  ModelInfo,
  RebuildIndexInput,
  RebuildIndexPayload,
  RemoveItemsInput,
  RemoveItemsPayload,
  SearchResult,
  toCollectionInfo,
  toExplanation,
  toItem,
  toJob,
  toUploadResult,
} from './types.js';

export function toSearchResult(outcome: SearchOutcome, k: number, models: readonly string[] | undefined, baseUrl: string): SearchResult {
  const c = outcome.collection;
  return {
    collection: c.name,
    k,
    models: models?.length ? [...models] : c.searcher.modelNames(),
    matches: outcome.matches.map((m, i) => ({ rank: i + 1, score: m.score, item: toItem(m.item, c.name, baseUrl), explanation: toExplanation(m.explanation) })),
    prediction: outcome.prediction ?? null,
  };
}

@Resolver()
export class SearchResolver {
  @Query(() => SearchResult, { description: 'The items most similar to an uploaded image (GraphQL multipart request).' })
  async similarImages(
    @Arg('upload', () => GraphQLUpload, {
      description:
        'The query image: a file of the GraphQL multipart request (JPEG, PNG, WebP, GIF, TIFF or AVIF), within the `maxUploadBytes` and `maxPixels` limits ' +
        '(UPLOAD_TOO_LARGE, BAD_IMAGE otherwise).',
    })
    upload: Promise<FileUpload>,
    @Args(() => SearchOptions) options: SearchOptions,
    @Ctx() ctx: ApiContext,
  ): Promise<SearchResult> {
    const { service, timing } = ctx;
    const request = toSearchRequest(options);
    const read = async () => (await timing.time('uploadMs', () => readUpload(upload, service.limits.maxUploadBytes))).data;
    const outcome = await service.searchImage(options.collection, read, request);
    timing.add('embedMs', outcome.timing.embedMs);
    timing.add('searchMs', outcome.timing.searchMs);
    return toSearchResult(outcome, request.k, request.models, ctx.baseUrl);
  }

  @Query(() => SearchResult, { description: 'The items most similar to an item of the collection ("more like this"), from its stored embeddings; the item itself is left out.' })
  async similarTo(
    @Arg('id', () => ID, { description: 'The id of the item whose neighbours to find, in the searched collection (UNKNOWN_ITEM when it has none).' }) id: string,
    @Args(() => SearchOptions) options: SearchOptions,
    @Ctx() ctx: ApiContext,
  ): Promise<SearchResult> {
    const request = toSearchRequest(options);
    const outcome = await ctx.service.similarTo(options.collection, id, request);
    ctx.timing.add('searchMs', outcome.timing.searchMs);
    return toSearchResult(outcome, request.k, request.models, ctx.baseUrl);
  }
}

@Resolver()
export class CatalogResolver {
  @Query(() => [CollectionInfo], { description: 'The collections this server serves, the default first.' })
  async collections(@Ctx() ctx: ApiContext): Promise<CollectionInfo[]> {
    const all = await ctx.service.listCollections();
    const first = ctx.service.defaultCollection();
    const ordered = [...all.filter((c) => c.name === first), ...all.filter((c) => c.name !== first)];
    return Promise.all(ordered.map((c) => toCollectionInfo(c, c.name === first)));
  }

  @Query(() => CollectionInfo, { nullable: true, description: 'One collection; null when there is no such collection.' })
  async collection(
    @Arg('name', () => String, { nullable: true, description: "The collection name; default the server's default collection." }) name: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<CollectionInfo | null> {
    const c = await ctx.service.findCollection(name);
    return c && toCollectionInfo(c, c.name === ctx.service.defaultCollection());
  }

  @Query(() => [ErrorCodeInfo], { description: 'Every error code this API sends in extensions.code, with what it means.' })
  errorCodes(): ErrorCodeInfo[] {
    return errorCodeInfos();
  }

  @Query(() => Limits, { description: "The server's limits." })
  limits(@Ctx() ctx: ApiContext): Limits {
    const { maxK, maxUploadBytes, maxFiles, maxPixels, maxPageSize } = ctx.service.limits;
    const { maxQueryCost, maxAliases, maxDepth } = ctx.limits;
    return { maxK, maxUploadBytes, maxFiles, maxPixels, maxPageSize, maxQueryCost, maxAliases, maxDepth };
  }

  @Query(() => [ModelInfo], { description: 'The embedding models the served collections use.' })
  models(@Ctx() ctx: ApiContext): Promise<ModelInfo[]> {
    return ctx.service.models();
  }

  @Query(() => Item, { nullable: true, description: 'One item by id; null when the collection has no such item (UNKNOWN_ITEM for an id that is not an item id, UNKNOWN_COLLECTION for a collection that does not exist).' })
  async item(
    @Arg('id', () => ID, { description: 'The item id (a positive integer).' }) id: string,
    @Arg('collection', () => String, { nullable: true, description: "The collection; default the server's default collection." }) collection: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<Item | null> {
    const found = await ctx.service.item(collection, id);
    return found.item && toItem(found.item, found.collection.name, ctx.baseUrl);
  }

  @Query(() => ItemConnection, {
    description: 'Items in id order, a page at a time (a Relay cursor connection), optionally only those with a label: `first` items after `after`, or `last` items before `before`; neither size: the first 50.',
  })
  async items(
    @Arg('collection', () => String, { nullable: true, description: "The collection; default the server's default collection." }) collection: string | null | undefined,
    @Arg('label', () => String, { nullable: true, description: 'Only items with this label.' }) label: string | null | undefined,
    @Arg('first', () => Int, { nullable: true, description: 'Page size going forward, up to limits.maxPageSize (not with `last`).' }) first: number | null | undefined,
    @Arg('after', () => String, { nullable: true, description: 'A cursor: the page starts after it (e.g. the previous pageInfo.endCursor).' }) after: string | null | undefined,
    @Arg('last', () => Int, { nullable: true, description: 'Page size going backward, up to limits.maxPageSize (not with `first`).' }) last: number | null | undefined,
    @Arg('before', () => String, { nullable: true, description: 'A cursor: the page ends before it (e.g. the next pageInfo.startCursor).' }) before: string | null | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<ItemConnection> {
    const page = await ctx.service.items(collection, pageRequest({ first, after, last, before, label }));
    return itemConnection(page, ctx.baseUrl);
  }
}

/**
 * A job as the caller may see it: server paths (an indexed folder) only with the API key (or when
 * none is configured); without it, relative to the root that holds them. Failure paths are
 * relative to the indexed folder already.
 */
function visibleJob(job: JobRecord, ctx: ApiContext): Job {
  const shown = toJob(job);
  const trusted = ctx.auth === 'ok' || ctx.auth === 'open';
  if (!trusted && job.kind === 'INDEX_FOLDER') shown.target = ctx.roots.relative(job.target);
  return shown;
}

@Resolver()
export class JobResolver {
  @Query(() => Job, { nullable: true, description: 'A job by id, also from before a restart; null when absent or pruned (the 200 most recent finished jobs are kept).' })
  job(@Arg('id', () => ID, { description: 'The job id.' }) id: string, @Ctx() ctx: ApiContext): Job | null {
    const job = ctx.jobs.get(id);
    return job ? visibleJob(job, ctx) : null;
  }

  @Query(() => [Job], { description: 'Recent jobs, newest first, kept across restarts in the data directory.' })
  jobs(@Ctx() ctx: ApiContext): Job[] {
    return ctx.jobs.list().map((j) => visibleJob(j, ctx));
  }

  @Subscription(() => Job, {
    description:
      'A job as it progresses (GraphQL over WebSocket, graphql-ws protocol, at /graphql): its current state at once, then one after each change ' +
      '(the latest, to a client slower than the job); completes after the state in which it SUCCEEDED or FAILED. UNKNOWN_JOB when there is no such job.',
    subscribe: ({ args, context }) => (context as ApiContext).jobs.watch((args as { id: string }).id),
  })
  jobUpdated(@Root() job: JobRecord, @Arg('id', () => ID, { description: 'The job id.' }) _id: string): Job {
    return toJob(job);
  }
}

@Resolver()
export class MutationResolver {
  @Authorized()
  @Mutation(() => CreateCollectionPayload, { description: 'Creates an empty collection; add images with addImages or indexFolder.' })
  async createCollection(@Arg('input', () => CreateCollectionInput, { description: 'The new collection.' }) input: CreateCollectionInput, @Ctx() ctx: ApiContext): Promise<CreateCollectionPayload> {
    const c = await ctx.service.createCollection(input.name, {
      models: input.models.map((m) => ({ name: m.name, weight: m.weight })),
      crop: input.crop,
      views: ttaViews(input),
      indexSpec: input.indexSpec,
    });
    return { collection: await toCollectionInfo(c, c.name === ctx.service.defaultCollection()) };
  }

  @Authorized()
  @Mutation(() => DeleteCollectionPayload, { description: 'Deletes a collection: its items, embeddings, index, metric and uploaded originals (the folders it indexed stay).' })
  async deleteCollection(@Arg('input', () => DeleteCollectionInput, { description: 'The collection to delete.' }) input: DeleteCollectionInput, @Ctx() ctx: ApiContext): Promise<DeleteCollectionPayload> {
    await ctx.service.deleteCollection(input.name);
    return { name: input.name };
  }

  @Authorized()
  @Mutation(() => AddImagesPayload, { description: 'Adds uploaded images (with optional labels) to a collection and its index (a GraphQL multipart request).' })
  async addImages(@Arg('input', () => AddImagesInput, { description: 'The images and the collection.' }) input: AddImagesInput, @Ctx() ctx: ApiContext): Promise<AddImagesPayload> {
    const { service, timing } = ctx;
    const c = await service.collection(input.collection);
    const { images } = input;
    if (images.length > service.limits.maxFiles) {
      throw new ImsearchError('TOO_MANY_FILES', `${images.length} files in one request; the limit is ${service.limits.maxFiles}`);
    }
    const files = await timing.time('uploadMs', () =>
      Promise.all(images.map(async (i) => ({ ...(await readUpload(i.file, service.limits.maxUploadBytes)), label: i.label ?? null }))),
    );
    const { outcomes } = await timing.time('embedMs', () => service.addUploads(c.name, files));
    const count = (s: string) => outcomes.filter((o) => o.status === s).length;
    return {
      collection: c.name,
      added: count('ADDED'),
      unchanged: count('UNCHANGED'),
      failed: count('FAILED'),
      results: outcomes.map((o) => toUploadResult(o, c.name, ctx.baseUrl)),
    };
  }

  @Authorized()
  @Mutation(() => IndexFolderPayload, { description: 'Starts indexing a server-side folder (inside the configured roots) into a collection; follow the job with job(id) or jobUpdated(id).' })
  async indexFolder(@Arg('input', () => IndexFolderInput, { description: 'The folder and the collection.' }) input: IndexFolderInput, @Ctx() ctx: ApiContext): Promise<{ job: Job }> {
    const c = await ctx.service.collection(input.collection);
    const folder = await ctx.roots.folder(input.path);
    const relative = (p: string) => path.relative(folder, p) || path.basename(p);
    const hide = (message: string) => message.replaceAll(folder + path.sep, '');
    const job = ctx.jobs.start('INDEX_FOLDER', c.name, folder, (work) => work(), async (job) => {
      // Files refused by the decoder and entries passed over by the listing are both listed with their reason.
      const report = (f: SkippedFile) => job.fail({ path: relative(f.path), reason: f.reason, message: hide(f.message) });
      const result = await ctx.service.indexFolder(c.name, folder, {
        signal: job.signal,
        onProgress: (p) => job.progress(p),
        onFailed: report,
        onSkipped: report,
        onAdded: (n) => job.report({ added: n }),
      });
      job.progress({ done: result.listed, total: result.listed });
      return {
        added: result.added,
        unchanged: result.unchanged,
        message: `${result.added} added, ${result.unchanged} unchanged, ${result.failed.length} failed, ${result.skipped.length} passed over in ${result.seconds.toFixed(1)} s`,
      };
    });
    return { job: toJob(job) };
  }

  @Authorized()
  @Mutation(() => RemoveItemsPayload, { description: 'Removes items by id (all or none: UNKNOWN_ITEM when one is absent).' })
  async removeItems(@Arg('input', () => RemoveItemsInput, { description: 'The item ids and the collection.' }) input: RemoveItemsInput, @Ctx() ctx: ApiContext): Promise<RemoveItemsPayload> {
    const { collection: c, removed } = await ctx.service.remove(input.collection, input.ids);
    return { collection: c.name, removed: removed.map(String), itemCount: c.collection.count() };
  }

  @Authorized()
  @Mutation(() => RebuildIndexPayload, { description: "Starts rebuilding a collection's index with another spec, from the stored embeddings; follow the job with job(id) or jobUpdated(id)." })
  async rebuildIndex(@Arg('input', () => RebuildIndexInput, { description: 'The index spec and the collection.' }) input: RebuildIndexInput, @Ctx() ctx: ApiContext): Promise<{ job: Job }> {
    const { indexSpec } = input;
    parseIndexSpec(indexSpec);
    const c = await ctx.service.collection(input.collection);
    const job = ctx.jobs.start('REBUILD_INDEX', c.name, indexSpec, (work) => work(), async (job) => {
      const total = c.collection.count();
      job.progress({ done: 0, total });
      const previous = c.manifest.indexSpec;
      const t0 = performance.now();
      await ctx.service.rebuildIndex(c.name, indexSpec);
      job.progress({ done: total, total });
      return { message: `index ${c.searcher.indexSpec} built over ${c.searcher.size} items in ${((performance.now() - t0) / 1000).toFixed(1)} s (was ${previous})` };
    });
    return { job: toJob(job) };
  }

  @Authorized()
  @Mutation(() => FitMetricPayload, {
    description:
      "Starts fitting a collection's learned metric and re-rankers by cross-validation inside its labelled items (NOT_LABELLED unless " +
      'at least 2 classes have 2 or more items) and makes them its search defaults, with thresholds for minPrecision; follow the job with ' +
      'job(id) or jobUpdated(id): its `fit` reports the chosen method and the cross-validated scores. Runs off the serving thread; searches go on meanwhile.',
  })
  async fitMetric(@Arg('input', () => FitMetricInput, { description: 'The collection and how to fit.' }) input: FitMetricInput, @Ctx() ctx: ApiContext): Promise<{ job: Job }> {
    const { mode, folds } = input;
    const request = { mode, folds };
    const c = await ctx.service.checkFit(input.collection, request);
    const job = startFitJob(ctx, c.name, request, `mode=${mode} folds=${folds}`);
    return { job: toJob(job) };
  }
}

export const RESOLVERS = [SearchResolver, CatalogResolver, JobResolver, MutationResolver] as const;
