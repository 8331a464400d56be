/**
 * The learned metric through the API, on a real collection (3 Caltech classes x 12 photos,
 * mobilenetv2-int8) and an unlabelled one: fitMetric as a job in a worker thread (the serving
 * thread keeps answering), its validation report, the collection's search configuration, and
 * calibrated "up to k" (minPrecision) on similarImages and similarTo, with its error codes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Fixture, FIXTURE_MODEL, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { ImsearchClient, type Job } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';
import { rejectsWithCode } from '../helpers/sdk-errors.js';
import { cliLikeService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';

const KEY = 'metric-test-key-0123456789';
const PER_CLASS = 12;

let fx: Fixture;
let server: RunningServer;
let client: ImsearchClient;


/** A second collection in the fixture's data dir: the same model, photos without labels. */
async function addUnlabelledCollection(f: Fixture): Promise<void> {
  const service = cliLikeService(f.dataDir, { modelDir: f.modelDir });
  try {
    await service.openOrCreate('unlabelled', { models: [{ name: FIXTURE_MODEL, weight: 1 }], crop: false, views: ['orig'], indexSpec: 'flat' });
    const files = [...(await caltechFiles('gallery', 'Leopards', 3, 20)), ...(await caltechFiles('gallery', 'sunflower', 3, 20))];
    const report = await service.addFiles('unlabelled', files.map((p) => ({ path: p, label: null })));
    assert.equal(report.added, 6);
  } finally {
    await service.close();
  }
}

before(async () => {
  fx = await buildFixture({ perClass: PER_CLASS });
  await addUnlabelledCollection(fx);
  server = await startFixtureServer(fx, { apiKey: KEY });
  client = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: KEY });
});

after(async () => {
  await server?.close();
  await fx?.remove();
});

describe('before a fit', () => {
  it('the collection searches with plain cosine and has no calibrated precisions', async () => {
    const c = (await client.collection(fx.collection))!;
    assert.equal(c.isDefault, true);
    assert.equal(c.metric, null);
    assert.deepEqual(
      { learned: c.search.learned, method: c.search.method, mode: c.search.mode, metric: c.search.metric, thresholds: c.search.thresholds, calibratedPrecisions: c.search.calibratedPrecisions, fit: c.search.fit },
      { learned: false, method: 'COSINE', mode: null, metric: null, thresholds: [], calibratedPrecisions: [], fit: null },
    );
  });

  it('minPrecision: BAD_PRECISION out of (0, 1], NOT_CALIBRATED without a fitted metric', async () => {
    const [q] = await caltechFiles('queries', 'Leopards', 1);
    const file = await fileFromPath(q);
    for (const p of [0, -0.5, 1.5]) {
      await rejectsWithCode(client.similarImages(file, { minPrecision: p }), 'BAD_PRECISION', /minPrecision must be in \(0, 1\]/);
      await rejectsWithCode(client.similarTo('1', { minPrecision: p }), 'BAD_PRECISION');
    }
    await rejectsWithCode(client.similarImages(file, { minPrecision: 0.9 }), 'NOT_CALIBRATED', /fit its metric first/);
    await rejectsWithCode(client.similarTo('1', { minPrecision: 0.5 }), 'NOT_CALIBRATED');
    // The refusal comes before the upload is embedded.
    const res = await client.execute({ toString: () => 'query($u: Upload!) { similarImages(upload: $u, minPrecision: 0.9) { k } }' }, { u: file });
    assert.equal(res.errors?.[0].extensions?.code, 'NOT_CALIBRATED');
    assert.equal(res.extensions?.timing?.embedMs, undefined, JSON.stringify(res.extensions));
  });

  it('fitMetric on an unlabelled collection is NOT_LABELLED at once (no job)', async () => {
    const jobCount = async () => ((await client.execute({ toString: () => 'query { jobs { id } }' })).data as { jobs: unknown[] }).jobs.length;
    const before = await jobCount();
    const err = await rejectsWithCode(client.fitMetric({ collection: 'unlabelled' }), 'NOT_LABELLED', /needs at least 2 classes with 2 or more labelled items/);
    assert.match(err.message, /0 labelled of 6 items/);
    assert.equal(await jobCount(), before);
  });

  it('fitMetric checks its arguments and needs the API key', async () => {
    await rejectsWithCode(client.fitMetric({ folds: 0 }), 'BAD_USER_INPUT', /folds must be an integer from 1 to 10/);
    await rejectsWithCode(client.fitMetric({ folds: 11 }), 'BAD_USER_INPUT');
    await rejectsWithCode(client.fitMetric({ collection: 'nope' }), 'UNKNOWN_COLLECTION');
    const anonymous = new ImsearchClient({ endpoint: `${server.url}/graphql` });
    await rejectsWithCode(anonymous.fitMetric(), 'UNAUTHENTICATED');
  });
});

