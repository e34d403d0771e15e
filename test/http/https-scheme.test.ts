import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/sessions.js';
import { CSRF_COOKIE } from '../../src/http/csrf.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUser } from '../helpers/auth.js';
import { ENGINE } from '../helpers/db.js';

const PASSWORD = 'korrekt-Pferd-Batterie-9';
let t: TestApp;
beforeAll(async () => {
  // An https public URL must not make cookies Secure or send HSTS on a plain http answer.
  t = await createTestApp({ publicUrl: 'https://zsk.example', trustProxy: ['127.0.0.1'] });
  await createUser(t.db.kysely, { email: 'hanna@behoerde.example', password: PASSWORD });
});
afterAll(async () => {
  await t.close();
});

const HSTS = 'strict-transport-security';

/** Sign-in as the browser does it; the answers of the form page and of the sign-in. */
async function signInOver(headers: Record<string, string>) {
  const page = await t.app.inject({ url: '/anmelden', headers: { ...headers, accept: 'text/html' } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const csrfCookie = page.cookies.find((c) => c.name === CSRF_COOKIE)!;
  const login = await t.app.inject({
    method: 'POST',
    url: '/anmelden',
    headers: { ...headers, cookie: `${CSRF_COOKIE}=${csrfCookie.value}` },
    payload: { _csrf: csrf, email: 'hanna@behoerde.example', password: PASSWORD },
  });
  expect(login.statusCode).toBe(303);
  return { page, csrfCookie, session: login.cookies.find((c) => c.name === SESSION_COOKIE)!, login };
}

describe(`scheme of the request decides HSTS and Secure cookies (${ENGINE})`, () => {
  it('plain http: no HSTS, cookies without Secure', async () => {
    const { page, csrfCookie, session, login } = await signInOver({});
    expect(page.headers[HSTS]).toBeUndefined();
    expect(login.headers[HSTS]).toBeUndefined();
    expect(csrfCookie.secure).toBeFalsy();
    expect(session.secure).toBeFalsy();
  });

  it('https through the named proxy: HSTS on every answer, Secure cookies', async () => {
    const { page, csrfCookie, session, login } = await signInOver({ 'x-forwarded-proto': 'https' });
    expect(page.headers[HSTS]).toBe('max-age=31536000; includeSubDomains');
    expect(login.headers[HSTS]).toBe('max-age=31536000; includeSubDomains');
    expect(csrfCookie.secure).toBe(true);
    expect(session.secure).toBe(true);
    const missing = await t.app.inject({ url: '/gibt-es-nicht', headers: { 'x-forwarded-proto': 'https' } });
    expect(missing.headers[HSTS]).toBe('max-age=31536000; includeSubDomains');
  });

  it('the early 304 of the open-data API decides HSTS alike', async () => {
    // Over a socket: the HTTP server answers these 304s before Fastify (serverAnsweringFirst).
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `${base}/api/open/v1/services`;
    const first = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } });
    expect(first.headers.get(HSTS)).toBe('max-age=31536000; includeSubDomains');
    const etag = first.headers.get('etag') ?? '';
    const secure = await fetch(url, { headers: { 'x-forwarded-proto': 'https', 'if-none-match': etag } });
    expect(secure.status).toBe(304);
    expect(secure.headers.get('x-ratelimit-remaining')).toBeNull();
    expect(secure.headers.get(HSTS)).toBe('max-age=31536000; includeSubDomains');
    const plain = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(plain.status).toBe(304);
    expect(plain.headers.get(HSTS)).toBeNull();
  });

  it('X-Forwarded-Proto from anyone but a named proxy changes nothing', async () => {
    const direct = await createTestApp({ publicUrl: 'https://zsk.example' });
    try {
      const page = await direct.app.inject({
        url: '/anmelden',
        headers: { 'x-forwarded-proto': 'https', accept: 'text/html' },
      });
      expect(page.headers[HSTS]).toBeUndefined();
      expect(page.cookies.find((c) => c.name === CSRF_COOKIE)!.secure).toBeFalsy();
    } finally {
      await direct.close();
    }
  });
});
