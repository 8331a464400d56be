/**
 * The SDK's multipart encoding (sdk/multipart.ts), read back by the server's own parser
 * (graphql-upload's processRequest, busboy underneath): every field and every byte of every file
 * arrive, names are escaped as browsers' FormData escapes them, and an untyped Blob is sent as
 * application/octet-stream.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import processRequest from 'graphql-upload/processRequest.mjs';
import type Upload from 'graphql-upload/Upload.mjs';
import { escapeDispositionName, multipartBody } from '../../sdk/multipart.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Bytes that look like multipart syntax: CRLFs, dashes, a boundary-like prefix. */
const tricky = Buffer.concat([Buffer.from('\r\n--\r\n----imsearch-\r\n\r\n'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37 + 11) & 0xff))]);
const plain = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 13 + 5) & 0xff));

test('a body encoded by the SDK is parsed by graphql-upload into the same operations and files', async () => {
  const operations = { query: 'mutation ($a: Upload!, $b: [Upload!]!) { x(a: $a, b: $b) }', variables: { a: null, b: [null] }, operationName: null };
  const { body, contentType } = multipartBody(
    [
      ['operations', JSON.stringify(operations)],
      ['map', JSON.stringify({ 0: ['variables.a'], 1: ['variables.b.0'] })],
    ],
    [
      { field: '0', file: new Blob([tricky], { type: 'image/jpeg' }), filename: 'say "cheese"\r\n.jpg' },
      { field: '1', file: new Blob([plain]), filename: 'plain.png' },
    ],
  );
  assert.match(contentType, /^multipart\/form-data; boundary=----imsearch-[0-9a-f]{32}$/);
  const request = Object.assign(new PassThrough(), { headers: { 'content-type': contentType } });
  const parsed = processRequest(request as never, new EventEmitter() as never, { maxFileSize: 1 << 20, maxFiles: 2 });
  request.end(Buffer.from(await body.arrayBuffer()));
  const result = (await parsed) as { query: string; variables: { a: Upload; b: Upload[] } };
  assert.equal(result.query, operations.query);
  const a = await result.variables.a.promise;
  const b = await result.variables.b[0].promise;
  assert.equal(a.filename, 'say %22cheese%22%0D%0A.jpg');
  assert.equal(a.mimetype, 'image/jpeg');
  assert.equal(b.filename, 'plain.png');
  assert.equal(b.mimetype, 'application/octet-stream');
  assert.deepEqual(await readAll(a.createReadStream()), tricky);
  assert.deepEqual(await readAll(b.createReadStream()), plain);
});

test("the bytes equal fetch's own FormData encoding of the same fields and files, odd file names included", async () => {
  const operations = JSON.stringify({ query: 'q', variables: { u: null } });
  const map = JSON.stringify({ 0: ['variables.u'] });
  for (const filename of ['say "cheese"\r\n.jpg', 'ünïcödé 100% \\ back.png', 'plain.jpg']) {
    const file = new File([tricky], filename, { type: 'image/jpeg' });
    const form = new FormData();
    form.append('operations', operations);
    form.append('map', map);
    form.append('0', file, filename);
    const reference = new Response(form);
    const boundary = /boundary=(.+)$/.exec(reference.headers.get('content-type') ?? '')?.[1];
    assert.ok(boundary);
    const ours = multipartBody([['operations', operations], ['map', map]], [{ field: '0', file, filename }], boundary);
    assert.deepEqual(Buffer.from(await ours.body.arrayBuffer()), Buffer.from(await reference.arrayBuffer()), filename);
  }
});

test('each body gets its own boundary, and names are escaped as FormData escapes file names', () => {
  const one = multipartBody([['operations', '{}']], []);
  const two = multipartBody([['operations', '{}']], []);
  assert.notEqual(one.contentType, two.contentType);
  assert.equal(escapeDispositionName('a"b\rc\nd'), 'a%22b%0Dc%0Ad');
  assert.equal(escapeDispositionName('plain name.jpg'), 'plain name.jpg');
});

test('the body is exactly the multipart syntax around the parts', async () => {
  const { body } = multipartBody([['operations', '{"q":1}']], [{ field: '0', file: new Blob(['xyz'], { type: 'text/plain' }), filename: 'f.txt' }], 'B');
  assert.equal(
    await body.text(),
    '--B\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"q":1}\r\n' +
      '--B\r\nContent-Disposition: form-data; name="0"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\nxyz\r\n' +
      '--B--\r\n',
  );
});
