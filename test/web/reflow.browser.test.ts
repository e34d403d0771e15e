import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
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
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { testConfig } from '../helpers/app.js';

const PHONE = { width: 320, height: 640 };
const NEW_PAGES = ['/barrierefreiheit', '/leichte-sprache', '/kontakt', '/impressum', '/datenschutz'];
/** Answers that are files, API documents or single-use links, not pages to lay out. */
const NOT_A_PAGE =
  /^\/(api|assets|dcat)\/|\.(csv|xlsx|json|jsonld|ttl|rdf|gz)$|\/(vorlage|datei|fortschritt)$|oidc/;

/**
 * Reflow (WCAG 2.1 SC 1.4.10), which axe does not check: at 320 CSS px no page scrolls sideways
 * (wide tables scroll inside their own focusable region) and the navigation folds behind a button.
 */
describe.skipIf(!HAS_CHROMIUM)(
  `reflow and the site pages in Chromium${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`,
  () => {
    let server: TestServer;
    let smtp: TestSmtp;
    let browser: Browser;
    let admin: SignedIn;
    const adminEmail = 'reflow-admin@zsk.example';

    beforeAll(async () => {
      smtp = await startSmtp();
      server = await startServer({
        smtpUrl: smtp.url,
        site: { ...testConfig().site, feedbackRateLimit: 100 },
      });
      await seedDemo(server.db.kysely, new Date('2026-11-23T10:00:00Z'));
      admin = await signIn(server, { name: 'Ada Admin', email: adminEmail, isAdmin: true });
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await smtp?.close();
    });

    async function newPage(viewport = PHONE, session?: SignedIn): Promise<{ page: Page; errors: string[] }> {
      const context = await browser.newContext({ viewport, locale: 'de-DE' });
      if (session) {
        const [name, value] = session.cookie.split('=') as [string, string];
        await context.addCookies([{ name, value, url: server.baseUrl }]);
      }
      const page = await context.newPage();
      return { page, errors: collectPageErrors(page) };
    }

    /** Every GET page of the app with concrete ids from the demo data, as the admin sees it. */
    async function allPages(): Promise<Array<{ path: string; access: string }>> {
      const db = server.db.kysely;
      const portal = (await db.selectFrom('portals').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
      const delivery = (
        await db.selectFrom('deliveries').select('id').orderBy('id').executeTakeFirstOrThrow()
      ).id;
      const service = (
        await db.selectFrom('online_services').select('id').orderBy('id').executeTakeFirstOrThrow()
      ).id;
      const pages: Array<{ path: string; access: string }> = [];
      for (const route of server.app.routeAccess) {
        if (route.method !== 'GET' || route.url.includes('*') || NOT_A_PAGE.test(route.url)) continue;
        const path = route.url.replace(/:(\w+)/g, (_m, name: string) => {
          if (route.url.startsWith('/portale') || name === 'portalId') return String(portal);
          if (route.url.startsWith('/lieferungen')) return String(delivery);
          return String(service);
        });
        const res = await server.app.inject({
          url: path,
          headers: { cookie: admin.cookie, accept: 'text/html' },
        });
        if (res.statusCode === 200 && String(res.headers['content-type']).startsWith('text/html'))
          pages.push({ path, access: typeof route.access === 'string' ? route.access : 'manage' });
      }
      return pages;
    }

    const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

    it('fits every page into 320 CSS px, signed in and (public pages) signed out', async () => {
      const pages = await allPages();
      expect(pages.length).toBeGreaterThanOrEqual(30);
      const tooWide: string[] = [];
      const signedIn = await newPage(PHONE, admin);
      const signedOut = await newPage(PHONE);
      for (const { path, access } of pages) {
        const before = signedIn.errors.length;
        await signedIn.page.goto(`${server.baseUrl}${path}`, { waitUntil: 'load' });
        // Name the page an error came from: the console message alone does not.
        for (let i = before; i < signedIn.errors.length; i++) signedIn.errors[i] += ` (on ${path})`;
        const width = await scrollWidth(signedIn.page);
        if (width > PHONE.width) tooWide.push(`${path} (angemeldet): ${width}px`);
        if (access === 'public' || access === 'open') {
          await signedOut.page.goto(`${server.baseUrl}${path}`, { waitUntil: 'load' });
          const anonymous = await scrollWidth(signedOut.page);
          if (anonymous > PHONE.width) tooWide.push(`${path} (abgemeldet): ${anonymous}px`);
        }
      }
      expect(tooWide).toEqual([]);
      expect(signedIn.errors).toEqual([]);
      expect(signedOut.errors).toEqual([]);
      await signedIn.page.context().close();
      await signedOut.page.context().close();
      // About fifty pages, signed in and out.
    }, 300_000);

    it('scrolls wide tables inside a focusable, named region', async () => {
      const { page, errors } = await newPage(PHONE, admin);
      await page.goto(`${server.baseUrl}/berichte/dienste`, { waitUntil: 'load' });
      const regions = page.locator('.kern-table-responsive');
      expect(await regions.count()).toBeGreaterThan(0);
      for (const region of await regions.all()) {
        await expect(region.getAttribute('tabindex')).resolves.toBe('0');
        await expect(region.getAttribute('role')).resolves.toBe('region');
        expect(
          (await region.getAttribute('aria-labelledby')) ?? (await region.getAttribute('aria-label')),
        ).toBeTruthy();
      }
      const scrolls = await regions.first().evaluate((el) => el.scrollWidth > el.clientWidth);
      expect(scrolls).toBe(true);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it('folds the navigation behind "Menü" on a phone and opens it with the keyboard alone', async () => {
      const { page, errors } = await newPage(PHONE, admin);
      await page.goto(`${server.baseUrl}/vollstaendigkeit`, { waitUntil: 'load' });
      const nav = page.getByRole('navigation', { name: 'Hauptnavigation' });
      const firstLink = nav.getByRole('link', { name: 'Onlinedienste' });
      await expect(firstLink.isVisible()).resolves.toBe(false);
      // The page's heading is on the first screen, not pushed down by the navigation.
      const h1 = await page.getByRole('heading', { level: 1 }).boundingBox();
      expect(h1 && h1.y + h1.height <= PHONE.height).toBe(true);

      const menu = page.locator('summary.zsk-menu__button');
      for (let i = 0; i < 10 && !(await menu.evaluate((el) => el === document.activeElement)); i++)
        await page.keyboard.press('Tab');
      await expect(menu.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
      await expect(page.locator('details.zsk-menu').getAttribute('open')).resolves.toBeNull();
      await page.keyboard.press('Enter');
      await expect(page.locator('details.zsk-menu').getAttribute('open')).resolves.toBe('');
      await expect(firstLink.isVisible()).resolves.toBe(true);
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe(
        'Onlinedienste',
      );
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await expectNoAxeViolations(page);
      await saveScreenshot(page, 'menu-open-320.png', false);
      // Space closes it again, as on every disclosure.
      await menu.focus();
      await page.keyboard.press(' ');
      await expect(firstLink.isVisible()).resolves.toBe(false);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it('shows the navigation as a row without the menu button on a wide screen', async () => {
      const { page, errors } = await newPage({ width: 1280, height: 900 }, admin);
      await page.goto(`${server.baseUrl}/vollstaendigkeit`, { waitUntil: 'load' });
      await expect(page.locator('summary.zsk-menu__button').isVisible()).resolves.toBe(false);
      const nav = page.getByRole('navigation', { name: 'Hauptnavigation' });
      await expect(nav.getByRole('link', { name: 'Onlinedienste' }).isVisible()).resolves.toBe(true);
      await expect(nav.getByRole('link', { name: 'Berichte' }).isVisible()).resolves.toBe(true);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    /** Signed out, kept for the site pages at both widths. */
    let siteTab: Tab | undefined;

    it.each(NEW_PAGES)(
      'renders %s for anonymous visitors at 320 px and wide, with zero axe violations',
      async (path) => {
        siteTab ??= await openTab(browser);
        const { page, errors } = siteTab;
        for (const viewport of [PHONE, WIDE]) {
          const response = await siteTab.visit(`${server.baseUrl}${path}`, viewport);
          expect(response?.status()).toBe(200);
          await expect(page.getByRole('heading', { level: 1 }).count()).resolves.toBe(1);
          const footer = page.getByRole('navigation', { name: 'Rechtliches und Kontakt' });
          await expect(footer.getByRole('link').allTextContents()).resolves.toEqual([
            'Kontakt',
            'Impressum',
            'Datenschutz',
            'Barrierefreiheit',
            'Leichte Sprache',
          ]);
          expect(await scrollWidth(page)).toBeLessThanOrEqual(viewport.width);
          await expectNoAxeViolations(page);
          await saveScreenshot(page, `site${path.replace(/\//g, '-')}-${viewport.width}.png`);
          expect(errors).toEqual([]);
        }
      },
    );

    it('sends the feedback form with the keyboard alone, through to the administrators mail', async () => {
      const { page, errors } = await newPage(PHONE);
      await page.goto(`${server.baseUrl}/kontakt`, { waitUntil: 'load' });
      const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
      for (let i = 0; i < 40 && (await focused()) !== 'feld-name'; i++) await page.keyboard.press('Tab');
      expect(await focused()).toBe('feld-name');
      await page.keyboard.type('Erika Mustermann');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('feld-email');
      await page.keyboard.type('erika@example.org');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('feld-nachricht');
      // First without a message: the error summary says what is missing and the field keeps the name.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${server.baseUrl}/kontakt`);
      await expect(page.getByRole('alert').textContent()).resolves.toContain(
        'Bitte schreiben Sie Ihre Nachricht.',
      );
      await expect(page.locator('#feld-name').inputValue()).resolves.toBe('Erika Mustermann');
      await expectNoAxeViolations(page);
      await expect(focused()).resolves.toBe('feld-nachricht');
      await page.keyboard.type('Die Tabelle auf dem Handy ist gut lesbar. Danke!');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${server.baseUrl}/kontakt?gesendet=1`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Vielen Dank für Ihre Nachricht',
      );
      await expectNoAxeViolations(page);
      const mail = await smtp.waitFor(adminEmail);
      expect(mail.text).toContain('Die Tabelle auf dem Handy ist gut lesbar. Danke!');
      expect(mail.text).toContain('erika@example.org');
      // The 422 answer of the first try is expected; nothing else may fail.
      expect(errors.filter((e) => !e.startsWith('http 422') && !e.includes('status of 422'))).toEqual([]);
      await page.context().close();
    });
  },
);
