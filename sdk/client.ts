/**
 * A small typed client for the image search API. Runs in browsers and in Node 20 alike: it uses
 * only fetch, Blob and crypto.getRandomValues (and, for watchJob, a WebSocket with the graphql-ws client, loaded
 * on first use). Operations are the typed documents generated from
 * sdk/operations/*.graphql (sdk/generated/); any Blob or File in the variables is sent as a
 * GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec) with
 * the CSRF preflight header the server requires. GraphQL errors become an ImsearchError carrying
 * the server's stable `extensions.code`.
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import {
  type AddImagesInput,
  AddImagesDocument,
  type AddImagesMutation,
  CollectionDocument,
  type CollectionQuery,
  CollectionsDocument,
  type CollectionsQuery,
  CreateCollectionDocument,
  type CreateCollectionInput,
  type CreateCollectionMutation,
  DeleteCollectionDocument,
  type DeleteCollectionInput,
  type DeleteCollectionMutation,
  type ErrorCode,
  ErrorCodesDocument,
  type ErrorCodesQuery,
  FitMetricDocument,
  type FitMetricInput,
  type FitMetricMutation,
  IndexFolderDocument,
  type IndexFolderInput,
  type IndexFolderMutation,
  ItemDocument,
  type ItemQuery,
  ItemsDocument,
  type ItemsQuery,
  type ItemsQueryVariables,
  JobDocument,
  JobsDocument,
  type JobFieldsFragment,
  JobUpdatedDocument,
  type JobUpdatedSubscription,
  LimitsDocument,
  type LimitsQuery,
  ModelsDocument,
  type ModelsQuery,
  RebuildIndexDocument,
  type RebuildIndexInput,
  type RebuildIndexMutation,
  RemoveItemsDocument,
  type RemoveItemsInput,
  type RemoveItemsMutation,
  type SearchResultFieldsFragment,
  SimilarImagesDocument,
  SimilarToDocument,
} from './generated/graphql.js';
import { multipartBody } from './multipart.js';

/**
 * Every code an error can carry: the server's (the schema's ErrorCode enum, generated, so a
 * misspelled code fails to compile) plus the client's own for transport failures.
 */
export type ImsearchErrorCode =
  | ErrorCode
  /** The request did not reach the server or the response did not arrive. */
  | 'NETWORK_ERROR'
  /** The server answered with something that is not a GraphQL response. */
  | 'BAD_RESPONSE'
  /** waitForJob gave up. */
  | 'TIMEOUT';

/** graphql-ws closes a connection the server refused (no or a wrong API key) with this code. */
const FORBIDDEN_CLOSE = 4403;

export interface GraphQLErrorShape {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** Per-request timing the server reports in `extensions.timing` (milliseconds). */
export interface ServerTiming {
  totalMs: number;
  uploadMs?: number;
  embedMs?: number;
  searchMs?: number;
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorShape[];
  extensions?: { timing?: ServerTiming; [key: string]: unknown };
}

export class ImsearchError extends Error {
  override readonly name = 'ImsearchError';
  constructor(
    readonly code: ImsearchErrorCode,
    message: string,
    /** Every GraphQL error of the response (the first one gave `code` and `message`). */
    readonly errors: readonly GraphQLErrorShape[] = [],
    /** HTTP status, when a response arrived. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. "http://127.0.0.1:4000/graphql" or "/graphql" in a page. */
  endpoint: string;
  /** Sent as "Authorization: Bearer <apiKey>" (the server requires it on mutations when it has one). */
  apiKey?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /**
   * A fetch implementation (default: globalThis.fetch; the client that `@imsearch/sdk/node`
   * exports defaults to its `httpFetch`).
   */
  fetch?: FetchLike;
  /**
   * A WebSocket class for watchJob (default: globalThis.WebSocket, which browsers and Node 22 have;
   * in Node 20 pass the `ws` package's WebSocket).
   */
  webSocketImpl?: unknown;
}

/** The part of fetch the client uses: the global fetch fits it, and so does `httpFetch` (sdk/node.ts). */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string | ArrayBuffer | Blob; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

/**
 * Multipart bodies up to this size are read into memory and sent as bytes: Node's fetch writes
 * bytes in one piece and streams a Blob (about 0.25 ms more per search request, BENCHMARKS.md
 * session 12), and Node's http module needs bytes or a stream anyway. Larger ones stay Blobs, so that
 * files on disk are read only while they are sent.
 */
const IN_MEMORY_BODY_BYTES = 8 * 1024 * 1024;

export interface RequestOptions {
  signal?: AbortSignal;
  /** The operation to run when the document holds several (default: the first one named). */
  operationName?: string;
}

export interface SearchOptions {
  k?: number;
  models?: string[];
  collection?: string;
  /** Calibrated "up to k": only matches likely (at this precision) to share the query's class; needs a fitted metric. */
  minPrecision?: number;
  /** Explain every match (`match.explanation`) and predict the query's class (`result.prediction`); both null otherwise. */
  explain?: boolean;
  /** Index options for this search only (HNSW efSearch, IVF nprobe, Annoy searchK); never rebuilds the index. */
  efSearch?: number;
  nprobe?: number;
  searchK?: number;
  /** A fitted collection: candidates re-scored with the learned metric for this search. */
  shortlist?: number;
}

/** An image to send: a Blob or File (a File's name is sent as the file name). */
export type ImageInput = Blob;

export type SearchResult = SearchResultFieldsFragment;
export type Job = JobFieldsFragment;

type Document<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

export class ImsearchClient {
  private readonly fetchImpl: FetchLike;

