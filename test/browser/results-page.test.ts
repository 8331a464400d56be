/**
 * What people expect of an image search page, in real headless Chromium at a phone's width
 * (390 px) and a desktop's (1280 px), against a real server over real Caltech-101 photos embedded
 * with a real model: a match clicked (or chosen with the keyboard: a visible focus ring, then
 * Enter) lists its own neighbours (similarTo) at an address that can be shared and reopened, Back
 * and Forward move between the lists; the matches narrow to one of their labels; "show more"
 * asks for more up to the server's k limit; an image pasted from the clipboard is a query; nothing
 * scrolls sideways. Every list is checked against the API's own answer. Screenshots go to
 * test-artifacts/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { type Fixture, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import { ImsearchClient } from '../../sdk/index.js';
import { fileFromPath } from '../../sdk/node.js';
import type { RunningServer } from '../../server/app.js';
import { type Chromium, launchChromium } from '../helpers/chromium.js';
import { repoRoot } from '../helpers/paths.js';

const ARTIFACTS = path.join(repoRoot, 'test-artifacts');
/** Below the fixture's 18 items, so "show more" meets the server's limit first. */
const MAX_K = 15;

let fx: Fixture;
let server: RunningServer;
let api: ImsearchClient;

before(async () => {
  fx = await buildFixture({ perClass: 6 });
  server = await startFixtureServer(fx, { limits: { maxK: MAX_K } });
  api = new ImsearchClient({ endpoint: `${server.url}/graphql` });
  await fs.mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await server?.close();
  await fx?.remove();
});

/** The ids of the matches on the page, in rank order (only the ones shown, with `visible`). */
function shownIds(page: Page, which: 'all' | 'visible' = 'all'): Promise<string[]> {
  return page.$$eval('#results .match', (els, which) => els.filter((el) => which === 'all' || !(el as HTMLElement).hidden).map((el) => (el as HTMLElement).dataset.id!), which);
}

/** Waits until the page has answered (state done) with exactly these matches, at an address with this query string. */
async function waitForList(page: Page, ids: readonly string[], search: string): Promise<void> {
  await page.waitForFunction(
    ({ ids, search }) =>
      document.body.dataset.state === 'done' &&
      location.search === search &&
      Array.from(document.querySelectorAll<HTMLElement>('#results .match'), (m) => m.dataset.id).join() === ids.join(),
    { ids, search },
  );
}

/** Waits for every thumbnail of the grid to be loaded (a screenshot shows them): they load lazily, so the grid's end is scrolled to first. */
async function waitForThumbnails(page: Page): Promise<void> {
  const scrolled = await page.evaluate(() => {
    const y = window.scrollY;
    document.querySelector('#results .match:last-child')?.scrollIntoView();
    return y;
  });
  await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('#results img')).every((i) => i.complete && i.naturalWidth > 0));
  await page.evaluate((y) => window.scrollTo(0, y), scrolled);
}

async function assertNoSideScroll(page: Page, when: string): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
  assert.ok(scrollWidth <= clientWidth, `${when}: the page is ${scrollWidth} px wide in a ${clientWidth} px window`);
}

const query = (params: Record<string, string | number>) => `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`;

