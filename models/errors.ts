import { ImsearchError } from '../errors/error-codes.js';

/** The codes a model can fail with while it is looked up, verified and loaded. */
export type ModelErrorCode =
  | 'UNKNOWN_MODEL'
  | 'BAD_MANIFEST'
  | 'NO_MODEL_DIR'
  | 'MODEL_MISSING'
  | 'MODEL_CORRUPT'
  | 'MODEL_UNVERIFIED'
  | 'MODEL_MISMATCH';

/**
 * A model that cannot be used. Its own class (not a bare ImsearchError) because the embedder
 * worker rebuilds it by name on the caller's side, and because its code is narrowed to the model
 * codes. The message names the model, the path, expected vs actual and how to get the file.
 */
export class ModelError extends ImsearchError {
  override readonly name = 'ModelError';
  constructor(
    override readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, {}, options);
  }
}