  /** Timing of the last response (server side), for display and benchmarks. */
  lastTiming: ServerTiming | undefined;

  /** `defaultFetch`: what sends requests when `options.fetch` is not given. */
  constructor(
    readonly options: ClientOptions,
    defaultFetch: FetchLike = globalThis.fetch,
  ) {
    const f = options.fetch ?? defaultFetch;
    if (typeof f !== 'function') throw new TypeError('No fetch: pass options.fetch');
    this.fetchImpl = f.bind(globalThis);
  }

  /** Runs a typed operation; resolves with its data, rejects with an ImsearchError. */
  async request<TResult, TVariables>(document: Document<TResult, TVariables>, variables?: TVariables, opts: RequestOptions = {}): Promise<TResult> {
    const response = await this.execute(document, variables, opts);
    if (response.errors?.length) throw graphQLError(response.errors);
    if (response.data == null) throw new ImsearchError('BAD_RESPONSE', 'the response has neither data nor errors');
    return response.data;
  }

  /** Runs an operation and returns the whole GraphQL response (data, errors, extensions). */
  async execute<TResult, TVariables>(document: Document<TResult, TVariables>, variables?: TVariables, opts: RequestOptions = {}): Promise<GraphQLResponse<TResult>> {
    const query = document.toString();
    const operationName = opts.operationName ?? /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query)?.[1];
    const headers: Record<string, string> = { Accept: 'application/graphql-response+json, application/json', ...this.options.headers };
    if (this.options.apiKey) headers.Authorization = `Bearer ${this.options.apiKey}`;
    const { clone, files } = extractFiles(variables ?? {});
    let body: string | Blob;
    if (files.length) {
      const multipart = multipartBody(
        [
          ['operations', JSON.stringify({ query, variables: clone, operationName })],
          ['map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [`variables.${f.path}`]])))],
        ],
        files.map((f, i) => ({ field: String(i), file: f.file, filename: fileName(f.file) })),
      );
      body = multipart.body;
      headers['Content-Type'] = multipart.contentType;
      // graphql-upload requests are "simple" requests for CORS: the server refuses them as
      // possible CSRF unless this header is present (browsers then preflight cross-origin ones).
      headers['Apollo-Require-Preflight'] = 'true';
    } else {
      body = JSON.stringify({ query, variables: clone, operationName });
      headers['Content-Type'] = 'application/json';
    }
    let res: Awaited<ReturnType<FetchLike>>;
    let text: string;
    try {
      opts.signal?.throwIfAborted();
      const sent = body instanceof Blob && body.size <= IN_MEMORY_BODY_BYTES ? await body.arrayBuffer() : body;
      res = await this.fetchImpl(this.options.endpoint, { method: 'POST', headers, body: sent, signal: opts.signal });
      text = await res.text();
    } catch (err) {
      // As fetch does: an aborted request rejects with the signal's reason (AbortError, TimeoutError, ...).
      if (opts.signal?.aborted) throw opts.signal.reason;
      throw new ImsearchError('NETWORK_ERROR', `cannot reach ${this.options.endpoint}: ${(err as Error)?.message ?? String(err)}`, [], undefined, { cause: err });
    }
    let parsed: GraphQLResponse<TResult>;
    try {
      parsed = JSON.parse(text) as GraphQLResponse<TResult>;
    } catch {
      throw new ImsearchError('BAD_RESPONSE', `HTTP ${res.status} from ${this.options.endpoint}: ${text.slice(0, 200)}`, [], res.status);
    }
    if (typeof parsed !== 'object' || parsed === null || (!('data' in parsed) && !('errors' in parsed))) {
      throw new ImsearchError('BAD_RESPONSE', `HTTP ${res.status}: not a GraphQL response`, [], res.status);
    }
    this.lastTiming = parsed.extensions?.timing;
    return parsed;
  }

