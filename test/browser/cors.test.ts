/**
 * CORS in real headless Chromium: a page served by a second, tiny static server (another origin)
 * loads the SDK's browser build from the API server (/sdk/, cross-origin ES modules) and searches
 * with an uploaded photo (a multipart request: preflighted). The same page from an origin that
 * is not on --cors-origin cannot load it from there, and the SDK (served by the page's own
 * server) fails with NETWORK_ERROR, since the API refuses the preflight.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import type { RunningServer } from '../../server/app.js';
import { repoRoot } from '../helpers/paths.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';

/** A second name for 127.0.0.1: the same static server seen from an origin that is not allowed. */
const REFUSED_HOST = 'refused.test';
const ARGS = [
  ...CHROMIUM_ARGS,
  `--host-resolver-rules=MAP ${REFUSED_HOST} 127.0.0.1`,
];
/** The SDK's browser build as the API server serves it at /sdk/. */
const SDK_BUILD = path.join(repoRoot, 'dist/sdk');

let fx: Fixture;
let api: RunningServer;
let site: http.Server;
let siteOrigin: string;
let refusedOrigin: string;
let browser: Browser;

/** The frontend's server: an empty page at /, and a copy of the SDK's browser build at /sdk/. */
function startSite(): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>frontend</title>');
      return;
    }
    const file = path.join(SDK_BUILD, path.normalize(url.pathname.replace(/^\/sdk\//, '')));
    if (!url.pathname.startsWith('/sdk/') || !file.startsWith(SDK_BUILD) || !file.endsWith('.js')) {
      res.writeHead(404).end();
      return;
    }
    try {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(await fs.readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  fx = await buildFixture({ perClass: 4 });
  site = await startSite();
  const port = (site.address() as AddressInfo).port;
  siteOrigin = `http://127.0.0.1:${port}`;
  refusedOrigin = `http://${REFUSED_HOST}:${port}`;
  api = await startFixtureServer(fx, { corsOrigins: [siteOrigin] });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});

after(async () => {
  await browser?.close();
  await api?.close();
  await new Promise((r) => site?.close(r));
  await fx?.remove();
});

interface Outcome {
  labels?: string[];
  code?: string;
  message?: string;
}

/** In the page: import the SDK from `sdkUrl`, search with the photo; the labels, or the error's code. */
async function searchFromPage(page: Page, sdkUrl: string, photo: string): Promise<Outcome> {
  const bytes = [...(await fs.readFile(photo))];
  return page.evaluate(
    async ({ sdkUrl, endpoint, bytes }) => {
      const { ImsearchClient } = (await import(sdkUrl)) as typeof import('../../sdk/index.js');
      const client = new ImsearchClient({ endpoint });
      try {
        const result = await client.similarImages(new File([new Uint8Array(bytes)], 'query.jpg', { type: 'image/jpeg' }), { k: 4 });
        return { labels: result.matches.map((m) => m.item.label ?? '') };
      } catch (err) {
        return { code: (err as { code?: string }).code, message: (err as Error).message };
      }
    },
    { sdkUrl, endpoint: `${api.url}/graphql`, bytes },
  );
}

describe('CORS from a frontend on another origin', () => {
  it('an allowed origin loads the SDK from the API server and searches with an upload', async () => {
    const page = await browser.newPage();
    await page.goto(`${siteOrigin}/`);
    const [photo] = await caltechFiles('queries', 'Leopards', 1);
    const outcome = await searchFromPage(page, `${api.url}/sdk/index.js`, photo);
    assert.deepEqual(outcome, { labels: Array(4).fill('Leopards') });
    await page.close();
  });

  it('an origin not on the list can neither load the SDK from the API nor search: NETWORK_ERROR', async () => {
    const page = await browser.newPage();
    await page.goto(`${refusedOrigin}/`);
    const loaded = await page.evaluate(async (url) => import(url).then(() => 'loaded', (e: Error) => e.message), `${api.url}/sdk/index.js`);
    assert.notEqual(loaded, 'loaded');
    const [photo] = await caltechFiles('queries', 'Leopards', 1);
    const outcome = await searchFromPage(page, `${refusedOrigin}/sdk/index.js`, photo);
    assert.equal(outcome.code, 'NETWORK_ERROR', JSON.stringify(outcome));
    assert.equal(outcome.labels, undefined);
    await page.close();
  });
});
