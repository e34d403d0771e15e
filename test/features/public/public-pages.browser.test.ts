import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedDemo } from '../../../src/demo/seed.js';
import {
  collectPageErrors,
  expectNoAxeViolations,
  HAS_CHROMIUM,
  launchBrowser,
  openTab,
  NO_CHROMIUM_MESSAGE,
  startServer,
  type Tab,
  type TestServer,
  WIDE,
} from '../../helpers/browser.js';

/** The public part as an anonymous visitor sees it: axe clean, no errors, usable by keyboard alone. */
describe.skipIf(!HAS_CHROMIUM)(`public pages${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let serviceId: number;

  beforeAll(async () => {
    server = await startServer();
    await seedDemo(server.db.kysely);
    serviceId = (
      await server.db.kysely
        .selectFrom('online_services')
        .select('id')
        .orderBy('id')
        .executeTakeFirstOrThrow()
    ).id;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  let tab: Tab | undefined;

  /** Opens the page signed out: in the file's tab, or without JavaScript in a context of its own. */
  async function openAnonymous(path: string, javaScriptEnabled = true): Promise<void> {
    const url = `${server.baseUrl}${path}`;
    let response;
    if (javaScriptEnabled) {
      tab ??= await openTab(browser);
      ({ page, errors } = tab);
      response = await tab.visit(url);
    } else {
      context = await browser.newContext({ viewport: WIDE, locale: 'de-DE', javaScriptEnabled });
      page = await context.newPage();
      errors = collectPageErrors(page);
      response = await page.goto(url, { waitUntil: 'load' });
    }
    expect(response?.status(), path).toBe(200);
  }

  for (const path of [
    '/',
    '/dienste/:id',
    '/dienste',
    '/berichte',
    '/berichte/dienste',
    '/vollstaendigkeit',
  ]) {
    it(`shows ${path} to anonymous visitors with zero axe violations`, async () => {
      await openAnonymous(path.replace(':id', String(serviceId)));
      await expect(page.getByRole('heading', { level: 1 }).count()).resolves.toBe(1);
      await expect(page.getByRole('link', { name: 'Anmelden' }).count()).resolves.toBe(1);
      await expect(page.getByText('Angemeldet als').count()).resolves.toBe(0);
      await expectNoAxeViolations(page);
      expect(errors).toEqual([]);
    }, 120_000);
  }

  it('renders the start page fully without JavaScript', async () => {
    await openAnonymous('/', false);
    await expect(page.getByRole('img', { name: /Liniendiagramm der Transaktionen/ }).count()).resolves.toBe(
      1,
    );
    await expect(page.getByRole('img', { name: /Karte Deutschlands/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('table', { name: 'Transaktionen je Monat' }).count()).resolves.toBe(1);
    await expect(
      page.getByRole('table', { name: /Onlinedienste mit den meisten Transaktionen/ }).count(),
    ).resolves.toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('takes a keyboard user from the start page to a service page', async () => {
    await openAnonymous('/');
    let href: string | null = null;
    for (let i = 0; i < 80 && !(href && /^\/dienste\/\d+$/.test(href)); i++) {
      await page.keyboard.press('Tab');
      href = await page.evaluate(() => document.activeElement?.getAttribute('href') ?? null);
    }
    expect(href).toMatch(/^\/dienste\/\d+$/);
    // The focused link is visible (WCAG 2.4.7) and Enter follows it.
    const box = await page.evaluate(() => {
      const r = document.activeElement!.getBoundingClientRect();
      return { w: r.width, h: r.height };
    });
    expect(box.w > 0 && box.h > 0).toBe(true);
    await Promise.all([page.waitForURL(`${server.baseUrl}${href}`), page.keyboard.press('Enter')]);
    await expect(page.getByRole('heading', { name: 'Stammdaten' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Zahlen erfassen' }).count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Lieferungen' }).count()).resolves.toBe(0);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  }, 120_000);
});
