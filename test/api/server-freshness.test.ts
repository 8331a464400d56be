/**
 * A running server sees what other processes do to its data directory, without a restart:
 * photos indexed by the CLI into a served collection are found within a second, a collection the
 * CLI creates is served, one it deletes is gone, and removals show.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import type { RunningServer } from '../../server/app.js';
import { ImsearchClient } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import { cliBin } from '../helpers/paths.js';
import { rejectsWithCode } from '../helpers/sdk-errors.js';
import { waitFor } from '../helpers/wait-for.js';

const run = promisify(execFile);

let fx: Fixture;
let server: RunningServer;
let client: ImsearchClient;
const cli = (...args: string[]) => run(process.execPath, [cliBin, '--data', fx.dataDir, '--model-dir', fx.modelDir, ...args]);

before(async () => {
  fx = await buildFixture({ perClass: 3 });
  server = await startFixtureServer(fx);
  client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
});

after(async () => {
  await server?.close();
  await fx?.remove();
});

describe('a running server and the CLI on the same data directory', () => {
  it('finds photos the CLI indexed into a served collection within a second', async () => {
    const photos = await caltechFiles('gallery', 'airplanes', 5);
    const folder = path.join(fx.root, 'more');
    await fs.mkdir(path.join(folder, 'airplanes'), { recursive: true });
    for (const p of photos.slice(0, 4)) await fs.copyFile(p, path.join(folder, 'airplanes', path.basename(p)));
    const query = await fileFromPath(photos[4]);

    const before = await client.similarImages(query, { k: 3 });
    assert.ok(before.matches.every((m) => m.item.label !== 'airplanes'), 'no airplanes before indexing');

    await cli('index', folder, '--collection', fx.collection);
    const indexedAt = performance.now();
    const after = await waitFor(
      async () => {
        const r = await client.similarImages(query, { k: 3 });
        return r.matches.every((m) => m.item.label === 'airplanes') ? r : null;
      },
      { timeoutMs: 1000, what: 'the server to find the photos the CLI indexed' },
    );
    assert.ok(performance.now() - indexedAt < 1000);
    assert.equal(after.matches.length, 3);
    const info = (await client.collection(fx.collection))!;
    assert.equal(info.itemCount, fx.itemCount + 4);
    assert.equal(info.indexSize, fx.itemCount + 4);
  });

  it('shows removals made by the CLI', async () => {
    const items = (await client.items({ collection: fx.collection, first: 2, label: 'airplanes' })).edges.map((e) => e.node);
    const id = items[0].id;
    await cli('remove', '--collection', fx.collection, id);
    const info = await waitFor(
      async () => {
        const c = await client.collection(fx.collection);
        return c?.indexSize === fx.itemCount + 3 ? c : null;
      },
      { timeoutMs: 1000, what: 'the removal to show' },
    );
    assert.equal(info.itemCount, fx.itemCount + 3);
    const r = await client.similarTo(items[1].id, { k: 20 });
    assert.ok(r.matches.every((m) => m.item.id !== id), 'the removed item is never returned');
  });

  it('serves a collection the CLI creates, and forgets one the CLI deletes', async () => {
    const folder = path.join(fx.root, 'new');
    await fs.mkdir(path.join(folder, 'sunflower'), { recursive: true });
    for (const p of await caltechFiles('gallery', 'sunflower', 2, 10)) await fs.copyFile(p, path.join(folder, 'sunflower', path.basename(p)));
    await cli('index', folder, '--collection', 'made-by-cli', '--models', 'mobilenetv2-int8');

    const names = (await client.collections()).map((c) => c.name);
    assert.deepEqual(names.sort(), [fx.collection, 'made-by-cli'].sort());
    const r = await client.similarImages(await fileFromPath(path.join(folder, 'sunflower', (await fs.readdir(path.join(folder, 'sunflower')))[0])), { k: 2, collection: 'made-by-cli' });
    assert.equal(r.matches.length, 2);
    assert.equal(r.matches[0].score > 0.99, true, 'the photo itself is the best match');

    await cli('delete', '--collection', 'made-by-cli');
    assert.deepEqual((await client.collections()).map((c) => c.name), [fx.collection]);
    assert.equal(await client.collection('made-by-cli'), null);
  });

  it('creates and deletes collections through the API', async () => {
    const { collection: created } = await client.createCollection({ name: 'made-by-api', models: [{ name: 'mobilenetv2-int8', weight: 1 }] });
    assert.equal(created.itemCount, 0);
    await rejectsWithCode(client.createCollection({ name: 'made-by-api', models: [{ name: 'mobilenetv2-int8', weight: 1 }] }), 'COLLECTION_EXISTS');
    await rejectsWithCode(client.createCollection({ name: '../escape', models: [{ name: 'mobilenetv2-int8', weight: 1 }] }), 'BAD_COLLECTION_NAME');
    await rejectsWithCode(client.createCollection({ name: 'no-such-model', models: [{ name: 'nope', weight: 1 }] }), 'UNKNOWN_MODEL');
    const photo = (await caltechFiles('gallery', 'Leopards', 1, 20))[0];
    const added = await client.addImages({ images: [{ file: await fileFromPath(photo), label: 'Leopards' }], collection: 'made-by-api' });
    assert.equal(added.added, 1);
    const { stdout } = await cli('collections');
    assert.match(stdout, /"name":"made-by-api","items":1/);
    assert.deepEqual(await client.deleteCollection({ name: 'made-by-api' }), { name: 'made-by-api' });
    const { collection: augmented } = await client.createCollection({ name: 'tta', models: [{ name: 'mobilenetv2-int8', weight: 1 }], flip: true, zoom: true });
    assert.deepEqual(augmented.views, ['orig', 'flip', 'zoom', 'zoom-flip']);
    assert.match((await cli('collections')).stdout, /"name":"tta".*"int8Sums":"exact","views":\["orig","flip","zoom","zoom-flip"\]/);
    await client.deleteCollection({ name: 'tta' });
    await rejectsWithCode(client.similarImages(await fileFromPath(photo), { collection: 'made-by-api' }), 'UNKNOWN_COLLECTION');
    await assert.rejects(fs.stat(path.join(fx.dataDir, 'uploads', 'made-by-api')), /ENOENT/);
  });
});

describe('index options per search', () => {
  it('takes efSearch on an HNSW index without rebuilding it, and refuses a knob the index does not take', async () => {
    const photo = await fileFromPath((await caltechFiles('gallery', 'Motorbikes', 1))[0]);
    await rejectsWithCode(client.similarImages(photo, { efSearch: 64 }), 'BAD_USER_INPUT', /efSearch/);
    await client.waitForJob((await client.rebuildIndex({ indexSpec: 'hnsw:M=16,efSearch=16' })).job.id, { timeoutMs: 60_000 });
    const stateFile = path.join(fx.dataDir, 'collections', fx.collection, 'index.state.json');
    const stateBefore = await fs.readFile(stateFile, 'utf8');
    const small = await client.similarImages(photo, { k: 5, efSearch: 16 });
    const large = await client.similarImages(photo, { k: 5, efSearch: 512 });
    assert.equal(small.matches.length, 5);
    assert.equal(large.matches.length, 5);
    assert.equal(large.matches[0].item.label, 'Motorbikes');
    await rejectsWithCode(client.similarImages(photo, { nprobe: 4 }), 'BAD_USER_INPUT', /nprobe/);
    await rejectsWithCode(client.similarImages(photo, { efSearch: 0 }), 'BAD_USER_INPUT');
    assert.equal(await fs.readFile(stateFile, 'utf8'), stateBefore, 'no rebuild for a search option');
  });
});
