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
} from '../helpers/browser.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createService } from '../helpers/factories.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const PASSWORD = 'Wohngeld liefern wir monatlich 24';

/**
 * Issue 4's journey of a new data supplier, end to end through the real parts: invited by e-mail,
 * registers, confirms the address by the mailed link, an administrator approves, signs in, creates an
 * access token, pushes counts with it through the delivery API and finds the delivery in the history.
 */
describe.skipIf(!HAS_CHROMIUM)(`supplier journey${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`, () => {
  let server: TestServer;
  let smtp: TestSmtp;
  let browser: Browser;
  let admin: SignedIn;
  let serviceId: number;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServer({ smtpUrl: smtp.url, loginRateLimit: 1000 });
    admin = await signIn(server, { email: 'admin@zsk.example', name: 'Ada Admin', isAdmin: true });
    serviceId = await createService(server.db.kysely, { name: 'Wohngeld Digital', granularity: 'land' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  /** Mailed links point at ZSK_PUBLIC_URL; the test server listens on another port. */
  const local = (link: string) => {
    const url = new URL(link);
    return `${server.baseUrl}${url.pathname}${url.search}`;
  };

  async function newPage(session?: SignedIn): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
    contexts.push(context);
    if (session) {
      const [name, value] = session.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: server.baseUrl }]);
    }
    const page = await context.newPage();
    return { page, errors: collectPageErrors(page) };
  }

  it('invited, registered, confirmed, approved, signed in, token created, counts pushed, delivery in the history', async () => {
    // An administrator grants access by e-mail to an address without an account: an invitation.
    const adminTab = await newPage(admin);
    await adminTab.page.goto(`${server.baseUrl}/dienste/${serviceId}/zugang`);
    await adminTab.page.getByLabel('E-Mail-Adresse').fill('erika@wohnen.example');
    await adminTab.page.getByRole('button', { name: 'Zugang erteilen' }).click();
    await adminTab.page.getByRole('table', { name: 'Offene Einladungen' }).waitFor();
    const invitation = await smtp.waitFor('erika@wohnen.example');
    const invitationLink = invitation.links.find((l) => l.includes('einladung='))!;

    // The invited person registers through the link; the address is fixed by the invitation.
    const erika = await newPage();
    await erika.page.goto(local(invitationLink));
    await erika.page.getByLabel('Behörde', { exact: true }).fill('Ministerium für Wohnen');
    await erika.page.getByLabel('Ihr Name').fill('Erika Mustermann');
    await erika.page.getByLabel('Wofür benötigen Sie den Zugang?').fill('Monatliche Lieferung der Zahlen.');
    await erika.page.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
    await erika.page.getByLabel('Passwort wiederholen').fill(PASSWORD);
    await erika.page.getByRole('checkbox').check();
    await erika.page.getByRole('button', { name: 'Registrieren' }).click();
    await erika.page.waitForURL(/gesendet=1/);

    // The mailed link confirms the address (by a button: opening a link changes nothing).
    const verify = await smtp.waitFor('erika@wohnen.example', (m) => m.subject.includes('bestätigen'));
    await erika.page.goto(local(verify.links[0]!));
    await erika.page.getByRole('button', { name: 'E-Mail-Adresse bestätigen' }).click();
    await erika.page.waitForURL(/bestaetigt=1/);

    // The administrator approves; the invitation becomes her membership of the service.
    await adminTab.page.goto(`${server.baseUrl}/verwaltung/registrierungen`);
    await adminTab.page.getByRole('button', { name: 'Freischalten: Erika Mustermann' }).click();
    await adminTab.page.waitForURL(/ergebnis=freigeschaltet/);
    await smtp.waitFor('erika@wohnen.example', (m) => /freigeschaltet/i.test(m.subject + m.text));

    // She signs in and creates an access token for her service.
    await erika.page.goto(`${server.baseUrl}/anmelden`);
    await erika.page.getByLabel('E-Mail-Adresse').fill('erika@wohnen.example');
    await erika.page.getByLabel('Passwort').fill(PASSWORD);
    await erika.page.getByRole('button', { name: 'Anmelden' }).click();
    await erika.page.waitForURL(`${server.baseUrl}/`);
    await erika.page.goto(`${server.baseUrl}/meine-dienste`);
    await erika.page
      .getByRole('link', { name: /Wohngeld Digital/ })
      .first()
      .waitFor();
    await erika.page.goto(`${server.baseUrl}/dienste/${serviceId}/schluessel`);
    await erika.page.getByLabel('Bezeichnung').fill('Fachverfahren Wohngeld');
    await erika.page.getByRole('button', { name: 'Zugangsschlüssel erstellen' }).click();
    const token = (await erika.page.locator('#neuer-schluessel').textContent())!.trim();
    expect(token).toMatch(/^zsk_[A-Za-z0-9_-]{43}$/);

    // Her software pushes counts with the token.
    const response = await fetch(`${server.baseUrl}/api/v1/services/${serviceId}/counts`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        counts: [
          { month: '2026-09', ars: '06', count: 153 },
          { month: '2026-09', ars: '09', count: 421 },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const summary = (await response.json()) as { deliveryId: number; created: number };
    expect(summary.created).toBe(2);

    // The delivery appears in the history of the service.
    await erika.page.goto(`${server.baseUrl}/dienste/${serviceId}/lieferungen`);
    const row = erika.page.locator('tbody tr').filter({ hasText: 'API' }).first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('Fachverfahren Wohngeld');
    await expectNoAxeViolations(erika.page);
    await saveScreenshot(erika.page, 'journey-history.png');
    expect(erika.errors.filter((e) => !/http 422/.test(e))).toEqual([]);
    expect(adminTab.errors).toEqual([]);
  }, 240_000);
});