describe('fitMetric', () => {
  let job: Job;

  it('runs as a job in a worker thread: the serving thread keeps answering while it cross-validates', async (t) => {
    // Event-loop gaps while the job runs (a fit on the serving thread would show as one long gap).
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    let answeredWhileRunning = 0;
    try {
      const { job: started } = await client.fitMetric({ collection: fx.collection, mode: 'TRANSFORM', folds: 5 });
      assert.equal(started.kind, 'FIT_METRIC');
      assert.equal(started.target, 'mode=transform folds=5');
      assert.ok(['QUEUED', 'RUNNING'].includes(started.state), started.state);
      job = await waitFor(
        async () => {
          const now = (await client.job(started.id))!;
          if (now.state === 'SUCCEEDED' || now.state === 'FAILED') return now;
          // A query is answered while the fit runs.
          const cs = await client.collections();
          if ((await client.job(started.id))?.state === 'RUNNING' && cs.length === 2) answeredWhileRunning++;
          return null;
        },
        { timeoutMs: 300_000, intervalMs: 20, what: `fit job ${started.id} to finish` },
      );
    } finally {
      clearInterval(timer);
    }
    assert.equal(job.state, 'SUCCEEDED', `${job.code}: ${job.message}`);
    assert.equal(job.code, null);
    const cvMs = job.fit!.seconds * 1000;
    t.diagnostic(`fit: ${cvMs.toFixed(0)} ms of cross-validation; longest event-loop gap ${maxGap.toFixed(0)} ms; ${answeredWhileRunning} queries answered while RUNNING`);
    assert.ok(answeredWhileRunning >= 1, 'queries were answered while the job was RUNNING');
    // The cross-validation alone takes cvMs of CPU; the loop never stalled for anything like it.
    assert.ok(maxGap < Math.max(250, cvMs / 2), `event loop stalled ${maxGap.toFixed(0)} ms during a fit of ${cvMs.toFixed(0)} ms`);
  });

  it('reports the choice, the cross-validated scores (cosine / metric / re-ranked) and the thresholds', () => {
    const fit = job.fit!;
    assert.ok(['IDENTITY', 'PCA', 'KISSME', 'XQDA', 'JOINT_BAYESIAN'].includes(fit.method), fit.method);
    assert.equal(fit.params.method, fit.method);
    assert.equal(fit.params.pcaDim, fit.pcaDim);
    assert.equal(fit.params.shrinkage, fit.shrinkage);
    assert.equal(fit.mode, 'TRANSFORM');
    assert.match(fit.metricHash, /^sha256:[0-9a-f]{64}$/);
    for (const s of [fit.scores.baseline, fit.scores.metric, fit.scores.reranked]) {
      for (const x of [s.map, s.classBalancedMap, s.precisionAt1]) assert.ok(x >= 0 && x <= 1, JSON.stringify(s));
    }
    // Three easy classes: the held-out queries mostly find their class.
    assert.ok(fit.scores.reranked.map > 0.8, JSON.stringify(fit.scores));
    assert.ok(fit.scores.reranked.map >= fit.scores.metric.map - 1e-9, 're-ranking is kept only when it does not hurt');
    assert.deepEqual(fit.thresholds.map((t) => t.targetPrecision), [0.5, 0.7, 0.8, 0.9, 0.95]);
    assert.ok(fit.thresholds.some((t) => t.achievable), 'at least one precision is achievable on three easy classes');
    for (const t of fit.thresholds) {
      if (t.achievable) assert.ok(typeof t.threshold === 'number' && t.precision! >= t.targetPrecision - 1e-9, JSON.stringify(t));
      else assert.equal(t.threshold, null);
    }
    // The open-set condition and the CV's estimate of each cut are the stored fit's, value for value.
    const stored = JSON.parse(readFileSync(path.join(fx.dataDir, 'collections', fx.collection, 'fit-report.json'), 'utf8')) as {
      defaults: { thresholds: { openSet?: { signal: string; threshold: number; rejectedFamiliar: number } | null; cv?: { familiarResults: number; familiarPrecision: number; strangerResults: number } }[] };
    };
    assert.equal(stored.defaults.thresholds.length, fit.thresholds.length);
    fit.thresholds.forEach((t, i) => {
      const s = stored.defaults.thresholds[i]!;
      assert.deepEqual(t.openSet, s.openSet ? { ...s.openSet, signal: s.openSet.signal.toUpperCase() } : null);
      assert.deepEqual(t.estimate, s.cv ?? null);
    });
    assert.ok(fit.thresholds.some((t) => t.estimate !== null), 'the fit reports what its cuts do to its own held-out queries');
    assert.deepEqual({ folds: fit.split.folds, holdout: fit.split.holdout }, { folds: 5, holdout: 0.2 });
    assert.equal(fit.split.heldOut + fit.split.fittedOn, 3 * PER_CLASS);
    assert.ok(fit.settingsEvaluated > 10);
    assert.equal(job.done, fit.settingsEvaluated);
    assert.equal(job.total, fit.settingsEvaluated);
    // The message names the method as the CLI does (kissme, jointBayesian), not as the enum value.
    const methodName = fit.method.toLowerCase().replace(/_(.)/g, (_, c: string) => c.toUpperCase());
    assert.match(job.message ?? '', new RegExp(`^${methodName} \\(pcaDim ${fit.pcaDim}, transform\\) chosen from \\d+ settings: CV MAP@10`));
  });

  it("the collection now searches with the fitted metric, and says so", async () => {
    const fit = job.fit!;
    const c = (await client.collection(fx.collection))!;
    assert.equal(c.metric, fit.metricHash);
    assert.equal(c.indexSize, fx.itemCount);
    assert.equal(c.search.learned, true);
    assert.equal(c.search.method, fit.method);
    assert.deepEqual(c.search.metric, fit.params);
    assert.equal(c.search.mode, 'TRANSFORM');
    assert.equal(c.search.shortlist, 100);
    assert.deepEqual(c.search.vote, fit.vote);
    assert.deepEqual(c.search.queryExpansion, fit.queryExpansion);
    assert.deepEqual(c.search.thresholds, fit.thresholds);
    assert.deepEqual(c.search.calibratedPrecisions, fit.thresholds.filter((t) => t.achievable).map((t) => t.targetPrecision));
    assert.ok(c.search.calibratedPrecisions.includes(0.9), JSON.stringify(c.search.calibratedPrecisions));
    assert.deepEqual(c.search.fit, fit, 'the report of the served fit stays readable on the collection');
  });
});

