import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'vitest';
import type { Config } from '../../src/config.js';
import { createTestApp, type TestApp } from './app.js';

/** Debian's Chromium; no browser is ever downloaded. CI installs it (`apt-get install chromium`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
export const NO_CHROMIUM_MESSAGE = `browser tests skipped: ${CHROMIUM_PATH} not found (apt-get install chromium)`;

if (!HAS_CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface TestServer extends TestApp {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  baseUrl: string;
}

/** The test app over a fresh database, listening on a free port of the loopback interface. */
export async function startServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const t = await createTestApp(overrides);
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...t, baseUrl: address.replace(/\/$/, '') };
}

/** The desktop viewport of the browser tests. */
export const WIDE = { width: 1280, height: 900 };

/**
 * A tab kept for all tests of a file and navigated from page to page. A new page costs 0.4 s (a
 * renderer starts) and its first load 0.4 s more than a warm one: 0.94 s against 0.17 s
 * (docs/benchmarks.md, „Test suite“). `errors` holds what went wrong since the last `visit`.
 */
export interface Tab {
  page: Page;
  errors: string[];
  visit(url: string, viewport?: { width: number; height: number }): Promise<Response | null>;
}

/** A tab signed in with `cookie` (`name=value` for `url`), or signed out without. */
export async function openTab(browser: Browser, session?: { url: string; cookie: string }): Promise<Tab> {
  const context = await browser.newContext({ viewport: WIDE, locale: 'de-DE' });
  if (session) {
    const [name, value] = session.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: session.url }]);
  }
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  return {
    page,
    errors,
    async visit(url, viewport = WIDE) {
      errors.length = 0;
      await page.setViewportSize(viewport);
      return page.goto(url, { waitUntil: 'load' });
    },
  };
}

/** Collects console errors and uncaught page errors (CSP violations show up as console errors). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // A request the browser dropped because the page navigated on (e.g. the favicon) is no failure.
    if (reason === 'net::ERR_ABORTED') return;
    errors.push(`requestfailed: ${request.url()} ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`http ${response.status()}: ${response.url()}`);
  });
  return errors;
}

/**
 * Runs axe (WCAG 2.1 A/AA) on the page and fails with a readable list of the violations.
 *
 * Axe runs in the page itself ("legacy mode"): its default opens a second, blank page to merge the
 * results of every frame, which took 1.5–2 s of the 2.5–3.5 s per page on the 2-core machine and
 * found the same (docs/benchmarks.md). That merge is needed only to look inside frames of another
 * origin, which legacy mode skips; a page holding one (an embed on another site) keeps the default.
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const origin = new URL(page.url()).origin;
  const foreignFrame = page.frames().some((frame) => {
    const url = frame.url();
    return url !== 'about:blank' && !url.startsWith(`${origin}/`);
  });
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .setLegacyMode(!foreignFrame)
    .analyze();
  const report = results.violations.map((v) => {
    const targets = v.nodes.map(
      (n) =>
        `    - ${n.target.join(' ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`,
    );
    return `[${v.impact ?? 'n/a'}] ${v.id}: ${v.help} (${v.helpUrl})\n${targets.join('\n')}`;
  });
  expect(report, `axe found ${report.length} violation(s):\n${report.join('\n')}`).toEqual([]);
}

/**
 * Keeps a picture of the page in test-results/ when ZSK_SCREENSHOTS=1, for a person to look at;
 * no test reads it, and a full-page picture costs half a second per page.
 */
export async function saveScreenshot(page: Page, file: string, fullPage = true): Promise<void> {
  if (process.env.ZSK_SCREENSHOTS !== '1') return;
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: `test-results/${file}`, fullPage });
}
