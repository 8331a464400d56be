/**
 * Errors as the API shows them. Every failure reaches the client as a GraphQL error whose
 * `extensions.code` is a code of the product's one vocabulary (errors/error-codes.ts, the schema's
 * `ErrorCode` enum): ImsearchError keeps its code and details; HTTP-layer failures (multipart,
 * body size) and file-system faults are mapped here; only what is truly unexpected is masked as
 * INTERNAL_SERVER_ERROR (and logged).
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { type ErrorCode, ImsearchError, isErrorCode, storageError } from '../errors/error-codes.js';

/** graphql-upload and body-parser raise http-errors: status + expose + message. */
interface HttpError extends Error {
  status?: number;
  expose?: boolean;
}

const STORAGE_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'SQLITE_FULL', 'SQLITE_READONLY']);

/**
 * Any error in the vocabulary, or null when it is unexpected (a bug: the caller masks it).
 * Known errors keep their message; details become extensions.
 */
export function toImsearchError(err: unknown): ImsearchError | null {
  if (err instanceof ImsearchError) return err;
  if (err instanceof GraphQLError && isErrorCode(err.extensions.code)) {
    const { code, ...details } = err.extensions;
    return new ImsearchError(code as ErrorCode, err.message, details);
  }
  const http = err as HttpError;
  if (err instanceof Error && http.expose && typeof http.status === 'number') {
    if (http.status === 413 && /max file uploads exceeded/.test(err.message)) return new ImsearchError('TOO_MANY_FILES', err.message);
    if (http.status === 413 && /byte size limit/.test(err.message) && !/multipart field/.test(err.message)) return new ImsearchError('UPLOAD_TOO_LARGE', err.message);
    return new ImsearchError('BAD_REQUEST', err.message);
  }
  const errno = (err as NodeJS.ErrnoException)?.code;
  if (typeof errno === 'string' && STORAGE_ERRNO.has(errno)) return storageError(err, 'a file of the data directory');
  return null;
}

/**
 * Apollo's formatError: errors thrown in resolvers are mapped through toImsearchError; errors
 * Apollo itself produced (parse, validation, variable coercion, CSRF) keep their code; the rest
 * are masked, with the original logged.
 */
export function formatError(log: (line: string) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const known = toImsearchError(original);
    if (known) {
      return { message: known.message, locations: formatted.locations, path: formatted.path, extensions: { ...known.details, code: known.code } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    log(`internal error: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`);
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** The GraphQL-over-HTTP shape of one error, for answers that never reach Apollo. */
export function errorBody(code: ErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message, extensions: { ...details, code } }] };
}

/** A GraphQL-over-HTTP error body for failures outside Apollo (multipart parsing, JSON body). */
export function httpErrorBody(err: unknown): { status: number; body: { errors: GraphQLFormattedError[] } } | null {
  const known = toImsearchError(err);
  if (!known) return null;
  const http = err as HttpError;
  const status = typeof http.status === 'number' && http.status >= 400 && http.status < 500 ? http.status : 400;
  return { status, body: errorBody(known.code, known.message, known.details) };
}
