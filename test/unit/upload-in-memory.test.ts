/**
 * graphql-upload as patched here (patches/graphql-upload+*.patch): an uploaded file is kept in
 * memory, not in a temporary file. A reader opened while the file is still arriving gets all of
 * it; a file cut by the size limit, or by the client going away, fails its reader instead of
 * giving it a truncated image; no temporary file is made.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import processRequest from 'graphql-upload/processRequest.mjs';
import type Upload from 'graphql-upload/Upload.mjs';

const BOUNDARY = 'imsearch-test-boundary';

function head(): string {
  const part = (name: string, value: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return (
    part('operations', JSON.stringify({ query: 'query ($u: Upload!) { x(u: $u) }', variables: { u: null } })) +
    part('map', JSON.stringify({ 0: ['variables.u'] })) +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`
  );
}
const tail = `\r\n--${BOUNDARY}--\r\n`;

/** A request stream with multipart headers and a response that can be closed, as processRequest expects. */
function exchange() {
  const request = Object.assign(new PassThrough(), { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
  const response = new EventEmitter();
  return { request, response };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

function tempFiles(): Set<string> {
  return new Set(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('capacitor-')));
}

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

test('a reader opened while the file is still arriving gets every byte, and no temporary file is made', async () => {
  const before = tempFiles();
  const { request, response } = exchange();
  const parsed = processRequest(request as never, response as never, { maxFileSize: 1 << 20 });
  const first = bytes(70_000, 1);
  const second = bytes(50_000, 2);
  request.write(head());
  request.write(first);
  const operations = (await parsed) as { variables: { u: Upload } };
  const file = await operations.variables.u.promise;
  const reading = readAll(file.createReadStream());
  // The rest arrives after the reader started.
  request.write(second);
  request.end(tail);
  assert.deepEqual(await reading, Buffer.concat([first, second]));
  // A second reader replays the whole file.
  assert.deepEqual(await readAll(file.createReadStream()), Buffer.concat([first, second]));
  assert.deepEqual(tempFiles(), before);
  response.emit('close');
});

test('a file above maxFileSize fails its reader (413) instead of giving a truncated file', async () => {
  const { request, response } = exchange();
  const parsed = processRequest(request as never, response as never, { maxFileSize: 1000 });
  request.write(head());
  request.write(bytes(800, 3));
  const file = await ((await parsed) as { variables: { u: Upload } }).variables.u.promise;
  // Reading started below the limit; the limit is passed while it waits for more.
  const reading = readAll(file.createReadStream());
  request.end(Buffer.concat([bytes(5000, 3), Buffer.from(tail)]));
  const tooLarge = (e: Error & { status?: number }) => e.status === 413 && /1000 byte size limit/.test(e.message);
  await assert.rejects(reading, tooLarge);
  // A reader opened afterwards is refused at once.
  await assert.rejects(async () => readAll(file.createReadStream()), tooLarge);
  response.emit('close');
});

test('a client that goes away mid-file fails the reader', async () => {
  const { request, response } = exchange();
  const parsed = processRequest(request as never, response as never, { maxFileSize: 1 << 20 });
  request.write(head());
  request.write(bytes(10_000, 4));
  const file = await ((await parsed) as { variables: { u: Upload } }).variables.u.promise;
  const reading = readAll(file.createReadStream());
  request.destroy();
  request.emit('close');
  await assert.rejects(reading, (e: Error & { status?: number }) => e.status === 499 || /disconnect|discarded|aborted/i.test(e.message));
  response.emit('close');
});
