/**
 * The SDK for Node: everything the browser-safe entry has, a client that talks HTTP through
 * node:http(s) instead of fetch, and `fileFromPath` for uploads from disk.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { type ClientOptions, type FetchLike, ImsearchClient as FetchClient } from './client.js';

export * from './index.js';

/** A file on disk as a File (named, streamed from disk while it is sent) for uploads. */
export async function fileFromPath(file: string, type?: string): Promise<File> {
  const blob = await fs.openAsBlob(file, type ? { type } : undefined);
  return new File([blob], path.basename(file), { type: type ?? blob.type });
}

/** What the answer's Content-Encoding names, undone (the encodings fetch accepts). */
const DECODERS: Record<string, (b: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

/** Headers the adapter sets from the body; a caller's would contradict them. */
const BODY_HEADERS = new Set(['content-length', 'transfer-encoding']);

/**
 * The client's requests over node:http(s). Node's fetch (undici) costs a search request 0.3 to
 * 1.2 ms more than this in its own request and stream machinery (BENCHMARKS.md, session 12), and
 * the API's whole overhead over the engine is a few milliseconds, so that is worth this adapter.
 * It does what the client asks of fetch and no more: one request, the status and the text of the
 * answer (decompressed, as fetch does); no redirects (a 3xx is not a GraphQL response: the
 * client's BAD_RESPONSE), no cookies, no cache. Once the signal aborts it rejects with the
 * signal's reason, as fetch does. Connections are reused through Node's global agents, which
 * keep them alive without keeping the process alive.
 */
export const httpFetch: FetchLike = async (url, init) => {
  const { signal } = init;
  signal?.throwIfAborted();
  const why = (err: unknown) => (signal?.aborted ? signal.reason : err);
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`httpFetch: ${target.protocol} URLs are not supported`);
  const body = typeof init.body === 'string' ? Buffer.from(init.body) : init.body instanceof ArrayBuffer ? Buffer.from(init.body) : init.body;
  const headers: Record<string, string> = { 'Accept-Encoding': 'gzip, deflate, br' };
  for (const [name, value] of Object.entries(init.headers)) if (!BODY_HEADERS.has(name.toLowerCase())) headers[name] = value;
  headers['Content-Length'] = String(body instanceof Blob ? body.size : body.byteLength);
  try {
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = (target.protocol === 'https:' ? https : http).request(target, { method: init.method, headers, signal }, resolve);
      request.once('error', reject);
      if (body instanceof Blob) pipeline(Readable.fromWeb(body.stream() as WebReadableStream<Uint8Array>), request).catch(reject);
      else request.end(body);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    let bytes: Buffer = Buffer.concat(chunks);
    const decode = DECODERS[String(response.headers['content-encoding'] ?? '').trim().toLowerCase()];
    if (decode) bytes = await decode(bytes);
    // TextDecoder, as fetch's text(): a UTF-8 byte order mark is dropped.
    const text = new TextDecoder().decode(bytes);
    return { status: response.statusCode ?? 0, text: async () => text };
  } catch (err) {
    throw why(err);
  }
};

/** The client, sending its requests with `httpFetch` unless `options.fetch` says otherwise. */
export class ImsearchClient extends FetchClient {
  constructor(options: ClientOptions) {
    super(options, httpFetch);
  }
}
