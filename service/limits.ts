/**
 * The request limits every entry point applies (the CLI and the server share one set of
 * defaults); the server exposes them through the `limits` query and lets flags change them.
 */
import { ImsearchError } from '../errors/error-codes.js';

export interface Limits {
  /** Largest k a search accepts (BAD_K above it). */
  maxK: number;
  /** Largest single image, bytes (UPLOAD_TOO_LARGE above it). */
  maxUploadBytes: number;
  /** Most files in one request (TOO_MANY_FILES above it). */
  maxFiles: number;
  /** Largest decoded image, width x height (decompression-bomb guard), uploads and indexed files. */
  maxPixels: number;
  /** Largest page of items. */
  maxPageSize: number;
  /** Searches (embedding + index probe) running at once; more wait in the queue. */
  maxConcurrentSearches: number;
  /** Searches waiting for a slot; more are refused with BUSY. */
  maxQueuedSearches: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxK: 100,
  maxUploadBytes: 16 * 1024 * 1024,
  maxFiles: 32,
  maxPixels: 50_000_000,
  maxPageSize: 500,
  // Two threads serve a query (the loop and the model worker): more at once only lengthens each one.
  maxConcurrentSearches: 2,
  maxQueuedSearches: 32,
};

export const DEFAULT_K = 10;
/** Items per page when a request names neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 50;

/** An integer in [min, max], or BAD_USER_INPUT naming the argument (`code` for the ones with their own). */
export function checkInt(name: string, value: number, min: number, max: number, code: 'BAD_USER_INPUT' | 'BAD_K' = 'BAD_USER_INPUT'): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ImsearchError(code, `${name} must be an integer from ${min} to ${max}, received ${value}`);
  }
  return value;
}

/**
 * A positive integer from a flag, an environment variable or an option object (numbers may come
 * as strings): BAD_USER_INPUT naming the option otherwise. The CLI and the server's configuration
 * both read theirs through here.
 */
export function parsePositiveInt(name: string, value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new ImsearchError('BAD_USER_INPUT', `Expected positive integer for ${name} but received ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return n;
}
