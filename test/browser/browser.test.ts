/**
 * The results page, GraphiQL and the built-in explorer in real headless Chromium (Debian's
 * /usr/bin/chromium via playwright-core): a real photo is picked (and dropped), the grid shows k
 * thumbnails of the expected class; GraphiQL (from node_modules, served by the server) runs a
 * query and similarImages with a file from its upload helper; screenshots are saved under
 * test-artifacts/. No request leaves 127.0.0.1 and no page logs an error (CSP violations
 * included).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { ImsearchClient } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';
import { type Chromium, launchChromium } from '../helpers/chromium.js';
import { repoRoot } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait-for.js';

const ARTIFACTS = path.join(repoRoot, 'test-artifacts');

let fx: Fixture;
let server: RunningServer;
let browser: Chromium;
let page: Page;
const foreign: string[] = [];
let requests = 0;

before(async () => {
  // 12 photos a class: enough held-out pairs for the metric fit to calibrate its thresholds.
  fx = await buildFixture({ perClass: 12 });
  server = await startFixtureServer(fx);
  browser = await launchChromium();
  page = browser.page;
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/graphql')) browser.problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  // Every request of every page of the browser: only 127.0.0.1 (blob: and data: URLs stay in the page).
  browser.context.on('request', (r) => {
    requests++;
    const url = new URL(r.url());
    if (url.protocol === 'blob:' || url.protocol === 'data:') return;
    if (url.hostname !== '127.0.0.1' || !r.url().startsWith(server.url)) foreign.push(r.url());
  });
  await fs.mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await fx?.remove();
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

  it('offers the calibrated precisions once the metric is fitted, and cuts the list with one', async () => {
    assert.equal(await page.$eval('#precision', (s) => (s as HTMLSelectElement).disabled), true, 'nothing calibrated before a fit');
    const client = new ImsearchClient({ endpoint: `${server.url}/graphql` });
    const { job: started } = await client.fitMetric({ collection: fx.collection, folds: 2 });
    const job = await waitFor(
      async () => {
        const now = (await client.job(started.id))!;
        return now.state === 'QUEUED' || now.state === 'RUNNING' ? null : now;
      },
      { timeoutMs: 300_000, intervalMs: 100, what: `fit job ${started.id} to finish` },
    );
    assert.equal(job.state, 'SUCCEEDED', `${job.code}: ${job.message}`);
    const precisions = (await client.collection(fx.collection))!.search.calibratedPrecisions;
    assert.ok(precisions.length > 0, 'the fit calibrated at least one precision');

    await page.reload();
    await page.waitForSelector('body[data-state="ready"]');
    assert.equal(await page.$eval('#precision', (s) => (s as HTMLSelectElement).disabled), false);
    assert.deepEqual(await page.$$eval('#precision option', (os) => os.map((o) => (o as HTMLOptionElement).value)), ['', ...precisions.map(String)]);
    const strictest = precisions.at(-1)!;
    await page.fill('#k', '20');
    await page.selectOption('#precision', String(strictest));
    const [query] = await caltechFiles('queries', 'sunflower', 1);
    await page.setInputFiles('#file', query);
    await page.waitForFunction(() => document.body.dataset.state === 'done' && /precision/.test(document.getElementById('status')!.textContent ?? ''));
    const expected = await client.similarImages(await fileFromPath(query), { k: 20, minPrecision: strictest });
    assert.ok(expected.matches.length < 20, `the cut at ${strictest} kept ${expected.matches.length} of 20`);
    const shownIds = await page.$$eval('#results .match', (els) => els.map((el) => (el as HTMLElement).dataset.id));
    assert.deepEqual(shownIds, expected.matches.map((m) => m.item.id), 'the page shows what the API returns for this precision');
    assert.match(await page.textContent('#status') ?? '', new RegExp(`^${expected.matches.length} matches \\(of up to 20 at precision ≥ ${strictest}\\)`));
    await page.screenshot({ path: path.join(ARTIFACTS, 'results-page-precision.png'), fullPage: true });
  });
});

/** The text of GraphiQL's response pane (a CodeMirror 5 editor). */
function graphiqlResponse(): Promise<string> {
  return page.evaluate(() => {
    const cm = document.querySelector('.result-window .CodeMirror') as (Element & { CodeMirror?: { getValue(): string } }) | null;
    return cm?.CodeMirror?.getValue() ?? '';
  });
}

function graphiqlQuery(): Promise<string> {
  return page.evaluate(() => {
    const cm = document.querySelector('.graphiql-query-editor .CodeMirror') as (Element & { CodeMirror?: { getValue(): string } }) | null;
    return cm?.CodeMirror?.getValue() ?? '';
  });
}

