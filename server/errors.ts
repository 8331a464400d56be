/**
 * The API's one error vocabulary. Every failure reaches the client as a GraphQL error whose
 * `extensions.code` is one of these stable strings; the search layer's codes pass through
 * unchanged, everything unexpected is masked as INTERNAL_SERVER_ERROR (and logged).
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { IndexError } from '../indexes/errors.js';
import { ImsearchError } from '../errors/error-codes.js';
import { ImageDecodeError, ModelError } from '../models/errors.js';
import { SearchError, type SearchErrorCode } from '../search/search-errors.js';

export const API_ERROR_CODES = [
  'BAD_K',
  'UNKNOWN_MODEL',
  'UNKNOWN_COLLECTION',
  'UNKNOWN_ITEM',
  'UNKNOWN_JOB',
  'BAD_IMAGE',
  'UPLOAD_TOO_LARGE',
  'TOO_MANY_FILES',
  'PATH_NOT_ALLOWED',
  'UNAUTHENTICATED',
  'BAD_INDEX_SPEC',
  'BAD_CURSOR',
  'NOT_LABELLED',
  'MODEL_MISMATCH',
  'BUSY',
  'CANCELLED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'INTERNAL_SERVER_ERROR',
] as const;

/** The API's own codes plus every search-layer code, which pass through unchanged. */
export type ApiErrorCode = (typeof API_ERROR_CODES)[number] | SearchErrorCode;

/** An error a resolver throws on purpose: the message is for the client. */
export class ApiError extends GraphQLError {
  constructor(code: ApiErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extra, code } });
    this.name = 'ApiError';
  }

  get code(): ApiErrorCode {
    return this.extensions.code as ApiErrorCode;
  }
}

/** graphql-upload and body-parser raise http-errors: status + expose + message. */
interface HttpError extends Error {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
}

const DECODE_REASON_CODE: Record<string, ApiErrorCode> = { 'too-large-bytes': 'UPLOAD_TOO_LARGE' };

/**
 * Maps any error to its API form, or null when it is unexpected (a bug or an environment
 * failure: the caller masks it). Known errors keep their message; extensions add detail.
 */
export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof SearchError) return new ApiError(err.code, err.message);
  if (err instanceof ImageDecodeError) {
    return new ApiError(DECODE_REASON_CODE[err.reason] ?? 'BAD_IMAGE', err.message.replace(/^the image/, 'The upload'), { reason: err.reason });
  }
  if (err instanceof IndexError && err.code === 'BAD_INDEX_SPEC') return new ApiError('BAD_INDEX_SPEC', err.message);
  if (err instanceof ImsearchError && (err.code === 'NOT_LABELLED' || err.code === 'BAD_USER_INPUT')) return new ApiError(err.code, err.message);
  if (err instanceof ModelError && err.code === 'unknown-model') return new ApiError('UNKNOWN_MODEL', err.message);
  const http = err as HttpError;
  if (err instanceof Error && http.expose && typeof http.status === 'number') {
    if (http.status === 413 && /max file uploads exceeded/.test(err.message)) return new ApiError('TOO_MANY_FILES', err.message);
    if (http.status === 413 && /byte size limit/.test(err.message) && !/multipart field/.test(err.message)) {
      return new ApiError('UPLOAD_TOO_LARGE', err.message);
    }
    return new ApiError('BAD_REQUEST', err.message);
  }
  return null;
}

/**
 * Apollo's formatError: errors thrown in resolvers are mapped through toApiError; errors Apollo
 * itself produced (parse, validation, variable coercion, CSRF) keep their code; the rest are
 * masked, with the original logged.
 */
export function formatError(log: (line: string) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const api = toApiError(original);
    if (api) {
      return { message: api.message, locations: formatted.locations, path: formatted.path, extensions: { ...api.extensions } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    log(`internal error: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`);
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/** A GraphQL-over-HTTP error body for failures outside Apollo (multipart parsing, JSON body). */
export function httpErrorBody(err: unknown): { status: number; body: { errors: GraphQLFormattedError[] } } | null {
  const api = toApiError(err);
  if (!api) return null;
  const http = err as HttpError;
  const status = typeof http.status === 'number' && http.status >= 400 && http.status < 500 ? http.status : 400;
  return { status, body: { errors: [{ message: api.message, extensions: { code: api.code } }] } };
}
