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
import { type ClientOptions, type FetchLike, ImsearchClient as FetchClient } from './client.js';

export * from './index.js';

/** A file on disk as a File (named, streamed from disk while it is sent) for uploads. */
export async function fileFromPath(file: string, type?: string): Promise<File> {
  const blob = await fs.openAsBlob(file, type ? { type } : undefined);
  return new File([blob], path.basename(file), { type: type ?? blob.type });
}

/**
 * The client's requests over node:http(s). Node's fetch (undici) spends about 0.4 ms more than
 * node:http on a request to a local server and about 1 ms more on a search request (BENCHMARKS.md,
 * session 12), in its own request and stream machinery: a client's whole overhead over the API is
 * a few milliseconds, so that is worth this adapter. It does what the client asks of fetch and no
 * more: one request, the status and the text of the answer; no redirects (a 3xx is not a GraphQL
 * response: the client's BAD_RESPONSE), no cookies, no cache. Connections are reused through
 * Node's global agents, which keep them alive without keeping the process alive.
 */
export const httpFetch: FetchLike = async (url, init) => {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`httpFetch: ${target.protocol} URLs are not supported`);
  const body = typeof init.body === 'string' ? Buffer.from(init.body) : init.body;
  const length = body instanceof Blob ? body.size : body.byteLength;
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = (target.protocol === 'https:' ? https : http).request(target, { method: init.method, headers: { ...init.headers, 'Content-Length': String(length) }, signal: init.signal }, resolve);
    request.once('error', reject);
    if (body instanceof Blob) pipeline(Readable.fromWeb(body.stream() as WebReadableStream<Uint8Array>), request).catch(reject);
    else request.end(body);
  });
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return { status: response.statusCode ?? 0, text: async () => text };
};

/** The client, sending its requests with `httpFetch` unless `options.fetch` says otherwise. */
export class ImsearchClient extends FetchClient {
  constructor(options: ClientOptions) {
    super({ fetch: httpFetch, ...options });
  }
}
