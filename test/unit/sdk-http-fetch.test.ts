/**
 * The Node entry's transport (httpFetch in sdk/node.ts) against a real node:http server on
 * 127.0.0.1: what arrives (method, headers, Content-Length, every byte of string, bytes and
 * disk-backed Blob bodies), what comes back (status and text, also for errors), connection reuse,
 * aborts, refused connections; and that the Node entry's client uses it by default while the
 * browser-safe entry's uses fetch.
 */
import assert from 'node:assert/strict';
import { openAsBlob } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
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
/** Requests to /hold get no answer until they are aborted. */
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

const bytes = (n: number, seed: number) => new Uint8Array(Array.from({ length: n }, (_, i) => (i * 29 + seed) & 0xff));

test('sends the method, headers, Content-Length and a string body; returns the status and the text', async () => {
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

test('sends bytes and a disk-backed Blob byte for byte, and reuses the connection', async () => {
  const data = bytes(50_000, 3);
  await httpFetch(`${base}/echo`, { method: 'POST', headers: {}, body: new Uint8Array(data) });
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

test('an abort rejects with an AbortError; a refused connection and a non-HTTP URL reject', async () => {
  const controller = new AbortController();
  const pending = httpFetch(`${base}/hold`, { method: 'POST', headers: {}, body: 'x', signal: controller.signal });
  await waitFor(() => held.length > 0, { timeoutMs: 5000, what: 'the held request to reach the server', intervalMs: 5 });
  controller.abort();
  await assert.rejects(pending, (e: unknown) => (e as Error).name === 'AbortError');
  await assert.rejects(httpFetch('http://127.0.0.1:1/', { method: 'POST', headers: {}, body: '' }), (e: unknown) => (e as NodeJS.ErrnoException).code === 'ECONNREFUSED');
  await assert.rejects(httpFetch('file:///etc/hostname', { method: 'POST', headers: {}, body: '' }), TypeError);
  await assert.rejects(new ImsearchClient({ endpoint: 'http://127.0.0.1:1/graphql' }).collections(), (e: unknown) => e instanceof ImsearchError && e.code === 'NETWORK_ERROR');
});

test("the Node entry's client sends through httpFetch, the browser-safe entry's through fetch", async () => {
  await new ImsearchClient({ endpoint: `${base}/graphql` }).collections();
  assert.equal(seen.at(-1)!.headers['sec-fetch-mode'], undefined, 'node:http sends no Fetch metadata');
  await new FetchClient({ endpoint: `${base}/graphql` }).collections();
  assert.equal(seen.at(-1)!.headers['sec-fetch-mode'], 'cors', "undici's fetch does");
});
