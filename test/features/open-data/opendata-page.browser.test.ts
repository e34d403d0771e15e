import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { seedDemo } from '../../../src/demo/seed.js';
import { testConfig } from '../../helpers/app.js';
import {
  HAS_CHROMIUM,
  NO_CHROMIUM_MESSAGE,
  collectPageErrors,
  expectNoAxeViolations,
  launchBrowser,
  startServer,
  type TestServer,
} from '../../helpers/browser.js';

describe.skipIf(!HAS_CHROMIUM)(
  `/opendata in Chromium as an anonymous visitor${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`,
  () => {
    let server: TestServer;
    let browser: Browser;

    beforeAll(async () => {
      server = await startServer({ openData: { ...testConfig().openData, quietSeconds: 3600 } });
      await seedDemo(server.db.kysely, new Date('2026-11-23T10:00:00Z'));
      await server.app.openData.regenerate();
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('shows the downloads, licence and data dictionary with zero axe violations, without JavaScript', async () => {
      for (const javaScriptEnabled of [true, false]) {
        const context = await browser.newContext({
          viewport: { width: 1280, height: 900 },
          locale: 'de-DE',
          javaScriptEnabled,
        });
        const page = await context.newPage();
        const errors = collectPageErrors(page);
        const response = await page.goto(`${server.baseUrl}/opendata`, { waitUntil: 'load' });
        expect(response?.status()).toBe(200);
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Offene Daten');
        const downloads = page.getByRole('table', { name: 'Dateien zum Herunterladen' });
        await expect(
          downloads.getByRole('link', { name: 'zsk-transaktionen.csv.gz' }).isVisible(),
        ).resolves.toBe(true);
        await expect(
          downloads.getByRole('link', { name: 'zsk-onlinedienste.xlsx' }).isVisible(),
        ).resolves.toBe(true);
        await expect(
          page
            .getByRole('link', { name: 'Datenlizenz Deutschland – Namensnennung – Version 2.0' })
            .isVisible(),
        ).resolves.toBe(true);
        if (javaScriptEnabled) await expectNoAxeViolations(page);
        expect(errors).toEqual([]);
        await context.close();
      }
    });

    it('is usable with the keyboard: skip link first, then every download link in order', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/opendata`, { waitUntil: 'load' });
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe(
        'Zum Inhalt springen',
      );
      await page.keyboard.press('Enter');
      const seen: string[] = [];
      for (let i = 0; i < 12; i += 1) {
        await page.keyboard.press('Tab');
        seen.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''));
      }
      expect(seen).toContain('zsk-transaktionen.csv.gz');
      expect(seen).toContain('zsk-onlinedienste.csv');
      await context.close();
    });

    it('does not scroll sideways at 320 px', async () => {
      const context = await browser.newContext({ viewport: { width: 320, height: 640 }, locale: 'de-DE' });
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/opendata`, { waitUntil: 'load' });
      await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(
        320,
      );
      await context.close();
    });
  },
);
