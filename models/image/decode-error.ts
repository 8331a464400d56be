import { ImsearchError } from '../../errors/error-codes.js';

/** Why an input could not be turned into pixels. Stable strings: they end up in reports and API errors. */
export type DecodeFailure =
  /** Zero bytes. */
  | 'empty'
  /** Not a raster image format we decode (JPEG, PNG, WebP, GIF, TIFF, AVIF). */
  | 'not-image'
  /** A recognised image format this build cannot decode (HEIC: HEVC-coded HEIF). */
  | 'unsupported-format'
  /** The data ends before the image does. */
  | 'truncated'
  /** Recognised format, but the decoder rejected the data. */
  | 'corrupt'
  /** width x height above the configured pixel limit (decompression-bomb guard). */
  | 'too-many-pixels'
  /** Width or height below the configured minimum. */
  | 'too-small'
  /** File or buffer above the configured byte limit. */
  | 'too-large-bytes'
  /** The file could not be read (missing, not a regular file, no permission, too slow). */
  | 'unreadable';

export const DECODE_FAILURES: readonly DecodeFailure[] = [
  'empty',
  'not-image',
  'unsupported-format',
  'truncated',
  'corrupt',
  'too-many-pixels',
  'too-small',
  'too-large-bytes',
  'unreadable',
];

/**
 * A bad image. The code is BAD_IMAGE, except an input above the byte limit (UPLOAD_TOO_LARGE: the
 * client must send less, not something else); `reason` says which failure, also in `details`.
 */
export class ImageDecodeError extends ImsearchError {
  override readonly name = 'ImageDecodeError';
  constructor(
    readonly reason: DecodeFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(reason === 'too-large-bytes' ? 'UPLOAD_TOO_LARGE' : 'BAD_IMAGE', message, { reason }, options);
  }
}
