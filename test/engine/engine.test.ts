import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ImsearchError } from '../../errors/error-codes.js';
import { Embedder } from '../../models/embedder.js';
import { listLabelledFiles } from '../../store/folder-listing.js';
import { caltechDir, cliBin, sharedModelsDir } from '../helpers/paths.js';
import { cliLikeService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';

const CLASSES = ['Motorbikes', 'airplanes', 'dalmatian'];

/** A small labelled folder of real photos plus the kinds of bad file a real folder holds. */
async function makeFolder(perClass: number): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-engine-'));
  for (const c of CLASSES) {
    await fsp.mkdir(path.join(dir, c));
    const names = (await fsp.readdir(path.join(caltechDir, 'gallery', c))).sort().slice(0, perClass);
    for (const n of names) await fsp.copyFile(path.join(caltechDir, 'gallery', c, n), path.join(dir, c, n));
  }
  const good = await fsp.readFile(path.join(dir, CLASSES[0], (await fsp.readdir(path.join(dir, CLASSES[0])))[0]));
  await fsp.writeFile(path.join(dir, CLASSES[0], 'zero.jpg'), '');
  await fsp.writeFile(path.join(dir, CLASSES[0], 'notes.txt'), 'not an image');
  await fsp.writeFile(path.join(dir, CLASSES[1], 'truncated.jpg'), good.subarray(0, Math.floor(good.length / 3)));
  return dir;
}

