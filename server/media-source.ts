/**
 * An item's source file, re-checked every time media is served: the recorded path may have
 * become a FIFO, a device, a symlink out of the indexed folder, or another kind of file since it
 * was indexed. The file is opened without blocking and must be a regular file (models/image/
 * image-file.ts), its real path must still lie inside the folder it was indexed from (the
 * collection's uploads folder for uploads; the file's own folder for items recorded without
 * one), the open handle must be that same file, and its first bytes must be a raster format.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ImageDecodeError } from '../models/image/decode-error.js';
import { type ImageFormat, sniffFormat } from '../models/image/decode.js';
import { type OpenedFile, openRegularFile, withReadTimeout } from '../models/image/image-file.js';
import type { Item } from '../store/collection.js';

/** Why media cannot be served: an HTTP status and a sentence with no request data in it. */
export class MediaUnavailable extends Error {
  constructor(
    readonly status: 404 | 422,
    message: string,
  ) {
    super(message);
  }
}

export interface MediaSource extends OpenedFile {
  format: ImageFormat;
}

const HEAD_BYTES = 16;

function inside(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Opens the item's source after the checks above; the caller closes `handle`. */
export async function openMediaSource(item: Item): Promise<MediaSource> {
  const source = path.resolve(item.source);
  let opened: OpenedFile;
  try {
    opened = await openRegularFile(source);
  } catch (err) {
    const missing = (err as ImageDecodeError).cause && ((err as ImageDecodeError).cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MediaUnavailable(missing ? 404 : 422, missing ? "the item's file is missing on the server" : "the item's file is not a regular file");
  }
  try {
    const root = path.resolve(item.root ?? path.dirname(source));
    const [real, realRoot] = await Promise.all([fsp.realpath(source), fsp.realpath(root)]);
    const now = await fsp.stat(real);
    // The path may have been swapped between the open and the realpath: the handle must be the file checked.
    if (!inside(real, realRoot) || now.ino !== opened.stats.ino || now.dev !== opened.stats.dev) {
      throw new MediaUnavailable(422, "the item's file is no longer inside the folder it was indexed from");
    }
    const { buffer, bytesRead } = await withReadTimeout(source, 5_000, opened.handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0));
    const format = sniffFormat(buffer.subarray(0, bytesRead));
    if (!format) throw new MediaUnavailable(422, "the item's file is no longer an image in a supported format");
    return { ...opened, format };
  } catch (err) {
    await opened.handle.close().catch(() => undefined);
    if (err instanceof MediaUnavailable) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MediaUnavailable(404, "the item's file is missing on the server");
    if (err instanceof ImageDecodeError) throw new MediaUnavailable(422, "the item's file cannot be read");
    throw err;
  }
}
