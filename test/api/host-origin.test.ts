/**
 * Host and Origin checks of a server without an API key, with raw HTTP requests (forged Host and
 * Origin headers): only loopback names and the --public-url host are answered, only the server's
 * own origin and the --cors-origin list may send requests from a page (preflights included), and
 * media URLs never come from a request header. The same checks apply to the WebSocket upgrade of
 * subscriptions. A server with a key relies on the key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Fixture, buildFixture, startFixtureServer } from '../../bench/api-fixture.js';
import type { RunningServer } from '../../server/app.js';
import { WebSocket } from 'ws';
import { type RawResponse, rawRequest } from '../helpers/raw-http.js';

const APP = 'http://app.example.test:5173';
const PUBLIC = 'https://search.example.test';
const ITEMS_QUERY = JSON.stringify({ query: '{ items(first: 1) { edges { node { url thumbnailUrl } } } }' });

let fx: Fixture;
let plain: RunningServer;
let proxied: RunningServer;
let keyed: RunningServer;

before(async () => {
  fx = await buildFixture({ perClass: 2 });
  plain = await startFixtureServer(fx, { corsOrigins: [APP] });
  proxied = await startFixtureServer(fx, { publicUrl: PUBLIC });
  keyed = await startFixtureServer(fx, { apiKey: 'a-key-of-sixteen' });
});

after(async () => {
  await Promise.all([plain?.close(), proxied?.close(), keyed?.close()]);
  await fx?.remove();
});

const port = (s: RunningServer) => s.port;

function graphql(server: RunningServer, headers: Record<string, string>): Promise<RawResponse> {
  return rawRequest(server.url, { method: 'POST', path: '/graphql', headers: { 'Content-Type': 'application/json', ...headers }, body: ITEMS_QUERY });
}

function assertRefused(res: RawResponse, code: string): void {
  assert.equal(res.status, 403, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  const body = JSON.parse(res.body) as { errors: { message: string; extensions: { code: string } }[] };
  assert.equal(body.errors[0].extensions.code, code);
  assert.ok(body.errors[0].message.length > 0);
}

describe('Host check (no API key)', () => {
  it('answers loopback names with any port', async () => {
    for (const host of [`127.0.0.1:${port(plain)}`, `localhost:${port(plain)}`, `[::1]:${port(plain)}`, '127.0.0.2', 'LOCALHOST']) {
      const res = await rawRequest(plain.url, { path: '/healthz', headers: { Host: host } });
      assert.equal(res.status, 200, `${host}: ${res.body}`);
    }
  });

  it('refuses any other name (DNS rebinding) with FORBIDDEN_HOST, on every route', async () => {
    for (const path of ['/healthz', '/', '/graphiql', '/metrics', '/sdk/index.js', '/media/fixture/1']) {
      assertRefused(await rawRequest(plain.url, { path, headers: { Host: `attacker.example:${port(plain)}` } }), 'FORBIDDEN_HOST');
    }
    assertRefused(await graphql(plain, { Host: 'search.example.test' }), 'FORBIDDEN_HOST');
  });

  it('answers the --public-url host too', async () => {
    assert.equal((await rawRequest(proxied.url, { path: '/healthz', headers: { Host: 'search.example.test' } })).status, 200);
    assertRefused(await rawRequest(proxied.url, { path: '/healthz', headers: { Host: 'other.example.test' } }), 'FORBIDDEN_HOST');
  });

  it('a server with an API key relies on the key', async () => {
    assert.equal((await rawRequest(keyed.url, { path: '/healthz', headers: { Host: 'anything.example' } })).status, 200);
  });
});

describe('Origin check (no API key)', () => {
  it('answers requests without an Origin, from its own origin and from an allowed CORS origin', async () => {
    assert.equal((await graphql(plain, {})).status, 200);
    assert.equal((await graphql(plain, { Origin: plain.url })).status, 200);
    assert.equal((await graphql(plain, { Host: `localhost:${port(plain)}`, Origin: `http://localhost:${port(plain)}` })).status, 200);
    const cross = await graphql(plain, { Origin: APP });
    assert.equal(cross.status, 200);
    assert.equal(cross.headers['access-control-allow-origin'], APP);
  });

  it('refuses any other page with FORBIDDEN_ORIGIN, its preflight included', async () => {
    assertRefused(await graphql(plain, { Origin: 'http://attacker.example' }), 'FORBIDDEN_ORIGIN');
    assertRefused(await graphql(plain, { Origin: 'null' }), 'FORBIDDEN_ORIGIN');
    // Same host, another port: another origin.
    assertRefused(await graphql(plain, { Origin: 'http://127.0.0.1:1' }), 'FORBIDDEN_ORIGIN');
    const preflight = await rawRequest(plain.url, {
      method: 'OPTIONS',
      path: '/graphql',
      headers: { Origin: 'http://attacker.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assertRefused(preflight, 'FORBIDDEN_ORIGIN');
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  it('answers the preflight of an allowed origin with the headers the SDK and uploads send', async () => {
    const res = await rawRequest(plain.url, {
      method: 'OPTIONS',
      path: '/graphql',
      headers: { Origin: APP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,apollo-require-preflight,content-type,x-apollo-operation-name' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], APP);
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase().split(',');
    for (const h of ['authorization', 'apollo-require-preflight', 'content-type', 'x-apollo-operation-name']) assert.ok(allowed.includes(h), `${h} in ${allowed.join(',')}`);
    assert.match(String(res.headers['access-control-allow-methods']), /POST/);
  });

  it('keeps CSRF prevention: a multipart request without the preflight header is refused', async () => {
    const boundary = 'x-boundary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ limits { maxK } }"}\r\n--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{}\r\n--${boundary}--\r\n`;
    const res = await rawRequest(plain.url, { method: 'POST', path: '/graphql', headers: { Origin: APP, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body });
    assert.equal(res.status, 400);
    assert.match(res.body, /CSRF|preflight/i);
  });
});

/** Opens a subscription WebSocket with exactly these headers: 101 when the upgrade is accepted, else the status and body of the refusal. */
function upgrade(server: RunningServer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    ws.on('error', reject);
  });
}