describe('calibrated "up to k"', () => {
  it("similarImages with minPrecision cuts the list: at most k, fewer than k here, all of the query's class for an easy query", async () => {
    // An easy query for this fixture (its class's photos all score above the others).
    const [q] = await caltechFiles('queries', 'sunflower', 1);
    const file = await fileFromPath(q);
    const k = 20;
    const full = await client.similarImages(file, { k });
    assert.equal(full.matches.length, k, 'without minPrecision: exactly k');
    const cut = await client.similarImages(file, { k, minPrecision: 0.95 });
    assert.equal(cut.k, k);
    assert.ok(cut.matches.length >= 1 && cut.matches.length < k, `${cut.matches.length} matches`);
    assert.deepEqual(cut.matches.map((m) => m.item.label), Array(cut.matches.length).fill('sunflower'));
    // The cut keeps a prefix of the full ranking.
    assert.deepEqual(cut.matches.map((m) => m.item.id), full.matches.slice(0, cut.matches.length).map((m) => m.item.id));
    // A lower precision accepts at least as many, still fewer than k.
    const loose = await client.similarImages(file, { k, minPrecision: 0.5 });
    assert.ok(loose.matches.length >= cut.matches.length && loose.matches.length <= k);
    // Naming every model of the collection is the default: the metric and its thresholds apply.
    const named = await client.similarImages(file, { k, minPrecision: 0.95, models: [FIXTURE_MODEL] });
    assert.deepEqual(named.matches.map((m) => m.item.id), cut.matches.map((m) => m.item.id));
    assert.deepEqual(named.models, [FIXTURE_MODEL]);
  });

  it('a calibrated precision holds on average over queries: most of the cut lists are their class', async () => {
    let accepted = 0;
    let right = 0;
    for (const cls of ['Leopards', 'Motorbikes', 'sunflower']) {
      for (const q of await caltechFiles('queries', cls, 3)) {
        const res = await client.similarImages(await fileFromPath(q), { k: 20, minPrecision: 0.9 });
        assert.ok(res.matches.length <= 20);
        accepted += res.matches.length;
        right += res.matches.filter((m) => m.item.label === cls).length;
      }
    }
    assert.ok(right / accepted >= 0.75, `${right} of ${accepted} accepted matches share the query's class`);
    assert.ok(accepted < 9 * 20, 'the thresholds cut');
  });

  it('similarTo with minPrecision: the item itself left out, the rest of its class kept', async () => {
    const page = await client.items({ collection: fx.collection, label: 'sunflower', first: 1 });
    const id = page.edges[0].node.id;
    const res = await client.similarTo(id, { k: 20, minPrecision: 0.9 });
    assert.ok(res.matches.length >= 1 && res.matches.length < 20, `${res.matches.length} matches`);
    assert.ok(!res.matches.some((m) => m.item.id === id));
    assert.deepEqual(res.matches.map((m) => m.item.label), Array(res.matches.length).fill('sunflower'));
  });

  it('NOT_CALIBRATED above the highest calibrated precision; BAD_PRECISION still first', async () => {
    const c = (await client.collection(fx.collection))!;
    const top = Math.max(...c.search.calibratedPrecisions);
    const above = Math.min(1, top + 0.01);
    const err = await rejectsWithCode(client.similarTo('1', { minPrecision: above }), 'NOT_CALIBRATED');
    assert.match(err.message, new RegExp(`thresholds up to ${top}`));
    await rejectsWithCode(client.similarTo('1', { minPrecision: 2 }), 'BAD_PRECISION');
  });
});

