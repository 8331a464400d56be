/** Resolvers: decorators plus one call into ApiService and a mapping of the result. */
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { Arg, Args, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Match as SearchMatch, SearchRequest } from '../../search/collection-searcher.js';
import type { LoadedCollection } from '../catalog.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { SearchOptions, toSearchRequest } from '../search-request.js';
import { encodeCursor } from '../api-service.js';
import { readUpload } from '../uploads.js';
import {
  AddImagesResult,
  CollectionInfo,
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
  toItem,
  toJob,
  toUploadResult,
} from './types.js';

function toSearchResult(c: LoadedCollection, matches: readonly SearchMatch[], request: SearchRequest, baseUrl: string): SearchResult {
  return {
    collection: c.name,
    k: request.k,
    models: request.models?.length ? [...request.models] : c.searcher.modelNames(),
    matches: matches.map((m, i) => ({ rank: i + 1, score: m.score, item: toItem(m.item, c.name, baseUrl) })),
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
    const request = toSearchRequest(options, service.limits);
    service.collection(options.collection);
    const file = await timing.time('uploadMs', () => readUpload(upload, service.limits.maxUploadBytes));
    const { collection, matches } = await service.searchImage(options.collection, file.data, request, timing);
    return toSearchResult(collection, matches, request, ctx.baseUrl);
  }

  @Query(() => SearchResult, { description: 'The items most similar to an item of the collection ("more like this"), from its stored embeddings; the item itself is left out.' })
  async similarTo(@Arg('id', () => ID) id: string, @Args(() => SearchOptions) options: SearchOptions, @Ctx() ctx: ApiContext): Promise<SearchResult> {
    const request = toSearchRequest(options, ctx.service.limits);
    const { collection, matches } = await ctx.service.similarTo(options.collection, id, request, ctx.timing);
    return toSearchResult(collection, matches, request, ctx.baseUrl);
  }
}

@Resolver()
export class CatalogResolver {
  @Query(() => [CollectionInfo], { description: 'The collections this server serves, the default first.' })
  collections(@Ctx() ctx: ApiContext): Promise<CollectionInfo[]> {
    const catalog = ctx.service.catalog;
    return Promise.all(catalog.list().map((c) => toCollectionInfo(c, c.name === catalog.defaultName)));
  }

  @Query(() => CollectionInfo, { description: 'One collection (default: the default collection).' })
  collection(@Arg('name', () => String, { nullable: true }) name: string | null, @Ctx() ctx: ApiContext): Promise<CollectionInfo> {
    const c = ctx.service.collection(name);
    return toCollectionInfo(c, c.name === ctx.service.catalog.defaultName);
  }

  @Query(() => Limits, { description: "The server's limits." })
  limits(@Ctx() ctx: ApiContext): Limits {
    const { maxK, maxUploadBytes, maxFiles, maxPixels, maxPageSize } = ctx.service.limits;
    return { maxK, maxUploadBytes, maxFiles, maxPixels, maxPageSize };
  }

  @Query(() => [ModelInfo], { description: 'The embedding models the served collections use.' })
  models(@Ctx() ctx: ApiContext): ModelInfo[] {
    return ctx.service.catalog.models();
  }

  @Query(() => Item, { description: 'One item by id (UNKNOWN_ITEM when absent).' })
  item(@Arg('id', () => ID) id: string, @Arg('collection', () => String, { nullable: true }) collection: string | null, @Ctx() ctx: ApiContext): Item {
    const found = ctx.service.item(collection, id);
    return toItem(found.item, found.collection.name, ctx.baseUrl);
  }

  @Query(() => ItemPage, { description: 'Items in id order, a page at a time, optionally only those with a label.' })
  items(
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, up to the server maximum.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after: string | null,
    @Arg('label', () => String, { nullable: true }) label: string | null,
    @Ctx() ctx: ApiContext,
  ): ItemPage {
    const page = ctx.service.items(collection, { first, after, label });
    const items = page.items.map((i) => toItem(i, page.collection.name, ctx.baseUrl));
    return {
      items,
      endCursor: page.items.length ? encodeCursor(page.items[page.items.length - 1].id) : null,
      hasNextPage: page.hasNextPage,
      totalCount: page.totalCount,
    };
  }
}

