/** Resolvers: decorators plus one call into the service layer and a mapping of the result. */
import path from 'node:path';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { Arg, Args, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ImsearchError } from '../../errors/error-codes.js';
import { parseIndexSpec } from '../../indexes/spec.js';
import type { SkippedFile } from '../../service/indexing.js';
import type { SearchOutcome } from '../../service/service.js';
import type { ApiContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { JobRecord } from '../jobs.js';
import { startFitJob } from '../fit-job.js';
import { readUpload } from '../uploads.js';
import { ErrorCodeInfo, errorCodeInfos } from './error-code.js';
import { SearchOptions, toSearchRequest } from './search-options.js';
import {
  AddImagesResult,
  CollectionInfo,
  CreateCollectionInput,
  DeleteCollectionResult,
  ImageUpload,
  Item,
  ItemPage,
  Job,
  Limits,
  MetricMode,
  ModelInfo,
  RemoveItemsResult,
  SearchResult,
  toCollectionInfo,
  toExplanation,
  toItem,
  toJob,
  toUploadResult,
} from './types.js';

function toSearchResult(outcome: SearchOutcome, k: number, models: readonly string[] | undefined, baseUrl: string): SearchResult {
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
    @Arg('upload', () => GraphQLUpload) upload: Promise<FileUpload>,
    @Args(() => SearchOptions) options: SearchOptions,
    @Ctx() ctx: ApiContext,
  ): Promise<SearchResult> {
    const { service, timing } = ctx;
    const request = toSearchRequest(options);
    await service.collection(options.collection); // UNKNOWN_COLLECTION before the upload is read
    const file = await timing.time('uploadMs', () => readUpload(upload, service.limits.maxUploadBytes));
    const outcome = await service.searchImage(options.collection, file.data, request);
    timing.add('embedMs', outcome.timing.embedMs);
    timing.add('searchMs', outcome.timing.searchMs);
    return toSearchResult(outcome, request.k, request.models, ctx.baseUrl);
  }

  @Query(() => SearchResult, { description: 'The items most similar to an item of the collection ("more like this"), from its stored embeddings; the item itself is left out.' })
  async similarTo(@Arg('id', () => ID) id: string, @Args(() => SearchOptions) options: SearchOptions, @Ctx() ctx: ApiContext): Promise<SearchResult> {
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

  @Query(() => CollectionInfo, { description: 'One collection (default: the default collection).' })
  async collection(@Arg('name', () => String, { nullable: true }) name: string | null, @Ctx() ctx: ApiContext): Promise<CollectionInfo> {
    const c = await ctx.service.collection(name);
    return toCollectionInfo(c, c.name === ctx.service.defaultCollection());
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

  @Query(() => Item, { description: 'One item by id (UNKNOWN_ITEM when absent).' })
  async item(@Arg('id', () => ID) id: string, @Arg('collection', () => String, { nullable: true }) collection: string | null, @Ctx() ctx: ApiContext): Promise<Item> {
    const found = await ctx.service.item(collection, id);
    if (!found.item) throw new ImsearchError('UNKNOWN_ITEM', `no item ${id} in collection ${found.collection.name}`);
    return toItem(found.item, found.collection.name, ctx.baseUrl);
  }

  @Query(() => ItemPage, { description: 'Items in id order, a page at a time, optionally only those with a label.' })
  async items(
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, up to the server maximum.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after: string | null,
    @Arg('label', () => String, { nullable: true }) label: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<ItemPage> {
    const page = await ctx.service.items(collection, { first, after: after ? decodeCursor(after) : 0, label });
    const items = page.items.map((i) => toItem(i, page.collection.name, ctx.baseUrl));
    return {
      items,
      endCursor: page.items.length ? encodeCursor(page.items[page.items.length - 1].id) : null,
      hasNextPage: page.hasNextPage,
      totalCount: page.totalCount,
    };
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
  @Query(() => Job, { description: 'A job by id, also from before a restart (UNKNOWN_JOB when absent or pruned: the 200 most recent finished jobs are kept).' })
  job(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Job {
    const job = ctx.jobs.get(id);
    if (!job) throw new ImsearchError('UNKNOWN_JOB', `no job ${id} on this server (jobs are kept in memory until a restart)`);
    return visibleJob(job, ctx);
  }

  @Query(() => [Job], { description: 'Recent jobs, newest first, kept across restarts in the data directory.' })
  jobs(@Ctx() ctx: ApiContext): Job[] {
    return ctx.jobs.list().map((j) => visibleJob(j, ctx));
  }
}

@Resolver()
export class MutationResolver {
  @Authorized()
  @Mutation(() => CollectionInfo, { description: 'Creates an empty collection; add images with addImages or indexFolder.' })
  async createCollection(@Arg('input', () => CreateCollectionInput) input: CreateCollectionInput, @Ctx() ctx: ApiContext): Promise<CollectionInfo> {
    const c = await ctx.service.createCollection(input.name, {
      models: input.models.map((m) => ({ name: m.name, weight: m.weight })),
      crop: input.crop,
      views: input.flip ? ['orig', 'flip'] : ['orig'],
      indexSpec: input.indexSpec,
    });
    return toCollectionInfo(c, c.name === ctx.service.defaultCollection());
  }

  @Authorized()
  @Mutation(() => DeleteCollectionResult, { description: "Deletes a collection: its items, embeddings, index, metric and uploaded originals (the folders it indexed stay)." })
  async deleteCollection(@Arg('name') name: string, @Ctx() ctx: ApiContext): Promise<DeleteCollectionResult> {
    await ctx.service.deleteCollection(name);
    return { name };
  }

  @Authorized()
  @Mutation(() => AddImagesResult, { description: 'Adds uploaded images (with optional labels) to a collection and its index.' })
  async addImages(
    @Arg('images', () => [ImageUpload]) images: ImageUpload[],
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<AddImagesResult> {
    const { service, timing } = ctx;
    const c = await service.collection(collection);
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
  @Mutation(() => Job, { description: 'Starts indexing a server-side folder (inside the configured roots) into a collection; follow it with job(id).' })
  async indexFolder(
    @Arg('path', { description: 'Absolute, or relative to the first root. Labels come from first-level folder names.' }) requested: string,
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<Job> {
    const c = await ctx.service.collection(collection);
    const folder = await ctx.roots.folder(requested);
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
        onAdded: (n) => (job.job.added = n),
      });
      job.progress({ done: result.listed, total: result.listed });
      return {
        added: result.added,
        unchanged: result.unchanged,
        message: `${result.added} added, ${result.unchanged} unchanged, ${result.failed.length} failed, ${result.skipped.length} passed over in ${result.seconds.toFixed(1)} s`,
      };
    });
    return toJob(job);
  }

  @Authorized()
  @Mutation(() => RemoveItemsResult, { description: 'Removes items by id (all or none: UNKNOWN_ITEM when one is absent).' })
  async removeItems(
    @Arg('ids', () => [ID]) ids: string[],
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<RemoveItemsResult> {
    const { collection: c, removed } = await ctx.service.remove(collection, ids);
    return { collection: c.name, removed: removed.map(String), itemCount: c.collection.count() };
  }

  @Authorized()
  @Mutation(() => Job, { description: "Starts rebuilding a collection's index with another spec, from the stored embeddings; follow it with job(id)." })
  async rebuildIndex(
    @Arg('indexSpec', { description: 'flat, hnsw[:M=..,efSearch=..], ivfpq[:...], annoy[:trees=..], faiss:<factory>, ...' }) indexSpec: string,
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<Job> {
    parseIndexSpec(indexSpec);
    const c = await ctx.service.collection(collection);
    const job = ctx.jobs.start('REBUILD_INDEX', c.name, indexSpec, (work) => work(), async (job) => {
      const total = c.collection.count();
      job.progress({ done: 0, total });
      const previous = c.manifest.indexSpec;
      const t0 = performance.now();
      await ctx.service.rebuildIndex(c.name, indexSpec);
      job.progress({ done: total, total });
      return { message: `index ${c.searcher.indexSpec} built over ${c.searcher.size} items in ${((performance.now() - t0) / 1000).toFixed(1)} s (was ${previous})` };
    });
    return toJob(job);
  }

  @Authorized()
  @Mutation(() => Job, {
    description:
      "Starts fitting a collection's learned metric and re-rankers by cross-validation inside its labelled items (NOT_LABELLED unless " +
      'at least 2 classes have 2 or more items) and makes them its search defaults, with thresholds for minPrecision; follow it with ' +
      'job(id): its `fit` reports the chosen method and the cross-validated scores. Runs off the serving thread; searches go on meanwhile.',
  })
  async fitMetric(
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Arg('mode', () => MetricMode, { defaultValue: MetricMode.TRANSFORM }) mode: MetricMode,
    @Arg('folds', () => Int, { defaultValue: 1, description: 'Independent seeded CV splits averaged (1 to 10): steadier numbers, proportionally longer.' }) folds: number,
    @Ctx() ctx: ApiContext,
  ): Promise<Job> {
    const request = { mode, folds };
    const c = await ctx.service.checkFit(collection, request);
    const job = startFitJob(ctx, c.name, request, `mode=${mode} folds=${folds}`);
    return toJob(job);
  }
}

export const RESOLVERS = [SearchResolver, CatalogResolver, JobResolver, MutationResolver] as const;