describe('WebSocket upgrade (subscriptions)', () => {
  it('is accepted from a loopback name with no Origin, its own origin or an allowed one', async () => {
    assert.equal((await upgrade(plain, {})).status, 101);
    assert.equal((await upgrade(plain, { Origin: plain.url })).status, 101);
    assert.equal((await upgrade(plain, { Origin: APP })).status, 101);
  });

  it('is refused for another Host name or another page, with the code in a GraphQL-shaped body', async () => {
    for (const [headers, code] of [
      [{ Host: `attacker.example:${port(plain)}` }, 'FORBIDDEN_HOST'],
      [{ Origin: 'http://attacker.example' }, 'FORBIDDEN_ORIGIN'],
    ] as const) {
      const res = await upgrade(plain, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal((JSON.parse(res.body) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code, code);
    }
  });

  it('a server with an API key relies on the key (checked in the connection parameters)', async () => {
    assert.equal((await upgrade(keyed, { Host: 'anything.example', Origin: 'http://attacker.example' })).status, 101);
  });
});

describe('media URLs', () => {
  const urls = (res: RawResponse) => (JSON.parse(res.body) as { data: { items: { edges: { node: { url: string; thumbnailUrl: string } }[] } } }).data.items.edges[0].node;

  it('are built from the listening address, whatever the Host header says', async () => {
    const item = urls(await graphql(plain, { Host: `localhost:${port(plain) + 1}` }));
    assert.ok(item.url.startsWith(`${plain.url}/media/`), item.url);
    assert.ok(item.thumbnailUrl.startsWith(`${plain.url}/media/`), item.thumbnailUrl);
  });

  it('are built from --public-url when it is set', async () => {
    const item = urls(await graphql(proxied, { Host: '127.0.0.1' }));
    assert.ok(item.url.startsWith(`${PUBLIC}/media/`), item.url);
  });
});
