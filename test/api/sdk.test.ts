/**
 * The SDK: multipart encoding, headers, typed errors, and that its core (what the browser page
 * loads) uses no Node-only API. Transport tests use a recording fetch; one test runs the typed
 * documents against a real server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { CollectionsDocument, ImsearchClient, ImsearchError, SimilarImagesDocument, extractFiles } from '../../sdk/index.js';
import { ImsearchClient as NodeClient, fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';

interface Recorded {
  url: string;
  init: RequestInit;
}

function recordingFetch(reply: (r: Recorded) => Response | Promise<Response>): { fetch: typeof fetch; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const f = (async (url: string | URL | Request, init?: RequestInit) => {
    const r = { url: String(url), init: init ?? {} };
    calls.push(r);
    return reply(r);
  }) as typeof fetch;
  return { fetch: f, calls };
}

const ok = (data: unknown, extensions?: unknown) => new Response(JSON.stringify({ data, extensions }), { headers: { 'content-type': 'application/json' } });

describe('SDK transport', () => {
  it('extractFiles replaces every Blob with null and records its path', () => {
    const a = new Blob(['a']);
    const b = new File(['b'], 'b.jpg');
    const { clone, files } = extractFiles({ upload: a, images: [{ file: b, label: 'x' }, { label: 'y' }], k: 3, models: ['m'] });
    assert.deepEqual(clone, { upload: null, images: [{ file: null, label: 'x' }, { label: 'y' }], k: 3, models: ['m'] });
    assert.deepEqual(files.map((f) => f.path), ['upload', 'images.0.file']);
    assert.equal(files[1].file, b);
  });

  it('sends JSON without files, a multipart request with the preflight header with files, and the API key', async () => {
    const rec = recordingFetch(() => ok({ similarImages: { collection: 'c', k: 2, models: [], matches: [] } }, { timing: { totalMs: 5, embedMs: 3, searchMs: 1 } }));
    const client = new ImsearchClient({ endpoint: 'http://api.test/graphql', apiKey: 'k-123456789', fetch: rec.fetch });
    await client.collections().catch(() => undefined);
    const json = rec.calls[0].init;
    const jsonHeaders = json.headers as Record<string, string>;
    assert.equal(jsonHeaders['Content-Type'], 'application/json');
    assert.equal(jsonHeaders.Authorization, 'Bearer k-123456789');
    assert.equal(jsonHeaders['Apollo-Require-Preflight'], undefined);
    assert.equal(JSON.parse(String(json.body)).operationName, 'Collections');

    const file = new File([new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3])], 'q.jpg', { type: 'image/jpeg' });
    const result = await client.similarImages(file, { k: 2 });
    assert.equal(result.k, 2);
    assert.deepEqual(client.lastTiming, { totalMs: 5, embedMs: 3, searchMs: 1 });
    const multipart = rec.calls[1].init;
    const headers = multipart.headers as Record<string, string>;
    assert.equal(headers['Apollo-Require-Preflight'], 'true');
    assert.match(headers['Content-Type'], /^multipart\/form-data; boundary=/);
    // A small body is sent as bytes; fetch's own multipart parser reads it back.
    assert.ok(multipart.body instanceof ArrayBuffer);
    const form = await new Response(multipart.body, { headers: { 'Content-Type': headers['Content-Type'] } }).formData();
    const operations = JSON.parse(String(form.get('operations')));
    assert.equal(operations.operationName, 'SimilarImages');
    assert.deepEqual(operations.variables, { upload: null, k: 2 });
    assert.deepEqual(JSON.parse(String(form.get('map'))), { 0: ['variables.upload'] });
    const sent = form.get('0') as File;
    assert.equal(sent.name, 'q.jpg');
    assert.equal(sent.type, 'image/jpeg');
    assert.deepEqual(new Uint8Array(await sent.arrayBuffer()), new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]));
  });

  it('turns GraphQL errors into an ImsearchError with the code; keeps the rest', async () => {
    const rec = recordingFetch(
      () =>
        new Response(JSON.stringify({ data: null, errors: [{ message: 'k must be…', extensions: { code: 'BAD_K' } }, { message: 'second' }] }), {
          headers: { 'content-type': 'application/json' },
        }),
    );
    const client = new ImsearchClient({ endpoint: 'http://api.test/graphql', fetch: rec.fetch });
    await assert.rejects(client.similarTo('1', { k: 0 }), (e: unknown) => {
      assert.ok(e instanceof ImsearchError);
      assert.equal(e.code, 'BAD_K');
      assert.equal(e.message, 'k must be…');
      assert.equal(e.errors.length, 2);
      return true;
    });
    // execute() returns errors instead of throwing
    const raw = await client.execute(CollectionsDocument);
    assert.equal(raw.errors?.[0].extensions?.code, 'BAD_K');
  });

  it('NETWORK_ERROR when the server is unreachable, BAD_RESPONSE for a non-GraphQL answer, errors on non-2xx bodies', async () => {
    const down = new ImsearchClient({ endpoint: 'http://127.0.0.1:1/graphql' });
    await assert.rejects(down.collections(), (e: unknown) => e instanceof ImsearchError && e.code === 'NETWORK_ERROR');
    const html = new ImsearchClient({ endpoint: 'http://x/graphql', fetch: recordingFetch(() => new Response('<html>502</html>', { status: 502 })).fetch });
    await assert.rejects(html.collections(), (e: unknown) => e instanceof ImsearchError && e.code === 'BAD_RESPONSE' && e.status === 502);
    const tooMany = new ImsearchClient({
      endpoint: 'http://x/graphql',
      fetch: recordingFetch(() => new Response(JSON.stringify({ errors: [{ message: '4 max file uploads exceeded.', extensions: { code: 'TOO_MANY_FILES' } }] }), { status: 413 })).fetch,
    });
    await assert.rejects(tooMany.collections(), (e: unknown) => e instanceof ImsearchError && e.code === 'TOO_MANY_FILES');
  });

  it('sends minPrecision with the search options, fitMetric as the FitMetric mutation with one input, and the operationName asked for', async () => {
    const rec = recordingFetch((r) =>
      JSON.parse(String(r.init.body)).operationName === 'FitMetric'
        ? ok({ fitMetric: { job: { id: 'j', kind: 'FIT_METRIC', state: 'QUEUED' } } })
        : ok({ similarTo: { collection: 'c', k: 5, models: [], matches: [] } }),
    );
    const client = new ImsearchClient({ endpoint: 'http://api.test/graphql', apiKey: 'k-123456789', fetch: rec.fetch });
    await client.similarTo('7', { k: 5, minPrecision: 0.9 });
    const search = JSON.parse(String(rec.calls[0].init.body));
    assert.equal(search.operationName, 'SimilarTo');
    assert.deepEqual(search.variables, { id: '7', k: 5, minPrecision: 0.9 });
    assert.match(search.query, /minPrecision: \$minPrecision/);
    const { job } = await client.fitMetric({ collection: 'c', mode: 'RERANK', folds: 3 });
    assert.equal(job.kind, 'FIT_METRIC');
    const fit = JSON.parse(String(rec.calls[1].init.body));
    assert.equal(fit.operationName, 'FitMetric');
    assert.deepEqual(fit.variables, { input: { collection: 'c', mode: 'RERANK', folds: 3 } });
    assert.equal((rec.calls[1].init.headers as Record<string, string>).Authorization, 'Bearer k-123456789');
    await client.execute({ toString: () => 'query A { limits { maxK } } query B { models { name } }' }, {}, { operationName: 'B' });
    assert.equal(JSON.parse(String(rec.calls[2].init.body)).operationName, 'B');
  });

  it('waitForJob polls until the job finishes', async () => {
    let n = 0;
    const job = (state: string) => ({ id: 'j', kind: 'INDEX_FOLDER', collection: 'c', target: '/x', state, done: n, total: 3, failed: 0, failures: [], added: 0, unchanged: 0, message: null, createdAt: '', startedAt: null, finishedAt: null });
    const rec = recordingFetch(() => ok({ job: job(++n < 3 ? 'RUNNING' : 'SUCCEEDED') }));
    const client = new ImsearchClient({ endpoint: 'http://x/graphql', fetch: rec.fetch });
    const done = await client.waitForJob('j', { intervalMs: 1 });
    assert.equal(done.state, 'SUCCEEDED');
    assert.equal(rec.calls.length, 3);
  });
});

describe('SDK core is browser-safe', () => {
  const sdkDir = fileURLToPath(new URL('../../sdk/', import.meta.url));

  it('the modules the page loads import only each other, and use no Node-only API', async () => {
    const seen = new Set<string>();
    const queue = ['index.js'];
    while (queue.length) {
      const rel = queue.pop()!;
      if (seen.has(rel)) continue;
      seen.add(rel);
      const code = await fs.readFile(path.join(sdkDir, rel), 'utf8');
      for (const m of code.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1];
        assert.ok(spec.startsWith('./') || spec.startsWith('../'), `${rel} imports the package "${spec}"`);
        assert.ok(spec.endsWith('.js'), `${rel} imports "${spec}" without .js`);
        queue.push(path.normalize(path.join(path.dirname(rel), spec)));
      }
      // watchJob loads the WebSocket client on first use only: a page that never calls it never resolves it.
      for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) assert.equal(m[1], 'graphql-ws', `${rel} loads "${m[1]}"`);
      assert.doesNotMatch(code, /\bnode:|\brequire\(|\bprocess\.|\bBuffer\b|__dirname/, `${rel} uses a Node-only API`);
    }
    assert.ok(seen.has('client.js') && seen.has(path.join('generated', 'graphql.js')));
    assert.ok(!seen.has('node.js'));
  });
});

describe('SDK against a real server', () => {
  let fx: Fixture;
  let server: RunningServer;

  before(async () => {
    fx = await buildFixture({ perClass: 4 });
    server = await startFixtureServer(fx);
  });
  after(async () => {
    await server?.close();
    await fx?.remove();
  });

  it('runs the typed documents; the result types follow the operations', async () => {
    const client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
    const [q] = await caltechFiles('queries', 'Motorbikes', 1);
    const data = await client.request(SimilarImagesDocument, { upload: await fileFromPath(q), k: 3 });
    const labels: (string | null)[] = data.similarImages.matches.map((m) => m.item.label);
    assert.deepEqual(labels, ['Motorbikes', 'Motorbikes', 'Motorbikes']);
    const { collections } = await client.request(CollectionsDocument);
    const count: number = collections[0].itemCount;
    assert.equal(count, 12);
    assert.equal(client.resolveUrl('/media/fixture/1'), `${server.url}/media/fixture/1`);
  });

  it("the Node entry's client (node:http) gets the same answers as the fetch client", async () => {
    const viaFetch = new ImsearchClient({ endpoint: `${server.url}/graphql` });
    const viaHttp = new NodeClient({ endpoint: `${server.url}/graphql` });
    for (const cls of ['Leopards', 'sunflower']) {
      const [q] = await caltechFiles('queries', cls, 1);
      const a = await viaFetch.similarImages(await fileFromPath(q), { k: 5 });
      const b = await viaHttp.similarImages(await fileFromPath(q), { k: 5 });
      assert.deepEqual(b.matches.map((m) => [m.item.id, m.score]), a.matches.map((m) => [m.item.id, m.score]));
      assert.equal(b.matches[0].item.label, cls);
    }
    await assert.rejects(viaHttp.similarTo('1', { k: 0 }), (e: unknown) => e instanceof ImsearchError && e.code === 'BAD_K');
    // An answer above 8 KiB comes gzipped (the server's threshold): decoded alike.
    const schema = { toString: () => '{ __schema { types { name description fields { name description } } } }' };
    const [big, bigViaHttp] = [await viaFetch.execute(schema), await viaHttp.execute(schema)];
    assert.ok(JSON.stringify(big.data).length > 8 * 1024);
    assert.deepEqual(bigViaHttp.data, big.data);
  });

  it('an upload above 8 MiB, sent as a streamed Blob from disk, arrives whole through either client', async () => {
    // Noise does not compress: a 1,800 x 1,800 PNG of it is about 9.7 MB.
    const side = 1800;
    const noise = Buffer.alloc(side * side * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const file = path.join(fx.root, 'noise.png');
    await sharp(noise, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toFile(file);
    assert.ok((await fs.stat(file)).size > 8 * 1024 * 1024);
    const viaFetch = await new ImsearchClient({ endpoint: `${server.url}/graphql` }).similarImages(await fileFromPath(file), { k: 3 });
    const viaHttp = await new NodeClient({ endpoint: `${server.url}/graphql` }).similarImages(await fileFromPath(file), { k: 3 });
    assert.equal(viaFetch.matches.length, 3);
    assert.deepEqual(viaHttp.matches.map((m) => [m.item.id, m.score]), viaFetch.matches.map((m) => [m.item.id, m.score]));
  });
});
