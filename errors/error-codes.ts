/**
 * The one error vocabulary of the whole product. Every layer throws ImsearchError with one of
 * these codes; the GraphQL schema exposes the list as the `ErrorCode` enum (the SDK's error type
 * is generated from it), the API puts the code in `extensions.code` unchanged, and the CLI prints
 * it. Adding a failure mode means adding a code here, with the sentence a client reads.
 *
 * This module imports nothing, so every layer (models, indexes, metric, store, service, server,
 * cli) can depend on it without an upward import.
 */
export const ERROR_CODES = {
  // requests (the GRAPHQL_ codes and OPERATION_RESOLUTION_FAILURE are Apollo Server's own, kept as it sends them)
  GRAPHQL_PARSE_FAILED: 'The query is not valid GraphQL syntax.',
  GRAPHQL_VALIDATION_FAILED: 'The query does not match the schema (unknown field, wrong argument type, ...).',
  OPERATION_RESOLUTION_FAILURE: 'The request names an operation the document does not hold.',
  BAD_REQUEST: 'The HTTP request could not be read (malformed multipart or JSON body).',
  BAD_USER_INPUT: 'An argument is out of its range or of the wrong form; the message names it.',
  BAD_K: 'k is not an integer from 1 to the server limit.',
  BAD_PRECISION: 'minPrecision is not in (0, 1].',
  BAD_CURSOR: 'The pagination cursor was not issued by this server.',
  BAD_INDEX_SPEC: 'The index spec string does not parse or names an unknown kind or option.',
  BAD_COLLECTION_NAME: 'A collection name must be letters, digits, ".", "_" or "-", at most 64 characters.',
  QUERY_TOO_COMPLEX: 'The query costs more than the per-request budget (aliases, depth, estimated work or response size).',
  // lookups
  UNKNOWN_COLLECTION: 'No collection of that name.',
  UNKNOWN_ITEM: 'No item with that id in the collection.',
  UNKNOWN_MODEL: 'No model of that name (in the collection, or in the model manifests).',
  UNKNOWN_JOB: 'No job with that id.',
  COLLECTION_EXISTS: 'A collection of that name already exists.',
  // images and uploads
  BAD_IMAGE: 'The image is empty, not a supported format, truncated, corrupt, too small or has too many pixels; extensions.reason says which.',
  UPLOAD_TOO_LARGE: 'An upload is larger than the byte limit.',
  TOO_MANY_FILES: 'More files in one request than the limit.',
  // auth and paths
  UNAUTHENTICATED: 'The operation needs an API key (Authorization: Bearer <key>).',
  PATH_NOT_ALLOWED: 'The folder is outside the roots this server may read.',
  FORBIDDEN_HOST: "The request's Host is not a name this server answers to (without an API key: loopback names and the --public-url host).",
  FORBIDDEN_ORIGIN: 'The request comes from a web page whose origin this server does not allow (without an API key: its own origin and the --cors-origin list).',
  // learned metric
  NOT_LABELLED: 'The collection has too few labelled classes to fit a metric.',
  NOT_CALIBRATED: 'No score threshold is calibrated for the requested precision (fit the metric first).',
  TOO_FEW_TO_TRAIN: 'The index type needs more vectors to train than the collection has.',
  // models
  MODEL_MISSING: 'A model file is not in the model store; the message says how to get it.',
  MODEL_CORRUPT: "A model file's sha256 or size differs from its manifest.",
  MODEL_UNVERIFIED: 'A model file has no published or recorded sha256, so it cannot be trusted.',
  MODEL_MISMATCH: 'The ONNX graph, or the embedder, does not match what the manifest or collection declares.',
  BAD_MANIFEST: 'A model manifest is not valid; the message lists every problem.',
  NO_MODEL_DIR: 'No model store directory was given (flag or IMSEARCH_MODEL_DIR).',
  MODEL_DOWNLOAD_FAILED: 'Every download location of a model failed.',
  MODEL_EXISTS: 'The model store already has a model of that name or file name; importing again needs --force, and a built-in model cannot be replaced.',
  // storage
  STORAGE_FULL: 'The disk holding the data directory is full; nothing was half-written.',
  STORAGE_READ_ONLY: 'The data directory is read-only: reads work, writes are refused.',
  STORAGE_ERROR: 'A file of the data directory could not be read or written; the message names it.',
  COLLECTION_BROKEN: "A collection's files are missing or inconsistent; the message names the file.",
  INDEX_ERROR: 'The vector index could not be built, loaded or searched (bad file, native addon missing, bad input).',
  // work
  BUSY: 'The server is at its limit of concurrent expensive work; retry shortly.',
  CANCELLED: 'The job was cancelled (this server stopped it).',
  INTERRUPTED: 'A previous server process ended before the job finished; committed work stays, re-running resumes it.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure; it is logged on the server.',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && Object.hasOwn(ERROR_CODES, s);
}

/**
 * The one base error: a stable `code`, a message written for the person who reads it (what went
 * wrong, and what to do), and optional `details` that reach API clients as extensions (never
 * request data such as paths of the caller's machine).
 */
export class ImsearchError extends Error {
  override name = 'ImsearchError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Node's file-system failures in the vocabulary: full and read-only storage have codes of their
 * own; the message always names the path.
 */
export function storageError(err: unknown, what: string): ImsearchError {
  if (err instanceof ImsearchError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code;
  const detail = e?.message ?? String(err);
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') {
    return new ImsearchError('STORAGE_FULL', `no space left to write ${what}: ${detail}`, {}, { cause: err });
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN') {
    return new ImsearchError('STORAGE_READ_ONLY', `cannot write ${what}: the data directory is read-only (${detail})`, {}, { cause: err });
  }
  return new ImsearchError('STORAGE_ERROR', `cannot access ${what}: ${detail}`, {}, { cause: err });
}
