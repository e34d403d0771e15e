import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse as InjectResponse } from 'fastify';
import { buildApp } from '../../../src/app.js';
import { OIDC_COOKIE } from '../../../src/features/accounts/oidc.js';
import { createSession, SESSION_COOKIE } from '../../../src/http/sessions.js';
import { hashToken } from '../../../src/http/secrets.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser } from '../../helpers/auth.js';
import { CookieJar } from '../../helpers/cookie-jar.js';
import {
  confirmProviderLogout,
  oidcSettingsFor,
  startOidcProvider,
  type TestProvider,
} from '../../helpers/oidc-provider.js';

const APP_URL = 'http://localhost:3000';

let op: TestProvider;
let t: TestApp;
beforeAll(async () => {
  op = await startOidcProvider(APP_URL);
  t = await createTestApp({
    publicUrl: APP_URL,
    loginRateLimit: 1000,
    oidc: oidcSettingsFor(op),
  });
});
afterAll(async () => {
  await t?.close();
  await op?.close();
});

interface Flow {
  /** The app's answer to GET /anmelden/oidc. */
  start: InjectResponse;
  /** The value of the pending-sign-in cookie the app set. */
  oidcCookie: string;
  /** The provider's cookies (its session), for the logout. */
  jar: CookieJar;
}

async function startFlow(weiter?: string, jar = new CookieJar()): Promise<Flow> {
  const start = await t.app.inject({
    url: `/anmelden/oidc${weiter ? `?weiter=${encodeURIComponent(weiter)}` : ''}`,
    headers: { accept: 'text/html' },
  });
  expect(start.statusCode, start.body).toBe(303);
  const cookie = start.cookies.find((c) => c.name === OIDC_COOKIE)!;
  return { start, oidcCookie: cookie.value, jar };
}

/** Follows the provider's redirects, signing in as `subject`, up to the redirect back to the app. */
async function atProvider(flow: Flow, subject: string): Promise<URL> {
  let location = flow.start.headers.location as string;
  for (let step = 0; step < 10; step++) {
    if (location.startsWith(APP_URL)) return new URL(location);
    const url = new URL(location, op.issuer);
    if (url.pathname.startsWith('/interaction/')) url.searchParams.set('as', subject);
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: flow.jar.header } });
    flow.jar.store(res);
    if (res.status !== 302 && res.status !== 303) {
      throw new Error(`provider answered ${res.status} for ${url.href}: ${await res.text()}`);
    }
    location = res.headers.get('location')!;
  }
  throw new Error('too many redirects at the provider');
}

function callback(url: URL, oidcCookie: string | null) {
  return t.app.inject({
    url: url.pathname + url.search,
    headers: { accept: 'text/html', ...(oidcCookie ? { cookie: `${OIDC_COOKIE}=${oidcCookie}` } : {}) },
  });
}

async function signInAs(subject: string, weiter?: string, jar?: CookieJar) {
  const flow = await startFlow(weiter, jar);
  const res = await callback(await atProvider(flow, subject), flow.oidcCookie);
  return { res, flow, session: res.cookies.find((c) => c.name === SESSION_COOKIE && c.value) };
}

const userByEmail = (email: string) =>
  t.db.kysely
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();

const auditOf = (action: string, entityId: number) =>
  t.db.kysely
    .selectFrom('audit_log')
    .select(['actor_user_id', 'old_value', 'new_value'])
    .where('action', '=', action)
    .where('entity_id', '=', String(entityId))
    .orderBy('id')
    .execute();

