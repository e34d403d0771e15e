import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/seed.js';
import {
  HAS_CHROMIUM,
  NO_CHROMIUM_MESSAGE,
  collectPageErrors,
  expectNoAxeViolations,
  launchBrowser,
  openTab,
  saveScreenshot,
  startServer,
  type Tab,
  type TestServer,
  WIDE,
} from '../helpers/browser.js';
import { signIn, type SignedIn } from '../helpers/auth.js';

describe.skipIf(!HAS_CHROMIUM)(`pages in Chromium${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let viewer: SignedIn;

  beforeAll(async () => {
    server = await startServer();
    await seedDemo(server.db.kysely, new Date('2026-11-23T10:00:00Z'));
    viewer = await signIn(server, { name: 'Vera Viewer' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signInContext(): Promise<void> {
    const [name, value] = viewer.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.baseUrl }]);
  }

  let signedInTab: Tab | undefined;
  let anonymousTab: Tab | undefined;

  /** Opens the page in the file's tab (signed in or out); a test of its own context closes it. */
  async function open(path: string, viewport = WIDE, signedIn = true): Promise<void> {
    const tab = signedIn
      ? (signedInTab ??= await openTab(browser, { url: server.baseUrl, cookie: viewer.cookie }))
      : (anonymousTab ??= await openTab(browser));
    page = tab.page;
    errors = tab.errors;
    const response = await tab.visit(`${server.baseUrl}${path}`, viewport);
    expect(response?.status()).toBe(200);
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
  }

  it('renders the service list without errors, with KERN fonts and zero axe violations', async () => {
    await open('/dienste');
    await expect(page.title()).resolves.toBe('Onlinedienste – Zentrale Statistik-Komponente');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Onlinedienste');

    const table = page.getByRole('table', { name: 'Onlinedienste und ihre Transaktionszahlen' });
    await expect(table.isVisible()).resolves.toBe(true);
    await expect(table.getByRole('columnheader').allTextContents()).resolves.toEqual([
      'Onlinedienst',
      'Behörde',
      'OZG-Leistung',
      'Typ',
      'Granularität',
      'Daten von',
      'Daten bis',
      'Lücken',
      'Überfällig',
      'Transaktionen',
    ]);
    await expect(table.locator('tbody tr').count()).resolves.toBe(21);
    await expect(table.getByRole('rowheader', { name: /BAföG Digital/ }).count()).resolves.toBe(1);

    // The self-hosted KERN font is loaded (CSP font-src 'self' lets it through).
    const fira = await page.evaluate(() => {
      const loaded: string[] = [];
      document.fonts.forEach((f) => {
        if (f.status === 'loaded') loaded.push(f.family.replace(/['"]/g, ''));
      });
      return loaded.includes('Fira Sans');
    });
    expect(fira).toBe(true);
    const bodyFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    expect(bodyFont).toMatch(/Fira Sans/);

    await expectNoAxeViolations(page);

    await saveScreenshot(page, 'service-list.png');
    expect(errors).toEqual([]);
  });

  it.each([
    ['service page', '/dienste/1', 'service-page.png'],
    ['completeness overview', '/vollstaendigkeit', 'completeness.png'],
    ['catalogue search', '/katalog/suche?suche=Elterngeld', 'catalogue-search.png'],
    ['catalogue search in pick mode', '/katalog/suche?suche=Wohngeld&auswahl=1', 'catalogue-search-pick.png'],
    ['master data page', '/stammdaten', 'master-data.png'],
    ['filtered service list', '/?themenfeld=Familie+%26+Kind&typ=1', 'service-list-filtered.png'],
    ['report per portal', '/berichte', 'report-portals.png'],
    ['report per service', '/berichte/dienste?sortierung=service&richtung=asc', 'report-services.png'],
    ['service page with the Kreis map', '/dienste/4', 'service-page-kreise.png'],
    ['explorer', '/auswertungen', 'explorer.png'],
    ['explorer by Land per 1,000 inhabitants', '/auswertungen?nach=land&wert=je1000', 'explorer-land.png'],
  ])('renders the %s without errors and with zero axe violations', async (_name, path, screenshot) => {
    await open(path);
    await expect(page.getByRole('heading', { level: 1 }).count()).resolves.toBe(1);
    await expectNoAxeViolations(page);
    await saveScreenshot(page, screenshot);
    expect(errors).toEqual([]);
  });

  it('renders the sign-in page for signed-out visitors with zero axe violations', async () => {
    await open('/anmelden', undefined, false);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Anmelden');
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'sign-in.png');
    expect(errors).toEqual([]);
  });

  it('sorts the report by a header link without JavaScript and announces the order', async () => {
    context = await browser.newContext({
      viewport: WIDE,
      locale: 'de-DE',
      javaScriptEnabled: false,
    });
    await signInContext();
    page = await context.newPage();
    errors = collectPageErrors(page);
    await page.goto(`${server.baseUrl}/berichte`, { waitUntil: 'load' });
    const table = page.getByRole('table', { name: /Transaktionen je Portal und Datenquelle/ });
    const header = (name: RegExp) => table.getByRole('columnheader', { name });
    await expect(header(/^Anzahl Transaktionen/).getAttribute('aria-sort')).resolves.toBe('descending');
    await header(/^Portal \/ Datenquelle/)
      .getByRole('link')
      .click();
    await page.waitForURL(/sortierung=source&richtung=asc/);
    await expect(header(/^Portal \/ Datenquelle/).getAttribute('aria-sort')).resolves.toBe('ascending');
    await expect(header(/^Anzahl Transaktionen/).getAttribute('aria-sort')).resolves.toBeNull();
    const first = await table.locator('tbody tr th').first().textContent();
    expect(first).toBe('Einzelanbindung: Bundesministerium des Innern');
    // No axe here: it runs as a script in the page, which this context forbids; the report pages are
    // checked with axe above.
    expect(errors).toEqual([]);
    await context.close();
  });

  it('explorer: htmx swaps only the result and puts the choice into the address', async () => {
    await open('/auswertungen');
    await page.evaluate(() => {
      (window as unknown as { marker: string }).marker = 'same document';
    });
    await page.getByLabel('Gruppieren nach').selectOption('typ');
    await page.getByRole('button', { name: 'Auswerten' }).click();
    await page.waitForURL(/nach=typ/);
    await page.getByRole('heading', { level: 2, name: /Transaktionen nach Typ/ }).waitFor();
    // Still the same document: htmx swapped the region instead of loading a new page.
    await expect(page.evaluate(() => (window as unknown as { marker?: string }).marker)).resolves.toBe(
      'same document',
    );
    await expect(page.getByRole('table', { name: 'Transaktionen nach Typ' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('#ergebnis-status').textContent()).resolves.toMatch(
      /^Ergebnis aktualisiert\. Im Zeitraum/,
    );

    await page.getByLabel('Zeitraum von').fill('2026-10');
    await page.getByLabel('Zeitraum bis').fill('2026-01');
    await page.getByRole('button', { name: 'Auswerten' }).click();
    await page.getByRole('alert').waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Der Zeitraum ist leer');
    await expectNoAxeViolations(page);
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
  });

  it('searches the catalogue while typing (htmx) and announces the number of hits', async () => {
    await open('/katalog/suche');
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'Bitte mindestens 2 Zeichen eingeben.',
    );
    const answered = page.waitForResponse(
      (r) =>
        r.url().includes('/katalog/suche?suche=Elterngelt') && r.request().headers()['hx-request'] === 'true',
    );
    await page.getByLabel('Leistung, Stichwort oder Schlüssel').fill('Elterngelt');
    await answered;
    const table = page.getByRole('table', { name: 'Treffer im Leistungskatalog' });
    await table.waitFor();
    await expect(table.getByRole('rowheader', { name: /Elterngeld Bewilligung/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/Treffer für „Elterngelt“/);
    await expect(page.locator('#katalog-status[hx-swap-oob]').count()).resolves.toBe(0);
    // Still one status line and one results region after the swap.
    await expect(page.locator('#katalog-status').count()).resolves.toBe(1);
    await expect(page.locator('main h1').count()).resolves.toBe(1);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });

  it('filters the service list with the GET form, without JavaScript', async () => {
    context = await browser.newContext({
      viewport: WIDE,
      locale: 'de-DE',
      javaScriptEnabled: false,
    });
    await signInContext();
    page = await context.newPage();
    errors = collectPageErrors(page);
    await page.goto(`${server.baseUrl}/dienste`);
    await page.getByLabel('Typ').selectOption('1');
    await page.getByLabel('Name').fill('kinder');
    await Promise.all([page.waitForURL(/typ=1/), page.getByRole('button', { name: 'Anzeigen' }).click()]);
    const table = page.getByRole('table', { name: 'Onlinedienste und ihre Transaktionszahlen' });
    await expect(table.locator('tbody tr').count()).resolves.toBe(2);
    await expect(page.getByRole('link', { name: 'Filter zurücksetzen' }).count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('pages the delivery history: page 2 with its pager, zero axe violations', async () => {
    const service = await server.db.kysely
      .selectFrom('online_services')
      .select('id')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await sql`
      INSERT INTO deliveries (service_id, channel, status, rows_total, created_at)
      SELECT ${service.id}, 'api', 'accepted', 1, timestamptz '2020-01-01 00:00Z' + n * interval '1 hour'
      FROM generate_series(1, 120) n`.execute(server.db.kysely);
    await open(`/dienste/${service.id}/lieferungen?seite=2`);
    const pager = page.getByRole('navigation', { name: 'Seiten der Lieferungen' });
    await expect(pager.getByRole('link', { name: 'Seite 2' }).getAttribute('aria-current')).resolves.toBe(
      'page',
    );
    await expect(
      page
        .getByRole('table', { name: /Seite 2 von \d+/ })
        .locator('tbody tr')
        .count(),
    ).resolves.toBe(50);
    await pager.getByRole('link', { name: /Weiter/ }).click();
    await page.waitForURL(/seite=3/);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });

  it('offers the skip link as the first Tab stop and moves focus to main', async () => {
    await open('/dienste');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const el = document.activeElement as HTMLAnchorElement | null;
      return { text: el?.textContent?.trim(), href: el?.getAttribute('href') };
    });
    expect(first).toEqual({ text: 'Zum Inhalt springen', href: '#inhalt' });
    // Visible while focused (WCAG 2.4.7): it sits inside the viewport.
    const box = await page.locator('.zsk-skip-link').boundingBox();
    expect(box && box.x >= 0 && box.y >= 0 && box.width > 0).toBe(true);

    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('inhalt');
    // The next Tab stop lies inside main, not back in the header.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => !!document.activeElement?.closest('main'))).resolves.toBe(true);
    expect(errors).toEqual([]);
  });

  it('fits a phone screen: only the table scrolls sideways, in a focusable region', async () => {
    await open('/dienste', { width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const region = page.getByRole('region', { name: 'Onlinedienste und ihre Transaktionszahlen' });
    const scrolls = await region.evaluate((el) => el.scrollWidth > el.clientWidth);
    expect(scrolls).toBe(true);
    await expect(region.getAttribute('tabindex')).resolves.toBe('0');
    // The caption stays in view while the table is scrolled sideways.
    await region.evaluate((el) => el.scrollBy(400, 0));
    const caption = await page.locator('#services-caption').boundingBox();
    expect(caption && caption.x >= 0 && caption.x + caption.width <= 390).toBe(true);
    await region.evaluate((el) => el.scrollTo(0, 0));
    await expectNoAxeViolations(page);
    await saveScreenshot(page, 'service-list-mobile.png', false);
    expect(errors).toEqual([]);
  });
});
