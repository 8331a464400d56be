/**
 * The peers benchmark's two API floors (bench/peers/bare-api.ts, bench/peers/stack-floor.ts)
 * compare only if they do the product's work: the same SDK call must get the same matches, in the
 * same order, with the same scores, from the product and from each floor over its engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { type BareApi, startBareApi } from '../../bench/peers/bare-api.js';
import { startStackFloor } from '../../bench/peers/stack-floor.js';
import { ImsearchClient } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';

describe('peers benchmark: the API floors answer as the product does', () => {
  let fx: Fixture;
  let server: RunningServer;
  let floors: BareApi[] = [];

  before(async () => {
    fx = await buildFixture({ perClass: 4 });
    server = await startFixtureServer(fx);
    floors = [await startBareApi(server.service, fx.collection), await startStackFloor(server.service, fx.collection)];
  });
  after(async () => {
    for (const f of floors) await f.close();
    await server?.close();
    await fx?.remove();
  });

  it('bare node:http and Express + Apollo + graphql-upload return the matches of the product for the same upload', async () => {
    const [q] = await caltechFiles('queries', 'sunflower', 1);
    const upload = await fileFromPath(q);
    const matchesOf = async (endpoint: string) =>
      (await new ImsearchClient({ endpoint }).similarImages(upload, { k: 10 })).matches.map((m) => ({ rank: m.rank, id: m.item.id, label: m.item.label, score: m.score }));
    const product = await matchesOf(`${server.url}/graphql`);
    assert.equal(product.length, 10);
    assert.equal(product[0].label, 'sunflower');
    for (const floor of floors) assert.deepEqual(await matchesOf(floor.url), product, floor.url);
  });
});