@Resolver()
export class JobResolver {
  @Query(() => Job, { description: 'A job by id, also from before a restart (UNKNOWN_JOB when absent or pruned: the 200 most recent finished jobs are kept).' })
  job(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Job {
    const job = ctx.service.jobs.get(id);
    if (!job) throw new ApiError('UNKNOWN_JOB', `no job ${id} on this server (jobs are kept in memory until a restart)`);
    return toJob(job);
  }

  @Query(() => [Job], { description: 'Recent jobs, newest first, kept across restarts in the data directory.' })
  jobs(@Ctx() ctx: ApiContext): Job[] {
    return ctx.service.jobs.list().map(toJob);
  }
}

@Resolver()
export class MutationResolver {
  @Authorized()
  @Mutation(() => AddImagesResult, { description: 'Adds uploaded images (with optional labels) to a collection and its index.' })
  async addImages(
    @Arg('images', () => [ImageUpload]) images: ImageUpload[],
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<AddImagesResult> {
    const { service, timing } = ctx;
    const c = service.collection(collection);
    if (images.length > service.limits.maxFiles) {
      throw new ApiError('TOO_MANY_FILES', `${images.length} files in one request; the limit is ${service.limits.maxFiles}`);
    }
    const files = await timing.time('uploadMs', () =>
      Promise.all(images.map(async (i) => ({ ...(await readUpload(i.file, service.limits.maxUploadBytes)), label: i.label ?? null }))),
    );
    const outcomes = await timing.time('embedMs', () => service.addImages(c.name, files));
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
    @Arg('path', { description: 'Absolute, or relative to the first root. Labels come from first-level folder names.' }) path: string,
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<Job> {
    return toJob(await ctx.service.indexFolder(collection, path));
  }

  @Authorized()
  @Mutation(() => RemoveItemsResult, { description: 'Removes items by id (all or none: UNKNOWN_ITEM when one is absent).' })
  async removeItems(
    @Arg('ids', () => [ID]) ids: string[],
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<RemoveItemsResult> {
    const { collection: c, removed } = await ctx.service.removeItems(collection, ids);
    return { collection: c.name, removed: removed.map(String), itemCount: c.collection.count() };
  }

  @Authorized()
  @Mutation(() => Job, { description: "Starts rebuilding a collection's index with another spec, from the stored embeddings; follow it with job(id)." })
  rebuildIndex(
    @Arg('indexSpec', { description: 'flat, hnsw[:M=..,efSearch=..], ivfpq[:...], annoy[:trees=..], faiss:<factory>, ...' }) indexSpec: string,
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Ctx() ctx: ApiContext,
  ): Job {
    return toJob(ctx.service.rebuildIndex(collection, indexSpec));
  }

  @Authorized()
  @Mutation(() => Job, {
    description:
      "Starts fitting a collection's learned metric and re-rankers by cross-validation inside its labelled items (NOT_LABELLED unless " +
      'at least 2 classes have 2 or more items) and makes them its search defaults, with thresholds for minPrecision; follow it with ' +
      'job(id): its `fit` reports the chosen method and the cross-validated scores. Runs off the serving thread; searches go on meanwhile.',
  })
  fitMetric(
    @Arg('collection', () => String, { nullable: true }) collection: string | null,
    @Arg('mode', () => MetricMode, { defaultValue: MetricMode.TRANSFORM }) mode: MetricMode,
    @Arg('folds', () => Int, { defaultValue: 1, description: 'Independent seeded CV splits averaged (1 to 10): steadier numbers, proportionally longer.' }) folds: number,
    @Ctx() ctx: ApiContext,
  ): Job {
    return toJob(ctx.service.fitMetric(collection, { mode, folds }));
  }
}

export const RESOLVERS = [SearchResolver, CatalogResolver, JobResolver, MutationResolver] as const;
