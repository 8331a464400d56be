/**
 * Errors of the model store, in the product's one vocabulary (errors/error-codes.ts). The
 * message says what went wrong and what to do next (which command to run).
 */
import { type ErrorCode, ImsearchError } from '../errors/error-codes.js';

/** The codes the model store fails with. */
export type ModelStoreErrorCode = Extract<
  ErrorCode,
  'UNKNOWN_MODEL' | 'NO_MODEL_DIR' | 'BAD_MANIFEST' | 'MODEL_MISMATCH' | 'MODEL_DOWNLOAD_FAILED' | 'MODEL_MISSING' | 'MODEL_CORRUPT' | 'BUSY' | 'MODEL_EXISTS'
>;

export interface DownloadAttempt {
  url: string;
  cause: string;
}

/** A model store failure; after a failed pull, `attempts` says why each location failed. */
export class ModelStoreError extends ImsearchError {
  override readonly name = 'ModelStoreError';
  constructor(
    override readonly code: ModelStoreErrorCode,
    message: string,
    readonly attempts: DownloadAttempt[] = [],
    options?: { cause?: unknown },
  ) {
    super(code, message, {}, options);
  }
}

/** A failure of one download attempt (one URL); `retryable` when resuming may help. */
export class DownloadError extends ImsearchError {
  override readonly name = 'DownloadError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super('MODEL_DOWNLOAD_FAILED', message, {}, options);
  }
}
