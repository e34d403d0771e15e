import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FAILED_LOGINS } from '../../../src/features/accounts/login.js';
import { SESSION_COOKIE } from '../../../src/features/accounts/sessions.js';
import { CSRF_COOKIE } from '../../../src/http/csrf.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser, signIn } from '../../helpers/auth.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ loginRateLimit: 1000 });
});
afterAll(async () => {
  await t.close();
});

const PASSWORD = 'korrekt-Pferd-Batterie-9';

/** The sign-in form as a browser gets it: the double-submit CSRF cookie and the hidden field. */
async function loginForm(): Promise<{ csrf: string; cookie: string }> {
  const page = await t.app.inject({ url: '/anmelden', headers: { accept: 'text/html' } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const cookie = page.cookies.find((c) => c.name === CSRF_COOKIE)!;
  return { csrf, cookie: `${CSRF_COOKIE}=${cookie.value}` };
}

async function postLogin(fields: Record<string, string>, extraCookie = '') {
  const { csrf, cookie } = await loginForm();
  return t.app.inject({
    method: 'POST',
    url: '/anmelden',
    headers: { cookie: [cookie, extraCookie].filter(Boolean).join('; '), accept: 'text/html' },
    payload: { _csrf: csrf, ...fields },
  });
}

const sessionOf = (res: Awaited<ReturnType<typeof postLogin>>) =>
  res.cookies.find((c) => c.name === SESSION_COOKIE && c.value);

describe('local sign-in', () => {
  it('signs in with e-mail and password: httpOnly SameSite session cookie, redirect to the page asked for', async () => {
    await createUser(t.db.kysely, { email: 'anna@behoerde.example', password: PASSWORD });
    const res = await postLogin({
      email: 'Anna@Behoerde.example ',
      password: PASSWORD,
      weiter: '/vollstaendigkeit',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/vollstaendigkeit');
    const cookie = sessionOf(res)!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const page = await t.app.inject({ url: '/', headers: { cookie: `${SESSION_COOKIE}=${cookie.value}` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Angemeldet als');
  });

  it('never redirects to another site after signing in', async () => {
    await createUser(t.db.kysely, { email: 'ben@behoerde.example', password: PASSWORD });
    for (const weiter of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await postLogin({ email: 'ben@behoerde.example', password: PASSWORD, weiter });
      expect(res.headers.location).toBe('/');
    }
  });

  it('answers a wrong password and an unknown address alike, and locks after too many failures', async () => {
    await createUser(t.db.kysely, { email: 'carla@behoerde.example', password: PASSWORD });
    const unknown = await postLogin({ email: 'niemand@behoerde.example', password: 'falsch' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toContain('E-Mail-Adresse oder Passwort ist falsch.');
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) {
      const res = await postLogin({ email: 'carla@behoerde.example', password: 'falsch' });
      expect(res.body).toContain('E-Mail-Adresse oder Passwort ist falsch.');
    }
    const locked = await postLogin({ email: 'carla@behoerde.example', password: 'falsch' });
    expect(locked.body).toContain('Zu viele Fehlversuche');
    // Even the right password is refused while locked.
    const right = await postLogin({ email: 'carla@behoerde.example', password: PASSWORD });
    expect(right.statusCode).toBe(422);
    expect(sessionOf(right)).toBeUndefined();
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'user.lock')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('tells accounts that are not yet active why, but only after the right password', async () => {
    await createUser(t.db.kysely, {
      email: 'dora@behoerde.example',
      password: PASSWORD,
      status: 'pending_approval',
    });
    const wrong = await postLogin({ email: 'dora@behoerde.example', password: 'falsch' });
    expect(wrong.body).toContain('E-Mail-Adresse oder Passwort ist falsch.');
    const right = await postLogin({ email: 'dora@behoerde.example', password: PASSWORD });
    expect(right.body).toContain('wird noch von der ZSK-Administration geprüft');
    expect(sessionOf(right)).toBeUndefined();
  });

  it('refuses a form without or with a foreign CSRF token', async () => {
    await createUser(t.db.kysely, { email: 'emil@behoerde.example', password: PASSWORD });
    const { cookie } = await loginForm();
    const without = await t.app.inject({
      method: 'POST',
      url: '/anmelden',
      headers: { cookie, accept: 'text/html' },
      payload: { email: 'emil@behoerde.example', password: PASSWORD },
    });
    expect(without.statusCode).toBe(403);
    expect(without.body).toContain('Das Formular ist abgelaufen');
    const other = await loginForm();
    const foreign = await t.app.inject({
      method: 'POST',
      url: '/anmelden',
      headers: { cookie },
      payload: { _csrf: other.csrf, email: 'emil@behoerde.example', password: PASSWORD },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error.code).toBe('csrf_failed');
  });

  it('gives a new session id on sign-in and ends the session on sign-out', async () => {
    const userId = await createUser(t.db.kysely, { email: 'fritz@behoerde.example', password: PASSWORD });
    const planted = await signIn(t, { userId });
    // Whoever holds a session (here one planted in the browser) signs in with its CSRF token.
    const res = await t.app.inject({
      method: 'POST',
      url: '/anmelden',
      headers: { cookie: planted.cookie },
      payload: { _csrf: planted.csrfToken, email: 'fritz@behoerde.example', password: PASSWORD },
    });
    const fresh = sessionOf(res)!;
    expect(`${SESSION_COOKIE}=${fresh.value}`).not.toBe(planted.cookie);
    const old = await t.app.inject({ url: '/', headers: { cookie: planted.cookie } });
    expect(old.statusCode).toBe(401);

    const cookie = `${SESSION_COOKIE}=${fresh.value}`;
    const page = await t.app.inject({ url: '/', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const out = await t.app.inject({
      method: 'POST',
      url: '/abmelden',
      headers: { cookie },
      payload: { _csrf: csrf },
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/anmelden?abgemeldet=1');
    expect((await t.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(401);
  });

  it('sends signed-out browsers to the sign-in page with the way back, programs get 401', async () => {
    const html = await t.app.inject({ url: '/vollstaendigkeit?x=1', headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(303);
    expect(html.headers.location).toBe('/anmelden?weiter=%2Fvollstaendigkeit%3Fx%3D1');
    const json = await t.app.inject({ url: '/vollstaendigkeit' });
    expect(json.statusCode).toBe(401);
    expect(json.json().error.code).toBe('unauthorized');
  });

  it('ends sessions that were idle too long', async () => {
    const viewer = await signIn(t);
    await t.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - (t.config.sessionIdleMinutes + 1) * 60_000) })
      .where('user_id', '=', viewer.userId)
      .execute();
    expect((await t.app.inject({ url: '/', headers: { cookie: viewer.cookie } })).statusCode).toBe(401);
  });

  it('rate-limits sign-in attempts per address', async () => {
    const limited = await createTestApp({ loginRateLimit: 2 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/anmelden',
          payload: { email: 'x@y.de', password: 'z' },
        });
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual([403, 403, 429]);
    } finally {
      await limited.close();
    }
  });
});
