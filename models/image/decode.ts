/**
 * Decoding: bytes -> 3-channel 8-bit sRGB pixels (HWC), EXIF orientation applied, greyscale
 * replicated, alpha dropped. Bad input becomes an ImageDecodeError with a stable reason; nothing
 * else escapes. Decoding runs on libvips' threads (sharp), off the event loop.
 */
import sharp from 'sharp';
import { ImageDecodeError, type DecodeFailure } from './decode-error.js';
import { DEFAULT_MAX_FILE_BYTES, describeBytes, readImageFile } from './image-file.js';
import type { RgbImage } from './pixels.js';

export interface DecodeLimits {
  /** Largest width x height accepted, checked from the header before decoding (decompression bombs). */
  maxPixels?: number;
  /** Largest encoded size accepted, checked before reading a file. */
  maxBytes?: number;
  /**
   * Images whose shorter side exceeds this are reduced to it while decoding (libvips, linear,
   * antialiased, JPEG shrink-on-load only for the part beyond a 2x margin), which bounds memory and
   * the resampling work for big photos; 0 keeps full resolution. Keep it at least twice every
   * model's own resize size (the embedder's default) so the second, exact resize still does a real
   * antialiased reduction.
   */
  workingSize?: number;
}

export const DEFAULT_LIMITS: Required<DecodeLimits> = {
  maxPixels: 100_000_000,
  maxBytes: DEFAULT_MAX_FILE_BYTES,
  workingSize: 512,
};

export interface DecodedImage extends RgbImage {
  format: ImageFormat;
}

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'heif';

/** The raster format from the first bytes, or null. Only these reach the decoder (no SVG/PDF/text). */
export function sniffFormat(buf: Uint8Array): ImageFormat | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => buf[i + k] === b);
  const ascii = (i: number, s: string) => at(i, ...[...s].map((c) => c.charCodeAt(0)));
  if (buf.length >= 3 && at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (buf.length >= 8 && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (buf.length >= 6 && (ascii(0, 'GIF87a') || ascii(0, 'GIF89a'))) return 'gif';
  if (buf.length >= 12 && ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (buf.length >= 4 && (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a))) return 'tiff';
  if (buf.length >= 12 && ascii(4, 'ftyp')) {
    const brand = String.fromCharCode(...buf.subarray(8, 12));
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis'].includes(brand)) return 'heif';
  }
  return null;
}

const describeLimit = (n: number) => (n >= 1e6 ? `${+(n / 1e6).toFixed(1)} megapixels` : `${n} pixels`);

/**
 * Whether the data stops before the format's end marker: JPEG without an EOI (FF D9) after its
 * last start-of-scan, PNG without IEND, GIF without its trailer, WebP shorter than its RIFF size.
 * Null when the format has no cheap end check. libvips' error text is process-global, so under
 * concurrent decodes a failure can carry another image's message or "Unknown error": the bytes
 * decide instead.
 */
export function looksTruncated(buf: Uint8Array, format: ImageFormat): boolean | null {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  switch (format) {
    case 'jpeg': {
      const sos = b.lastIndexOf(Buffer.from([0xff, 0xda]));
      return sos < 0 || b.indexOf(Buffer.from([0xff, 0xd9]), sos + 2) < 0;
    }
    case 'png':
      return b.lastIndexOf(Buffer.from('IEND', 'latin1')) < 0;
    case 'gif':
      return b.subarray(Math.max(0, b.length - 16)).lastIndexOf(0x3b) < 0;
    case 'webp':
      return b.length < 12 || b.readUInt32LE(4) + 8 > b.length;
    default:
      return null;
  }
}

function classifySharpError(message: string): DecodeFailure {
  const m = message.toLowerCase();
  if (m.includes('pixel limit')) return 'too-many-pixels';
  if (m.includes('unsupported image format')) return 'not-image';
  if (m.includes('empty')) return 'empty';
  if (m.includes('premature end') || m.includes('truncated') || m.includes('unexpected end') || m.includes('end of file')) return 'truncated';
  return 'corrupt';
}

/**
 * Decodes an encoded image (a Buffer, or a file path) to 8-bit sRGB RGB pixels, EXIF orientation
 * applied. Throws ImageDecodeError for anything that is not a decodable image within the limits;
 * `label` names the input in messages (default: the path, or "the image").
 */
export async function decodeImage(input: Uint8Array | string, limits: DecodeLimits = {}, label?: string): Promise<DecodedImage> {
  const { maxPixels, maxBytes, workingSize } = { ...DEFAULT_LIMITS, ...limits };
  label ??= typeof input === 'string' ? input : 'the image';
  const buf = typeof input === 'string' ? await readImageFile(input, maxBytes) : input;
  if (buf.length === 0) throw new ImageDecodeError('empty', `${label} is empty (0 bytes).`);
  if (buf.length > maxBytes) {
    throw new ImageDecodeError('too-large-bytes', `${label} is ${describeBytes(buf.length)}, above the limit of ${describeBytes(maxBytes)}.`);
  }
  const format = sniffFormat(buf);
  if (!format) {
    throw new ImageDecodeError('not-image', `${label} is not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF).`);
  }
  try {
    // failOn 'truncated': reject data that ends early, accept the benign warnings real cameras
    // produce (extraneous bytes, odd markers), like the reference decoder (PIL) does.
    let pipeline = sharp(buf, { failOn: 'truncated', limitInputPixels: maxPixels }).rotate();
    if (workingSize > 0) {
      pipeline = pipeline.resize({
        width: workingSize,
        height: workingSize,
        fit: 'outside',
        withoutEnlargement: true,
        kernel: 'linear',
        fastShrinkOnLoad: false,
      });
    }
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoder produced ${info.channels} channels`);
    return { data, width: info.width, height: info.height, format };
  } catch (err) {
    // libvips' error text is shared by concurrent decodes: drop repeats and the empty placeholder.
    const message = [...new Set(((err as Error).message ?? String(err)).split('\n'))].filter((l) => l && l !== 'Unknown error').join('; ') || 'no detail';
    let reason = classifySharpError(message);
    if (reason === 'corrupt' && looksTruncated(buf, format)) reason = 'truncated';
    const detail =
      reason === 'too-many-pixels'
        ? `${label} has more than ${describeLimit(maxPixels)} (decompression-bomb limit).`
        : reason === 'truncated'
          ? `${label} is truncated (${message}).`
          : `${label} could not be decoded as ${format.toUpperCase()} (${message}).`;
    throw new ImageDecodeError(reason, detail, { cause: err });
  }
}
