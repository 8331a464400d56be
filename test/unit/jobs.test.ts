/**
 * The job history on disk: finished records come back after a restart as they were; jobs the
 * previous process left QUEUED or RUNNING (it was killed) come back FAILED / INTERRUPTED; an
 * unreadable history is reported and replaced, never a reason not to start.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../helpers/wait-for.js';
import { JobRegistry } from '../../server/jobs.js';

let dir: string;
const runNow = (work: () => Promise<void>) => work();

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imsearch-jobs-'));
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('JobRegistry history', () => {
  it('finished jobs (progress, failures, result, errors) read back identically after a restart', async () => {
    const file = path.join(dir, 'finished.json');
    const first = await JobRegistry.open(file);
    const ok = first.start('INDEX_FOLDER', 'photos', '/data/in', runNow, async (job) => {
      job.progress({ done: 3, total: 4 });
      job.fail({ path: 'a/cut.jpg', reason: 'truncated', message: 'a/cut.jpg: truncated JPEG' });
      job.progress({ done: 4, total: 4 });
      return { added: 2, unchanged: 1, message: '2 added' };
    });
    const bad = first.start('REBUILD_INDEX', 'photos', 'ivfpq:nlist=4096', runNow, async () => {
      throw new Error('not enough vectors to train');
    });
    await first.close();
    assert.equal(ok.state, 'SUCCEEDED');
    assert.equal(bad.state, 'FAILED');

    const lines: string[] = [];
    const second = await JobRegistry.open(file, (l) => lines.push(l));
    assert.deepEqual(second.list(), first.list());
    assert.deepEqual(second.get(ok.id), ok);
    assert.ok(second.get(ok.id)!.createdAt instanceof Date);
    assert.deepEqual(second.get(bad.id), bad);
    assert.deepEqual([bad.code, bad.message], ['INTERNAL_SERVER_ERROR', 'not enough vectors to train']);
    assert.deepEqual(lines, []);
  });

  it('jobs a killed process left QUEUED or RUNNING come back FAILED with code INTERRUPTED; the rest is untouched', async () => {
    const file = path.join(dir, 'killed.json');
    const first = await JobRegistry.open(file);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const done = first.start('INDEX_FOLDER', 'photos', '/data/a', runNow, async () => ({ added: 1 }));
    await first.idle();
    const busy = first.start('INDEX_FOLDER', 'photos', '/data/b', runNow, async (job) => {
      job.progress({ done: 7, total: 50 });
      started();
      await held;
    });
    // Queued behind work that never gets to run in this process.
    const waiting = first.start('FIT_METRIC', 'photos', 'mode=transform folds=1', () => new Promise<void>(() => undefined), async () => undefined);
    await running;
    // The state a SIGKILL would leave on disk: wait for the writes in flight to land.
    await waitFor(async () => {
      const saved = JSON.parse(await fs.readFile(file, 'utf8')) as { jobs: { id: string; state: string; done: number }[] };
      const b = saved.jobs.find((j) => j.id === busy.id);
      return b?.state === 'RUNNING' && saved.jobs.some((j) => j.id === waiting.id);
    }, { timeoutMs: 5000, what: 'the running and the queued job in the history file' });

    const lines: string[] = [];
    const second = await JobRegistry.open(file, (l) => lines.push(l));
    const b = second.get(busy.id)!;
    assert.deepEqual([b.state, b.code, b.total], ['FAILED', 'INTERRUPTED', 50]);
    assert.match(b.message ?? '', /server stopped \(while it ran\) and did not finish this job; what it committed is kept/);
    assert.ok(b.finishedAt instanceof Date);
    const w = second.get(waiting.id)!;
    assert.deepEqual([w.state, w.code, w.startedAt], ['FAILED', 'INTERRUPTED', null]);
    assert.match(w.message ?? '', /before it started/);
    assert.deepEqual(second.get(done.id), done);
    assert.deepEqual(lines, ['2 job(s) left unfinished by the previous process marked INTERRUPTED']);
    // The verdict is written at once: a third start reads the same.
    assert.deepEqual((await JobRegistry.open(file)).get(busy.id), b);
    release();
    await waitFor(() => busy.state === 'SUCCEEDED', { timeoutMs: 5000, what: 'the released job to succeed' });
  });

  it('an unreadable history is reported, and the next write replaces it', async () => {
    const file = path.join(dir, 'broken.json');
    await fs.writeFile(file, '{"version": 1, "jobs": [');
    const lines: string[] = [];
    const registry = await JobRegistry.open(file, (l) => lines.push(l));
    assert.deepEqual(registry.list(), []);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /broken\.json is unreadable \(.*JSON.*\); starting a new one/);
    const job = registry.start('REBUILD_INDEX', 'photos', 'flat', runNow, async () => undefined);
    await registry.close();
    assert.deepEqual((await JobRegistry.open(file)).list(), [job]);
  });

  it('without a file, jobs live in memory only', async () => {
    const registry = await JobRegistry.open(null);
    registry.start('REBUILD_INDEX', 'photos', 'flat', runNow, async () => undefined);
    await registry.close();
    assert.equal(registry.list()[0]!.state, 'SUCCEEDED');
  });
});


describe('JobRegistry.watch (the jobUpdated subscription)', () => {
  it('gives the current state at once, then each change, and ends after the finished state', async () => {
    const jobs = await JobRegistry.open(null);
    let step!: () => void;
    const steps: Promise<void>[] = [];
    const next = () => steps.push(new Promise<void>((r) => (step = r)));
    next();
    const record = jobs.start('INDEX_FOLDER', 'photos', '/data/in', runNow, async (job) => {
      await steps[0];
      job.progress({ done: 1, total: 2 });
      next();
      await steps[1];
      job.progress({ done: 2, total: 2 });
      return { added: 2 };
    });
    const stream = jobs.watch(record.id);
    const first = await stream.next();
    assert.deepEqual([first.value?.state, first.value?.done], ['RUNNING', 0]);
    step();
    const second = await stream.next();
    assert.deepEqual([second.value?.state, second.value?.done, second.value?.finishedAt], ['RUNNING', 1, null]);
    step();
    // A reader slower than the job gets the latest state, not every one in between.
    await jobs.idle();
    const last = await stream.next();
    assert.deepEqual([last.value?.state, last.value?.done, last.value?.added], ['SUCCEEDED', 2, 2]);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
    assert.notEqual(first.value, record, 'states are copies: a reader never sees the job move on under it');
  });

  it('a finished job gives its final state and ends; an unknown job is UNKNOWN_JOB; a reader can stop early', async () => {
    const jobs = await JobRegistry.open(null);
    const done = jobs.start('REBUILD_INDEX', 'photos', 'flat', runNow, async () => ({ message: 'built' }));
    await jobs.idle();
    const states = [];
    for await (const s of jobs.watch(done.id)) states.push(s.state);
    assert.deepEqual(states, ['SUCCEEDED']);
    assert.throws(() => jobs.watch('nope'), (e: Error & { code?: string }) => e.code === 'UNKNOWN_JOB');
    let release!: () => void;
    const held = jobs.start('REBUILD_INDEX', 'photos', 'flat', runNow, () => new Promise<void>((r) => (release = r)));
    const stream = jobs.watch(held.id);
    await stream.next();
    const waiting = stream.next();
    await stream.return!();
    assert.deepEqual(await waiting, { done: true, value: undefined }, 'a pending read ends when the reader stops');
    release();
    await jobs.idle();
  });
});