  /**
   * Follows a job over WebSocket (the jobUpdated subscription): calls `onUpdate` with its current
   * state, then after every change; resolves with the state in which it SUCCEEDED or FAILED.
   * Rejects with UNKNOWN_JOB for a job the server does not have, UNAUTHENTICATED when the server
   * refuses the API key, NETWORK_ERROR when the connection fails. `job(id)` polling works too.
   */
  async watchJob(id: string, onUpdate?: (job: Job) => void, opts: { signal?: AbortSignal } = {}): Promise<Job> {
    const webSocketImpl = this.options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (!webSocketImpl) throw new TypeError("No WebSocket: pass options.webSocketImpl (in Node 20, the ws package's WebSocket)");
    opts.signal?.throwIfAborted();
    // Loaded here, so pages that never watch a job do not load it (nor need it resolvable).
    const { createClient } = await import('graphql-ws');
    const url = this.webSocketUrl();
    const socket = createClient({
      url,
      webSocketImpl,
      connectionParams: this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {},
      retryAttempts: 0,
    });
    const abort = () => void socket.dispose();
    opts.signal?.addEventListener('abort', abort, { once: true });
    try {
      let last: Job | undefined;
      for await (const result of socket.iterate<JobUpdatedSubscription>({ query: JobUpdatedDocument.toString(), variables: { id } })) {
        if (result.errors?.length) throw graphQLError(result.errors);
        last = result.data!.jobUpdated;
        onUpdate?.(last);
      }
      opts.signal?.throwIfAborted();
      if (!last) throw new ImsearchError('BAD_RESPONSE', `the subscription to job ${id} ended without a state`);
      return last;
    } catch (err) {
      opts.signal?.throwIfAborted();
      throw subscriptionError(err, url);
    } finally {
      opts.signal?.removeEventListener('abort', abort);
      await socket.dispose();
    }
  }