describe('persistence, re-rank mode, shutdown', () => {
  it('the fit survives a restart (metric artifact, search defaults, the index in the learned space)', async () => {
    const before = (await client.collection(fx.collection))!;
    await server.close();
    server = await startFixtureServer(fx, { apiKey: KEY });
    client = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: KEY });
    const after = (await client.collection(fx.collection))!;
    assert.deepEqual(after.search, before.search);
    assert.equal(after.metric, before.metric);
    const res = await client.similarTo('1', { k: 20, minPrecision: 0.9 });
    assert.ok(res.matches.length < 20);
  });

  it('fitMetric in RERANK mode: cosine index, metric re-scoring, thresholds still served', async () => {
    const job = await client.waitForJob((await client.fitMetric({ mode: 'RERANK' })).job.id, { intervalMs: 50 });
    assert.equal(job.state, 'SUCCEEDED', `${job.code}: ${job.message}`);
    assert.equal(job.fit!.mode, 'RERANK');
    const c = (await client.collection())!;
    assert.equal(c.search.mode, 'RERANK');
    assert.equal(c.metric, job.fit!.metricHash);
    // An easy query for this fixture in this mode.
    const [q] = await caltechFiles('queries', 'sunflower', 1, 2);
    const res = await client.similarImages(await fileFromPath(q), { k: 20, minPrecision: 0.95 });
    assert.ok(res.matches.length >= 1 && res.matches.length < 20, `${res.matches.length} matches`);
    assert.deepEqual(res.matches.map((m) => m.item.label), Array(res.matches.length).fill('sunflower'));
  });

  it('closing the server cancels a running fit (CANCELLED, the worker is stopped); the collection still loads', async () => {
    const { job: started } = await client.fitMetric({ folds: 10 });
    await waitFor(async () => (await client.job(started.id))?.state === 'RUNNING', { timeoutMs: 30_000, what: `fit job ${started.id} to start running` });
    await server.close();
    server = await startFixtureServer(fx, { apiKey: KEY });
    client = new ImsearchClient({ endpoint: `${server.url}/graphql`, apiKey: KEY });
    const c = (await client.collection())!;
    assert.equal(c.itemCount, fx.itemCount);
    assert.equal(c.search.mode, 'RERANK', 'the previous fit is still the one served');
    // The record outlives the process: the restarted server reports the cancelled job as it ended.
    const record = (await client.job(started.id))!;
    assert.equal(record.state, 'FAILED');
    assert.equal(record.code, 'CANCELLED', record.message ?? '');
    assert.match(record.message ?? '', /cancelled \(the server is stopping\)/);
  });

  it("the collection's fit report is dropped once its items change; the metric is still served", async () => {
    assert.equal((await client.collection())!.search.fit?.mode, 'RERANK');
    await client.removeItems({ ids: ['1'] });
    const c = (await client.collection())!;
    assert.equal(c.search.fit, null);
    assert.equal(c.search.learned, true);
    assert.equal(c.indexSize, fx.itemCount - 1);
  });
});