describe('OIDC sign-in', () => {
  it('sends the browser to the provider with PKCE (S256), state and nonce, bound by an httpOnly cookie', async () => {
    const { start } = await startFlow('/vollstaendigkeit');
    const url = new URL(start.headers.location as string);
    expect(url.origin).toBe(op.issuer);
    expect(url.searchParams.get('client_id')).toBe(op.clientId);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('redirect_uri')).toBe(`${APP_URL}/anmelden/oidc/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    const cookie = start.cookies.find((c) => c.name === OIDC_COOKIE)!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/anmelden/oidc');
    // Only the hash of the cookie is stored, with the state: nobody can make up a matching pair.
    const row = await t.db.kysely
      .selectFrom('oidc_logins')
      .selectAll()
      .where('id_hash', '=', hashToken(cookie.value))
      .executeTakeFirstOrThrow();
    expect(row.state).toBe(url.searchParams.get('state'));
    expect(row.next_path).toBe('/vollstaendigkeit');
  });

  it('signs in an existing local account by its verified e-mail address and links the subject', async () => {
    const userId = await createUser(t.db.kysely, { email: 'anna@behoerde.example', name: 'Anna Lokal' });
    op.accounts.set('kc-anna', { email: 'Anna@Behoerde.example', emailVerified: true, name: 'Anna Realm' });
    const { res, session } = await signInAs('kc-anna', '/vollstaendigkeit');
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/vollstaendigkeit');
    expect(session?.httpOnly).toBe(true);
    const page = await t.app.inject({ url: '/', headers: { cookie: `${SESSION_COOKIE}=${session!.value}` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Angemeldet als');

    const user = await userByEmail('anna@behoerde.example');
    expect(user).toMatchObject({ id: userId, oidc_subject: 'kc-anna', name: 'Anna Lokal', is_admin: false });
    const stored = await t.db.kysely
      .selectFrom('sessions')
      .select('oidc_id_token')
      .where('id_hash', '=', hashToken(session!.value))
      .executeTakeFirstOrThrow();
    expect(stored.oidc_id_token).toMatch(/^ey/);
    expect(await auditOf('user.oidc_link', userId)).toHaveLength(1);
    const logins = await auditOf('session.login', userId);
    expect(logins.at(-1)?.new_value).toEqual({ method: 'oidc' });

    // From now on the subject decides, even when the address changes at the provider.
    op.accounts.set('kc-anna', {
      email: 'anna.neu@behoerde.example',
      emailVerified: true,
      name: 'Anna Realm',
    });
    const again = await signInAs('kc-anna');
    expect(again.res.statusCode).toBe(303);
    expect(again.res.headers.location).toBe('/');
    const sessionUser = await t.db.kysely
      .selectFrom('sessions')
      .select('user_id')
      .where('id_hash', '=', hashToken(again.session!.value))
      .executeTakeFirstOrThrow();
    expect(sessionUser.user_id).toBe(userId);
  });

  it('creates an active account for an unknown verified address, named from the claims', async () => {
    op.accounts.set('kc-neu', { email: 'neu@kommune.example', emailVerified: true, name: 'Nora Neu' });
    const { res, session } = await signInAs('kc-neu', '//evil.example/');
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(session).toBeDefined();
    const user = await userByEmail('neu@kommune.example');
    expect(user).toMatchObject({
      name: 'Nora Neu',
      status: 'active',
      oidc_subject: 'kc-neu',
      is_admin: false,
      password_hash: null,
    });
    const created = await auditOf('user.create', user!.id);
    expect(created).toHaveLength(1);
    expect(created[0]!.new_value).toMatchObject({ source: 'oidc', email: 'neu@kommune.example' });
  });

  it('does not match or create an account by an unverified address', async () => {
    const userId = await createUser(t.db.kysely, { email: 'carla@behoerde.example' });
    op.accounts.set('kc-carla', { email: 'carla@behoerde.example', emailVerified: false, name: 'Carla' });
    const { res, session } = await signInAs('kc-carla');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('keine bestätigte E-Mail-Adresse');
    expect(session).toBeUndefined();
    expect((await userByEmail('carla@behoerde.example'))?.oidc_subject).toBeNull();

    op.accounts.set('kc-dieter', { email: 'dieter@kommune.example', emailVerified: false, name: 'Dieter' });
    expect((await signInAs('kc-dieter')).res.statusCode).toBe(403);
    expect(await userByEmail('dieter@kommune.example')).toBeUndefined();
    expect(await auditOf('user.oidc_link', userId)).toEqual([]);
  });

  it('takes the admin flag from the roles claim on every sign-in and audits each change', async () => {
    op.accounts.set('kc-erika', {
      email: 'erika@bund.example',
      emailVerified: true,
      name: 'Erika Admin',
      roles: ['offline_access', 'zsk-admin'],
    });
    expect((await signInAs('kc-erika')).res.statusCode).toBe(303);
    const user = (await userByEmail('erika@bund.example'))!;
    expect(user.is_admin).toBe(true);
    const admin = await signInAs('kc-erika');
    const page = await t.app.inject({
      url: '/',
      headers: { cookie: `${SESSION_COOKIE}=${admin.session!.value}` },
    });
    expect(page.statusCode).toBe(200);

    // The role is taken away in the realm: the next sign-in takes the flag away in the ZSK.
    op.accounts.set('kc-erika', { ...op.accounts.get('kc-erika'), roles: ['offline_access'] });
    expect((await signInAs('kc-erika')).res.statusCode).toBe(303);
    expect((await userByEmail('erika@bund.example'))!.is_admin).toBe(false);
    // And given back: the flag returns.
    op.accounts.set('kc-erika', { ...op.accounts.get('kc-erika'), roles: ['zsk-admin'] });
    expect((await signInAs('kc-erika')).res.statusCode).toBe(303);
    expect((await userByEmail('erika@bund.example'))!.is_admin).toBe(true);
    const changes = await auditOf('user.admin', user.id);
    expect(changes.map((c) => [c.old_value, c.new_value])).toEqual([
      [{ isAdmin: true }, { isAdmin: false, source: 'oidc' }],
      [{ isAdmin: false }, { isAdmin: true, source: 'oidc' }],
    ]);
    expect(changes.every((c) => c.actor_user_id === null)).toBe(true);
  });

  it('keeps refusing accounts the ZSK disabled or rejected, and activates pending registrations', async () => {
    await createUser(t.db.kysely, { email: 'gesperrt@behoerde.example', status: 'disabled' });
    op.accounts.set('kc-gesperrt', { email: 'gesperrt@behoerde.example', emailVerified: true });
    const disabled = await signInAs('kc-gesperrt');
    expect(disabled.res.statusCode).toBe(403);
    expect(disabled.res.body).toContain('deaktiviert');
    expect(disabled.session).toBeUndefined();
    // Linked by now, and still refused on the next attempt.
    expect((await signInAs('kc-gesperrt')).res.statusCode).toBe(403);

    await createUser(t.db.kysely, { email: 'abgelehnt@behoerde.example', status: 'rejected' });
    op.accounts.set('kc-abgelehnt', { email: 'abgelehnt@behoerde.example', emailVerified: true });
    expect((await signInAs('kc-abgelehnt')).res.statusCode).toBe(403);

    const pending = await createUser(t.db.kysely, {
      email: 'wartend@behoerde.example',
      status: 'pending_approval',
    });
    op.accounts.set('kc-wartend', { email: 'wartend@behoerde.example', emailVerified: true });
    expect((await signInAs('kc-wartend')).res.statusCode).toBe(303);
    expect((await userByEmail('wartend@behoerde.example'))!.status).toBe('active');
    expect(await auditOf('user.activate', pending)).toHaveLength(1);
  });

  it('rejects a tampered or missing state with nothing signed in, and each pending sign-in once only', async () => {
    op.accounts.set('kc-hans', { email: 'hans@kommune.example', emailVerified: true, name: 'Hans' });
    const flow = await startFlow();
    const back = await atProvider(flow, 'kc-hans');

    const tampered = new URL(back);
    tampered.searchParams.set('state', `${back.searchParams.get('state')}x`);
    const res = await callback(tampered, flow.oidcCookie);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Die Anmeldung ist abgelaufen oder wurde nicht in diesem Browser begonnen');
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE && c.value)).toBeUndefined();
    // The failed attempt used up the pending sign-in: the genuine answer does not work afterwards.
    expect((await callback(back, flow.oidcCookie)).statusCode).toBe(400);

    // Without the cookie of the browser that started it (a callback link sent to someone else).
    const other = await startFlow();
    const otherBack = await atProvider(other, 'kc-hans');
    expect((await callback(otherBack, null)).statusCode).toBe(400);
    expect((await callback(otherBack, 'erfunden')).statusCode).toBe(400);

    // Without a state parameter.
    const third = await startFlow();
    const thirdBack = await atProvider(third, 'kc-hans');
    thirdBack.searchParams.delete('state');
    expect((await callback(thirdBack, third.oidcCookie)).statusCode).toBe(400);

    expect(await userByEmail('hans@kommune.example')).toBeUndefined();
  });

  it('rejects an ID token whose nonce is not the one of the pending sign-in', async () => {
    op.accounts.set('kc-ida', { email: 'ida@kommune.example', emailVerified: true, name: 'Ida' });
    const flow = await startFlow();
    // As if the token had been issued for another sign-in: the stored nonce no longer matches.
    await t.db.kysely
      .updateTable('oidc_logins')
      .set({ nonce: 'eine-andere-nonce' })
      .where('id_hash', '=', hashToken(flow.oidcCookie))
      .execute();
    const res = await callback(await atProvider(flow, 'kc-ida'), flow.oidcCookie);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Die Anmeldung über den Anmeldedienst ist fehlgeschlagen');
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE && c.value)).toBeUndefined();
    expect(await userByEmail('ida@kommune.example')).toBeUndefined();
  });

  it('answers a refusal at the provider with the error page, nothing signed in', async () => {
    const flow = await startFlow();
    const state = new URL(flow.start.headers.location as string).searchParams.get('state')!;
    const denied = new URL(`${APP_URL}/anmelden/oidc/callback`);
    denied.search = new URLSearchParams({ error: 'access_denied', state, iss: op.issuer }).toString();
    const res = await callback(denied, flow.oidcCookie);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Die Anmeldung über den Anmeldedienst ist fehlgeschlagen');
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE && c.value)).toBeUndefined();
  });

  it('answers 502 when the provider cannot be reached, and the local sign-in page still works', async () => {
    // Same database, a provider address where nothing listens.
    const unreachable = await buildApp({
      config: { ...t.config, oidc: { ...t.config.oidc!, issuer: 'http://127.0.0.1:9' } },
      db: t.db,
    });
    try {
      const res = await unreachable.inject({ url: '/anmelden/oidc', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(502);
      expect(res.body).toContain('Der Anmeldedienst ist derzeit nicht erreichbar');
      expect(res.cookies.find((c) => c.name === OIDC_COOKIE)).toBeUndefined();
      const page = await unreachable.inject({ url: '/anmelden', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
    } finally {
      await unreachable.close();
    }
  });

  it('ends the sessions the provider names in a signed back-channel logout token, and no others', async () => {
    op.accounts.set('kc-bea', { email: 'bea@behoerde.example', emailVerified: true, name: 'Bea Bach' });
    // Two browsers (two provider sessions, two sids) and a local session of the same person.
    const first = await signInAs('kc-bea');
    const second = await signInAs('kc-bea');
    const userId = (await userByEmail('bea@behoerde.example'))!.id;
    const sessions = async () =>
      (
        await t.db.kysely
          .selectFrom('sessions')
          .select(['id_hash', 'oidc_sid'])
          .where('user_id', '=', userId)
          .execute()
      ).map((r) => r.id_hash);
    const sid = async (cookie: { value: string }) =>
      (
        await t.db.kysely
          .selectFrom('sessions')
          .select('oidc_sid')
          .where('id_hash', '=', hashToken(cookie.value))
          .executeTakeFirstOrThrow()
      ).oidc_sid;
    const firstSid = await sid(first.session!);
    const secondSid = await sid(second.session!);
    expect(firstSid).toBeTruthy();
    expect(secondSid).toBeTruthy();
    expect(firstSid).not.toBe(secondSid);
    const local = await createSession(t.db.kysely, userId, t.config);
    expect(await sessions()).toHaveLength(3);

    const post = (logoutToken: string) =>
      t.app.inject({
        method: 'POST',
        url: '/anmelden/oidc/backchannel-logout',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ logout_token: logoutToken }).toString(),
      });
    // Refused, nothing ended: another signer, another audience, no event, a nonce, neither sid nor sub,
    // too old, not a JWT.
    const refused = [
      await op.logoutToken({ sid: firstSid }, { foreignKey: true }),
      await op.logoutToken({ sid: firstSid, aud: 'another-client' }),
      await op.logoutToken({ sid: firstSid, events: undefined }),
      await op.logoutToken({ sid: firstSid, nonce: 'n' }),
      await op.logoutToken({}),
      await op.logoutToken({ sid: firstSid, iat: Math.floor(Date.now() / 1000) - 3600 }),
      'kein-token',
    ];
    for (const [i, token] of refused.entries()) {
      const res = await post(token);
      expect(res.statusCode, String(i)).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_request' });
    }
    expect(await sessions()).toHaveLength(3);

    // By sid: only the first browser's session ends.
    const bySid = await post(await op.logoutToken({ sid: firstSid, sub: 'kc-bea' }));
    expect(bySid.statusCode).toBe(200);
    expect(bySid.headers['cache-control']).toBe('no-store');
    expect(await sessions()).toHaveLength(2);
    const gone = await t.app.inject({
      url: '/meine-dienste',
      headers: { cookie: `${SESSION_COOKIE}=${first.session!.value}` },
    });
    expect(gone.statusCode).toBe(401);
    // By sub alone: every session of the person, the local one included.
    expect((await post(await op.logoutToken({ sub: 'kc-bea' }))).statusCode).toBe(200);
    expect(await sessions()).toEqual([]);
    expect(local.cookieValue).toBeTruthy();
    const audits = await auditOf('session.logout', userId);
    expect(audits.map((a) => a.new_value)).toEqual([
      { method: 'oidc-backchannel', sessions: 1 },
      { method: 'oidc-backchannel', sessions: 2 },
    ]);
  });

  it('signs out locally and at the provider (RP-initiated logout)', async () => {
    op.accounts.set('kc-jana', { email: 'jana@kommune.example', emailVerified: true, name: 'Jana' });
    const { session, flow } = await signInAs('kc-jana');
    const cookie = `${SESSION_COOKIE}=${session!.value}`;
    const page = await t.app.inject({ url: '/', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const out = await t.app.inject({
      method: 'POST',
      url: '/abmelden',
      headers: { cookie },
      payload: { _csrf: csrf },
    });
    expect(out.statusCode).toBe(303);
    const logout = new URL(out.headers.location as string);
    expect(`${logout.origin}${logout.pathname}`).toBe(`${op.issuer}/session/end`);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${APP_URL}/anmelden?abgemeldet=1`);
    expect(logout.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect((await t.app.inject({ url: '/meine-dienste', headers: { cookie } })).statusCode).toBe(401);

    // The provider accepts the request (hint and address are valid) and, once confirmed, ends its
    // session and sends the browser back to the sign-in page of the ZSK.
    const { pageStatus, done } = await confirmProviderLogout(op.issuer, logout, flow.jar);
    expect(pageStatus).toBe(200);
    expect(done.status).toBe(303);
    const end = new URL(done.headers.get('location')!, op.issuer);
    expect(`${end.origin}${end.pathname}${end.search}`).toBe(`${APP_URL}/anmelden?abgemeldet=1`);
  });

  it('keeps the local sign-out of local sessions, and allows the form redirect to the provider in the CSP', async () => {
    // Public routes (the matrix sees them answer 404 in its app without OIDC).
    expect(t.app.routeAccess.filter((r) => r.url.startsWith('/anmelden/oidc'))).toEqual([
      { method: 'GET', url: '/anmelden/oidc', access: 'public' },
      { method: 'GET', url: '/anmelden/oidc/callback', access: 'public' },
      { method: 'POST', url: '/anmelden/oidc/backchannel-logout', access: 'public' },
    ]);
    const page = await t.app.inject({ url: '/anmelden', headers: { accept: 'text/html' } });
    expect(page.body).toContain('href="/anmelden/oidc"');
    expect(page.headers['content-security-policy']).toContain(`form-action 'self' ${op.issuer}`);

    const userId = await createUser(t.db.kysely, { email: 'karl@behoerde.example' });
    const { createSession } = await import('../../../src/http/sessions.js');
    const local = await createSession(t.db.kysely, userId, t.config);
    const out = await t.app.inject({
      method: 'POST',
      url: '/abmelden',
      headers: { cookie: `${SESSION_COOKIE}=${local.cookieValue}` },
      payload: { _csrf: local.session.csrfToken },
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/anmelden?abgemeldet=1');
  });
});
