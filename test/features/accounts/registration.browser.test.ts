import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  HAS_CHROMIUM,
  NO_CHROMIUM_MESSAGE,
  collectPageErrors,
  expectNoAxeViolations,
  launchBrowser,
  saveScreenshot,
  startServer,
  type TestServer,
} from '../../helpers/browser.js';
import { createUser, signIn, type SignedIn } from '../../helpers/auth.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

const PASSWORD = 'Kaffee trinken am Rhein 7';

describe.skipIf(!HAS_CHROMIUM)(
  `registration in Chromium${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`,
  () => {
    let server: TestServer;
    let smtp: TestSmtp;
    let browser: Browser;
    let admin: SignedIn;

    beforeAll(async () => {
      smtp = await startSmtp();
      server = await startServer({ smtpUrl: smtp.url, loginRateLimit: 1000 });
      admin = await signIn(server, { email: 'admin@zsk.example', name: 'Ada Admin', isAdmin: true });
      await createUser(server.db.kysely, {
        email: 'zweifel@behoerde.example',
        name: 'Zora Zweifel',
        status: 'pending_approval',
      });
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await smtp?.close();
    });

    /** The mailed links point at ZSK_PUBLIC_URL; the test server listens elsewhere. */
    const local = (link: string) => {
      const url = new URL(link);
      return `${server.baseUrl}${url.pathname}${url.search}`;
    };

    async function newPage(
      cookie?: SignedIn,
    ): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
      if (cookie) {
        const [name, value] = cookie.cookie.split('=') as [string, string];
        await context.addCookies([{ name, value, url: server.baseUrl }]);
      }
      const page = await context.newPage();
      return { context, page, errors: collectPageErrors(page) };
    }

    async function check(page: Page, screenshot: string): Promise<void> {
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      await expectNoAxeViolations(page);
      await saveScreenshot(page, screenshot);
    }

    const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

    it('register by keyboard, follow the mailed link, an administrator approves, sign in', async () => {
      const { context, page, errors } = await newPage();
      await page.goto(`${server.baseUrl}/registrieren`);
      await check(page, 'registration.png');

      // Sent empty: the error summary is announced and every entry leads to its field.
      await page.getByRole('button', { name: 'Registrieren' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(`${server.baseUrl}/registrieren`);
      await expect(page.getByRole('alert').textContent()).resolves.toContain(
        'Bitte geben Sie Ihre Behörde an.',
      );
      await check(page, 'registration-errors.png');
      await page.getByRole('link', { name: 'Bitte geben Sie Ihre Behörde an.' }).focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      // The link moved to the field (fragment), the next Tab stop is the field after it.
      expect(['feld-land', 'feld-authority']).toContain(await focused(page));

      // Keyboard only, in the order of the form.
      await page.locator('#feld-authority').focus();
      await page.keyboard.type('Landesamt für Statistik Beispielland');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('feld-land');
      await page.keyboard.type('Hessen');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('feld-name');
      await page.keyboard.type('Erika Mustermann');
      await page.keyboard.press('Tab');
      await page.keyboard.type('erika@behoerde.example');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Ich liefere die Zahlen des Onlinedienstes Wohngeld.');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('feld-password');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('feld-consent');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${server.baseUrl}/registrieren?gesendet=1`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Bitte prüfen Sie Ihr Postfach',
      );
      await check(page, 'registration-sent.png');
      const user = await server.db.kysely
        .selectFrom('users')
        .innerJoin('authorities', 'authorities.id', 'users.authority_id')
        .select(['users.id', 'authorities.land'])
        .where('users.email', '=', 'erika@behoerde.example')
        .executeTakeFirstOrThrow();
      expect(user.land).toBe('06');

      const mail = await smtp.waitFor('erika@behoerde.example', (m) => m.subject.includes('bestätigen'));
      await page.goto(local(mail.links[0]!));
      await check(page, 'registration-verify.png');
      await page.getByRole('button', { name: 'E-Mail-Adresse bestätigen' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(/bestaetigt=1$/);
      await check(page, 'registration-verified.png');

      const notice = await smtp.waitFor(
        'admin@zsk.example',
        (m) => m.subject === 'Neue Registrierung zur Prüfung',
      );
      const adminPage = await newPage(admin);
      await adminPage.page.goto(local(notice.links[0]!));
      await expect(adminPage.page.getByRole('heading', { level: 2 }).allTextContents()).resolves.toEqual([
        'Zora Zweifel',
        'Erika Mustermann',
      ]);
      await check(adminPage.page, 'registration-queue.png');
      // A rejection without reason: the message leads to the field.
      await adminPage.page.getByRole('button', { name: 'Ablehnen: Zora Zweifel' }).focus();
      await adminPage.page.keyboard.press('Enter');
      await adminPage.page.waitForURL(/\/ablehnen$/);
      await expect(adminPage.page.locator('.kern-alert--danger').textContent()).resolves.toContain(
        'Bitte begründen Sie die Ablehnung',
      );
      await check(adminPage.page, 'registration-queue-error.png');

      await adminPage.page.getByRole('button', { name: 'Freischalten: Erika Mustermann' }).focus();
      await adminPage.page.keyboard.press('Enter');
      await adminPage.page.waitForURL(/ergebnis=freigeschaltet$/);
      await expect(adminPage.page.getByRole('status').textContent()).resolves.toContain('freigeschaltet');
      await adminPage.page.goto(`${server.baseUrl}/verwaltung/konten`);
      await check(adminPage.page, 'accounts-list.png');
      expect(adminPage.errors.filter((e) => !e.includes('422'))).toEqual([]);
      await adminPage.context.close();

      const approved = await smtp.waitFor(
        'erika@behoerde.example',
        (m) => m.subject === 'Ihr Zugang ist freigeschaltet',
      );
      await page.goto(local(approved.links[0]!));
      await page.locator('#feld-email').focus();
      await page.keyboard.type('erika@behoerde.example');
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${server.baseUrl}/`);
      await expect(page.locator('.zsk-account').textContent()).resolves.toContain('Erika Mustermann');
      // The empty first submission answered 422 on purpose.
      expect(errors.filter((e) => !e.includes('422'))).toEqual([]);
      await context.close();
    }, 300_000);

    it('resets a password through the mailed link, with zero axe violations on every page', async () => {
      await createUser(server.db.kysely, {
        email: 'rita@behoerde.example',
        name: 'Rita Reset',
        password: PASSWORD,
      });
      const { context, page, errors } = await newPage();
      await page.goto(`${server.baseUrl}/passwort-vergessen`);
      await check(page, 'password-forgotten.png');
      await page.locator('#feld-email').focus();
      await page.keyboard.type('rita@behoerde.example');
      await page.keyboard.press('Enter');
      await page.waitForURL(/gesendet=1$/);
      await check(page, 'password-reset-sent.png');

      const mail = await smtp.waitFor('rita@behoerde.example', (m) => m.subject === 'Passwort neu setzen');
      await page.goto(local(mail.links[0]!));
      await check(page, 'password-new.png');
      await page.locator('#feld-password').focus();
      await page.keyboard.type('Ein neues langes Passwort 3');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Ein neues langes Passwort 3');
      await page.keyboard.press('Enter');
      await page.waitForURL(/geaendert=1$/);
      await check(page, 'password-changed.png');
      expect(errors).toEqual([]);
      await context.close();
    }, 180_000);
  },
);
