/**
 * `imsearch serve --cors-origin` and IMSEARCH_CORS_ORIGINS: the allow-list reaches the server
 * (flags repeated or comma-separated; the variable when no flag is given), and a value that is
 * not an exact origin stops the start with a message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Fixture, buildFixture } from '../../bench/api-fixture.js';
import { rawRequest } from '../helpers/raw-http.js';
import { type ServeProcess, spawnServe } from '../helpers/serve-process.js';

let fx: Fixture;

before(async () => {
  fx = await buildFixture({ classes: ['Leopards'], perClass: 2 });
});

after(async () => {
  await fx?.remove();
});

/** The origin's preflight: the allowed origin echoed, or undefined. */
async function allowedBy(url: string, origin: string): Promise<string | undefined> {
  const res = await rawRequest(url, { method: 'OPTIONS', path: '/graphql', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
  return res.headers['access-control-allow-origin'] as string | undefined;
}

async function stop(p: ServeProcess): Promise<void> {
  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0, p.output().stderr);
}

describe('imsearch serve --cors-origin', () => {
  it('takes the flag comma-separated and repeated', async () => {
    const p = spawnServe(fx, ['--port', '0', '--cors-origin', 'http://a.test,http://b.test:8080', '--cors-origin', 'https://c.test'], { IMSEARCH_CORS_ORIGINS: 'http://env.test' });
    try {
      const url = await p.url;
      for (const origin of ['http://a.test', 'http://b.test:8080', 'https://c.test']) assert.equal(await allowedBy(url, origin), origin);
      // The flag wins over the variable; anything else is not allowed (and, without a key, refused).
      assert.equal(await allowedBy(url, 'http://env.test'), undefined);
      assert.equal(await allowedBy(url, 'http://b.test'), undefined);
    } finally {
      await stop(p);
    }
  });

  it('takes IMSEARCH_CORS_ORIGINS when no flag is given', async () => {
    const p = spawnServe(fx, ['--port', '0'], { IMSEARCH_CORS_ORIGINS: 'http://env.test, http://env2.test' });
    try {
      const url = await p.url;
      assert.equal(await allowedBy(url, 'http://env.test'), 'http://env.test');
      assert.equal(await allowedBy(url, 'http://env2.test'), 'http://env2.test');
    } finally {
      await stop(p);
    }
  });

  it('refuses to start with a value that is not an exact origin', async () => {
    const p = spawnServe(fx, ['--port', '0', '--cors-origin', 'https://app.example.com/']);
    assert.equal(await p.exited, 1);
    assert.match(p.output().stderr, /exact origin .* for corsOrigins but received "https:\/\/app\.example\.com\/"/);
    await p.url.catch(() => undefined);
  });
});
