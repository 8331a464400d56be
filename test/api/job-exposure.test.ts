/**
 * Jobs show server paths only to callers with the API key: without it an indexing job's target
 * is relative to its root, and its failures name files relative to the indexed folder.
 */
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Fixture, buildFixture, startFixtureServer } from '../../bench/api-fixture.js';
import type { RunningServer } from '../../server/app.js';
import { ImsearchClient } from '../../sdk/index.js';

const KEY = 'test-key-12345678';
let fx: Fixture;
let server: RunningServer;
let roots: string;
let jobId: string;

before(async () => {
  fx = await buildFixture({ perClass: 2 });
  roots = await fsp.realpath(path.join(fx.root));
  const folder = path.join(roots, 'incoming', 'batch');
  await fsp.mkdir(path.join(folder, 'Leopards'), { recursive: true });
  await fsp.copyFile(fx.files.Leopards[0], path.join(folder, 'Leopards', 'a.jpg'));
  await fsp.writeFile(path.join(folder, 'Leopards', 'bad.jpg'), 'not an image');
  server = await startFixtureServer(fx, { apiKey: KEY, roots: [roots] });
  const owner = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: KEY });
  const { job } = await owner.indexFolder({ path: folder });
  jobId = job.id;
  const done = await owner.waitForJob(job.id, { timeoutMs: 60_000, intervalMs: 50 });
  assert.equal(done.state, 'SUCCEEDED', done.message ?? '');
});
after(async () => {
  await server?.close();
  await fx?.remove();
});

test('without the key: the target is relative to its root and no message names a server path', async () => {
  const anonymous = new ImsearchClient({ endpoint: `${server.url}/graphql` });
  for (const job of [(await anonymous.job(jobId))!, (await anonymous.jobs()).find((j) => j.id === jobId)!]) {
    assert.equal(job.target, path.join('incoming', 'batch'));
    assert.deepEqual(job.failures.map((f) => [f.path, f.reason]), [[path.join('Leopards', 'bad.jpg'), 'NOT_IMAGE']]);
    assert.ok(!JSON.stringify(job).includes(roots), JSON.stringify(job));
  }
});

test('with the key: the real path', async () => {
  const owner = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: KEY });
  assert.equal((await owner.job(jobId))!.target, path.join(roots, 'incoming', 'batch'));
});
