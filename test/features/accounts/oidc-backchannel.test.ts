import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_COOKIE } from '../../../src/features/accounts/oidc.js';
import { SESSION_COOKIE } from '../../../src/http/sessions.js';
import type { TestApp } from '../../helpers/app.js';
import { CookieJar } from '../../helpers/cookie-jar.js';
import {
  confirmProviderLogout,
  startListeningAppWithProvider,
  type TestProvider,
} from '../../helpers/oidc-provider.js';

/*
 * Back-channel logout end to end: the app listens on a real port, the provider (oidc-provider, set up
 * like a Keycloak client with "Backchannel logout session required") ends its session after the
 * person confirms the sign-out there, and itself posts the logout token to the app.
 */

let op: TestProvider;
let t: TestApp;
let appUrl: string;

beforeAll(async () => {
  ({ op, t, appUrl } = await startListeningAppWithProvider('127.0.0.1'));
});
afterAll(async () => {
  await t?.close();
  await op?.close();
});

/** A browser signing in over the provider as `subject`: its cookies at the app and at the provider. */
async function signIn(subject: string): Promise<{ app: CookieJar; provider: CookieJar }> {
  const app = new CookieJar();
  const provider = new CookieJar();
  let url = new URL('/anmelden/oidc', appUrl);
  for (let step = 0; step < 12; step++) {
    const atApp = url.origin === appUrl;
    if (!atApp && url.pathname.startsWith('/interaction/')) url.searchParams.set('as', subject);
    const jar = atApp ? app : provider;
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: jar.header, accept: 'text/html' },
    });
    jar.store(res);
    const location = res.headers.get('location');
    if (atApp && url.pathname === '/anmelden/oidc/callback') {
      expect(res.status, await res.text()).toBe(303);
      expect(app.cookies.has(SESSION_COOKIE)).toBe(true);
      expect(app.cookies.has(OIDC_COOKIE)).toBe(false);
      return { app, provider };
    }
    if (!location) throw new Error(`no redirect from ${url.href}: ${res.status} ${await res.text()}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects');
}

const signedIn = async (browser: { app: CookieJar }) =>
  (
    await fetch(new URL('/meine-dienste', appUrl), {
      redirect: 'manual',
      headers: { cookie: browser.app.header },
    })
  ).status;

describe('OIDC back-channel logout, end to end', () => {
  it('ends the ZSK session when the person signs out at the provider, and only that one', async () => {
    op.accounts.set('kc-carla', { email: 'carla@behoerde.example', emailVerified: true, name: 'Carla' });
    const office = await signIn('kc-carla');
    const laptop = await signIn('kc-carla');
    expect(await signedIn(office)).toBe(200);
    expect(await signedIn(laptop)).toBe(200);

    // Signing out at the provider (not through the ZSK): its confirmation page, then "yes".
    const { done } = await confirmProviderLogout(
      op.issuer,
      new URL('/session/end', op.issuer),
      office.provider,
    );
    expect([302, 303]).toContain(done.status);

    // The provider has posted its logout token to the ZSK before answering.
    expect(await signedIn(office)).toBe(401);
    expect(await signedIn(laptop)).toBe(200);
  });
});
