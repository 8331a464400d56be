/**
 * Errors of the model store. Each has a stable `code` and a message that says what went wrong and
 * what to do next (which command to run).
 */
export type ModelStoreErrorCode =
  /** No manifest with that name (built in or imported). */
  | 'unknown-model'
  /** No model store directory was given (flag or IMSEARCH_MODEL_DIR). */
  | 'no-model-dir'
  /** A manifest (built in or to import) fails validation. */
  | 'bad-manifest'
  /** The ONNX file does not have the inputs / outputs / shapes its manifest declares. */
  | 'model-mismatch'
  /** Every download location failed; `attempts` says why for each. */
  | 'download-failed'
  /** The model has no download location. */
  | 'no-source'
  /** The installed file is missing. */
  | 'model-missing'
  /** The installed file's sha256 differs from the published or recorded one. */
  | 'model-corrupt'
  /** Another process is pulling the same model. */
  | 'busy'
  /** Importing would replace a model without --force, or a name collides with a built-in manifest. */
  | 'exists';

export interface DownloadAttempt {
  url: string;
  cause: string;
}

export class ModelStoreError extends Error {
  override readonly name = 'ModelStoreError';
  constructor(
    readonly code: ModelStoreErrorCode,
    message: string,
    readonly attempts: DownloadAttempt[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure of one download attempt (one URL); `retryable` when resuming may help. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