test('index a folder: bad files skipped and reported, re-index is a no-op, search finds the class', async () => {
  const folder = await makeFolder(6);
  const data = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-data-'));
  const service = cliLikeService(data);
  try {
    const collection = await service.openOrCreate('t', { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig'], indexSpec: 'flat' });
    const { files } = await listLabelledFiles(folder);
    const report = await service.addFiles('t', files);
    assert.equal(report.listed, 21);
    assert.equal(report.added, 18);
    const failed = Object.fromEntries(report.failed.map((f) => [path.basename(f.path), f.reason]));
    assert.deepEqual(Object.keys(failed).sort(), ['notes.txt', 'truncated.jpg', 'zero.jpg']);
    assert.equal(failed['notes.txt'], 'not-image');
    assert.equal(failed['zero.jpg'], 'empty');
    // libvips reports a cut JPEG as premature end of data or as a corrupt stream, by where it was cut
    assert.match(failed['truncated.jpg'], /^(truncated|corrupt)$/);
    assert.equal(collection.searcher.size, 18);

    const again = await service.addFiles('t', files);
    assert.equal(again.added, 0);
    assert.equal(again.unchanged, 18);

    const query = path.join(caltechDir, 'queries', 'dalmatian', (await fsp.readdir(path.join(caltechDir, 'queries', 'dalmatian'))).sort()[0]);
    const { matches } = await service.searchImage('t', await fsp.readFile(query), { k: 5 });
    assert.equal(matches.length, 5);
    assert.ok(matches.slice(0, 3).every((m) => m.item.label === 'dalmatian'), JSON.stringify(matches.map((m) => m.item.label)));
    for (let i = 1; i < matches.length; i++) assert.ok(matches[i - 1].score >= matches[i].score);

    // k above the collection size is clamped; "more like this" leaves the item itself out
    assert.equal((await service.searchImage('t', await fsp.readFile(query), { k: 100 })).matches.length, 18);
    const like = (await service.similarTo('t', matches[0].item.id, { k: 3 })).matches;
    assert.ok(like.every((m) => m.item.id !== matches[0].item.id));
    assert.equal(like[0].item.label, 'dalmatian');

    await assert.rejects(service.searchImage('t', Buffer.from('nope'), { k: 3 }), /not/i);
    await assert.rejects(service.searchImage('t', await fsp.readFile(query), { k: 0 }), (e: { code?: string }) => e.code === 'BAD_K');

    // removal keeps the other ids, and a reopened service sees the same index
    const before = (await service.searchImage('t', await fsp.readFile(query), { k: 6 })).matches.map((m) => m.item.id);
    const gone = matches[0].item.id;
    assert.deepEqual((await service.remove('t', [gone])).removed, [gone]);
    await service.close();
    const reopened = cliLikeService(data);
    try {
      assert.equal((await reopened.collection('t')).searcher.size, 17);
      const after = await reopened.searchImage('t', await fsp.readFile(query), { k: 5 });
      assert.ok(after.matches.every((m) => m.item.id !== gone));
      assert.deepEqual(
        after.matches.map((m) => m.item.id),
        before.filter((id) => id !== gone).slice(0, 5),
      );
    } finally {
      await reopened.close();
    }
  } finally {
    await service.close();
  }
});

test('a search by image starts loading the models while the index loads; reads that embed nothing load no model', async () => {
  const folder = await makeFolder(2);
  const data = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-data-'));
  const setup = cliLikeService(data);
  try {
    await setup.openOrCreate('t', { models: [{ name: 'mobilenetv2-int8', weight: 1 }], crop: false, views: ['orig'], indexSpec: 'flat' });
    await setup.addFiles('t', (await listLabelledFiles(folder)).files);
  } finally {
    await setup.close();
  }
  const query = path.join(caltechDir, 'queries', 'dalmatian', (await fsp.readdir(path.join(caltechDir, 'queries', 'dalmatian'))).sort()[0]);
  // Events in the order a fresh service sees them: the models' factory called, the collection opened (index loaded).
  const traced = (events: string[]) =>
    cliLikeService(data, {
      embedders: (models, identity) => {
        events.push('models');
        return Embedder.create(models, { modelDir: sharedModelsDir, ...identity });
      },
      log: (line) => {
        if (line.startsWith('opened collection')) events.push('index');
      },
    });

  const readerEvents: string[] = [];
  const reader = traced(readerEvents);
  try {
    const page = await reader.items('t', { first: 2 });
    assert.equal((await reader.similarTo('t', page.items[0].id, { k: 2 })).matches.length, 2);
    assert.deepEqual(readerEvents, ['index']);
  } finally {
    await reader.close();
  }

  const searchEvents: string[] = [];
  const searcher = traced(searchEvents);
  try {
    assert.equal((await searcher.searchImage('t', await fsp.readFile(query), { k: 3 })).matches.length, 3);
    assert.deepEqual(searchEvents, ['models', 'index']);
  } finally {
    await searcher.close();
  }

  // A load that fails is reported once, by the search, and not started a second time.
  let loads = 0;
  const broken = cliLikeService(data, {
    embedders: async () => {
      loads++;
      throw new ImsearchError('MODEL_MISSING', 'no such model file');
    },
  });
  try {
    await assert.rejects(broken.searchImage('t', await fsp.readFile(query), { k: 3 }), (e: { code?: string }) => e.code === 'MODEL_MISSING');
    assert.equal(loads, 1);
  } finally {
    await broken.close();
  }
});

test('an indexing run killed mid-write leaves a loadable collection that resumes where it stopped', async () => {
  const folder = await makeFolder(40);
  const data = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-kill-'));
  const args = [cliBin, '--data', data, '--model-dir', sharedModelsDir, 'index', folder, '-c', 'k', '-m', 'mobilenetv2-int8'];
  // Kill the writer as soon as a first batch is committed, wherever it is in the next one.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void exited.then((e) => (exit = e));
  const file = path.join(data, 'collections/k/items.sqlite');
  await waitFor(
    () => {
      if (exit) return true; // finished too early: reported below
      if (!fs.existsSync(file)) return false;
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n > 0;
      } catch {
        return false; // tables not created yet
      } finally {
        db.close();
      }
    },
    { timeoutMs: 120_000, intervalMs: 10, what: 'the indexer to commit its first batch' },
  );
  child.kill('SIGKILL'); // a no-op when it already exited
  const { code, signal } = await exited;
  assert.equal(signal, 'SIGKILL', `indexer finished before it could be killed (code ${code})`);
  const service = cliLikeService(data);
  try {
    const open = await service.collection('k');
    const partial = open.collection;
    const committed = partial.count();
    assert.ok(committed > 0 && committed < 120, `committed ${committed}`);
    // every committed item has its embedding: the batch transaction is all or nothing
    assert.equal(partial.vectors('mobilenetv2-int8').ids.length, committed);
    assert.equal(open.searcher.size, committed);
    const report = await service.indexFolder('k', folder);
    assert.equal(report.unchanged, committed);
    assert.equal(report.added, 120 - committed);
    assert.equal(open.searcher.size, 120);
    // Again with a flag only a new collection takes: the collection stays as made, and the CLI says so.
    const again = spawnSync(process.execPath, [...args, '--flip'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /collection k exists; these apply only to a new collection and were ignored: --flip \(it has views orig\)/);
    assert.equal(JSON.parse(again.stdout.trim().split('\n').pop()!).unchanged, 120);
    // The run that makes a collection from the same flags has nothing to say about them.
    const fresh = spawnSync(process.execPath, [...args.slice(0, -4), '-c', 'fresh', '-m', 'mobilenetv2-int8', '--flip'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.doesNotMatch(fresh.stderr, /were ignored/);
  } finally {
    await service.close();
  }
});
