/**
 * The results page's explanations in headless Chromium: every match carries a folded "Why this
 * result" that the keyboard reaches (Tab) and opens (Enter), showing the per-model cosine, the
 * score, the probability and the class share; the predicted class is named above the grid.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type Fixture, FIXTURE_MODEL, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import type { RunningServer } from '../../server/app.js';
import { type Chromium, launchChromium } from '../helpers/chromium.js';
import { repoRoot } from '../helpers/paths.js';

const ARTIFACTS = path.join(repoRoot, 'test-artifacts');

let fx: Fixture;
let server: RunningServer;
let browser: Chromium;
let page: Page;

before(async () => {
  fx = await buildFixture({ perClass: 6 });
  server = await startFixtureServer(fx);
  browser = await launchChromium();
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.close();
  await fx?.remove();
});

it('a result explains itself when its "Why this result" is opened from the keyboard', async () => {
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-state="ready"]');
  await page.fill('#k', '4');
  await page.setInputFiles('#file', (await caltechFiles('queries', 'sunflower', 1))[0]);
  await page.waitForFunction(() => document.body.dataset.state === 'done' && document.querySelectorAll('#results .match').length === 4);
  assert.equal(await page.locator('#results .match details.explanation').count(), 4, 'every match has an explanation');
  assert.equal(await page.locator('#results .match details[open]').count(), 0, 'folded at first');
  assert.match((await page.textContent('#prediction')) ?? '', /^Looks like: sunflower \(\d+\s% of the vote\)/);

  // Tab from the last control before the grid until the first summary has focus, then Enter. The
  // stops between them (the label chips, the first card's link) depend on the labels returned, so
  // the walk is bounded by the page's focusable elements, and must not pass a later match first.
  await page.focus('#precision');
  const summary = page.locator('#results .match').first().locator('summary');
  const stops = await page.locator('a[href], button, input, select, summary, [tabindex]').count();
  for (let i = 0; i < stops && !(await summary.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
    const inLaterMatch = await page.evaluate(() => {
      const match = document.activeElement?.closest('#results .match');
      return !!match && match !== document.querySelector('#results .match');
    });
    assert.ok(!inLaterMatch, 'Tab reached a later match before the first explanation');
  }
  assert.ok(await summary.evaluate((el) => el === document.activeElement), 'the first explanation is reachable with Tab');
  await page.keyboard.press('Enter');
  const first = page.locator('#results .match').first();
  assert.equal(await first.locator('details[open]').count(), 1, 'Enter opens it');
  const text = (await first.locator('dl').innerText()).replace(/\s+/g, ' ');
  const score = Number(await first.getAttribute('data-score'));
  assert.ok(text.includes(`cosine, ${FIXTURE_MODEL} ${score.toFixed(3)}`), text);
  assert.ok(text.includes(`cosine score ${score.toFixed(3)}`), text);
  assert.ok(text.includes('probability of the same class not calibrated'), text);
  assert.match(text, /share of sunflower in the vote \d+ %/);
  await fs.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'results-page-explain.png') });
  await page.keyboard.press('Enter');
  assert.equal(await first.locator('details[open]').count(), 0, 'Enter folds it again');
  assert.deepEqual(browser.problems, []);
});
