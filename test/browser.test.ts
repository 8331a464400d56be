/**
 * The results page and the explorer in real headless Chromium (Debian's /usr/bin/chromium via
 * playwright-core): a real photo is picked (and dropped), the grid shows k thumbnails of the
 * expected class; a screenshot is saved under test-artifacts/. Nothing is fetched from outside
 * the server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../bench/api-fixture.js';
import type { RunningServer } from '../server/app.js';
import { repoRoot } from './helpers/paths.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
const ARTIFACTS = path.join(repoRoot, 'test-artifacts');

let fx: Fixture;
let server: RunningServer;
let profile: string;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
const foreign: string[] = [];

before(async () => {
  fx = await buildFixture();
  server = await startFixtureServer(fx);
  profile = await fs.mkdtemp(path.join(os.tmpdir(), 'imsearch-chromium-'));
  // A persistent context is how playwright takes a fresh --user-data-dir of our choosing.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/graphql')) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(server.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  await fs.mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await context?.close();
  await server?.close();
  await fx?.remove();
  if (profile) await fs.rm(profile, { recursive: true, force: true });
});

async function matches(): Promise<{ label: string; score: number; loaded: boolean }[]> {
  return page.$$eval('#results .match', (els) =>
    els.map((el) => {
      const img = el.querySelector('img') as HTMLImageElement;
      return { label: (el as HTMLElement).dataset.label ?? '', score: Number((el as HTMLElement).dataset.score), loaded: img.complete && img.naturalWidth > 0 };
    }),
  );
}

describe('results page', () => {
  it('picking a photo shows the top k matches of its class as thumbnails with scores and labels', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-state="ready"]');
    assert.equal(await page.$eval('#collection', (s) => (s as HTMLSelectElement).value), fx.collection);
    assert.equal(await page.$eval('#k', (k) => (k as HTMLInputElement).max), '100');
    await page.fill('#k', '5');
    const [query] = await caltechFiles('queries', 'Leopards', 1);
    await page.setInputFiles('#file', query);
    await page.waitForFunction(() => document.body.dataset.state === 'done' && document.querySelectorAll('#results .match').length === 5);
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('#results img')).every((i) => i.complete && i.naturalWidth > 0));
    const shown = await matches();
    assert.equal(shown.length, 5);
    assert.deepEqual(shown.map((m) => m.label), Array(5).fill('Leopards'));
    assert.ok(shown.every((m) => m.loaded && m.score > 0 && m.score <= 1.0001));
    for (let i = 1; i < shown.length; i++) assert.ok(shown[i - 1].score >= shown[i].score);
    assert.match(await page.textContent('#status') ?? '', /5 matches in fixture in \d+ ms/);
    assert.equal(await page.$eval('#preview', (img) => (img as HTMLImageElement).hidden), false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'results-page.png'), fullPage: true });
  });

  it('dropping a photo searches again', async () => {
    const [query] = await caltechFiles('queries', 'sunflower', 1);
    const bytes = [...(await fs.readFile(query))];
    await page.evaluate(
      ({ bytes, name }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' }));
        document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { bytes, name: path.basename(query) },
    );
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLElement>('#results .match')).every((m) => m.dataset.label === 'sunflower') && document.querySelectorAll('#results .match').length === 5);
    assert.deepEqual((await matches()).map((m) => m.label), Array(5).fill('sunflower'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'results-page-drop.png'), fullPage: true });
  });

  it('shows the error code for a file that is not an image, and recovers', async () => {
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    assert.equal(await page.$eval('#status', (s) => (s as HTMLElement).dataset.code), 'BAD_IMAGE');
    assert.equal((await matches()).length, 0);
    const [query] = await caltechFiles('queries', 'Motorbikes', 1);
    await page.setInputFiles('#file', query);
    await page.waitForFunction(() => document.body.dataset.state === 'done');
    assert.deepEqual((await matches()).map((m) => m.label), Array(5).fill('Motorbikes'));
  });
});

describe('explorer', () => {
  it('runs similarImages with a file attached, offline', async () => {
    await page.goto(`${server.url}/graphiql`);
    await page.waitForSelector('#query');
    const [query] = await caltechFiles('queries', 'Leopards', 2);
    await page.fill('#variables', JSON.stringify({ k: 3 }));
    await page.setInputFiles('.file-row .file-input', query);
    await page.click('#run');
    await page.waitForFunction(() => (document.getElementById('response')?.textContent ?? '').includes('"matches"'));
    const response = JSON.parse((await page.textContent('#response')) ?? '{}');
    assert.deepEqual(
      response.data.similarImages.matches.map((m: { item: { label: string } }) => m.item.label),
      ['Leopards', 'Leopards', 'Leopards'],
    );
    assert.match((await page.textContent('#timing')) ?? '', /embedMs/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'explorer.png'), fullPage: true });
  });

  it('loaded nothing from outside the server and logged no errors', () => {
    assert.deepEqual(foreign, []);
    // the BAD_IMAGE request is answered 200 with a GraphQL error: no console error expected
    assert.deepEqual(problems, []);
  });
});
