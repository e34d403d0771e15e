import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { addMonths, lastClosedMonth, monthRange } from '../../../src/domain/months.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import {
  HAS_CHROMIUM,
  NO_CHROMIUM_MESSAGE,
  collectPageErrors,
  expectNoAxeViolations,
  launchBrowser,
  startServer,
  type TestServer,
} from '../../helpers/browser.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';

const L = lastClosedMonth(new Date());

describe.skipIf(!HAS_CHROMIUM)(`embeds in Chromium${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let viewer: SignedIn;
  let serviceId: number;
  let otherSite: http.Server;
  let otherSiteUrl: string;

  beforeAll(async () => {
    server = await startServer();
    viewer = await signIn(server, { name: 'Vera Viewer' });
    serviceId = await createService(server.db.kysely, { name: 'Einbettungsdienst', granularity: 'land' });
    const rows = monthRange(addMonths(L, -14), L).map((month, i) => ({
      month,
      ars: '060000000000',
      count: 500 + i * 25,
    }));
    await ingestDelivery(server.db.kysely, {
      channel: 'api',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId },
      rows,
    });
    // Another site on another origin (localhost, not 127.0.0.1, and another port) that frames the ZSK.
    const embed = `${server.baseUrl}/einbetten/dienste/${serviceId}?aufloesung=quartal`;
    const explorer = `${server.baseUrl}/einbetten/auswertungen?nach=typ&aufloesung=jahr`;
    otherSite = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Andere Website</title></head>` +
          `<body><main><h1>Eine andere Website</h1>` +
          `<iframe id="dienst" src="${embed}" title="Transaktionen je Quartal: Einbettungsdienst" width="900" height="900"></iframe>` +
          `<iframe id="auswertung" src="${explorer}" title="Transaktionen nach Typ" width="900" height="700"></iframe>` +
          `</main></body></html>`,
      );
    });
    await new Promise<void>((resolve) => otherSite.listen(0, 'localhost', resolve));
    otherSiteUrl = `http://localhost:${(otherSite.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => otherSite?.close(resolve));
    await server?.close();
  });

  async function newPage(signedIn: boolean): Promise<string[]> {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
    if (signedIn) {
      const [name, value] = viewer.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: server.baseUrl }]);
    }
    page = await context.newPage();
    return collectPageErrors(page);
  }

  it('renders chart and table inside an <iframe> of another site, with zero axe violations', async () => {
    const errors = await newPage(false);
    await page.goto(otherSiteUrl, { waitUntil: 'load' });
    const frame = page.frameLocator('#dienst');
    await expect(frame.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Einbettungsdienst: Transaktionen je Quartal',
    );
    await expect(
      frame.getByRole('img', { name: /Liniendiagramm der Transaktionen je Quartal/ }).isVisible(),
    ).resolves.toBe(true);
    const table = frame.getByRole('table', { name: 'Transaktionen je Quartal' });
    await expect(table.isVisible()).resolves.toBe(true);
    await expect(table.locator('tbody tr').count()).resolves.toBeGreaterThanOrEqual(5);
    await expect(frame.getByRole('navigation').count()).resolves.toBe(0);
    const explorer = page.frameLocator('#auswertung');
    await expect(
      explorer.getByRole('img', { name: /Balkendiagramm Transaktionen nach Typ/ }).isVisible(),
    ).resolves.toBe(true);
    await expect(explorer.getByRole('table').isVisible()).resolves.toBe(true);
    // axe looks into the frames too.
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the service page refuses to be framed (frame-ancestors none)', async () => {
    await newPage(false);
    const response = await page.request.get(`${server.baseUrl}/dienste/${serviceId}`);
    expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await context.close();
  });

  it('switches the resolution with the keyboard only and offers the embed snippet', async () => {
    const errors = await newPage(true);
    await page.goto(`${server.baseUrl}/dienste/${serviceId}`, { waitUntil: 'load' });
    let focused = '';
    for (let i = 0; i < 80 && focused !== 'zeitraum-aufloesung'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    expect(focused).toBe('zeitraum-aufloesung');
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('#zeitraum-aufloesung').inputValue()).resolves.toBe('quartal');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Anzeigen');
    await Promise.all([page.waitForURL(/aufloesung=quartal/), page.keyboard.press('Enter')]);
    await expect(page.getByRole('heading', { name: 'Transaktionen je Quartal' }).isVisible()).resolves.toBe(
      true,
    );
    await expect(page.getByRole('table', { name: 'Transaktionen je Quartal' }).isVisible()).resolves.toBe(
      true,
    );

    // The snippet opens from the keyboard and holds the iframe code of this view.
    await page.locator('#verlauf-teilen summary').focus();
    await page.keyboard.press('Enter');
    const code = page.getByLabel('HTML-Code zum Einbetten in eine andere Website');
    await expect(code.isVisible()).resolves.toBe(true);
    await expect(code.inputValue()).resolves.toContain(`/einbetten/dienste/${serviceId}?aufloesung=quartal"`);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
    await context.close();
  });
});
