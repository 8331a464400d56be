/**
 * The GraphQL API end to end: a real collection (3 Caltech classes x 8 photos, mobilenetv2-int8),
 * a real server on 127.0.0.1, requests through the SDK and raw HTTP. Queries, errors and their
 * codes, limits, CSRF, media; the server keeps serving after every failure.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { ImsearchClient, ImsearchError } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';
import type { WorkerEmbedder } from '../../service/worker-embedder.js';
import { repoRoot } from '../helpers/paths.js';
import { rejectsWithCode } from '../helpers/sdk-errors.js';

const MAX_UPLOAD = 64 * 1024;

let fx: Fixture;
let server: RunningServer;
let client: ImsearchClient;


/** The server still answers a query (after each failure). */
async function stillServing(): Promise<void> {
  const cs = await client.collections();
  assert.equal(cs[0].itemCount, fx.itemCount);
}

async function postJson(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

before(async () => {
  fx = await buildFixture();
  server = await startFixtureServer(fx, { limits: { maxK: 20, maxUploadBytes: MAX_UPLOAD, maxFiles: 4 } });
  client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
});

after(async () => {
  await server?.close();
  await fx?.remove();
});

describe('similarImages', () => {
  it('ranks a real query photo: the top k are its class, scores descending, timing in extensions', async () => {
    const [query] = await caltechFiles('queries', 'Leopards', 1);
    const res = await client.execute(
      { toString: () => 'query Q($u: Upload!) { similarImages(upload: $u, k: 5) { collection k models matches { rank score item { id label sourceName url thumbnailUrl } } } }' },
      { u: await fileFromPath(query) },
    );
    assert.equal(res.errors, undefined);
    const result = (res.data as any).similarImages;
    assert.equal(result.collection, fx.collection);
    assert.equal(result.k, 5);
    assert.deepEqual(result.models, ['mobilenetv2-int8']);
    assert.equal(result.matches.length, 5);
    assert.deepEqual(result.matches.map((m: any) => m.rank), [1, 2, 3, 4, 5]);
    for (const m of result.matches) assert.equal(m.item.label, 'Leopards');
    for (let i = 1; i < 5; i++) assert.ok(result.matches[i - 1].score >= result.matches[i].score);
    assert.match(result.matches[0].item.url, new RegExp(`^${server.url}/media/${fx.collection}/\\d+$`));
    assert.match(result.matches[0].item.thumbnailUrl, /\/thumb$/);
    assert.ok(!result.matches[0].item.sourceName.includes('/'), 'no server paths in responses');
    const timing = res.extensions?.timing;
    assert.ok(timing && timing.totalMs > 0 && timing.embedMs! > 0 && timing.searchMs! >= 0 && timing.uploadMs! >= 0, JSON.stringify(timing));
  });

  it('defaults k to 10 and answers for every class', async () => {
    for (const cls of ['Motorbikes', 'sunflower']) {
      const [query] = await caltechFiles('queries', cls, 1);
      const result = await client.similarImages(await fileFromPath(query));
      assert.equal(result.k, 10);
      assert.equal(result.matches.length, 10);
      assert.deepEqual(
        result.matches.slice(0, 5).map((m) => m.item.label),
        Array(5).fill(cls),
      );
    }
  });

  it('searches with a named subset of the models and in a named collection', async () => {
    const [query] = await caltechFiles('queries', 'Motorbikes', 1);
    const result = await client.similarImages(await fileFromPath(query), { k: 3, models: ['mobilenetv2-int8'], collection: fx.collection });
    assert.equal(result.matches.length, 3);
  });

  it('refuses a bad k: BAD_K for 0, negative and above the maximum', async () => {
    const [query] = await caltechFiles('queries', 'Leopards', 1);
    const file = await fileFromPath(query);
    await rejectsWithCode(client.similarImages(file, { k: 0 }), 'BAD_K', /from 1 to 20/);
    await rejectsWithCode(client.similarImages(file, { k: -3 }), 'BAD_K');
    await rejectsWithCode(client.similarImages(file, { k: 21 }), 'BAD_K');
    await stillServing();
  });

  it('UNKNOWN_MODEL, UNKNOWN_COLLECTION and BAD_COLLECTION_NAME', async () => {
    const [query] = await caltechFiles('queries', 'Leopards', 1);
    const file = await fileFromPath(query);
    await rejectsWithCode(client.similarImages(file, { models: ['resnet-9000'] }), 'UNKNOWN_MODEL', /resnet-9000/);
    await rejectsWithCode(client.similarImages(file, { collection: 'nope' }), 'UNKNOWN_COLLECTION', /nope/);
    // A name that cannot be a collection (path traversal) is refused as a name, before any lookup.
    await rejectsWithCode(client.similarImages(file, { collection: '../../etc' }), 'BAD_COLLECTION_NAME');
    await stillServing();
  });

  it('BAD_IMAGE for uploads that are not decodable images, with the reason', async () => {
    const text = new File(['this is not an image'], 'notes.txt', { type: 'text/plain' });
    const e1 = await rejectsWithCode(client.similarImages(text), 'BAD_IMAGE');
    assert.equal(e1.errors[0].extensions?.reason, 'not-image');
    const jpeg = await fs.readFile((await caltechFiles('queries', 'Leopards', 1))[0]);
    const truncated = new File([new Uint8Array(jpeg.subarray(0, Math.floor(jpeg.length / 3)))], 'cut.jpg', { type: 'image/jpeg' });
    const e2 = await rejectsWithCode(client.similarImages(truncated), 'BAD_IMAGE');
    assert.ok(['truncated', 'corrupt'].includes(String(e2.errors[0].extensions?.reason)), String(e2.errors[0].extensions?.reason));
    await rejectsWithCode(client.similarImages(new File([], 'empty.jpg')), 'BAD_IMAGE');
    await stillServing();
  });

  it('UPLOAD_TOO_LARGE above the upload limit', async () => {
    const big = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    assert.ok(big.length > MAX_UPLOAD);
    await rejectsWithCode(client.similarImages(new File([new Uint8Array(big)], 'noise.png', { type: 'image/png' })), 'UPLOAD_TOO_LARGE', /limit/);
    await stillServing();
  });

  it('BAD_USER_INPUT when the upload variable is not a file', async () => {
    const { json } = await postJson({ query: 'query($u: Upload!) { similarImages(upload: $u) { k } }', variables: { u: 'hello' } });
    assert.equal(json.errors[0].extensions.code, 'BAD_USER_INPUT');
    await stillServing();
  });
});

describe('resilience', () => {
  it('a request in flight when the embedder worker dies fails as INTERNAL_SERVER_ERROR; the next one starts a new worker', async () => {
    const embedder = (await (await server.service.collection()).embedder()) as WorkerEmbedder;
    const [query] = await caltechFiles('queries', 'Leopards', 1);
    const file = await fileFromPath(query);
    const inFlight = client.similarImages(file, { k: 3 });
    await embedder.crashForTest();
    await inFlight.then(
      () => undefined,
      (e: ImsearchError) => assert.equal(e.code, 'INTERNAL_SERVER_ERROR'),
    );
    const result = await client.similarImages(file, { k: 3 });
    assert.deepEqual(result.matches.map((m) => m.item.label), ['Leopards', 'Leopards', 'Leopards']);
    assert.equal(embedder.restarts, 1);
  });
});

describe('similarTo, items and the catalog', () => {
  it('similarTo ranks from stored embeddings and leaves the item out', async () => {
    const page = await client.items({ label: 'sunflower', first: 1 });
    const id = page.edges[0].node.id;
    const result = await client.similarTo(id, { k: 4 });
    assert.equal(result.matches.length, 4);
    assert.ok(result.matches.every((m) => m.item.id !== id));
    assert.ok(result.matches.every((m) => m.item.label === 'sunflower'));
  });

  it('UNKNOWN_ITEM for absent and malformed ids; the item lookup is null for an absent one', async () => {
    await rejectsWithCode(client.similarTo('99999'), 'UNKNOWN_ITEM');
    await rejectsWithCode(client.similarTo('abc'), 'UNKNOWN_ITEM');
    assert.equal(await client.item('99999'), null);
    await rejectsWithCode(client.item('-1'), 'UNKNOWN_ITEM');
    await stillServing();
  });

  it('a lookup that misses is null and leaves the rest of the response standing', async () => {
    const response = await client.execute({
      toString: () => 'query { limits { maxK } item(id: "99999") { id } job(id: "no-such-job") { id } collection(name: "nope") { name } }',
    });
    assert.equal(response.errors, undefined);
    assert.deepEqual(response.data, { limits: { maxK: 20 }, item: null, job: null, collection: null });
  });

  it('lists collections with counts, models and the index spec', async () => {
    const [c] = await client.collections();
    assert.equal(c.name, fx.collection);
    assert.equal(c.isDefault, true);
    assert.equal(c.itemCount, 24);
    assert.equal(c.indexSize, 24);
    assert.equal(c.indexSpec, 'flat');
    assert.deepEqual(c.labels, [
      { label: 'Leopards', count: 8 },
      { label: 'Motorbikes', count: 8 },
      { label: 'sunflower', count: 8 },
    ]);
    assert.deepEqual(c.models.map((m) => [m.name, m.dim, m.weight]), [['mobilenetv2-int8', 1280, 1]]);
    assert.deepEqual(await client.collection(), c);
    assert.ok(!Number.isNaN(Date.parse(c.createdAt)) && c.createdAt.endsWith('Z'), `createdAt ${c.createdAt} is a DateTime`);
    assert.deepEqual(await client.limits(), { maxK: 20, maxUploadBytes: MAX_UPLOAD, maxFiles: 4, maxPixels: 50_000_000, maxPageSize: 500, maxQueryCost: 50_000, maxAliases: 30, maxDepth: 20 });
    const models = await client.models();
    assert.deepEqual(models.map((m) => [m.name, m.dim, m.collections]), [['mobilenetv2-int8', 1280, [fx.collection]]]);
  });

  it('pages through items forward with first/after and a label filter (a Relay connection)', async () => {
    const seen: string[] = [];
    let after: string | null | undefined;
    for (let n = 0; ; n++) {
      const page = await client.items({ label: 'Motorbikes', first: 3, after });
      assert.equal(page.totalCount, 8);
      assert.equal(page.pageInfo.hasPreviousPage, n > 0);
      assert.equal(page.pageInfo.startCursor, page.edges[0].cursor);
      assert.equal(page.pageInfo.endCursor, page.edges.at(-1)!.cursor);
      seen.push(...page.edges.map((e) => e.node.id));
      assert.ok(page.edges.every((e) => e.node.label === 'Motorbikes'));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    assert.equal(seen.length, 8);
    assert.deepEqual([...seen].sort((a, b) => Number(a) - Number(b)), seen, 'id order');
    const all = await client.items({ first: 100 });
    assert.equal(all.edges.length, 24);
    assert.deepEqual(all.pageInfo, { hasNextPage: false, hasPreviousPage: false, startCursor: all.edges[0].cursor, endCursor: all.edges[23].cursor });
    assert.equal((await client.items()).edges.length, 24, 'the first 50 by default');
    const item = await client.item(seen[0]);
    assert.equal(item?.label, 'Motorbikes');
    await rejectsWithCode(client.items({ after: 'bm90LWEtY3Vyc29y' }), 'BAD_CURSOR');
    await rejectsWithCode(client.items({ before: 'bm90LWEtY3Vyc29y' }), 'BAD_CURSOR');
    await rejectsWithCode(client.items({ first: 100000 }), 'BAD_USER_INPUT');
    await rejectsWithCode(client.items({ last: 100000 }), 'BAD_USER_INPUT');
    await rejectsWithCode(client.items({ first: 2, last: 2 }), 'BAD_USER_INPUT', /first or last/);
  });

  it('pages backward with last/before: the same items, in id order on every page', async () => {
    const forward = (await client.items({ label: 'Motorbikes', first: 100 })).edges;
    const pages: string[][] = [];
    let before: string | null | undefined;
    for (;;) {
      const page = await client.items({ label: 'Motorbikes', last: 3, before });
      assert.equal(page.totalCount, 8);
      assert.equal(page.pageInfo.hasNextPage, before !== undefined);
      pages.unshift(page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    assert.deepEqual(pages.map((p) => p.length), [2, 3, 3]);
    assert.deepEqual(pages.flat(), forward.map((e) => e.node.id));
    // Between two cursors, from either end.
    const between = { label: 'Motorbikes', after: forward[1].cursor, before: forward[6].cursor };
    assert.deepEqual((await client.items({ ...between, first: 2 })).edges.map((e) => e.cursor), [forward[2].cursor, forward[3].cursor]);
    const tail = await client.items({ ...between, last: 2 });
    assert.deepEqual(tail.edges.map((e) => e.cursor), [forward[4].cursor, forward[5].cursor]);
    assert.deepEqual([tail.pageInfo.hasPreviousPage, tail.pageInfo.hasNextPage], [true, true]);
  });
});

describe('media', () => {
  it('serves the original bytes by item id and a WebP thumbnail made with sharp', async () => {
    const item = (await client.items({ first: 1 })).edges[0].node;
    const original = await fetch(item.url);
    assert.equal(original.status, 200);
    assert.equal(original.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await original.arrayBuffer());
    assert.deepEqual(bytes, await fs.readFile(fx.files.Leopards[0]));
    const thumb = await fetch(item.thumbnailUrl);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/webp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    assert.equal(meta.format, 'webp');
    assert.ok(Math.max(meta.width!, meta.height!) <= 256);
    // cached: the second request is served from the thumbnail cache
    assert.equal((await fetch(item.thumbnailUrl)).status, 200);
  });

  it('404 for unknown items and anything path-like; never a file by path', async () => {
    for (const p of [`/media/${fx.collection}/99999`, `/media/${fx.collection}/abc`, '/media/nope/1', `/media/${fx.collection}/..%2F..%2Fetc%2Fpasswd`, '/media/..%2F..%2Fetc/passwd', `/media/${fx.collection}/1/../../../etc/passwd`]) {
      const res = await fetch(server.url + p);
      assert.notEqual(res.status, 200, p);
      assert.notEqual(res.headers.get('content-type'), 'image/jpeg', p);
    }
  });
});

describe('HTTP surface', () => {
  it('keeps CSRF prevention on: a multipart request without the preflight header is refused', async () => {
    const [query] = await caltechFiles('queries', 'Leopards', 1);
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: 'query($u: Upload!) { similarImages(upload: $u) { k } }', variables: { u: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.u'] }));
    form.append('0', await fileFromPath(query));
    const res = await fetch(`${server.url}/graphql`, { method: 'POST', body: form });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /CSRF/);
    // simple-request content types (text/plain, forms) are refused too
    const plain = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ collections { name } }' }) });
    assert.equal(plain.status, 400);
    assert.match(await plain.text(), /CSRF/);
    // a GET without the header is refused too; with it, allowed
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ collections { name } }')}`);
    assert.equal(get.status, 400);
    const ok = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ collections { name } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    assert.equal(ok.status, 200);
    await stillServing();
  });

  it('TOO_MANY_FILES when a multipart request carries more files than allowed', async () => {
    const files = await caltechFiles('queries', 'sunflower', 5);
    const images = await Promise.all(files.map(async (f) => ({ file: await fileFromPath(f) })));
    await rejectsWithCode(client.addImages({ images }), 'TOO_MANY_FILES', /4/);
    await stillServing();
  });

  it('answers GraphQL errors for malformed requests, and a masked internal error never leaks', async () => {
    const { json } = await postJson({ query: '{ collections { nope } }' });
    assert.equal(json.errors[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    const bad = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    assert.equal(bad.status, 400);
    assert.ok(((await bad.json()) as any).errors[0].extensions.code);
    await stillServing();
  });

  it('reports per-operation latency, stages, event-loop delay and memory at /metrics', async () => {
    const metrics = (await (await fetch(`${server.url}/metrics.json`)).json()) as any;
    assert.ok(metrics.operations.SimilarImages.count >= 3);
    assert.ok(metrics.operations.SimilarImages.errors >= 1);
    assert.ok(metrics.stages.embedMs.count >= 1);
    assert.ok(metrics.eventLoopDelay.p99Ms >= 0);
    assert.ok(metrics.memory.rssBytes > 0);
  });

  it('serves the schema, the results page, the SDK modules and an offline explorer (no CDN)', async () => {
    const sdl = await (await fetch(`${server.url}/schema.graphql`)).text();
    assert.equal(sdl, await fs.readFile(path.join(repoRoot, 'schema', 'schema.graphql'), 'utf8'));
    const pageRes = await fetch(`${server.url}/`);
    assert.match(pageRes.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const page = await pageRes.text();
    assert.match(page, /results-page\.js/);
    const sdk = await fetch(`${server.url}/sdk/index.js`);
    assert.equal(sdk.status, 200);
    assert.match(sdk.headers.get('content-type') ?? '', /javascript/);
    for (const p of ['/graphiql', '/graphiql/', '/explorer']) {
      const res = await fetch(server.url + p);
      assert.equal(res.status, 200, p);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self';.*connect-src 'self'/, p);
      const html = await res.text();
      assert.doesNotMatch(html, /https?:\/\/(?!localhost)[a-z]/i, 'no external URLs');
    }
    const landing = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    assert.notEqual(landing.status, 200, "Apollo's landing page is disabled");
  });
});