  /** The endpoint as a WebSocket URL (the server takes subscriptions on the GraphQL path). */
  private webSocketUrl(): string {
    const url = new URL(this.resolveUrl(this.options.endpoint));
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  /** An absolute URL for a media path the server returned (they are absolute already unless proxied). */
  resolveUrl(url: string): string {
    // In a page a relative endpoint is relative to the page; Node has no location (nor the DOM lib's type of it).
    const page = (globalThis as { location?: { href: string } }).location?.href;
    return new URL(url, new URL(this.options.endpoint, page)).toString();
  }

  // ---- typed shortcuts -------------------------------------------------------------------

  async similarImages(image: ImageInput, options: SearchOptions = {}, opts?: RequestOptions): Promise<SearchResult> {
    return (await this.request(SimilarImagesDocument, { upload: image, ...options }, opts)).similarImages;
  }

  async similarTo(id: string, options: SearchOptions = {}, opts?: RequestOptions): Promise<SearchResult> {
    return (await this.request(SimilarToDocument, { id, ...options }, opts)).similarTo;
  }

  async collections(opts?: RequestOptions): Promise<CollectionsQuery['collections']> {
    return (await this.request(CollectionsDocument, {}, opts)).collections;
  }

  /** One collection (default: the server's default one); null when there is no such collection. */
  async collection(name?: string, opts?: RequestOptions): Promise<CollectionQuery['collection']> {
    return (await this.request(CollectionDocument, { name }, opts)).collection;
  }

  /** Every error code the API sends, with what it means. */
  async errorCodes(opts?: RequestOptions): Promise<ErrorCodesQuery['errorCodes']> {
    return (await this.request(ErrorCodesDocument, {}, opts)).errorCodes;
  }

  async createCollection(input: CreateCollectionInput, opts?: RequestOptions): Promise<CreateCollectionMutation['createCollection']> {
    return (await this.request(CreateCollectionDocument, { input }, opts)).createCollection;
  }

  async deleteCollection(input: DeleteCollectionInput, opts?: RequestOptions): Promise<DeleteCollectionMutation['deleteCollection']> {
    return (await this.request(DeleteCollectionDocument, { input }, opts)).deleteCollection;
  }

  async limits(opts?: RequestOptions): Promise<LimitsQuery['limits']> {
    return (await this.request(LimitsDocument, {}, opts)).limits;
  }

  async models(opts?: RequestOptions): Promise<ModelsQuery['models']> {
    return (await this.request(ModelsDocument, {}, opts)).models;
  }

  /** One item; null when the collection has no such item. */
  async item(id: string, collection?: string, opts?: RequestOptions): Promise<ItemQuery['item']> {
    return (await this.request(ItemDocument, { id, collection }, opts)).item;
  }

  /** A page of items in id order: `first` after the cursor `after`, or `last` before `before` (default: the first 50). */
  async items(page: ItemsQueryVariables = {}, opts?: RequestOptions): Promise<ItemsQuery['items']> {
    return (await this.request(ItemsDocument, page, opts)).items;
  }

  /** A job; null when the server has no such job. */
  async job(id: string, opts?: RequestOptions): Promise<Job | null> {
    return (await this.request(JobDocument, { id }, opts)).job;
  }

  /** The server's jobs, newest first (finished ones too, including those from before a restart). */
  async jobs(opts?: RequestOptions): Promise<Job[]> {
    return (await this.request(JobsDocument, {}, opts)).jobs;
  }

  /** Polls a job until it SUCCEEDED or FAILED (resolves either way: look at `state`); UNKNOWN_JOB when there is no such job. */
  async waitForJob(id: string, { intervalMs = 200, timeoutMs = 10 * 60_000, signal }: { intervalMs?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.job(id, { signal });
      if (!job) throw new ImsearchError('UNKNOWN_JOB', `no job ${id} on the server`);
      if (job.state === 'SUCCEEDED' || job.state === 'FAILED') return job;
      if (Date.now() > deadline) throw new ImsearchError('TIMEOUT', `job ${id} is still ${job.state} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** Adds images (Blobs or Files, with optional labels): one result per image. */
  async addImages(input: AddImagesInput, opts?: RequestOptions): Promise<AddImagesMutation['addImages']> {
    return (await this.request(AddImagesDocument, { input }, opts)).addImages;
  }

  /** Starts indexing a server-side folder (a job: follow it with watchJob or waitForJob). */
  async indexFolder(input: IndexFolderInput, opts?: RequestOptions): Promise<IndexFolderMutation['indexFolder']> {
    return (await this.request(IndexFolderDocument, { input }, opts)).indexFolder;
  }

  async removeItems(input: RemoveItemsInput, opts?: RequestOptions): Promise<RemoveItemsMutation['removeItems']> {
    return (await this.request(RemoveItemsDocument, { input }, opts)).removeItems;
  }

  /** Starts rebuilding a collection's index (a job). */
  async rebuildIndex(input: RebuildIndexInput, opts?: RequestOptions): Promise<RebuildIndexMutation['rebuildIndex']> {
    return (await this.request(RebuildIndexDocument, { input }, opts)).rebuildIndex;
  }

  /** Starts fitting the collection's metric (a job: follow it with watchJob or waitForJob; its `fit` has the report). */
  async fitMetric(input: FitMetricInput = {}, opts?: RequestOptions): Promise<FitMetricMutation['fitMetric']> {
    return (await this.request(FitMetricDocument, { input }, opts)).fitMetric;
  }
}

/** The first GraphQL error of a response as an ImsearchError (with all of them). */
function graphQLError(errors: readonly GraphQLErrorShape[]): ImsearchError {
  const first = errors[0];
  // The server sends only the schema's ErrorCode values (a closed enum).
  return new ImsearchError((first.extensions?.code as ErrorCode | undefined) ?? 'INTERNAL_SERVER_ERROR', first.message, errors);
}

/** What graphql-ws rejects with: the errors of an `error` message, a close event, or a socket error. */
function subscriptionError(err: unknown, url: string): unknown {
  if (err instanceof ImsearchError) return err;
  if (Array.isArray(err) && err.length) return graphQLError(err as GraphQLErrorShape[]);
  const close = err as { code?: unknown; reason?: unknown };
  if (close?.code === FORBIDDEN_CLOSE) return new ImsearchError('UNAUTHENTICATED', 'the server refused the subscription: the API key is missing or not valid');
  const reason = typeof close?.reason === 'string' && close.reason ? close.reason : ((err as Error)?.message ?? String(err));
  return new ImsearchError('NETWORK_ERROR', `WebSocket ${url}: ${reason}`, [], undefined, { cause: err });
}

function isBlob(v: unknown): v is Blob {
  return typeof Blob !== 'undefined' && v instanceof Blob;
}

function fileName(b: Blob): string {
  const name = (b as Blob & { name?: unknown }).name;
  return typeof name === 'string' && name ? name : 'upload';
}

/** A copy of the variables with every Blob replaced by null, and where each was. */
export function extractFiles(variables: unknown): { clone: unknown; files: { path: string; file: Blob }[] } {
  const files: { path: string; file: Blob }[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (isBlob(v)) {
      files.push({ path, file: v });
      return null;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, path ? `${path}.${i}` : String(i)));
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k)]));
    }
    return v;
  };
  return { clone: walk(variables, ''), files };
}

