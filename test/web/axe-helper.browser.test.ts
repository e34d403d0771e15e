import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  HAS_CHROMIUM,
  NO_CHROMIUM_MESSAGE,
  expectNoAxeViolations,
  launchBrowser,
} from '../helpers/browser.js';

/** Pages served by the browser itself (page.route): the helper's own check needs no app. */
const SITE = 'http://zsk.test';
const OTHER_SITE = 'http://andere-website.test';
const document = (body: string) =>
  `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Probe</title></head><body><main><h1>Probe</h1>${body}</main></body></html>`;
const FAULTY = '<img src="/bild.png"><p style="color:#bbb;background:#fff">Zu blass</p>';

/**
 * The helper runs axe in the page itself and only falls back to axe's merge page for frames of
 * another origin; this shows that both ways still find what they must.
 */
describe.skipIf(!HAS_CHROMIUM)(
  `expectNoAxeViolations${HAS_CHROMIUM ? '' : ` (${NO_CHROMIUM_MESSAGE})`}`,
  () => {
    let browser: Browser;
    let page: Page;
    beforeAll(async () => {
      browser = await launchBrowser();
      page = await (await browser.newContext()).newPage();
      const pages: Record<string, string> = {
        [`${SITE}/gut`]: document('<p>Alles lesbar.</p>'),
        [`${SITE}/fehlerhaft`]: document(FAULTY),
        [`${SITE}/rahmen`]: document(`<iframe src="${SITE}/fehlerhaft" title="Fehlerhaft"></iframe>`),
        [`${SITE}/fremder-rahmen`]: document(
          `<iframe src="${OTHER_SITE}/fehlerhaft" title="Fremd"></iframe>`,
        ),
        [`${OTHER_SITE}/fehlerhaft`]: document(FAULTY),
      };
      await page.context().route('**/*', (route) => {
        const body = pages[route.request().url()];
        return body
          ? route.fulfill({ contentType: 'text/html; charset=utf-8', body })
          : route.fulfill({ status: 404, body: '' });
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('passes a page without faults', async () => {
      await page.goto(`${SITE}/gut`);
      await expectNoAxeViolations(page);
    });

    it.each([
      ['in the page', `${SITE}/fehlerhaft`],
      ['in a frame of the same origin', `${SITE}/rahmen`],
      ['in a frame of another origin', `${SITE}/fremder-rahmen`],
    ])('names a missing alternative text and too little contrast %s', async (_where, url) => {
      await page.goto(url);
      await page.frames().at(-1)!.waitForLoadState();
      const failure = await expectNoAxeViolations(page).then(
        () => null,
        (error: Error) => error.message,
      );
      expect(failure).toContain('image-alt');
      expect(failure).toContain('color-contrast');
    });
  },
);
