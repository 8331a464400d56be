/**
 * A short seeded fuzz run (test/helpers/fuzz-images.ts): mutated JPEG, PNG, WebP and GIF bytes
 * through the decoder and through the upload path of a real server. No crash, no hang: every
 * case is a clean accept or a refusal with its reason. The long run is bench/fuzz-decode.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Fixture, buildFixture, startFixtureServer } from '../../bench/api-fixture.js';
import { DECODE_FAILURES } from '../../models/image/decode-error.js';
import type { RunningServer } from '../../server/app.js';
import { ImsearchClient, ImsearchError } from '../../sdk/index.js';
import { fuzzDecode, makeSeeds, mutate } from '../helpers/fuzz-images.js';
import { seededUniform } from '../helpers/random-vectors.js';

test('400 mutated images through the decoder: each accepted or refused with a reason, none hangs', { timeout: 60_000 }, async () => {
  const { counts, findings, maxMs } = await fuzzDecode(400, 12);
  assert.deepEqual(findings, []);
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 400);
  // The mutations reach both sides: some decode, some are refused.
  assert.ok(counts.ok > 0 && counts.ok < 400, JSON.stringify(counts));
  assert.ok(maxMs < 5000, `slowest case ${maxMs} ms`);
});

let fx: Fixture;
let server: RunningServer;
before(async () => {
  fx = await buildFixture({ perClass: 1 });
  server = await startFixtureServer(fx);
});
after(async () => {
  await server?.close();
  await fx?.remove();
});

test('60 mutated uploads: each answered with matches or BAD_IMAGE and its reason; the server stays up', { timeout: 120_000 }, async () => {
  const client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
  const seeds = await makeSeeds();
  const random = seededUniform(7);
  const seen: Record<string, number> = {};
  for (let n = 0; n < 60; n++) {
    const bytes = mutate(seeds[n % seeds.length], random);
    const file = new File([new Uint8Array(bytes)], `case-${n}.bin`, { type: 'application/octet-stream' });
    try {
      const r = await client.similarImages(file, { k: 2 });
      assert.equal(r.matches.length, 2);
      seen.ok = (seen.ok ?? 0) + 1;
    } catch (err) {
      assert.ok(err instanceof ImsearchError, `case ${n}: ${String(err)}`);
      assert.equal(err.code, 'BAD_IMAGE', `case ${n}: ${err.code} ${err.message}`);
      const reason = String(err.errors[0]?.extensions?.reason);
      assert.ok((DECODE_FAILURES as readonly string[]).includes(reason), `case ${n}: reason ${reason}`);
      seen[reason] = (seen[reason] ?? 0) + 1;
    }
  }
  assert.ok(seen.ok > 0, JSON.stringify(seen));
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
});

test('a zero-byte upload is refused as empty', async () => {
  const client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
  try {
    await client.similarImages(new File([], 'empty.jpg'), { k: 2 });
    assert.fail('accepted an empty upload');
  } catch (err) {
    assert.ok(err instanceof ImsearchError, String(err));
    assert.equal(err.code, 'BAD_IMAGE');
    assert.equal(err.errors[0]?.extensions?.reason, 'empty');
  }
});
