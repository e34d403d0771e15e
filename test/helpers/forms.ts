import { CSRF_COOKIE } from '../../src/http/csrf.js';
import type { TestApp } from './app.js';

/** A signed-out browser's view of a form page: the double-submit CSRF cookie and the hidden field. */
export async function anonymousForm(t: TestApp, url: string): Promise<{ csrf: string; cookie: string }> {
  const page = await t.app.inject({ url, headers: { accept: 'text/html' } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  const cookie = page.cookies.find((c) => c.name === CSRF_COOKIE);
  if (!csrf || !cookie) throw new Error(`no form on ${url} (status ${page.statusCode})`);
  return { csrf, cookie: `${CSRF_COOKIE}=${cookie.value}` };
}

/** Sends a form as a signed-out browser would, after loading the page `from`. */
export async function postAnonymous(t: TestApp, from: string, url: string, fields: Record<string, string>) {
  const { csrf, cookie } = await anonymousForm(t, from);
  return t.app.inject({
    method: 'POST',
    url,
    headers: { cookie, accept: 'text/html' },
    payload: { _csrf: csrf, ...fields },
  });
}

/** Path and query of a mailed link, for app.inject. */
export const pathOf = (link: string): string => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};
