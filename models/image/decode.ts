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
  /** Smallest accepted width and height, pixels (smaller images carry too little to embed). */
  minSide?: number;
}

export const DEFAULT_LIMITS: Required<DecodeLimits> = {
  maxPixels: 100_000_000,
  maxBytes: DEFAULT_MAX_FILE_BYTES,
  workingSize: 512,
  minSide: 8,
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

/** HEIF brands that mark AV1 coding (AVIF), the only HEIF the bundled libvips decodes (no HEVC). */
const AV1_BRANDS = new Set(['avif', 'avis']);

/** The ftyp box's major and compatible brands of a HEIF file. */
function heifBrands(buf: Uint8Array): string[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const size = Math.min(b.length, b.readUInt32BE(0));
  const brands = [b.toString('latin1', 8, 12)];
  for (let i = 16; i + 4 <= size; i += 4) brands.push(b.toString('latin1', i, i + 4));
  return brands;
}

/**
 * Why bytes that failed to decode failed, from the bytes alone. libvips' error text is
 * process-global, so under concurrent decodes a failure can carry another image's message:
 * nothing here reads it, and it is kept only as the error's cause.
 */
function failureOf(buf: Uint8Array, format: ImageFormat): DecodeFailure {
  return looksTruncated(buf, format) ? 'truncated' : 'corrupt';
}

/**
 * Decodes an encoded image (a Buffer, or a file path) to 8-bit sRGB RGB pixels, EXIF orientation
 * applied, CMYK converted through a standard CMYK profile when the file embeds none. Throws
 * ImageDecodeError for anything that is not a decodable image within the limits, each kind of
 * failure decided the same way every time: empty, not-image (no raster signature),
 * unsupported-format (HEIC: HEVC-coded HEIF), too-many-pixels and too-small (from the header,
 * before decoding), truncated or corrupt (by the bytes). `label` names the input in messages
 * (default: the path, or "the image").
 */
export async function decodeImage(input: Uint8Array | string, limits: DecodeLimits = {}, label?: string): Promise<DecodedImage> {
  const { maxPixels, maxBytes, workingSize, minSide } = { ...DEFAULT_LIMITS, ...limits };
  label ??= typeof input === 'string' ? input : 'the image';
  const buf = typeof input === 'string' ? await readImageFile(input, maxBytes) : input;
  if (buf.length === 0) throw new ImageDecodeError('empty', `${label} is empty (0 bytes).`);
  if (buf.length > maxBytes) {
    throw new ImageDecodeError('too-large-bytes', `${label} is ${describeBytes(buf.length)}, above the limit of ${describeBytes(maxBytes)}.`);
  }
  const format = sniffFormat(buf);
  if (!format) {
    throw new ImageDecodeError('not-image', `${label} is not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF).`);
  }
  if (format === 'heif' && !heifBrands(buf).some((b) => AV1_BRANDS.has(b))) {
    throw new ImageDecodeError('unsupported-format', `${label} is HEIC (HEVC-coded HEIF), which this build cannot decode: convert it to JPEG or AVIF.`);
  }
  // failOn 'truncated': reject data that ends early, accept the benign warnings real cameras
  // produce (extraneous bytes, odd markers), like the reference decoder (PIL) does.
  const image = sharp(buf, { failOn: 'truncated', limitInputPixels: maxPixels });
  let meta: sharp.Metadata;
  try {
    // The header alone, without the pixel limit: a bomb is reported as one, not as corrupt.
    meta = await sharp(buf, { failOn: 'truncated', limitInputPixels: false }).metadata();
  } catch (err) {
    const reason = failureOf(buf, format);
    throw new ImageDecodeError(reason, `${label} ${reason === 'truncated' ? 'is truncated' : `is not a readable ${format.toUpperCase()}`} (its header does not decode).`, { cause: err });
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width * height > maxPixels) {
    throw new ImageDecodeError('too-many-pixels', `${label} is ${width}x${height}, more than ${describeLimit(maxPixels)} (decompression-bomb limit).`);
  }
  if (Math.min(width, height) < minSide) {
    throw new ImageDecodeError('too-small', `${label} is ${width}x${height}, smaller than the minimum of ${minSide}x${minSide} pixels.`);
  }
  try {
    let pipeline = image.rotate();
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
    const reason = failureOf(buf, format);
    throw new ImageDecodeError(reason, reason === 'truncated' ? `${label} is truncated.` : `${label} could not be decoded as ${format.toUpperCase()} (corrupt data).`, { cause: err });
  }
}