async function runGraphiqlTab(name: string, expect: string): Promise<any> {
  await page.click(`.graphiql-tab-button:text-is("${name}")`);
  await page.waitForFunction((op) => {
    const cm = document.querySelector('.graphiql-query-editor .CodeMirror') as (Element & { CodeMirror?: { getValue(): string } }) | null;
    return (cm?.CodeMirror?.getValue() ?? '').includes(`query ${op}`);
  }, name);
  await page.click('.graphiql-execute-button');
  await page.waitForFunction((field) => {
    const cm = document.querySelector('.result-window .CodeMirror') as (Element & { CodeMirror?: { getValue(): string } }) | null;
    return (cm?.CodeMirror?.getValue() ?? '').includes(`"${field}"`);
  }, expect);
  return JSON.parse(await graphiqlResponse());
}

describe('GraphiQL', () => {
  const graphqlBodies: { contentType: string; body: string }[] = [];

  it('renders the real GraphiQL from node_modules, with the schema from introspection, under a CSP', async () => {
    page.on('request', (r) => {
      if (r.url() === `${server.url}/graphql`) graphqlBodies.push({ contentType: r.headers()['content-type'] ?? '', body: r.postData() ?? '' });
    });
    const res = await page.goto(`${server.url}/graphiql`);
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self';.*connect-src 'self'/);
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror');
    assert.ok(await page.$('.graphiql-execute-button'), 'the execute button');
    assert.match(await graphiqlQuery(), /query SimilarImages\(\$upload: Upload!/);
    // One tab per example operation.
    const tabs = await page.$$eval('.graphiql-tab-button', (els) => els.map((e) => e.textContent));
    for (const op of ['SimilarImages', 'SimilarTo', 'Collections', 'AddImages']) assert.ok(tabs.includes(op), `tab ${op} in ${tabs.join(', ')}`);
    // The schema came from this server: the documentation explorer lists the query fields.
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.click('.graphiql-doc-explorer a:text-is("Query")');
    await page.waitForSelector('.graphiql-doc-explorer :text-is("similarImages")');
    await page.click('button[aria-label="Hide Documentation Explorer"]');
    assert.ok(graphqlBodies.some((b) => b.body.includes('IntrospectionQuery')));
    const served = await fetch(`${server.url}/graphiql/vendor/graphiql.js`);
    assert.equal(served.status, 200);
    assert.match(served.headers.get('content-type') ?? '', /javascript/);
  });

  it('runs a query (collections)', async () => {
    const result = await runGraphiqlTab('Collections', 'collections');
    assert.equal(result.errors, undefined);
    assert.equal(result.data.collections[0].name, fx.collection);
    assert.equal(result.data.collections[0].itemCount, fx.itemCount);
    assert.equal(graphqlBodies.at(-1)?.contentType, 'application/json', 'no file chosen: a JSON request');
  });

  it('runs similarImages with a file chosen in the upload helper (multipart)', async () => {
    const [query] = await caltechFiles('queries', 'sunflower', 1);
    await page.setInputFiles('#upload-file', query);
    assert.equal(await page.inputValue('#upload-path'), 'upload');
    const result = await runGraphiqlTab('SimilarImages', 'similarImages');
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const labels = result.data.similarImages.matches.map((m: { item: { label: string } }) => m.item.label);
    assert.equal(labels.length, 10, 'the example asks for k = 10');
    assert.deepEqual(labels.slice(0, 5), Array(5).fill('sunflower'));
    const sent = graphqlBodies.at(-1)!;
    assert.match(sent.contentType, /^multipart\/form-data/);
    // (Chromium does not expose multipart bodies with files; the server's timing shows it read the upload.)
    assert.ok(result.extensions.timing.uploadMs >= 0 && result.extensions.timing.embedMs > 0, JSON.stringify(result.extensions));
    assert.equal(await page.getAttribute('#upload-status', 'data-state'), 'sent');
    assert.match((await page.textContent('#upload-status')) ?? '', new RegExp(`sent ${path.basename(query)} .* as \\$upload`));
    await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql.png'), fullPage: true });
  });

  it('points the upload helper at the variable of the tab (input.images.0.file for addImages)', async () => {
    await page.click('.graphiql-tab-button:text-is("AddImages")');
    await page.waitForFunction(() => (document.getElementById('upload-path') as HTMLInputElement).value === 'input.images.0.file');
    await page.click('.graphiql-tab-button:text-is("SimilarImages")');
    await page.waitForFunction(() => (document.getElementById('upload-path') as HTMLInputElement).value === 'upload');
    await page.click('#upload-clear');
  });
});

describe('built-in explorer', () => {
  it('runs similarImages with a file attached, offline', async () => {
    await page.goto(`${server.url}/explorer`);
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

  it('loaded nothing from outside 127.0.0.1 and logged no errors', () => {
    assert.ok(requests > 20, `${requests} requests seen`);
    assert.deepEqual(foreign, []);
    // the BAD_IMAGE request is answered 200 with a GraphQL error: no console error expected
    assert.deepEqual(browser.problems, []);
  });
});
