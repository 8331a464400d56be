/**
 * The results page's explanations in headless Chromium: every match carries a folded "Why this
 * result" that the keyboard reaches (Tab) and opens (Enter), showing the per-model cosine, the
 * score, the probability and the class share; the predicted class is named above the grid.
 */
import assert from 'node:assert/strict';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { type Fixture, FIXTURE_MODEL, buildFixture, caltechFiles, startFixtureServer } from '../../bench/api-fixture.js';
import type { RunningServer } from '../../server/app.js';


let fx: Fixture;
let server: RunningServer;
let profile: string;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

before(async () => {
  fx = await buildFixture({ perClass: 6 });
  server = await startFixtureServer(fx);
  profile = await fs.mkdtemp(path.join(os.tmpdir(), 'imsearch-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS], viewport: { width: 1280, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
});

after(async () => {
  await context?.close();
  await server?.close();
  await fx?.remove();
  if (profile) await fs.rm(profile, { recursive: true, force: true });
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

  // Tab from the last control before the grid until the first summary has focus, then Enter.
  await page.focus('#precision');
  const summary = page.locator('#results .match').first().locator('summary');
  for (let i = 0; i < 5 && !(await summary.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
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
  await page.screenshot({ path: path.join(os.tmpdir(), 'imsearch-explain.png') });
  await page.keyboard.press('Enter');
  assert.equal(await first.locator('details[open]').count(), 0, 'Enter folds it again');
  assert.deepEqual(problems, []);
});
