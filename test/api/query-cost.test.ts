/**
 * Query cost control and the search gate on a real server: abusive shapes are refused before
 * anything runs (HTTP 400, QUERY_TOO_COMPLEX with the numbers), the budget is configurable, and
 * searches beyond the running + queued bound are refused with BUSY while the others complete.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Fixture, buildFixture, startFixtureServer } from '../../bench/api-fixture.js';
import { ImsearchClient } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import { rejectsWithCode } from '../helpers/sdk-errors.js';

let fx: Fixture;
before(async () => {
  fx = await buildFixture({ perClass: 4 });
});
after(async () => {
  await fx?.remove();
});

async function post(url: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] } };
}

const aliases = (n: number, field: string) => `query { ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

test('3,000 aliases of similarTo(k: 100) are refused before parsing, 40 before any search, with the numbers', async () => {
  const server = await startFixtureServer(fx);
  try {
    const t0 = performance.now();
    const huge = await post(server.url, aliases(3000, 'similarTo(id: 1, k: 100) { matches { score } }'));
    const ms = performance.now() - t0;
    assert.equal(huge.status, 400);
    assert.equal(huge.body.data, undefined);
    let e = huge.body.errors?.[0];
    assert.equal(e?.extensions.code, 'QUERY_TOO_COMPLEX', JSON.stringify(huge.body));
    assert.equal(e?.extensions.limit, 'maxQueryTokens');
    assert.equal(e?.extensions.maxQueryTokens, 2000);
    assert.ok(ms < 1000, `${ms} ms`);

    const many = await post(server.url, aliases(40, 'similarTo(id: 1, k: 100) { matches { score } }'));
    assert.equal(many.status, 400);
    e = many.body.errors?.[0];
    assert.equal(e?.extensions.code, 'QUERY_TOO_COMPLEX', JSON.stringify(many.body));
    assert.equal(e?.extensions.aliases, 40);
    assert.equal(e?.extensions.maxAliases, 30);
    assert.match(e?.message ?? '', /40.*30/);
    const metrics = (await (await fetch(`${server.url}/metrics.json`)).json()) as { stages: Record<string, unknown> };
    assert.equal(metrics.stages.searchMs, undefined, 'no search ran');
  } finally {
    await server.close();
  }
});

test('the budget is configurable (maxQueryCost) and the default lets a k=100 search through', async () => {
  const server = await startFixtureServer(fx, { limits: { maxQueryCost: '100' } });
  try {
    const { body } = await post(server.url, 'query { similarTo(id: 1, k: 100) { matches { score } } }');
    const e = body.errors?.[0];
    assert.equal(e?.extensions.code, 'QUERY_TOO_COMPLEX');
    assert.equal(e?.extensions.maxQueryCost, 100);
    assert.ok((e?.extensions.cost as number) > 100);
    // Clients can read the budget.
    const limits = await new ImsearchClient({ endpoint: `${server.url}/graphql` }).limits();
    assert.deepEqual([limits.maxQueryCost, limits.maxAliases, limits.maxDepth], [100, 30, 20]);
  } finally {
    await server.close();
  }
  const open = await startFixtureServer(fx);
  try {
    const { body } = await post(open.url, 'query { similarTo(id: 1, k: 100) { matches { score } } }');
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  } finally {
    await open.close();
  }
});

test('a measured operation is remembered per variables: the same document at a larger k is still measured and refused', async () => {
  const server = await startFixtureServer(fx, { limits: { maxQueryCost: '100' } });
  try {
    const query = 'query Q($k: Int) { similarTo(id: 1, k: $k) { matches { score } } }';
    // cost = 1 + (10 + k) + k × (matches 1 + score 1): k 2 → 17, k 50 → 161.
    for (const [k, refused] of [[2, false], [50, true], [2, false], [50, true]] as const) {
      const { status, body } = await post(server.url, query, { k });
      const e = body.errors?.[0];
      if (refused) {
        assert.equal(status, 400);
        assert.equal(e?.extensions.code, 'QUERY_TOO_COMPLEX', JSON.stringify(body));
        assert.equal(e?.extensions.cost, 161);
      } else {
        assert.equal(e, undefined, JSON.stringify(body));
      }
    }
  } finally {
    await server.close();
  }
});

test('searches beyond the running + queued bound are refused with BUSY; the rest complete', async () => {
  const server = await startFixtureServer(fx, { limits: { maxConcurrentSearches: 1, maxQueuedSearches: 1 } });
  try {
    const client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
    const photo = await fileFromPath(fx.files.Leopards[0]);
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => client.similarImages(photo, { k: 5 })));
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    const busy = outcomes.filter((o) => o.status === 'rejected');
    assert.ok(ok >= 2, `${ok} succeeded`);
    assert.ok(busy.length >= 1, 'some were refused');
    for (const b of busy) await rejectsWithCode(Promise.reject((b as PromiseRejectedResult).reason), 'BUSY');
    // Once the burst is over the gate is free again.
    assert.equal((await client.similarImages(photo, { k: 5 })).matches.length, 5);
  } finally {
    await server.close();
  }
});
