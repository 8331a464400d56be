/**
 * Explanations through the API (3 Caltech classes x 12 photos, mobilenetv2-int8): absent unless
 * asked; with one model of weight 1 each match's cosine is its score before a fit; the vote over
 * the returned matches is a count; after fitMetric the score is the learned metric's, with a
 * calibrated probability, and the prediction comes from the fitted vote.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Fixture, FIXTURE_MODEL, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { ImsearchClient, type SearchResult } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';
import { waitFor } from '../helpers/wait-for.js';

let fx: Fixture;
let server: RunningServer;
let client: ImsearchClient;
let photo: Blob;

before(async () => {
  fx = await buildFixture({ perClass: 12 });
  server = await startFixtureServer(fx);
  client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
  photo = await fileFromPath((await caltechFiles('queries', 'Leopards', 1))[0]);
});

after(async () => {
  await server?.close();
  await fx?.remove();
});

/** Each match's class share is its label's share among `votes` (a plain count of labels). */
function countShares(votes: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of votes) counts.set(l, (counts.get(l) ?? 0) + 1);
  return new Map([...counts].map(([l, c]) => [l, c / votes.length]));
}

describe('explanations', () => {
  it('are absent unless asked for', async () => {
    const r = await client.similarImages(photo, { k: 5 });
    assert.equal(r.prediction, null);
    assert.ok(r.matches.every((m) => m.explanation === null));
  });

  it('on plain cosine: the one model cosine is the score, no probability, shares and prediction by count', async () => {
    const r: SearchResult = await client.similarImages(photo, { k: 6, explain: true });
    assert.equal(r.matches.length, 6);
    const shares = countShares(r.matches.map((m) => m.item.label!));
    for (const m of r.matches) {
      const e = m.explanation!;
      assert.deepEqual(e.models.map((x) => x.model), [FIXTURE_MODEL]);
      assert.ok(Math.abs(e.models[0].cosine - m.score) < 1e-5, `cosine ${e.models[0].cosine} vs score ${m.score}`);
      assert.equal(e.score, m.score);
      assert.equal(e.scoreKind, 'COSINE');
      assert.equal(e.probability, null);
      assert.equal(e.classShare, shares.get(m.item.label!));
    }
    const ranked = [...shares].sort((a, b) => b[1] - a[1]);
    assert.equal(r.prediction!.label, 'Leopards');
    assert.equal(r.prediction!.label, ranked[0][0]);
    assert.equal(r.prediction!.share, ranked[0][1]);
    assert.equal(r.prediction!.voters, 6);
    assert.equal(r.prediction!.weighted, false);
    assert.equal(r.prediction!.runnerUp?.share ?? 0, ranked[1]?.[1] ?? 0);
  });

  it('similarTo explains too (the item itself left out of the vote)', async () => {
    const r = await client.similarTo('1', { k: 4, explain: true });
    assert.ok(r.matches.every((m) => m.explanation !== null && m.item.id !== '1'));
    assert.equal(r.prediction!.voters, 4);
  });

  it('after fitMetric: metric scores with a calibrated probability, and the fitted vote predicts', async () => {
    const { job: started } = await client.fitMetric({ collection: fx.collection });
    const job = await waitFor(
      async () => {
        const j = await client.job(started.id);
        return j && (j.state === 'SUCCEEDED' || j.state === 'FAILED') ? j : null;
      },
      { timeoutMs: 300_000, intervalMs: 50, what: `fit job ${started.id}` },
    );
    assert.equal(job.state, 'SUCCEEDED', `${job.code}: ${job.message}`);
    const r = await client.similarImages(photo, { k: 5, explain: true });
    let last = Infinity;
    for (const m of r.matches) {
      const e = m.explanation!;
      assert.equal(e.scoreKind, 'METRIC');
      assert.equal(e.score, m.score);
      assert.ok(e.probability !== null && e.probability >= 0 && e.probability <= 1, `probability ${e.probability}`);
      // The curve is monotone: among results of one class (the vote may reorder classes), a lower score never has a higher probability.
      if (m.item.label === r.matches[0].item.label) {
        assert.ok(e.probability <= last + 1e-12, 'probability falls with the score');
        last = e.probability;
      }
    }
    const vote = (await client.collection(fx.collection))!.search.vote;
    const p = r.prediction!;
    assert.equal(p.label, 'Leopards');
    assert.ok(p.probability !== null && p.share > 0 && p.share <= 1);
    assert.equal(p.weighted, vote !== null && vote.tau !== null);
    if (vote) assert.equal(p.voters, vote.k);
    // Cosines are still per model, and no longer the score.
    assert.ok(r.matches.every((m) => m.explanation!.models.length === 1));
  });
});