for (const width of [390, 1280]) {
  describe(`results page at ${width} px`, () => {
    let browser: Chromium;
    let context: BrowserContext;
    let page: Page;
    const foreign: string[] = [];
    const shot = (name: string, p = page) => p.screenshot({ path: path.join(ARTIFACTS, `results-page-${name}-${width}.png`), fullPage: true });
    /** The upload list and the neighbours of one of its matches, as the API gives them. */
    let uploadIds: string[];
    let itemId: string;
    let itemIds: string[];

    before(async () => {
      browser = await launchChromium({ width, height: 900 });
      ({ context, page } = browser);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      context.on('request', (r) => {
        const url = new URL(r.url());
        if (url.protocol !== 'blob:' && url.protocol !== 'data:' && !r.url().startsWith(`${server.url}/`)) foreign.push(r.url());
      });
    });

    after(() => browser?.close());

    it('lists the matches of a picked photo and narrows them to one of their labels', async () => {
      await page.goto(`${server.url}/`);
      await page.waitForSelector('body[data-state="ready"]');
      assert.equal(await page.isHidden('#label-filter'), true, 'no filter before a search');
      assert.equal(await page.isHidden('#more'), true, 'no "show more" before a search');
      const [photo] = await caltechFiles('queries', 'Leopards', 1);
      uploadIds = (await api.similarImages(await fileFromPath(photo), { k: 10 })).matches.map((m) => m.item.id);
      await page.setInputFiles('#file', photo);
      await waitForList(page, uploadIds, query({ collection: fx.collection, k: 10 }));
      await waitForThumbnails(page);

      const labels = await page.$$eval('#results .match', (els) => els.map((el) => (el as HTMLElement).dataset.label!));
      const counts = new Map<string, number>();
      for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
      assert.ok(counts.size >= 2, `the 10 matches of 18 items (6 a class) have several labels: ${labels.join(', ')}`);
      assert.equal(await page.isVisible('#label-filter'), true);
      const chips = await page.$$eval('#label-filter .chip', (els) => els.map((el) => el.textContent));
      assert.deepEqual(chips, ['all (10)', ...[...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([l, n]) => `${l} (${n})`)]);

      const [other, n] = [...counts].find(([l]) => l !== 'Leopards')!;
      await page.click(`#label-filter .chip:has-text("${other} (")`);
      await page.waitForFunction((n) => document.querySelectorAll('#results .match:not([hidden])').length === n, n);
      const visible = await page.$$eval('#results .match:not([hidden])', (els) => els.map((el) => (el as HTMLElement).dataset.label));
      assert.deepEqual(visible, Array(n).fill(other));
      await assertNoSideScroll(page, 'filtered');
      await shot('filter');
      await page.click('#label-filter .chip:has-text("all (")');
      await page.waitForFunction(() => document.querySelectorAll('#results .match:not([hidden])').length === 10);
      await assertNoSideScroll(page, 'ten matches');
    });

    it(`shows more matches, up to the server's limit of ${MAX_K}, keeping the label chosen`, async () => {
      assert.equal(await page.textContent('#more'), `Show ${MAX_K - 10} more`);
      await page.click('#label-filter .chip:has-text("Leopards (")');
      const expected = (await api.similarImages(await fileFromPath((await caltechFiles('queries', 'Leopards', 1))[0]), { k: MAX_K })).matches;
      assert.deepEqual(expected.slice(0, 10).map((m) => m.item.id), uploadIds, 'the longer list starts with the shorter one');
      await page.click('#more');
      uploadIds = expected.map((m) => m.item.id);
      await waitForList(page, uploadIds, query({ collection: fx.collection, k: MAX_K }));
      assert.equal(await page.inputValue('#k'), String(MAX_K));
      assert.equal(await page.isHidden('#more'), true, `no more than maxK = ${MAX_K}`);
      assert.equal(await page.isChecked('#label-filter .chip:has-text("Leopards (") input'), true, 'the label chosen stays chosen');
      const leopards = expected.filter((m) => m.item.label === 'Leopards').map((m) => m.item.id);
      assert.deepEqual(await shownIds(page, 'visible'), leopards);
      // The keyboard is on the first new match that is shown.
      const focused = await page.evaluate(() => (document.activeElement?.closest('.match') as HTMLElement | null)?.dataset.id);
      assert.equal(focused, leopards.find((id) => uploadIds.indexOf(id) >= 10) ?? leopards.at(-1));
      await page.click('#label-filter .chip:has-text("all (")');
      await waitForThumbnails(page);
      await shot('more');
    });

    it("lists a clicked match's neighbours at a shareable address; Back and Forward move between the lists", async () => {
      itemId = uploadIds[2];
      itemIds = (await api.similarTo(itemId, { k: MAX_K })).matches.map((m) => m.item.id);
      assert.ok(!itemIds.includes(itemId), 'similarTo leaves the item out');
      const item = (await api.item(itemId, fx.collection))!;
      await page.mouse.move(0, 0);
      await page.click(`#results .match[data-id="${itemId}"] a.more`);
      await waitForList(page, itemIds, query({ collection: fx.collection, similarTo: itemId, k: MAX_K }));
      assert.match((await page.textContent('#status')) ?? '', new RegExp(`^${itemIds.length} matches in ${fx.collection} for item ${itemId} \\(${item.label}\\) in \\d+ ms`));
      assert.equal(await page.getAttribute('#preview', 'src'), item.thumbnailUrl, 'the query item is shown');
      assert.equal(await page.textContent('#query-caption'), `More like ${item.label} (${item.sourceName})`);
      await waitForThumbnails(page);
      await assertNoSideScroll(page, 'neighbours');
      await shot('more-like-this');

      // One more step, then back twice (to the photo's list: the photo is searched again) and forward once.
      const nextId = itemIds[0];
      const nextIds = (await api.similarTo(nextId, { k: MAX_K })).matches.map((m) => m.item.id);
      await page.click(`#results .match[data-id="${nextId}"] a.more`);
      await waitForList(page, nextIds, query({ collection: fx.collection, similarTo: nextId, k: MAX_K }));
      await page.goBack();
      await waitForList(page, itemIds, query({ collection: fx.collection, similarTo: itemId, k: MAX_K }));
      await page.goBack();
      await waitForList(page, uploadIds, query({ collection: fx.collection, k: MAX_K }));
      assert.equal(await page.isVisible('#preview'), true);
      assert.match((await page.getAttribute('#preview', 'src')) ?? '', /^blob:/, 'the photo, from memory');
      await page.goForward();
      await waitForList(page, itemIds, query({ collection: fx.collection, similarTo: itemId, k: MAX_K }));
    });

    it('opens a shared address on the same neighbours, and says so when its item does not exist', async () => {
      const shared = await context.newPage();
      try {
        await shared.goto(`${server.url}/${query({ collection: fx.collection, similarTo: itemId, k: MAX_K })}`);
        await waitForList(shared, itemIds, query({ collection: fx.collection, similarTo: itemId, k: MAX_K }));
        await shared.waitForFunction(() => {
          const img = document.getElementById('preview') as HTMLImageElement;
          return !img.hidden && img.complete && img.naturalWidth > 0;
        });
        assert.equal(await shared.inputValue('#collection'), fx.collection);
        assert.equal(await shared.inputValue('#k'), String(MAX_K));
        await shared.goto(`${server.url}/${query({ collection: fx.collection, similarTo: 999_999 })}`);
        await shared.waitForFunction(() => document.body.dataset.state === 'error');
        assert.equal(await shared.$eval('#status', (s) => (s as HTMLElement).dataset.code), 'UNKNOWN_ITEM');
        assert.deepEqual(await shownIds(shared), []);
        await shot('unknown-item', shared);
      } finally {
        await shared.close();
      }
    });

    it('searches with an image pasted from the clipboard (a new history entry)', async () => {
      const [photo] = await caltechFiles('queries', 'sunflower', 1);
      const png = (await sharp(photo).png().toBuffer()).toString('base64');
      // The test's one use of the page's script: put a PNG on the system clipboard, as copying an image does.
      await page.evaluate(async (png) => {
        const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
        await navigator.clipboard.write([new ClipboardItem({ 'image/png': new Blob([bytes], { type: 'image/png' }) })]);
      }, png);
      await page.keyboard.press('Control+V');
      await page.waitForFunction(
        (search) => document.body.dataset.state === 'done' && location.search === search && document.getElementById('query-caption')!.textContent === 'image.png',
        query({ collection: fx.collection, k: MAX_K }),
      );
      const labels = await page.$$eval('#results .match', (els) => els.map((el) => (el as HTMLElement).dataset.label));
      assert.equal(labels.length, MAX_K);
      assert.deepEqual(labels.slice(0, 5), Array(5).fill('sunflower'), labels.join(', '));
      assert.match((await page.textContent('#status')) ?? '', new RegExp(`^${MAX_K} matches in ${fx.collection} in \\d+ ms \\(decode \\+ embed`));
      await waitForThumbnails(page);
      await shot('paste');
      await page.goBack();
      await waitForList(page, itemIds, query({ collection: fx.collection, similarTo: itemId, k: MAX_K }));
    });

    it('shows where the keyboard is on the results, and Enter on a match lists its neighbours', async () => {
      await page.mouse.move(0, 0);
      const first = page.locator('#results .match').first();
      await waitForThumbnails(page);
      const unfocused = await first.screenshot();
      await page.focus('#k');
      const link = first.locator('a.more');
      for (let i = 0; i < 5 && !(await link.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
      assert.ok(await link.evaluate((el) => el === document.activeElement), 'Tab from the options reaches the first match');
      const ring = await link.evaluate((el) => {
        const s = getComputedStyle(el);
        return { focusVisible: el.matches(':focus-visible'), style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
      assert.deepEqual({ ...ring, width: ring.width >= 2 }, { focusVisible: true, style: 'solid', width: true });
      assert.notDeepEqual(await first.screenshot(), unfocused, 'the focus ring is drawn (not clipped by the card)');
      await shot('focus');

      const id = (await first.getAttribute('data-id'))!;
      const ids = (await api.similarTo(id, { k: MAX_K })).matches.map((m) => m.item.id);
      await page.keyboard.press('Enter');
      await waitForList(page, ids, query({ collection: fx.collection, similarTo: id, k: MAX_K }));
      const focused = await page.evaluate(() => (document.activeElement?.closest('.match') as HTMLElement | null)?.dataset.rank);
      assert.equal(focused, '1', 'the keyboard goes on to the first match of the new list');
    });

    it('fits the window with every explanation open', async () => {
      for (const summary of await page.locator('#results .match summary').all()) await summary.click();
      assert.equal(await page.locator('#results details[open]').count(), MAX_K);
      await assertNoSideScroll(page, 'explanations open');
      await shot('explanations');
    });

    it('loaded nothing from elsewhere and logged no errors', () => {
      assert.deepEqual(foreign, []);
      assert.deepEqual(browser.problems, []);
    });
  });
}

describe('results page links', () => {
  it('links the explorer, the schema and the JSON view of the metrics, each of which answers', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const links = [...html.matchAll(/<nav>(.*?)<\/nav>/gs)].flatMap(([, nav]) => [...nav.matchAll(/href="([^"]+)"/g)].map(([, href]) => href));
    assert.deepEqual(links, ['/graphiql', '/schema.graphql', '/metrics.json']);
    for (const href of links) assert.equal((await fetch(server.url + href)).status, 200, href);
    const metrics = await fetch(`${server.url}/metrics.json`);
    assert.match(metrics.headers.get('content-type') ?? '', /^application\/json/);
    assert.ok(typeof ((await metrics.json()) as { operations: unknown }).operations === 'object');
  });
});
