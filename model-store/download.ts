/**
 * One URL -> `<file>.part`, resumable: an existing part is continued with a `Range` request
 * (`If-Range` with the validator the server gave for that part, so a changed file restarts); a
 * 206 with the right Content-Range appends, a 200 restarts from byte 0, a 416 for a complete part
 * finishes it. An interrupted transfer that made progress is resumed automatically a few times.
 * The caller checks the sha256 this returns and moves the part into place.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { DownloadError } from './errors.js';
import { httpGet, type HttpOptions } from './http.js';

export interface DownloadProgress {
  url: string;
  /** Bytes in the part file so far. */
  received: number;
  /** Total size when the server says it. */
  total: number | null;
  /** Bytes that were already there when this request started. */
  resumedFrom: number;
}

export interface DownloadOptions extends HttpOptions {
  /** Expected size (manifest `bytes`): a server offering another size is refused early. */
  expectedBytes?: number | null;
  /** Automatic Range resumes after interruptions within one call (default 5). */
  maxResumes?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** Human-readable notes: resuming, restarting, why. */
  onEvent?: (message: string) => void;
}

export interface DownloadResult {
  url: string;
  proxy: string | null;
  bytes: number;
  sha256: string;
  /** HTTP requests made (redirect hops not counted). */
  requests: number;
  /** Size of the part file when the call started (> 0: a previous download was continued). */
  startedFrom: number;
  /** Automatic resumes after interruptions in this call. */
  resumes: number;
}

interface PartMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  total?: number | null;
}

export function partMetaPath(partPath: string): string {
  return `${partPath}.json`;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fsp.stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

async function readMeta(partPath: string): Promise<PartMeta | null> {
  try {
    return JSON.parse(await fsp.readFile(partMetaPath(partPath), 'utf8')) as PartMeta;
  } catch {
    return null;
  }
}

export async function hashFile(file: string, hash: Hash = createHash('sha256')): Promise<Hash> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash;
}

function parseContentRange(v: string | undefined): { start: number; end: number; total: number | null } | null {
  const m = v ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim()) : null;
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

function unsatisfiedTotal(v: string | undefined): number | null {
  const m = v ? /^bytes \*\/(\d+)$/.exec(v.trim()) : null;
  return m ? Number(m[1]) : null;
}

function errMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code && !err.message.includes(err.code)) return `${err.message} (${err.code})`;
  return err?.message ?? String(e);
}

export async function downloadToPart(url: string, partPath: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const maxResumes = opts.maxResumes ?? 5;
  const expected = opts.expectedBytes ?? null;
  const startedFrom = await sizeOf(partPath);
  let requests = 0;
  let resumes = 0;
  let proxy: string | null = null;
  let hash: Hash | null = null;
  let final = 0;

  for (;;) {
    opts.signal?.throwIfAborted();
    let offset = await sizeOf(partPath);
    if (expected !== null && offset > expected) {
      opts.onEvent?.(`partial file is larger than the model (${offset} > ${expected} bytes): starting again`);
      await fsp.truncate(partPath, 0);
      offset = 0;
    }
    if (expected !== null && offset === expected && offset > 0) {
      hash = null; // complete already: hash from disk below
      final = offset;
      break;
    }
    const headers: Record<string, string> = {};
    const meta = offset > 0 ? await readMeta(partPath) : null;
    if (offset > 0) {
      headers['Range'] = `bytes=${offset}-`;
      const validator = meta?.url === url ? (meta.etag && !meta.etag.startsWith('W/') ? meta.etag : meta.lastModified) : undefined;
      if (validator) headers['If-Range'] = validator;
    }
    requests++;
    const res = await httpGet(url, headers, opts);
    proxy = res.proxy;
    let total: number | null;
    let append = false;

    if (res.status === 416 && offset > 0) {
      res.body.resume();
      const size = unsatisfiedTotal(res.headers['content-range']);
      if (size === offset) {
        final = offset;
        hash = null;
        break;
      }
      opts.onEvent?.(`server refused the range bytes=${offset}- (HTTP 416): starting again from byte 0`);
      await fsp.truncate(partPath, 0);
      if (resumes++ >= maxResumes) throw new DownloadError('server keeps refusing the requested range (HTTP 416)', false);
      continue;
    } else if (res.status === 206 && offset > 0) {
      const cr = parseContentRange(res.headers['content-range']);
      if (!cr || cr.start !== offset) {
        res.body.destroy();
        opts.onEvent?.(`server sent ${res.headers['content-range'] ?? 'no Content-Range'} for bytes=${offset}-: starting again from byte 0`);
        await fsp.truncate(partPath, 0);
        if (resumes++ >= maxResumes) throw new DownloadError('server does not honour range requests consistently', false);
        continue;
      }
      total = cr.total;
      append = true;
      opts.onEvent?.(`resuming at byte ${offset}${total !== null ? ` of ${total}` : ''} (HTTP 206)`);
    } else if (res.status === 200) {
      if (offset > 0) opts.onEvent?.(`server answered the range request with the whole file (HTTP 200): starting again from byte 0`);
      const len = res.headers['content-length'];
      total = len !== undefined && /^\d+$/.test(len) ? Number(len) : null;
      offset = 0;
    } else {
      res.body.resume();
      throw new DownloadError(`HTTP ${res.status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`, false);
    }

    if (expected !== null && total !== null && total !== expected) {
      res.body.destroy();
      throw new DownloadError(`server offers ${total} bytes, the manifest says ${expected}: not the expected file`, false);
    }
    const newMeta: PartMeta = { url, total };
    if (typeof res.headers.etag === 'string') newMeta.etag = res.headers.etag;
    if (typeof res.headers['last-modified'] === 'string') newMeta.lastModified = res.headers['last-modified'];
    await fsp.writeFile(partMetaPath(partPath), JSON.stringify(newMeta));

    hash = append ? await hashFile(partPath) : createHash('sha256');
    const fh = await fsp.open(partPath, append ? 'a' : 'w');
    let received = offset;
    const startOfRequest = offset;
    opts.onProgress?.({ url, received, total, resumedFrom: startOfRequest });
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        await fh.write(chunk);
        hash.update(chunk);
        received += chunk.length;
        if (total !== null && received > total) throw new DownloadError(`server sent more than the announced ${total} bytes`, false);
        opts.onProgress?.({ url, received, total, resumedFrom: startOfRequest });
      }
      if (total !== null && received < total) throw new DownloadError(`connection closed after ${received} of ${total} bytes`, true);
      await fh.sync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      res.body.destroy();
      opts.signal?.throwIfAborted();
      const made = received > startOfRequest;
      const why = errMessage(e);
      const at = `at byte ${received}${total !== null ? ` of ${total}` : ''}`;
      if (e instanceof DownloadError && !e.retryable) throw e;
      if (made && resumes < maxResumes) {
        resumes++;
        opts.onEvent?.(`transfer interrupted ${at} (${why}): resuming with a Range request`);
        continue;
      }
      throw new DownloadError(`transfer interrupted ${at}: ${why}`, true, { cause: e });
    }
    await fh.close();
    final = received;
    break;
  }

  const digest = (hash ?? (await hashFile(partPath))).digest('hex');
  return { url, proxy, bytes: final, sha256: digest, requests, startedFrom, resumes };
}
