import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../../src/demo/seed.js';
import {
  HAS_CHROMIUM,
  NO_CHROMIUM_MESSAGE,
  expectNoAxeViolations,
  launchBrowser,
  openTab,
  saveScreenshot,
  startServer,
  type Tab,
  type TestServer,
} from '../../helpers/browser.js';
import { createUser, grantPortal, signIn, type SignedIn } from '../../helpers/auth.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

describe.skipIf(!HAS_CHROMIUM)(
  `access pages in Chromium${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`,
  () => {
    let server: TestServer;
    let smtp: TestSmtp;
    let browser: Browser;
    let page: Page;
    let errors: string[];
    let portalManager: SignedIn;
    let admin: SignedIn;
    let portalId: number;
    let serviceId: number;

    beforeAll(async () => {
      smtp = await startSmtp();
      server = await startServer({ smtpUrl: smtp.url });
      await seedDemo(server.db.kysely, new Date('2026-11-23T10:00:00Z'));
      const db = server.db.kysely;
      const portal = await db.selectFrom('portals').select('id').executeTakeFirstOrThrow();
      portalId = portal.id;
      const service = await db
        .selectFrom('portal_services')
        .select('service_id')
        .where('portal_id', '=', portalId)
        .orderBy('service_id')
        .executeTakeFirstOrThrow();
      serviceId = service.service_id;
      portalManager = await signIn(server, { name: 'Paula Portal', email: 'paula@bund.example' });
      await grantPortal(db, portalManager.userId, portalId);
      admin = await signIn(server, { name: 'Ada Admin', isAdmin: true });
      await createUser(db, { name: 'Anna Amt', email: 'anna@behoerde.example' });
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await smtp?.close();
    });

    /** One tab per person, kept for the file: a signed-in session is a cookie of its context. */
    const tabs = new Map<SignedIn, Tab>();

    async function open(path: string, who: SignedIn): Promise<void> {
      let tab = tabs.get(who);
      if (!tab) {
        tab = await openTab(browser, { url: server.baseUrl, cookie: who.cookie });
        tabs.set(who, tab);
      }
      ({ page, errors } = tab);
      const response = await tab.visit(`${server.baseUrl}${path}`);
      expect(response?.status()).toBe(200);
    }

    async function check(screenshot: string): Promise<void> {
      await expect(page.getByRole('heading', { level: 1 }).count()).resolves.toBe(1);
      await expectNoAxeViolations(page);
      await saveScreenshot(page, screenshot);
    }

    it('shows my services with links to their management pages', async () => {
      await open('/meine-dienste', portalManager);
      await expect(
        page.getByRole('link', { name: 'Meine Dienste' }).getAttribute('aria-current'),
      ).resolves.toBe('page');
      await expect(page.getByRole('table', { name: 'Portale, die Sie verwalten' }).isVisible()).resolves.toBe(
        true,
      );
      await expect(
        page.getByRole('table', { name: 'Onlinedienste, die Sie verwalten' }).isVisible(),
      ).resolves.toBe(true);
      await check('my-services.png');
      expect(errors).toEqual([]);
    });

    it('grants access by e-mail with the keyboard and lists people and invitations', async () => {
      await open(`/dienste/${serviceId}/zugang`, portalManager);
      await page.getByLabel('E-Mail-Adresse').focus();
      await page.keyboard.type('anna@behoerde.example');
      await Promise.all([page.waitForURL(`**/dienste/${serviceId}/zugang`), page.keyboard.press('Enter')]);
      await expect(page.getByRole('status').textContent()).resolves.toContain(
        'Anna Amt (anna@behoerde.example) hat jetzt Zugang',
      );
      await page.getByLabel('E-Mail-Adresse').fill('neu@kommune.example');
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Zugang erteilen' }).press('Enter'),
      ]);
      await expect(page.getByRole('table', { name: 'Offene Einladungen' }).textContent()).resolves.toContain(
        'neu@kommune.example',
      );
      await expect(
        page.getByRole('button', { name: 'Entziehen – Zugang von Anna Amt' }).count(),
      ).resolves.toBe(1);
      await check('access.png');
      expect(errors).toEqual([]);
      await smtp.waitFor('neu@kommune.example');
    });

    it('creates an access token, shows it once, and revokes it after confirmation', async () => {
      await open(`/dienste/${serviceId}/schluessel`, portalManager);
      await page.getByLabel('Bezeichnung').focus();
      await page.keyboard.type('Fachverfahren Produktion');
      await page.keyboard.press('Tab');
      await page.keyboard.type('365');
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      const token = await page.locator('#neuer-schluessel').textContent();
      expect(token).toMatch(/^zsk_[A-Za-z0-9_-]{43}$/);
      await expect(page.locator('pre.zsk-code').textContent()).resolves.toContain(`Bearer ${token}`);
      await check('tokens-created.png');
      expect(errors).toEqual([]);

      // Shown once: the list page afterwards holds the prefix only.
      await page.goto(`${server.baseUrl}/dienste/${serviceId}/schluessel`);
      await expect(page.content()).resolves.not.toContain(token!);
      const revoke = page.getByRole('button', { name: 'Widerrufen – Schlüssel „Fachverfahren Produktion“' });
      await revoke.focus();
      // The confirmation is a page of its own; waiting for its address avoids racing the old page.
      await Promise.all([page.waitForURL(/schluessel\/widerrufen/), page.keyboard.press('Enter')]);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Zugangsschlüssel widerrufen?',
      );
      await check('tokens-confirm.png');
      await Promise.all([
        page.waitForURL(/erledigt=widerrufen/),
        page.getByRole('button', { name: 'Ja, widerrufen' }).press('Enter'),
      ]);
      await expect(page.getByRole('status').textContent()).resolves.toContain('wurde widerrufen');
      await check('tokens.png');
      expect(errors).toEqual([]);
    });

    it('creates a personal token under Meine Dienste with the keyboard, shown once', async () => {
      await open('/meine-dienste', portalManager);
      await Promise.all([
        page.waitForURL('**/meine-dienste/schluessel'),
        page.getByRole('link', { name: 'Persönliche Zugangsschlüssel' }).press('Enter'),
      ]);
      await check('personal-tokens-empty.png');
      await page.getByLabel('Bezeichnung').focus();
      await page.keyboard.type('Stammdaten-Skript');
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      const token = await page.locator('#neuer-schluessel').textContent();
      expect(token).toMatch(/^zsk_[A-Za-z0-9_-]{43}$/);
      await expect(page.locator('pre.zsk-code').textContent()).resolves.toContain(
        `/api/v1/portals/${portalId}/services`,
      );
      await check('personal-tokens-created.png');
      await page.goto(`${server.baseUrl}/meine-dienste/schluessel`);
      await expect(page.content()).resolves.not.toContain(token!);
      await expect(
        page.getByRole('button', { name: 'Widerrufen – Schlüssel „Stammdaten-Skript“' }).count(),
      ).resolves.toBe(1);
      await check('personal-tokens.png');
      expect(errors).toEqual([]);
    });

    it('shows the portal page with its services and the forms to add more', async () => {
      await open(`/portale/${portalId}`, portalManager);
      await expect(page.getByRole('heading', { name: 'Onlinedienst hinzufügen' }).isVisible()).resolves.toBe(
        true,
      );
      await page.getByLabel('Onlinedienste nach Namen suchen').fill('a');
      await Promise.all([
        page.waitForURL(/suche=a/),
        page.getByRole('button', { name: 'Suchen' }).press('Enter'),
      ]);
      await check('portal.png');
      expect(errors).toEqual([]);
    });

    it('asks to add a service the portal manager does not manage; an administrator accepts it', async () => {
      const outside = await server.db.kysely
        .selectFrom('online_services as s')
        .select(['s.id', 's.name'])
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('portal_services as ps')
                .select('ps.service_id')
                .whereRef('ps.service_id', '=', 's.id'),
            ),
          ),
        )
        .orderBy('s.id')
        .executeTakeFirstOrThrow();
      await open(`/portale/${portalId}`, portalManager);
      await page.getByLabel('Onlinedienst', { exact: true }).selectOption(String(outside.id));
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Hinzufügen', exact: true }).press('Enter'),
      ]);
      await expect(page.getByRole('status').textContent()).resolves.toContain(
        `„${outside.name}“ verwalten Sie nicht.`,
      );
      await expect(
        page.getByRole('table', { name: 'Offene Anfragen an Onlinedienste' }).textContent(),
      ).resolves.toContain(outside.name);
      await check('portal-request.png');
      expect(errors).toEqual([]);

      await open('/meine-dienste', admin);
      const listed = page.getByRole('table', { name: 'Portale, die Onlinedienste aufnehmen möchten' });
      await expect(listed.textContent()).resolves.toContain(outside.name);
      await check('my-services-requests.png');
      await Promise.all([
        page.waitForURL(`**/dienste/${outside.id}/zugang`),
        listed.getByRole('link', { name: new RegExp(`^${outside.name}`) }).press('Enter'),
      ]);
      await expect(
        page.getByRole('table', { name: 'Anfragen von Portalen, den Onlinedienst aufzunehmen' }).isVisible(),
      ).resolves.toBe(true);
      await check('access-requests.png');
      await Promise.all([
        page.waitForURL(/portalanfragen\/annehmen/),
        page.getByRole('button', { name: /^Annehmen – Anfrage von / }).press('Enter'),
      ]);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Onlinedienst in das Portal aufnehmen?',
      );
      await check('access-request-confirm.png');
      await Promise.all([
        page.waitForURL(/erledigt=anfrage-angenommen/),
        page.getByRole('button', { name: 'Ja, aufnehmen' }).press('Enter'),
      ]);
      await expect(page.getByRole('status').textContent()).resolves.toContain('gehört jetzt zum Portal');
      await check('access-request-accepted.png');
      expect(errors).toEqual([]);
    });

    it('shows the audit log to administrators, filterable', async () => {
      await open('/verwaltung/protokoll', admin);
      await expect(
        page.getByRole('table', { name: 'Protokolleinträge, neueste zuerst' }).isVisible(),
      ).resolves.toBe(true);
      await check('audit-log.png');
      await page.getByLabel('Aktion').selectOption('token.revoke');
      await Promise.all([
        page.waitForURL(/aktion=token.revoke/),
        page.getByRole('button', { name: 'Filtern' }).press('Enter'),
      ]);
      await expect(page.locator('tbody tr').count()).resolves.toBe(1);
      await expectNoAxeViolations(page);
      expect(errors).toEqual([]);
    });
  },
);
