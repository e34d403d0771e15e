import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticateLocal,
  MAX_FAILED_LOGINS,
  MAX_WAIT_MINUTES,
  waitMinutes,
} from '../../../src/features/accounts/login.js';
import { SESSION_COOKIE } from '../../../src/http/sessions.js';
import { CSRF_COOKIE } from '../../../src/http/csrf.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser, signIn } from '../../helpers/auth.js';
import type { ErrorBody } from '../../../src/http/errors.js';

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

  it('answers a wrong password and an unknown address alike, also once the address must wait', async () => {
    await createUser(t.db.kysely, { email: 'carla@behoerde.example', password: PASSWORD });
    const messageOf = (res: Awaited<ReturnType<typeof postLogin>>) =>
      // The same wait for both, give or take the minute the two requests straddle.
      /Zu viele Fehlversuche[^<]*|E-Mail-Adresse oder Passwort ist falsch\./
        .exec(res.body)?.[0]
        .replace(/\d\d:\d\d/, 'HH:MM');
    const answers: Record<'known' | 'unknown', (string | undefined)[]> = { known: [], unknown: [] };
    for (let i = 1; i <= MAX_FAILED_LOGINS + 1; i++) {
      for (const [who, email] of [
        ['known', 'carla@behoerde.example'],
        ['unknown', 'niemand@behoerde.example'],
      ] as const) {
        const res = await postLogin({ email, password: 'falsch' });
        expect(res.statusCode).toBe(422);
        answers[who].push(messageOf(res));
      }
    }
    expect(answers.unknown).toEqual(answers.known);
    expect(answers.known.slice(0, MAX_FAILED_LOGINS - 1)).toEqual(
      Array(MAX_FAILED_LOGINS - 1).fill('E-Mail-Adresse oder Passwort ist falsch.'),
    );
    expect(answers.known[MAX_FAILED_LOGINS - 1]).toContain('Bitte versuchen Sie es ab HH:MM Uhr erneut');
    expect(answers.known[MAX_FAILED_LOGINS - 1]).toContain('Passwort vergessen');
    expect(answers.known.join(' ')).not.toMatch(/Konto|gesperrt/);

    // While waiting even the right password is refused, so guessing gets no faster.
    const right = await postLogin({ email: 'carla@behoerde.example', password: PASSWORD });
    expect(right.statusCode).toBe(422);
    expect(sessionOf(right)).toBeUndefined();
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'user.lock')
      .execute();
    expect(audit).toHaveLength(1);

    // The owner is only made to wait: afterwards the right password works and the count starts over.
    await t.db.kysely
      .updateTable('login_throttle')
      .set({ blocked_until: new Date(Date.now() - 1000) })
      .execute();
    const later = await postLogin({ email: 'carla@behoerde.example', password: PASSWORD });
    expect(later.statusCode).toBe(303);
    expect(sessionOf(later)).toBeDefined();
    const wrongAgain = await postLogin({ email: 'carla@behoerde.example', password: 'falsch' });
    expect(messageOf(wrongAgain)).toBe('E-Mail-Adresse oder Passwort ist falsch.');
  });

  it('doubles the wait with every further failure, up to the maximum, and keeps no address readable', async () => {
    expect([5, 6, 7, 8, 9, 40].map(waitMinutes)).toEqual([1, 2, 4, 8, MAX_WAIT_MINUTES, MAX_WAIT_MINUTES]);
    const email = 'dauerversuch@behoerde.example';
    let now = new Date('2026-03-02T09:00:00Z');
    const waits: number[] = [];
    for (let i = 1; i <= MAX_FAILED_LOGINS + 2; i++) {
      const result = await authenticateLocal(t.db.kysely, email, 'falsch', now);
      if (!result.ok && result.reason === 'throttled') {
        waits.push((result.until.getTime() - now.getTime()) / 60_000);
        // Tried during the wait: refused without counting.
        const early = await authenticateLocal(t.db.kysely, email, 'falsch', new Date(now.getTime() + 1000));
        expect(early).toEqual(result);
        now = result.until;
      }
    }
    expect(waits).toEqual([1, 2, 4]);
    const rows = await t.db.kysely.selectFrom('login_throttle').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain('dauerversuch');
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
    expect(foreign.json<ErrorBody>().error.code).toBe('csrf_failed');
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
    const old = await t.app.inject({ url: '/meine-dienste', headers: { cookie: planted.cookie } });
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
    expect((await t.app.inject({ url: '/meine-dienste', headers: { cookie } })).statusCode).toBe(401);
  });

  it('sends signed-out browsers to the sign-in page with the way back, programs get 401', async () => {
    const html = await t.app.inject({ url: '/meine-dienste?x=1', headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(303);
    expect(html.headers.location).toBe('/anmelden?weiter=%2Fmeine-dienste%3Fx%3D1');
    const json = await t.app.inject({ url: '/meine-dienste' });
    expect(json.statusCode).toBe(401);
    expect(json.json<ErrorBody>().error.code).toBe('unauthorized');
  });

  it('ends sessions that were idle too long', async () => {
    const viewer = await signIn(t);
    await t.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - (t.config.sessionIdleMinutes + 1) * 60_000) })
      .where('user_id', '=', viewer.userId)
      .execute();
    expect(
      (await t.app.inject({ url: '/meine-dienste', headers: { cookie: viewer.cookie } })).statusCode,
    ).toBe(401);
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
