/**
 * Mutations and jobs end to end, on a server with an API key and one indexing root: adding
 * uploads, indexing a server-side folder as a job (inside the root only), removing items,
 * rebuilding the index with another spec; following jobs by polling and over WebSocket.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { ImsearchClient, type Job } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';
import { WebSocket } from 'ws';
import { rejectsWithCode } from '../helpers/sdk-errors.js';

const KEY = 'test-api-key-0123456789';

let fx: Fixture;
let server: RunningServer;
let root: string;
let admin: ImsearchClient;
let anonymous: ImsearchClient;


before(async () => {
  fx = await buildFixture();
  root = path.join(fx.root, 'roots', 'photos');
  await fs.mkdir(root, { recursive: true });
  server = await startFixtureServer(fx, { apiKey: KEY, roots: [path.join(fx.root, 'roots')] });
  admin = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: KEY, webSocketImpl: WebSocket });
  anonymous = new ImsearchClient({ endpoint: `${server.url}/graphql`, webSocketImpl: WebSocket });
});

after(async () => {
  await server?.close();
  await fx?.remove();
});

describe('authentication', () => {
  it('mutations need the API key: UNAUTHENTICATED when missing or wrong; queries stay open', async () => {
    await rejectsWithCode(anonymous.removeItems({ ids: ['1'] }), 'UNAUTHENTICATED', /Authorization: Bearer/);
    const wrong = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: 'not-the-key-at-all', webSocketImpl: WebSocket });
    await rejectsWithCode(wrong.rebuildIndex({ indexSpec: 'flat' }), 'UNAUTHENTICATED', /not valid/);
    await rejectsWithCode(wrong.indexFolder({ path: 'photos' }), 'UNAUTHENTICATED');
    const [q] = await caltechFiles('queries', 'Leopards', 1);
    await rejectsWithCode(anonymous.addImages({ images: [{ file: await fileFromPath(q) }] }), 'UNAUTHENTICATED');
    assert.equal((await anonymous.collection())!.itemCount, fx.itemCount, 'nothing was changed');
  });

  it('the jobUpdated subscription needs the key too, in the connection parameters', async () => {
    const jobId = (await admin.jobs())[0]?.id ?? 'any';
    await rejectsWithCode(anonymous.watchJob(jobId), 'UNAUTHENTICATED');
    const wrong = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: 'not-the-key-at-all', webSocketImpl: WebSocket });
    await rejectsWithCode(wrong.watchJob(jobId), 'UNAUTHENTICATED');
  });
});

describe('addImages and removeItems', () => {
  it('adds uploads with labels; reports a bad file; the same content again is UNCHANGED', async () => {
    const extra = await caltechFiles('gallery', 'Leopards', 2, 20);
    const result = await admin.addImages({
      images: [
        { file: await fileFromPath(extra[0]), label: 'Leopards' },
        { file: await fileFromPath(extra[1]), label: 'big cats' },
        { file: new File(['not an image'], 'notes.txt') },
      ],
    });
    assert.equal(result.added, 2);
    assert.equal(result.failed, 1);
    assert.deepEqual(result.results.map((r) => r.status), ['ADDED', 'ADDED', 'FAILED']);
    assert.equal(result.results[2].code, 'BAD_IMAGE');
    assert.equal(result.results[2].reason, 'NOT_IMAGE');
    assert.equal(result.results[1].item?.label, 'big cats');
    assert.equal(result.results[0].item?.sourceName.endsWith('.jpg'), true);
    const again = await admin.addImages({ images: [{ file: await fileFromPath(extra[0]), label: 'Leopards' }] });
    assert.deepEqual(again.results.map((r) => r.status), ['UNCHANGED']);
    assert.equal(again.results[0].item?.id, result.results[0].item?.id);
    const c = (await admin.collection())!;
    assert.equal(c.itemCount, fx.itemCount + 2);
    assert.equal(c.indexSize, fx.itemCount + 2);
    assert.deepEqual(c.labels.find((l) => l.label === 'big cats'), { label: 'big cats', count: 1 });
    // searchable at once, and the original is served from the upload store
    const hit = await admin.similarImages(await fileFromPath(extra[1]), { k: 1 });
    assert.equal(hit.matches[0].item.id, result.results[1].item?.id);
    assert.ok(hit.matches[0].score > 0.999);
    const original = await fetch(hit.matches[0].item.url);
    assert.deepEqual(Buffer.from(await original.arrayBuffer()), await fs.readFile(extra[1]));
  });

  it('BAD_USER_INPUT for a blank or overlong label; nothing is added', async () => {
    const [photo] = await caltechFiles('gallery', 'sunflower', 1, 30);
    for (const label of ['  ', 'x'.repeat(201)]) {
      await rejectsWithCode(admin.addImages({ images: [{ file: await fileFromPath(photo), label }] }), 'BAD_USER_INPUT', /label/);
    }
    assert.equal((await admin.collection())!.itemCount, fx.itemCount + 2);
  });

  it('removes items (all or none)', async () => {
    const [item] = (await admin.items({ label: 'big cats' })).edges.map((e) => e.node);
    const id = item.id;
    await rejectsWithCode(admin.removeItems({ ids: [id, '99999'] }), 'UNKNOWN_ITEM', /99999/);
    assert.equal((await admin.items({ label: 'big cats' })).totalCount, 1, 'nothing removed');
    const upload = path.join(fx.dataDir, 'uploads', fx.collection, `${item.sha256}.jpg`);
    await fs.access(upload);
    const removed = await admin.removeItems({ ids: [id] });
    assert.deepEqual(removed.removed, [id]);
    await assert.rejects(fs.access(upload), 'the uploaded original goes with its item');
    assert.equal(removed.itemCount, fx.itemCount + 1);
    assert.equal(await admin.item(id), null, 'a removed item is not there: null, the rest of the response stands');
    const c = (await admin.collection())!;
    assert.equal(c.indexSize, fx.itemCount + 1);
  });
});

describe('indexFolder jobs', () => {
  it('indexes a folder inside the roots as a job: progress, failed files with reasons, labels from folders', async () => {
    const moto = path.join(root, 'Motorbikes');
    const junk = path.join(root, 'junk');
    await fs.mkdir(moto, { recursive: true });
    await fs.mkdir(junk, { recursive: true });
    for (const f of await caltechFiles('gallery', 'Motorbikes', 3, 30)) await fs.copyFile(f, path.join(moto, path.basename(f)));
    const jpeg = await fs.readFile((await caltechFiles('gallery', 'Motorbikes', 1, 40))[0]);
    await fs.writeFile(path.join(junk, 'cut.jpg'), jpeg.subarray(0, 600));
    await fs.writeFile(path.join(junk, 'notes.txt'), 'hello');
    // a symlink inside the folder that points outside it is not followed, and is reported
    await fs.symlink((await caltechFiles('gallery', 'Leopards', 1, 50))[0], path.join(moto, 'escape.jpg'));

    const { job: started } = await admin.indexFolder({ path: 'photos' });
    assert.ok(['QUEUED', 'RUNNING', 'SUCCEEDED'].includes(started.state));
    assert.equal(started.kind, 'INDEX_FOLDER');
    assert.equal(started.target, await fs.realpath(root));
    const updates: Job[] = [];
    const job = await admin.watchJob(started.id, (j) => updates.push(j));
    assert.deepEqual(job, updates.at(-1), 'watchJob resolves with the last update');
    assert.deepEqual(await admin.job(started.id), job, 'the final state is what job(id) reports');
    assert.ok(updates.length >= 2, `${updates.length} updates`);
    for (let i = 1; i < updates.length; i++) assert.ok(updates[i].done >= updates[i - 1].done, 'progress never goes back');
    assert.ok(updates.slice(0, -1).every((j) => j.finishedAt === null), 'only the last update is finished');
    assert.equal(job.state, 'SUCCEEDED', job.message ?? '');
    assert.equal(job.total, 5);
    assert.equal(job.done, 5);
    assert.equal(job.added, 3);
    assert.equal(job.failed, 3);
    assert.deepEqual(
      job.failures.map((f) => [f.path, f.reason]).sort(),
      [
        ['Motorbikes/escape.jpg', 'SYMLINK_OUTSIDE'],
        ['junk/cut.jpg', 'TRUNCATED'],
        ['junk/notes.txt', 'NOT_IMAGE'],
      ],
    );
    assert.ok(job.failures.every((f) => !f.message.includes(fx.root)), 'messages name files relative to the folder');
    const c = (await admin.collection())!;
    assert.equal(c.labels.find((l) => l.label === 'Motorbikes')?.count, 11);
    assert.equal(c.labels.find((l) => l.label === 'junk'), undefined);

    const rerun = await admin.waitForJob((await admin.indexFolder({ path: root })).job.id, { intervalMs: 50 });
    assert.equal(rerun.state, 'SUCCEEDED');
    assert.equal(rerun.added, 0);
    assert.equal(rerun.unchanged, 3);
  });

  it('PATH_NOT_ALLOWED outside the roots: absolute, "..", symlinks out, missing; the server keeps serving', async () => {
    await fs.symlink('/work/shared/datasets', path.join(fx.root, 'roots', 'outside-link'));
    for (const p of ['/etc', '/work/shared/datasets/caltech101/gallery', '../', 'photos/../../data', 'outside-link', path.join(fx.root, 'roots', 'outside-link', 'caltech101'), 'does-not-exist', path.join(root, 'Motorbikes', 'escape.jpg'), '']) {
      await rejectsWithCode(admin.indexFolder({ path: p }), 'PATH_NOT_ALLOWED', undefined);
    }
    assert.equal((await admin.collection())!.itemCount, fx.itemCount + 4);
  });

  it('a missing job is null (polling) or UNKNOWN_JOB (watching); a missing collection to write to is UNKNOWN_COLLECTION', async () => {
    assert.equal(await admin.job('no-such-job'), null);
    await rejectsWithCode(admin.waitForJob('no-such-job'), 'UNKNOWN_JOB');
    await rejectsWithCode(admin.watchJob('no-such-job'), 'UNKNOWN_JOB', /no-such-job/);
    await rejectsWithCode(admin.indexFolder({ path: 'photos', collection: 'nope' }), 'UNKNOWN_COLLECTION');
  });

  it('watching a finished job gives its final state and completes', async () => {
    const [finished] = await admin.jobs();
    const updates: Job[] = [];
    assert.deepEqual(await admin.watchJob(finished.id, (j) => updates.push(j)), finished);
    assert.equal(updates.length, 1);
  });
});

describe('rebuildIndex', () => {
  it('rebuilds with another spec from the stored embeddings; search still ranks by class', async () => {
    await rejectsWithCode(admin.rebuildIndex({ indexSpec: 'nonsense:x=1' }), 'BAD_INDEX_SPEC');
    const job = await admin.waitForJob((await admin.rebuildIndex({ indexSpec: 'hnsw:M=16,efSearch=64' })).job.id, { intervalMs: 50 });
    assert.equal(job.state, 'SUCCEEDED', job.message ?? '');
    assert.equal(job.kind, 'REBUILD_INDEX');
    const c = (await admin.collection())!;
    assert.equal(c.indexSpec, 'hnsw:M=16,efSearch=64');
    assert.equal(c.indexSize, c.itemCount);
    const [q] = await caltechFiles('queries', 'sunflower', 1);
    const result = await admin.similarImages(await fileFromPath(q), { k: 5 });
    assert.ok(result.matches.every((m) => m.item.label === 'sunflower'));
    const back = await admin.waitForJob((await admin.rebuildIndex({ indexSpec: 'flat' })).job.id, { intervalMs: 50 });
    assert.equal(back.state, 'SUCCEEDED');
    assert.equal((await admin.collection())!.indexSpec, 'flat');
  });

  it('a spec that cannot be built ends the job FAILED and keeps the old index serving', async () => {
    // IVF-PQ needs more vectors to train than the collection has
    const job = await admin.waitForJob((await admin.rebuildIndex({ indexSpec: 'ivfpq:nlist=4096,m=8' })).job.id, { intervalMs: 50 });
    assert.equal(job.state, 'FAILED');
    assert.ok(job.message);
    const c = (await admin.collection())!;
    assert.equal(c.indexSpec, 'flat');
    const [q] = await caltechFiles('queries', 'Leopards', 1);
    assert.equal((await admin.similarImages(await fileFromPath(q), { k: 3 })).matches.length, 3);
  });
});

describe('restart', () => {
  it('a restarted server still answers job(id) and jobs with the records of the jobs it ran before', async () => {
    const before = await admin.jobs();
    assert.ok(before.length >= 4, `${before.length} jobs`);
    assert.ok(before.every((j) => j.state === 'SUCCEEDED' || j.state === 'FAILED'));
    await server.close();
    server = await startFixtureServer(fx, { apiKey: KEY, roots: [path.join(fx.root, 'roots')] });
    admin = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: KEY, webSocketImpl: WebSocket });
    assert.deepEqual(await admin.jobs(), before);
    const indexed = before.find((j) => j.kind === 'INDEX_FOLDER' && j.added === 3)!;
    assert.deepEqual(await admin.job(indexed.id), indexed);
    assert.equal(indexed.failures.length, 3);
  });
});
