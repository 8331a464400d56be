/**
 * The inference layer's error vocabulary. Every error carries a stable `code` (for APIs and
 * reports) and a message that says what went wrong and what to do next.
 */

/** Why an input could not be turned into pixels. Stable strings: they end up in reports and API errors. */
export type DecodeFailure =
  /** Zero bytes. */
  | 'empty'
  /** Not a raster image format we decode (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF). */
  | 'not-image'
  /** The data ends before the image does. */
  | 'truncated'
  /** Recognised format, but the decoder rejected the data. */
  | 'corrupt'
  /** width x height above the configured pixel limit (decompression-bomb guard). */
  | 'too-many-pixels'
  /** File or buffer above the configured byte limit. */
  | 'too-large-bytes'
  /** The file could not be read (missing, a directory, no permission). */
  | 'unreadable';

export const DECODE_FAILURES: readonly DecodeFailure[] = [
  'empty',
  'not-image',
  'truncated',
  'corrupt',
  'too-many-pixels',
  'too-large-bytes',
  'unreadable',
];

export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
  constructor(
    readonly reason: DecodeFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ModelErrorCode =
  /** No manifest with that name. */
  | 'unknown-model'
  /** A manifest file is not valid JSON or misses / mistypes a field. */
  | 'bad-manifest'
  /** No model directory was given (flag or IMSEARCH_MODEL_DIR). */
  | 'no-model-dir'
  /** The model file is not in the model directory. */
  | 'model-missing'
  /** The model file's sha256 or size differs from the manifest. */
  | 'model-corrupt'
  /** No sha256 is published and the model store recorded none: the file cannot be trusted. */
  | 'model-unverified'
  /** The ONNX graph does not have the inputs / outputs / shapes the manifest declares. */
  | 'model-mismatch';

export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
