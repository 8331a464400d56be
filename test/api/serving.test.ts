/**
 * Serving basics on a real server: compression of the API, the GraphiQL bundle and the pages;
 * security headers on every kind of response (JSON, HTML, JavaScript, images, 404s); /metrics in
 * the Prometheus text format and /metrics.json; the --cors-origin option's checks; the LICENSE.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { ImsearchClient } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';
import { resolveServerConfig } from '../../server/config.js';
import { repoRoot } from '../helpers/paths.js';
import { rawRequest } from '../helpers/raw-http.js';

let fx: Fixture;
let server: RunningServer;

before(async () => {
  fx = await buildFixture({ perClass: 3 });
  server = await startFixtureServer(fx);
});

after(async () => {
  await server?.close();
  await fx?.remove();
});

// About 38 KB: above the 8 KiB from which GraphQL answers are compressed.
const INTROSPECTION = JSON.stringify({ query: '{ __schema { types { name description fields { name description args { name description } } } } }' });

describe('compression', () => {
  it('gzips API responses, the GraphiQL bundle and the pages for clients that accept it', async () => {
    const cases = [
      { path: '/graphql', method: 'POST', body: INTROSPECTION, headers: { 'Content-Type': 'application/json' } },
      { path: '/graphiql/vendor/graphiql.js', method: 'GET' },
      { path: '/graphiql', method: 'GET' },
      { path: '/', method: 'GET' },
      { path: '/sdk/generated/graphql.js', method: 'GET' },
    ];
    for (const c of cases) {
      const plain = await rawRequest(server.url, { ...c, headers: { ...c.headers } });
      const gz = await rawRequest(server.url, { ...c, headers: { ...c.headers, 'Accept-Encoding': 'gzip' } });
      assert.equal(gz.status, 200, c.path);
      assert.equal(plain.headers['content-encoding'], undefined, c.path);
      assert.equal(gz.headers['content-encoding'], 'gzip', c.path);
      assert.match(String(gz.headers.vary), /Accept-Encoding/i, c.path);
      const unzipped = gunzipSync(gz.bytes);
      assert.ok(gz.bytes.length < unzipped.length, `${c.path}: ${gz.bytes.length} < ${unzipped.length}`);
      if (c.path !== '/graphql') assert.deepEqual(unzipped, plain.bytes, c.path);
    }
  });
});

describe('compression threshold of GraphQL answers', () => {
  it('leaves an answer under 8 KiB uncompressed (a gzip stream costs more than its bytes save) and gzips a larger one', async () => {
    const small = await rawRequest(server.url, { path: '/graphql', method: 'POST', body: JSON.stringify({ query: '{ __typename }' }), headers: { 'Content-Type': 'application/json', 'Accept-Encoding': 'gzip' } });
    assert.equal(small.status, 200);
    assert.ok(small.bytes.length < 8 * 1024);
    assert.equal(small.headers['content-encoding'], undefined);
    const big = await rawRequest(server.url, { path: '/graphql', method: 'POST', body: INTROSPECTION, headers: { 'Content-Type': 'application/json', 'Accept-Encoding': 'gzip' } });
    assert.equal(big.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(big.bytes).length >= 8 * 1024);
    // Pages keep the library's 1 KiB threshold.
    const page = await rawRequest(server.url, { path: '/', headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(page.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(page.bytes).length < 8 * 1024, 'the page is a small one');
  });
});

describe('security headers', () => {
  it('X-Content-Type-Options: nosniff on every response; a CSP on every HTML page', async () => {
    const photo = (await caltechFiles('gallery', 'Leopards', 1))[0];
    const client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
    const [match] = (await client.similarImages(await fileFromPath(photo), { k: 1 })).matches;
    const paths = ['/graphql?query=%7B__typename%7D', '/healthz', '/metrics', '/metrics.json', '/schema.graphql', '/', '/graphiql', '/explorer', '/sdk/index.js', '/no/such/page', '/sdk/nothing.js', new URL(match.item.url).pathname, new URL(match.item.thumbnailUrl).pathname];
    for (const p of paths) {
      const res = await rawRequest(server.url, { path: p, headers: { 'Apollo-Require-Preflight': 'true' } });
      assert.ok(res.status === 200 || res.status === 404, `${p}: ${res.status}`);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', p);
      const csp = String(res.headers['content-security-policy'] ?? '');
      assert.match(csp, /default-src/, p);
      if (String(res.headers['content-type']).startsWith('text/html')) assert.match(csp, /frame-ancestors 'none'/, p);
    }
    assert.equal((await rawRequest(server.url, { path: '/no/such/page' })).status, 404);
  });
});

describe('metrics', () => {
  it('/metrics is Prometheus text with per-operation counts, latency summaries, event-loop delay and memory', async () => {
    const client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
    await client.collections();
    await client.collections();
    const res = await fetch(`${server.url}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const lines = text.trim().split('\n');
    // Every sample line: a name, optional labels, a number; every family declared before its samples.
    const declared = new Set<string>();
    for (const line of lines) {
      const type = /^# TYPE (\w+) (counter|gauge|summary)$/.exec(line);
      if (type) declared.add(type[1]);
      if (line.startsWith('#')) continue;
      const m = /^(\w+?)(_sum|_count)?(\{[^}]*\})? (-?[0-9.e+-]+|NaN)$/.exec(line);
      assert.ok(m, `not a sample line: ${line}`);
      assert.ok(declared.has(m[1]) || declared.has(m[1] + (m[2] ?? '')), `undeclared family: ${line}`);
    }
    const value = (sample: string) => Number(lines.find((l) => l.startsWith(`${sample} `))?.split(' ')[1]);
    assert.ok(value('imsearch_graphql_requests_total{operation="Collections"}') >= 2);
    assert.ok(value('imsearch_graphql_duration_seconds_count{operation="Collections"}') >= 2);
    assert.ok(value('imsearch_graphql_duration_seconds{operation="Collections",quantile="0.5"}') > 0);
    assert.ok(value('imsearch_graphql_duration_seconds_sum{operation="Collections"}') > 0);
    assert.ok(value('imsearch_memory_bytes{kind="rss"}') > 0);
    assert.ok(value('imsearch_event_loop_delay_seconds{quantile="0.99"}') >= 0);
    assert.equal(value('imsearch_jobs{state="running"}'), 0);
  });

  it('/metrics.json keeps the JSON view', async () => {
    const json = (await (await fetch(`${server.url}/metrics.json`)).json()) as { operations: Record<string, { count: number }>; memory: { rssBytes: number }; jobs: { total: number } };
    assert.ok(json.operations.Collections.count >= 2);
    assert.ok(json.memory.rssBytes > 0);
    assert.equal(typeof json.jobs.total, 'number');
  });
});

describe('configuration and licence', () => {
  it('--cors-origin takes exact origins only', () => {
    const base = { dataDir: fx.dataDir, modelDir: fx.modelDir };
    assert.deepEqual(resolveServerConfig({ ...base, corsOrigins: ['https://app.example.com', 'http://localhost:5173', 'https://app.example.com'] }).corsOrigins, ['https://app.example.com', 'http://localhost:5173']);
    assert.deepEqual(resolveServerConfig(base).corsOrigins, []);
    for (const bad of ['https://app.example.com/', 'app.example.com', 'https://app.example.com/path', 'ftp://x.example', '*', 'null']) {
      assert.throws(() => resolveServerConfig({ ...base, corsOrigins: [bad] }), /exact origin/, bad);
    }
  });

  it('the repository is MIT licensed to the imsearch authors', async () => {
    const licence = await fs.readFile(path.join(repoRoot, 'LICENSE'), 'utf8');
    assert.match(licence, /^MIT License\n\nCopyright \(c\) \d{4} imsearch authors\n/);
    const pkg = JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { license: string };
    assert.equal(pkg.license, 'MIT');
  });
});
