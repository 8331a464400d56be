/**
 * Starting the server: configuration checks, and a start that stops with a message saying what
 * and where for a missing model, a broken collection, an unknown collection; `imsearch serve`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fixture, buildFixture, startFixtureServer } from '../../bench/api-fixture.js';
import { startServer } from '../../server/app.js';
import { ConfigError, isLoopback, resolveServerConfig } from '../../server/config.js';
import { repoRoot } from '../helpers/paths.js';
import { spawnServe } from '../helpers/serve-process.js';

let fx: Fixture;
let scratch: string;

before(async () => {
  fx = await buildFixture({ perClass: 3 });
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'imsearch-startup-'));
});

after(async () => {
  await fx?.remove();
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

/** A copy of the fixture's data directory to break. */
async function copyData(name: string): Promise<string> {
  const dir = path.join(scratch, name);
  await fs.cp(fx.dataDir, dir, { recursive: true });
  return dir;
}

describe('configuration', () => {
  it('refuses unauthenticated mutations on a non-loopback address', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.com']) {
      assert.throws(() => resolveServerConfig({ dataDir: 'd', modelDir: 'm', host }), (e: Error) => e instanceof ConfigError && /Refusing to serve unauthenticated mutations on/.test(e.message) && /--api-key/.test(e.message));
      assert.equal(resolveServerConfig({ dataDir: 'd', modelDir: 'm', host, apiKey: 'a-long-enough-key' }).host, host);
    }
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '[::1]']) assert.ok(isLoopback(host), host);
    assert.equal(resolveServerConfig({ dataDir: 'd', modelDir: 'm' }).host, '127.0.0.1');
  });

  it('checks every number and says what it expected', () => {
    assert.throws(() => resolveServerConfig({ dataDir: 'd', modelDir: 'm', port: 70000 }), /Expected port number from 0 to 65535 for port but received 70000/);
    assert.throws(() => resolveServerConfig({ dataDir: 'd', modelDir: 'm', limits: { maxK: 0 } }), /Expected positive integer for maxK but received 0/);
    assert.throws(() => resolveServerConfig({ dataDir: 'd', modelDir: 'm', limits: { maxUploadBytes: 'lots' } }), /maxUploadBytes/);
    assert.throws(() => resolveServerConfig({ dataDir: 'd', modelDir: 'm', apiKey: 'short' }), /at least 8/);
    const c = resolveServerConfig({ dataDir: 'd', modelDir: 'm', port: '0', limits: { maxK: '50' } });
    assert.equal(c.port, 0);
    assert.equal(c.limits.maxK, 50);
    assert.equal(c.limits.maxFiles, 32);
  });

  it('startServer refuses 0.0.0.0 without a key before loading anything', async () => {
    await assert.rejects(startServer({ dataDir: fx.dataDir, modelDir: fx.modelDir, host: '0.0.0.0', port: 0 }), /Refusing/);
  });
});

describe('loading at start', () => {
  it('a missing model stops the start naming the collection, the model and the path', async () => {
    const emptyModels = path.join(scratch, 'no-models');
    await fs.mkdir(emptyModels);
    await assert.rejects(startServer({ dataDir: fx.dataDir, modelDir: emptyModels, port: 0 }), (e: Error) => {
      assert.equal(e.name, 'StartupError');
      assert.match(e.message, /cannot load collection "fixture"/);
      assert.ok(e.message.includes(path.join(fx.dataDir, 'collections', 'fixture')), e.message);
      assert.match(e.message, /mobilenetv2-int8/);
      assert.ok(e.message.includes(path.join(emptyModels, 'mobilenetv2-12-int8-emb.onnx')), e.message);
      return true;
    });
  });

  it('a broken collection stops the start naming the collection and the file', async () => {
    const data = await copyData('broken');
    const manifest = path.join(data, 'collections', 'fixture', 'manifest.json');
    await fs.writeFile(manifest, '{ "formatVersion": 1, "name": ');
    await assert.rejects(startServer({ dataDir: data, modelDir: fx.modelDir, port: 0 }), (e: Error) => {
      assert.match(e.message, /cannot load collection "fixture"/);
      assert.ok(e.message.includes(manifest), e.message);
      assert.match(e.message, /not valid JSON/);
      return true;
    });
  });

  it('an unknown collection and a missing root stop the start; an empty data dir starts with no collections', async () => {
    await assert.rejects(startServer({ dataDir: fx.dataDir, modelDir: fx.modelDir, port: 0, collections: ['nope'] }), /cannot load collection "nope".*no collection "nope"/s);
    // Changed on purpose: a server starts with zero collections and serves those created later.
    const empty = await startServer({ dataDir: path.join(scratch, 'empty'), modelDir: fx.modelDir, port: 0 });
    try {
      assert.deepEqual(await (await fetch(`${empty.url}/healthz`)).json(), { ok: true, collections: [] });
    } finally {
      await empty.close();
    }
    await assert.rejects(startServer({ dataDir: fx.dataDir, modelDir: fx.modelDir, port: 0, roots: [path.join(scratch, 'missing-root')] }), /indexing root .*missing-root does not exist/);
  });

  it('a stale index is rebuilt from the stored embeddings at start', async () => {
    const data = await copyData('stale-index');
    await fs.rm(path.join(data, 'collections', 'fixture', 'index.state.json'));
    const server = await startFixtureServer({ ...fx, dataDir: data });
    try {
      const res = await fetch(`${server.url}/healthz`);
      assert.deepEqual(await res.json(), { ok: true, collections: ['fixture'] });
      assert.equal((await server.service.collection('fixture')).searcher.size, fx.itemCount);
    } finally {
      await server.close();
    }
  });
});

describe('imsearch serve', () => {
  const run = (args: string[], env: Record<string, string> = {}) => spawnServe(fx, args, env);

  it('serves with flags and environment variables, and stops cleanly on SIGTERM', async () => {
    const p = run(['--collection', 'fixture', '--port', '0', '--max-upload-bytes', '1M'], { IMSEARCH_MAX_K: '7' });
    try {
      const url = await p.url;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ similarTo(id: "1", k: 8) { k } }' }),
      });
      const json = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      assert.equal(json.errors[0].extensions.code, 'BAD_K');
      assert.match(json.errors[0].message, /from 1 to 7/);
      // The bin is the bundled CLI: its schema (type-graphql names types after classes) and the
      // folders it serves pages from are the unbundled server's.
      assert.equal(await (await fetch(`${url}/schema.graphql`)).text(), await fs.readFile(path.join(repoRoot, 'schema/schema.graphql'), 'utf8'));
      for (const page of ['/', '/graphiql', '/web/results-page.js', '/sdk/index.js']) assert.equal((await fetch(`${url}${page}`)).status, 200, page);
    } finally {
      p.child.kill('SIGTERM');
    }
    assert.equal(await p.exited, 0, p.output().stderr);
    assert.match(p.output().stderr, /opened collection fixture: \d+ items/);
  });

  it('exits 1 with the reason when it must not start', async () => {
    const p = run(['--host', '0.0.0.0', '--port', '0']);
    assert.equal(await p.exited, 1);
    assert.match(p.output().stderr, /Refusing to serve unauthenticated mutations on 0\.0\.0\.0/);
    await p.url.catch(() => undefined);
  });
});
