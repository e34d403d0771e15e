import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';
import { openGetPaths } from './public-output.js';

/** ZSK_PUBLIC=0, a closed deployment: every open route needs a sign-in again, as before issue 15. */
let t: TestApp;
let service: number;
let viewer: SignedIn;

beforeAll(async () => {
  t = await createTestApp({ publicData: false });
  service = await createService(t.db.kysely, { name: 'Geschlossener Dienst' });
  viewer = await signIn(t);
});
afterAll(async () => {
  await t.close();
});

describe('ZSK_PUBLIC=0', () => {
  const openPaths = () =>
    t.app.routeAccess
      .filter((r) => r.method === 'GET' && r.access === 'open')
      .map((r) => r.url.replace(/:[A-Za-z]+/g, String(service)));

  it('has open routes to close', () => {
    expect(openPaths()).toEqual(
      expect.arrayContaining(['/', '/dienste', `/dienste/${service}`, '/vollstaendigkeit', '/berichte']),
    );
    // The public routes (sign-in, health) stay public.
    expect(openGetPaths(t.app, service)).toContain('/anmelden');
  });

  it('sends anonymous browsers to the sign-in page and refuses programs', async () => {
    for (const path of openPaths()) {
      const page = await t.app.inject({ url: path, headers: { accept: 'text/html' } });
      expect(page.statusCode, path).toBe(303);
      expect(page.headers.location, path).toBe(`/anmelden?weiter=${encodeURIComponent(path)}`);
      const api = await t.app.inject({ url: path, headers: { accept: 'application/json' } });
      expect(api.statusCode, path).toBe(401);
    }
  });

  it('answers signed-in people as before', async () => {
    for (const path of [
      '/',
      '/dienste',
      `/dienste/${service}`,
      '/vollstaendigkeit',
      '/berichte',
      '/berichte/dienste.csv',
    ]) {
      const res = await t.app.inject({ url: path, headers: { cookie: viewer.cookie, accept: 'text/html' } });
      expect(res.statusCode, path).toBe(200);
    }
  });
});
