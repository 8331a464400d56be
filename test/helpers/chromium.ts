/**
 * Debian's Chromium as the browser tests launch it: headless, and without the background
 * services whose connections this machine's closed network refuses.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export interface Chromium {
  context: BrowserContext;
  /** The context's first page. */
  page: Page;
  /** Uncaught errors and console errors of every page of the context, as they come. */
  problems: string[];
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/** Chromium as above with a fresh profile of its own (a persistent context is how playwright takes a --user-data-dir of our choosing). */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Chromium> {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'imsearch-chromium-'));
  const problems: string[] = [];
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS], viewport });
  } catch (err) {
    await fs.rm(profile, { recursive: true, force: true });
    throw err;
  }
  context.on('weberror', (e) => problems.push(`pageerror: ${e.error().message}`));
  context.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}
