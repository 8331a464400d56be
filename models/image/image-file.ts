/**
 * Opening and reading image files, the one way every path is read (indexing, CLI search, media,
 * thumbnails). A path can name anything: a FIFO would block an ordinary open (and every later
 * read) until a writer appears, a character device never ends. So the file is opened without
 * blocking, checked with fstat on the open handle (what is checked is what is read, with no
 * window for a swap between a stat and an open), refused unless it is a regular file, and read
 * under a time limit.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { ImageDecodeError } from './decode-error.js';

export const DEFAULT_READ_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

export const describeBytes = (n: number) => (n >= 1 << 20 ? `${+(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`);

/** What a non-regular file is, for messages. */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export interface OpenedFile {
  handle: fsp.FileHandle;
  stats: fs.Stats;
}

/**
 * Opens `file` for reading without blocking and returns the handle with its fstat; a file that
 * is not regular is closed again and refused (ImageDecodeError 'unreadable', naming what it is).
 */
export async function openRegularFile(file: string): Promise<OpenedFile> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ImageDecodeError('unreadable', `Cannot open ${file} (${code}).`, { cause: err });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ImageDecodeError('unreadable', `${file} is ${kindOf(stats)}, not a regular file.`);
    return { handle, stats };
  } catch (err) {
    await handle.close().catch(() => undefined);
    if (err instanceof ImageDecodeError) throw err;
    throw new ImageDecodeError('unreadable', `Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, { cause: err });
  }
}

/** `work`, or ImageDecodeError 'unreadable' when it takes longer than `timeoutMs`. */
export async function withReadTimeout<T>(file: string, timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ImageDecodeError('unreadable', `Reading ${file} took longer than ${timeoutMs} ms.`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a whole image file: refuses non-regular files, files over `maxBytes` (checked before
 * reading) and empty files, all as ImageDecodeError; the read has `timeoutMs`.
 */
export async function readImageFile(file: string, maxBytes: number = DEFAULT_MAX_FILE_BYTES, timeoutMs: number = DEFAULT_READ_TIMEOUT_MS): Promise<Buffer> {
  const opened = await openRegularFile(file);
  try {
    return await readOpenedFile(opened, file, maxBytes, timeoutMs);
  } finally {
    // A read stuck past its time limit still holds the handle: closing waits for it, off the caller's path.
    void opened.handle.close().catch(() => undefined);
  }
}

/** The bytes of a file opened with openRegularFile (the caller closes it), with the same checks as readImageFile. */
export async function readOpenedFile({ handle, stats }: OpenedFile, file: string, maxBytes: number, timeoutMs: number = DEFAULT_READ_TIMEOUT_MS): Promise<Buffer> {
  if (stats.size > maxBytes) {
    throw new ImageDecodeError('too-large-bytes', `${file} is ${describeBytes(stats.size)}, above the limit of ${describeBytes(maxBytes)}.`);
  }
  if (stats.size === 0) throw new ImageDecodeError('empty', `${file} is empty (0 bytes).`);
  try {
    const buf = await withReadTimeout(file, timeoutMs, handle.readFile());
    if (buf.length > maxBytes) throw new ImageDecodeError('too-large-bytes', `${file} is above the limit of ${describeBytes(maxBytes)}.`);
    return buf;
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ImageDecodeError('unreadable', `Cannot read ${file} (${code}).`, { cause: err });
  }
}
