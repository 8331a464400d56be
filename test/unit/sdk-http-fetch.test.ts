/**
 * The Node entry's transport (httpFetch in sdk/node.ts) against a real node:http server on
 * 127.0.0.1: what arrives (method, headers, Content-Length, every byte of string, bytes and
 * disk-backed Blob bodies), what comes back (status and text, also for errors, compressed or
 * split mid-character), connection reuse, aborts before and after the answer starts, refused
 * connections; and that the Node entry's client uses it by default while the browser-safe
 * entry's uses fetch, and that both report an abort alike.
 */
import assert from 'node:assert/strict';
import { openAsBlob } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ImsearchClient as FetchClient } from '../../sdk/index.js';
import { ImsearchClient, ImsearchError, httpFetch } from '../../sdk/node.js';
import { waitFor } from '../helpers/wait-for.js';

interface Seen {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  remotePort: number;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];
/** Requests to /hold get no answer, to /half only its headers and part of its body, until they are aborted. */
const held: http.ServerResponse[] = [];

before(async () => {
  server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    seen.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks), remotePort: req.socket.remotePort ?? 0 });
    if (req.url === '/hold') {
      held.push(res);
      return;
    }
    if (req.url === '/half') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
      held.push(res);
      return;
    }
    if (req.url === '/gzip') {
      res.setHeader('content-encoding', 'gzip');
      res.end(gzipSync(Buffer.from(`\uFEFFgzipped for ${req.headers['accept-encoding']} é`)));
      return;
    }
    if (req.url === '/split') {
      // "é" is two bytes in UTF-8: sent in two writes.
      const e = Buffer.from('é');
      res.write(e.subarray(0, 1));
      setImmediate(() => res.end(e.subarray(1)));
      return;
    }
    if (req.url === '/graphql') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { collections: [] } }));
      return;
    }
    res.statusCode = req.url === '/bad' ? 502 : 200;
    res.end(`échoed ${chunks.reduce((n, c) => n + c.length, 0)} bytes`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** No test here waits without an end, even when the abort it checks stops working. */
const LIMIT = { timeout: 20_000 };

const bytes = (n: number, seed: number) => new Uint8Array(Array.from({ length: n }, (_, i) => (i * 29 + seed) & 0xff));

test('sends the method, headers, Content-Length and a string body; returns the status and the text', LIMIT, async () => {
  const res = await httpFetch(`${base}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Test': 'yes' }, body: '{"q":"é"}' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'échoed 10 bytes');
  const last = seen.at(-1)!;
  assert.equal(last.method, 'POST');
  assert.equal(last.headers['content-type'], 'application/json');
  assert.equal(last.headers['x-test'], 'yes');
  assert.equal(last.headers['content-length'], '10');
  assert.equal(last.body.toString('utf8'), '{"q":"é"}');
  const bad = await httpFetch(`${base}/bad`, { method: 'POST', headers: {}, body: '' });
  assert.equal(bad.status, 502);
  assert.equal(await bad.text(), 'échoed 0 bytes');
});

test('sends bytes and a disk-backed Blob byte for byte, and reuses the connection', LIMIT, async () => {
  const data = bytes(50_000, 3);
  await httpFetch(`${base}/echo`, { method: 'POST', headers: {}, body: data.buffer });
  const first = seen.at(-1)!;
  assert.deepEqual(new Uint8Array(first.body), data);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imsearch-http-fetch-'));
  try {
    const file = path.join(dir, 'big.bin');
    const big = bytes(300_000, 7);
    await fs.writeFile(file, big);
    const blob = new Blob(['head:', await openAsBlob(file), ':tail']);
    const res = await httpFetch(`${base}/echo`, { method: 'POST', headers: {}, body: blob });
    assert.equal(await res.text(), `échoed ${blob.size} bytes`);
    const second = seen.at(-1)!;
    assert.equal(second.headers['content-length'], String(blob.size));
    assert.deepEqual(new Uint8Array(second.body), new Uint8Array(await blob.arrayBuffer()));
    assert.equal(second.remotePort, first.remotePort, 'the keep-alive connection is reused');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('an abort before or after the answer starts rejects with the signal\'s reason; a refused connection and a non-HTTP URL reject', LIMIT, async () => {
  for (const where of ['/hold', '/half']) {
    const controller = new AbortController();
    const before = held.length;
    const pending = httpFetch(`${base}${where}`, { method: 'POST', headers: {}, body: 'x', signal: controller.signal });
    await waitFor(() => held.length > before, { timeoutMs: 5000, what: `the ${where} request to reach the server`, intervalMs: 5 });
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof DOMException && e.name === 'AbortError', where);
  }
  await assert.rejects(
    httpFetch(`${base}/hold`, { method: 'POST', headers: {}, body: 'x', signal: AbortSignal.timeout(50) }),
    (e: unknown) => e instanceof DOMException && e.name === 'TimeoutError',
  );
  await assert.rejects(httpFetch('http://127.0.0.1:1/', { method: 'POST', headers: {}, body: '' }), (e: unknown) => (e as NodeJS.ErrnoException).code === 'ECONNREFUSED');
  await assert.rejects(httpFetch('file:///etc/hostname', { method: 'POST', headers: {}, body: '' }), TypeError);
  await assert.rejects(new ImsearchClient({ endpoint: 'http://127.0.0.1:1/graphql' }).collections(), (e: unknown) => e instanceof ImsearchError && e.code === 'NETWORK_ERROR');
});

test('both clients report an abort alike: the signal\'s reason, not a NETWORK_ERROR', LIMIT, async () => {
  for (const client of [new ImsearchClient({ endpoint: `${base}/half` }), new FetchClient({ endpoint: `${base}/half` })]) {
    await assert.rejects(client.collections({ signal: AbortSignal.timeout(100) }), (e: unknown) => e instanceof DOMException && e.name === 'TimeoutError');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client.collections({ signal: controller.signal }), (e: unknown) => e instanceof DOMException && e.name === 'AbortError');
  }
});

test('a gzipped answer is decoded (and asked for), a byte order mark dropped, a character split across writes kept whole', LIMIT, async () => {
  const gz = await httpFetch(`${base}/gzip`, { method: 'POST', headers: {}, body: '' });
  assert.equal(await gz.text(), 'gzipped for gzip, deflate, br é');
  const split = await httpFetch(`${base}/split`, { method: 'POST', headers: {}, body: '' });
  assert.equal(await split.text(), 'é');
});

test('a Content-Length or Transfer-Encoding header of the caller is replaced by the body\'s length', LIMIT, async () => {
  const res = await httpFetch(`${base}/echo`, { method: 'POST', headers: { 'content-length': '999', 'Transfer-Encoding': 'chunked' }, body: 'abc' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'échoed 3 bytes');
  assert.equal(seen.at(-1)!.headers['content-length'], '3');
  assert.equal(seen.at(-1)!.headers['transfer-encoding'], undefined);
});

test("the Node entry's client sends through httpFetch, the browser-safe entry's through fetch", LIMIT, async () => {
  await new ImsearchClient({ endpoint: `${base}/graphql` }).collections();
  assert.equal(seen.at(-1)!.headers['sec-fetch-mode'], undefined, 'node:http sends no Fetch metadata');
  await new FetchClient({ endpoint: `${base}/graphql` }).collections();
  assert.equal(seen.at(-1)!.headers['sec-fetch-mode'], 'cors', "undici's fetch does");
});
