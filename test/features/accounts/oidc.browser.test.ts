import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  HAS_CHROMIUM,
  NO_CHROMIUM_MESSAGE,
  collectPageErrors,
  expectNoAxeViolations,
  launchBrowser,
} from '../../helpers/browser.js';
import type { TestApp } from '../../helpers/app.js';
import { startListeningAppWithProvider, type TestProvider } from '../../helpers/oidc-provider.js';

describe.skipIf(!HAS_CHROMIUM)(
  `OIDC sign-in in Chromium${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`,
  () => {
    let op: TestProvider;
    let t: TestApp;
    let browser: Browser;
    // The ZSK on localhost, the provider on 127.0.0.1: two sites, as in production, so the SameSite
    // cookie of the pending sign-in has to survive the cross-site return from the provider.
    let appUrl: string;

    beforeAll(async () => {
      ({ op, t, appUrl } = await startListeningAppWithProvider('localhost'));
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
      await op?.close();
    });

    it('signs in at the provider from the sign-in page and signs out at both ends', async () => {
      op.accounts.set('kc-browser', {
        email: 'browser@kommune.example',
        emailVerified: true,
        name: 'Berta Browser',
        roles: ['zsk-admin'],
      });
      const context = await browser.newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${appUrl}/meine-dienste`, { waitUntil: 'load' });
      expect(new URL(page.url()).pathname).toBe('/anmelden');
      await expectNoAxeViolations(page);

      const button = page.getByRole('link', { name: 'Mit dem Behördenkonto anmelden (Keycloak)' });
      await button.focus();
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.origin === op.issuer);
      await page.getByRole('link', { name: 'Anmelden als kc-browser' }).click();
      await page.waitForURL(`${appUrl}/meine-dienste`);
      await expect(page.getByText('Angemeldet als').textContent()).resolves.toContain('Berta Browser');
      await expect(page.getByText('(Administration)').count()).resolves.toBe(1);

      // The sign-out form is answered with a redirect to the provider: the CSP's form-action allows it.
      await page.getByRole('button', { name: 'Abmelden' }).click();
      await page.waitForURL((url) => url.origin === op.issuer && url.pathname.startsWith('/session/end'));
      await page.getByRole('button', { name: 'Ja, abmelden' }).click();
      await page.waitForURL(`${appUrl}/anmelden?abgemeldet=1`);
      await expect(page.getByText('Sie sind abgemeldet.').count()).resolves.toBe(1);
      await page.goto(`${appUrl}/meine-dienste`, { waitUntil: 'load' });
      expect(new URL(page.url()).pathname).toBe('/anmelden');

      // Only the provider's missing favicon may fail to load.
      expect(errors.filter((e) => e.startsWith('http 404')).every((e) => e.endsWith('/favicon.ico'))).toBe(
        true,
      );
      expect(errors.filter((e) => !e.includes('favicon') && !e.includes('status of 404'))).toEqual([]);
      await context.close();
    });
  },
);
