import ExcelJS from 'exceljs';
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
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { ensureSampleCatalogue } from '../../../src/features/catalogue/sample.js';

/**
 * The supplier's way through the UI in Chromium: create a service, enter counts by hand, upload a CSV
 * file with an error, correct and confirm it, upload an Excel file, read the history. Every page is
 * checked with axe (WCAG 2.1 AA) and photographed to test-results/.
 */
describe.skipIf(!HAS_CHROMIUM)(
  `services UI in Chromium${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`,
  () => {
    let server: TestServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let errors: string[];
    let supplier: SignedIn;
    let serviceUrl = '';

    beforeAll(async () => {
      server = await startServer();
      await ensureSampleCatalogue(server.db.kysely);
      supplier = await signIn(server, { name: 'Sabine Lieferant' });
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
      const [name, value] = supplier.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: server.baseUrl }]);
      page = await context.newPage();
      errors = collectPageErrors(page);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    /** Forms shown again with errors answer 422 by design; anything else the browser reports is a bug. */
    const unexpected = () => errors.filter((e) => !/http 422:|status of 422/.test(e));

    async function check(screenshot: string): Promise<void> {
      await expectNoAxeViolations(page);
      await saveScreenshot(page, screenshot);
    }

    it('creates a service through the form with the catalogue search assistant', async () => {
      await page.goto(`${server.baseUrl}/dienste/neu`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Onlinedienst anlegen',
      );
      // The assistant is revealed by the script; a typo still finds the service (trigram search).
      const search = page.getByLabel('Suchbegriff');
      await expect(search.isVisible()).resolves.toBe(true);
      await search.fill('Wohngelt');
      const take = page.locator('#katalog-ergebnisse button[data-leika-key]').first();
      await take.waitFor();
      await check('service-create.png');
      await take.click();
      await expect(page.getByLabel('LeiKa-Schlüssel').inputValue()).resolves.toMatch(/^\d{14}$/);
      await expect(page.getByLabel('OZG-Leistungen').inputValue()).resolves.not.toBe('');
      expect(unexpected()).toEqual([]);

      // Sent empty first: the error summary links to the fields.
      await page.getByRole('button', { name: 'Onlinedienst anlegen' }).click();
      await page.getByRole('alert').getByText('Bitte korrigieren Sie Ihre Angaben').waitFor();
      await check('service-create-errors.png');

      await page.getByLabel('Name des Onlinedienstes').fill('Wohngeld digital');
      await page.getByLabel('Adresse (URL)').fill('https://wohngeld.example.de');
      await page.getByLabel('Betreibende Behörde').selectOption({ label: 'Neue Behörde eintragen …' });
      await page.getByLabel('Name der neuen Behörde').fill('Ministerium für Wohnen');
      await page.getByRole('radio', { name: 'Typ 2/3' }).check();
      await page.getByRole('radio', { name: 'Einer für Alle (EfA)' }).check();
      await page.getByRole('checkbox', { name: 'Fokusleistung' }).check();
      await page.getByRole('radio', { name: 'Je Land' }).check();
      await page.getByRole('button', { name: 'Onlinedienst anlegen' }).click();
      await page.waitForURL(/\/dienste\/\d+\?angelegt=1$/);
      serviceUrl = new URL(page.url()).pathname;
      await page.getByText('Der Onlinedienst ist angelegt.').waitFor();
      await check('service-created.png');
      expect(unexpected()).toEqual([]);
    });

    it('edits the master data', async () => {
      await page.goto(`${server.baseUrl}${serviceUrl}/bearbeiten`);
      await expect(page.getByLabel('Name des Onlinedienstes').inputValue()).resolves.toBe('Wohngeld digital');
      await check('service-edit.png');
      await page.getByLabel('Beschreibung').fill('Antrag auf Wohngeld, digital');
      await page.getByRole('button', { name: 'Änderungen speichern' }).click();
      await page.waitForURL(/\?gespeichert=1$/);
      expect(unexpected()).toEqual([]);
    });

    it('enters counts by hand: a wrong cell is marked, the corrected form is stored as one delivery', async () => {
      await page.goto(`${server.baseUrl}${serviceUrl}/erfassen?monat=2024-03`);
      await check('entry.png');
      const hessen = page.getByLabel('Hessen, 03/2024');
      await hessen.fill('120');
      // Keyboard: Tab moves on to the next cell of the row.
      await page.getByLabel('Bayern, 02/2024').focus();
      await page.keyboard.type('1.234');
      await page.keyboard.press('Tab');
      await page.keyboard.type('55');
      await page.getByRole('button', { name: 'Als Lieferung speichern' }).click();
      await page.getByRole('alert').getByText('noch ist nichts gespeichert').waitFor();
      await expect(page.getByLabel('Bayern, 02/2024').getAttribute('aria-invalid')).resolves.toBe('true');
      await check('entry-errors.png');
      await page.getByRole('link', { name: /Bayern, 02\/2024/ }).click();
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe(
        'feld-z_2024-02_090000000000',
      );
      await page.keyboard.press('Control+A');
      await page.keyboard.type('1234');
      await page.getByRole('button', { name: 'Als Lieferung speichern' }).click();
      await page.getByText('Die Zahlen sind gespeichert.').waitFor();
      await expect(page.getByLabel('Bayern, 03/2024').inputValue()).resolves.toBe('55');
      expect(unexpected()).toEqual([]);
    });

    it('uploads a CSV file with an error, then the corrected file, and confirms it', async () => {
      await page.goto(`${server.baseUrl}${serviceUrl}/hochladen`);
      await check('upload.png');
      await page.getByLabel(/^Datei/).setInputFiles({
        name: 'april.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('monat;ars;anzahl\n2024-04;06;10\n2024-04;17;5\n'),
      });
      await page.getByRole('button', { name: 'Datei prüfen' }).click();
      await page.getByRole('heading', { name: 'Vorschau der Lieferung' }).waitFor();
      await page.getByRole('table', { name: 'Fehlerhafte Zeilen' }).waitFor();
      await expect(page.getByRole('button', { name: 'Lieferung speichern' }).count()).resolves.toBe(0);
      await check('upload-preview-errors.png');

      await page.getByRole('link', { name: 'Korrigierte Datei hochladen' }).click();
      await page.getByLabel(/^Datei/).setInputFiles({
        name: 'april.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('monat;ars;anzahl\n2024-04;06;10\n2024-04;16;5\n2024-03;06;121\n'),
      });
      await page.getByRole('button', { name: 'Datei prüfen' }).click();
      await page.getByText('Alle 3 Zeilen sind gültig').waitFor();
      await page.getByRole('table', { name: 'Geänderte Zahlen' }).waitFor();
      await check('upload-preview.png');

      // Storing runs in the background: a progress bar polls the status every second. The polls are
      // held back until axe has checked the running state, then let through.
      let releasePolls!: () => void;
      const held = new Promise<void>((resolve) => (releasePolls = resolve));
      await page.route('**/fortschritt', async (route) => {
        await held;
        await route.continue();
      });
      await page.getByRole('button', { name: 'Lieferung speichern' }).click();
      await page.getByRole('progressbar', { name: 'Fortschritt beim Speichern von april.csv' }).waitFor();
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('upload-fortschritt');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Lieferung speichern',
      );
      await expect(page.title()).resolves.toMatch(/^Lieferung speichern: april\.csv/);
      await expect(page.locator('#upload-fortschritt [role=status]').textContent()).resolves.toMatch(
        /von 3 Zeilen gespeichert/,
      );
      expect(page.url()).toMatch(/\/hochladen\/[A-Za-z0-9_-]+\/fortschritt$/);
      await check('upload-progress.png');
      releasePolls();
      await page.getByText('Die Lieferung ist gespeichert.').waitFor();
      await page.unroute('**/fortschritt');
      await expect(page.getByRole('progressbar').count()).resolves.toBe(0);
      await check('upload-stored.png');
      await page.getByRole('link', { name: /^Lieferung \d+ ansehen$/ }).click();
      await page.getByRole('heading', { name: /^Lieferung \d+$/, level: 1 }).waitFor();
      await check('delivery.png');
      expect(unexpected()).toEqual([]);
    });

    it('uploads an Excel workbook', async () => {
      const wb = new ExcelJS.Workbook();
      const sheet = wb.addWorksheet('Daten');
      sheet.addRows([
        ['monat', 'ars', 'anzahl'],
        ['2024-05', '060000000000', 11],
        ['2024-05', '090000000000', 22],
      ]);
      await page.goto(`${server.baseUrl}${serviceUrl}/hochladen`);
      await page.getByLabel(/^Datei/).setInputFiles({
        name: 'mai.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: Buffer.from(await wb.xlsx.writeBuffer()),
      });
      await page.getByRole('button', { name: 'Datei prüfen' }).click();
      await page.getByText('Alle 2 Zeilen sind gültig').waitFor();
      await page.getByRole('button', { name: 'Lieferung speichern' }).click();
      await page.getByText('Die Lieferung ist gespeichert.').waitFor();
      expect(unexpected()).toEqual([]);
    });

    it('shows all three channels in the history', async () => {
      await page.goto(`${server.baseUrl}${serviceUrl}/lieferungen`);
      const table = page.getByRole('table', { name: /Lieferungen/ });
      const channels = await table.locator('tbody tr td:nth-child(2)').allTextContents();
      expect(channels).toEqual(['Excel', 'CSV', 'Formular']);
      await check('history.png');
      expect(unexpected()).toEqual([]);
    });

    it('confirms an upload without JavaScript: the form post waits and shows the stored delivery', async () => {
      const plain = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE' });
      try {
        const [name, value] = supplier.cookie.split('=') as [string, string];
        await plain.addCookies([{ name, value, url: server.baseUrl }]);
        const noJs = await plain.newPage();
        await noJs.goto(`${server.baseUrl}${serviceUrl}/hochladen`);
        await noJs.getByLabel(/^Datei/).setInputFiles({
          name: 'juni.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from('monat;ars;anzahl\n2024-06;06;7\n'),
        });
        await noJs.getByRole('button', { name: 'Datei prüfen' }).click();
        await noJs.getByText('Alle 1 Zeilen sind gültig').waitFor();
        await noJs.getByRole('button', { name: 'Lieferung speichern' }).click();
        await noJs.getByRole('heading', { name: /^Lieferung \d+$/, level: 1 }).waitFor();
        await noJs.getByText('Die Lieferung ist gespeichert.').waitFor();
        expect(noJs.url()).toMatch(/\/lieferungen\/\d+\?gespeichert=1$/);
      } finally {
        await plain.close();
      }
    });
  },
);
