/**
 * The refit policy through the API (3 Caltech classes x 8 photos): after a fit the collection
 * reports its freshness; 2 new photos (8 %) leave it current and start nothing; a third (12.5 %)
 * makes it stale and the server starts a FIT_METRIC job by itself, after which it is current
 * again, fitted on all 27 items. Removing items counts as change too.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { ImsearchClient, type Job } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';
import { waitFor } from '../helpers/wait-for.js';

let fx: Fixture;
let server: RunningServer;
let client: ImsearchClient;

before(async () => {
  fx = await buildFixture({ perClass: 8 });
  server = await startFixtureServer(fx);
  client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
});

after(async () => {
  await server?.close();
  await fx?.remove();
});

const finished = (id: string) =>
  waitFor(
    async () => {
      const j = await client.job(id);
      return j && (j.state === 'SUCCEEDED' || j.state === 'FAILED') ? j : null;
    },
    { timeoutMs: 300_000, intervalMs: 50, what: `job ${id} to finish` },
  );

const fitJobs = async (): Promise<Job[]> => (await client.jobs()).filter((j) => j.kind === 'FIT_METRIC');

it('a fit goes stale past 10 % of its items changed, and the server refits by itself', async () => {
  assert.equal((await client.collection(fx.collection))!.fitFreshness, null, 'plain cosine has no fit to be fresh');
  const fit = await finished((await client.fitMetric({ collection: fx.collection })).job.id);
  assert.equal(fit.state, 'SUCCEEDED', `${fit.code}: ${fit.message}`);
  assert.deepEqual((await client.collection(fx.collection))!.fitFreshness, { fittedItems: 24, itemsChanged: 0, changedShare: 0, stale: false });

  const photos = await caltechFiles('gallery', 'sunflower', 3, 20);
  const added = await client.addImages({ images: await Promise.all(photos.slice(0, 2).map(async (p) => ({ file: await fileFromPath(p), label: 'sunflower' }))) });
  assert.deepEqual(added.results.map((r) => r.status), ['ADDED', 'ADDED']);
  assert.deepEqual((await client.collection(fx.collection))!.fitFreshness, { fittedItems: 24, itemsChanged: 2, changedShare: 2 / 24, stale: false });
  assert.equal((await fitJobs()).length, 1, 'below the policy share nothing starts');

  await client.addImages({ images: [{ file: await fileFromPath(photos[2]), label: 'sunflower' }] });
  const refit = await waitFor(async () => (await fitJobs()).find((j) => j.id !== fit.id), { timeoutMs: 10_000, what: 'the server to start a refit' });
  assert.match(refit.target, /^mode=transform folds=1 \(refit: 3 of 24 items changed since the fit\)$/);
  const done = await finished(refit.id);
  assert.equal(done.state, 'SUCCEEDED', `${done.code}: ${done.message}`);
  assert.deepEqual((await client.collection(fx.collection))!.fitFreshness, { fittedItems: 27, itemsChanged: 0, changedShare: 0, stale: false });

  const removed = await client.removeItems({ ids: ['1', '2'] });
  assert.deepEqual(removed.removed, ['1', '2']);
  assert.deepEqual((await client.collection(fx.collection))!.fitFreshness, { fittedItems: 27, itemsChanged: 2, changedShare: 2 / 27, stale: false });
});
