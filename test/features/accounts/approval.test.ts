import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPendingInvitations } from '../../../src/features/accounts/invitations.js';
import { issueOneTimeToken } from '../../../src/features/accounts/one-time-tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser, signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';
import { postAnonymous } from '../../helpers/forms.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

let t: TestApp;
let smtp: TestSmtp;
let admin: SignedIn;
beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ smtpUrl: smtp.url, loginRateLimit: 1000 });
  admin = await signIn(t, { email: 'admin@zsk.example', name: 'Ada Admin', isAdmin: true });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const DAY_MS = 24 * 3_600_000;
const PASSWORD = 'Kaffee trinken am Rhein 7';

const asAdmin = (url: string, fields: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: admin.cookie, accept: 'text/html' },
    payload: { _csrf: admin.csrfToken, ...fields },
  });

const statusOf = async (id: number) =>
  await t.db.kysely
    .selectFrom('users')
    .select(['status', 'status_reason'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

/** An invitation as the managers' UI writes it. */
function invite(email: string, payload: Record<string, unknown>, now = new Date()) {
  return issueOneTimeToken(
    t.db.kysely,
    { purpose: 'invitation', userId: null, email, payload, ttlMs: 7 * DAY_MS },
    now,
  );
}

describe('approval queue', () => {
  it('rejects only with a reason, which the person gets by mail', async () => {
    const id = await createUser(t.db.kysely, {
      email: 'rolf@behoerde.example',
      name: 'Rolf Rückfrage',
      status: 'pending_approval',
    });
    const without = await asAdmin(`/verwaltung/registrierungen/${id}/ablehnen`, { reason: '  ' });
    expect(without.statusCode).toBe(422);
    expect(without.body).toContain('Bitte begründen Sie die Ablehnung');
    expect(without.body).toContain(`href="#feld-grund-${id}"`);
    expect((await statusOf(id)).status).toBe('pending_approval');

    const res = await asAdmin(`/verwaltung/registrierungen/${id}/ablehnen`, {
      reason: 'Bitte registrieren Sie sich mit Ihrer dienstlichen Adresse.',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/verwaltung/registrierungen?ergebnis=abgelehnt');
    expect(await statusOf(id)).toEqual({
      status: 'rejected',
      status_reason: 'Bitte registrieren Sie sich mit Ihrer dienstlichen Adresse.',
    });
    const mail = await smtp.waitFor('rolf@behoerde.example');
    expect(mail.subject).toBe('Ihre Registrierung wurde abgelehnt');
    expect(mail.text).toContain('Bitte registrieren Sie sich mit Ihrer dienstlichen Adresse.');
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'new_value'])
      .where('entity_id', '=', String(id))
      .where('action', '=', 'user.reject')
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBe(admin.userId);
    expect(audit.new_value).toMatchObject({
      reason: 'Bitte registrieren Sie sich mit Ihrer dienstlichen Adresse.',
    });

    // Already decided: a second click changes nothing.
    const again = await asAdmin(`/verwaltung/registrierungen/${id}/freischalten`);
    expect(again.headers.location).toBe('/verwaltung/registrierungen?ergebnis=erledigt');
    expect((await statusOf(id)).status).toBe('rejected');
  });

  it('lists only confirmed registrations, and says so when there are none', async () => {
    await createUser(t.db.kysely, { name: 'Ulla Unbestätigt', status: 'pending_verification' });
    const page = await t.app.inject({
      url: '/verwaltung/registrierungen',
      headers: { cookie: admin.cookie },
    });
    expect(page.body).not.toContain('Ulla Unbestätigt');
    expect(page.body).toContain('Zurzeit wartet keine Registrierung auf Freischaltung.');
  });
});

describe('invitations', () => {
  it('become memberships on approval: registration from the invitation link, address locked', async () => {
    const service = await createService(t.db.kysely, { name: 'Wohngeld Digital' });
    const token = await invite('Ina@Behoerde.example', {
      kind: 'service',
      id: service,
      grantedBy: admin.userId,
    });

    const page = await t.app.inject({
      url: `/registrieren?einladung=${token}`,
      headers: { accept: 'text/html' },
    });
    expect(page.body).toContain('Sie wurden eingeladen');
    expect(page.body).toMatch(/value="Ina@Behoerde.example"[^>]*readonly/);
    expect(page.body).toContain(`name="einladung" value="${token}"`);

    // A changed address in the request is ignored: the invitation decides.
    const res = await postAnonymous(t, `/registrieren?einladung=${token}`, '/registrieren', {
      einladung: token,
      authority: 'Stadt Beispielstadt',
      name: 'Ina Eingeladen',
      email: 'jemand-anderes@example.org',
      purpose: 'Verantwortlich für Wohngeld Digital.',
      password: PASSWORD,
      passwordConfirm: PASSWORD,
      consent: 'ja',
    });
    expect(res.statusCode).toBe(303);
    const user = await t.db.kysely
      .selectFrom('users')
      .select(['id', 'email'])
      .where('name', '=', 'Ina Eingeladen')
      .executeTakeFirstOrThrow();
    expect(user.email).toBe('Ina@Behoerde.example');
    const link = (await smtp.waitFor('ina@behoerde.example')).links[0]!;
    const verify = new URL(link).searchParams.get('token')!;
    await postAnonymous(t, '/registrieren', '/registrieren/bestaetigen', { token: verify });

    const queue = await t.app.inject({
      url: '/verwaltung/registrierungen',
      headers: { cookie: admin.cookie },
    });
    expect(queue.body).toContain('Onlinedienst Wohngeld Digital');
    await asAdmin(`/verwaltung/registrierungen/${user.id}/freischalten`);

    const memberships = await t.db.kysely
      .selectFrom('memberships')
      .select(['role', 'service_id', 'portal_id', 'granted_by'])
      .where('user_id', '=', user.id)
      .execute();
    expect(memberships).toEqual([
      { role: 'service_manager', service_id: service, portal_id: null, granted_by: admin.userId },
    ]);
    const invitation = await t.db.kysely
      .selectFrom('one_time_tokens')
      .select(['used_at', 'user_id'])
      .where('purpose', '=', 'invitation')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(invitation.used_at).not.toBeNull();
    // The invited person manages the service right away.
    const session = await signIn(t, { userId: user.id });
    expect(session.userId).toBe(user.id);
  });

  it('grants every open invitation of the address (any case), skips used, expired and dangling ones, audits each', async () => {
    const db = t.db.kysely;
    const service = await createService(db);
    const portalService = await createService(db);
    const portal = await createPortal(db, [portalService]);
    const gone = await createService(db);
    const email = 'paula@behoerde.example';
    await invite('PAULA@behoerde.example', { kind: 'service', id: service, grantedBy: admin.userId });
    await invite(email, { kind: 'portal', id: portal, grantedBy: admin.userId });
    await invite(email, { kind: 'service', id: gone, grantedBy: admin.userId });
    await db.deleteFrom('online_services').where('id', '=', gone).execute();
    const expiredService = await createService(db);
    await invite(
      email,
      { kind: 'service', id: expiredService, grantedBy: null },
      new Date(Date.now() - 8 * DAY_MS),
    );
    await invite('jemand@behoerde.example', { kind: 'service', id: expiredService, grantedBy: null });

    const userId = await createUser(db, { email, status: 'pending_approval' });
    const granted = await db.transaction().execute((trx) => grantPendingInvitations(trx, userId, email));
    expect(granted).toBe(2);
    const memberships = await db
      .selectFrom('memberships')
      .select(['role', 'service_id', 'portal_id'])
      .where('user_id', '=', userId)
      .orderBy('role', 'desc')
      .execute();
    expect(memberships).toEqual([
      { role: 'service_manager', service_id: service, portal_id: null },
      { role: 'portal_manager', service_id: null, portal_id: portal },
    ]);
    const open = await db
      .selectFrom('one_time_tokens')
      .select('email')
      .where('purpose', '=', 'invitation')
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .execute();
    expect(open.map((o) => o.email)).toEqual(['jemand@behoerde.example']);
    const audits = await db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'new_value'])
      .where('action', '=', 'membership.grant')
      .where('new_value', 'is not', null)
      .execute();
    const mine = audits.filter((a) => (a.new_value as { userId?: number }).userId === userId);
    expect(mine).toHaveLength(2);
    expect(mine[0]!.actor_user_id).toBe(admin.userId);
    // Run again: nothing left to grant, nothing doubled.
    expect(await db.transaction().execute((trx) => grantPendingInvitations(trx, userId, email))).toBe(0);
  });

  it('tells the person when the invitation link is no longer valid', async () => {
    const token = await invite(
      'alt@behoerde.example',
      { kind: 'service', id: 1, grantedBy: null },
      new Date(Date.now() - 8 * DAY_MS),
    );
    const page = await t.app.inject({
      url: `/registrieren?einladung=${token}`,
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Diese Einladung ist abgelaufen oder wurde bereits verwendet.');
    expect(page.body).not.toContain('readonly');
  });
});

describe('accounts list', () => {
  it('lists accounts; disabling ends all sessions of the account, enabling lets it in again', async () => {
    const person = await signIn(t, { email: 'dirk@behoerde.example', name: 'Dirk Deaktiviert' });
    const second = await signIn(t, { userId: person.userId });
    const list = await t.app.inject({ url: '/verwaltung/konten', headers: { cookie: admin.cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Dirk Deaktiviert');
    expect(list.body).toContain('nie');

    const res = await asAdmin(`/verwaltung/konten/${person.userId}/deaktivieren`);
    expect(res.headers.location).toBe('/verwaltung/konten?ergebnis=deaktiviert');
    expect((await statusOf(person.userId)).status).toBe('disabled');
    const sessions = await t.db.kysely
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', person.userId)
      .execute();
    expect(sessions).toEqual([]);
    for (const s of [person, second]) {
      expect((await t.app.inject({ url: '/meine-dienste', headers: { cookie: s.cookie } })).statusCode).toBe(
        401,
      );
    }
    await smtp.waitFor('dirk@behoerde.example', (m) => m.subject === 'Ihr Konto wurde deaktiviert');

    await asAdmin(`/verwaltung/konten/${person.userId}/aktivieren`);
    expect((await statusOf(person.userId)).status).toBe('active');
    const actions = await t.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', String(person.userId))
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(['user.disable', 'user.enable']);
  });

  it('does not let administrators disable themselves', async () => {
    const res = await asAdmin(`/verwaltung/konten/${admin.userId}/deaktivieren`);
    expect(res.headers.location).toBe('/verwaltung/konten?ergebnis=selbst');
    expect((await statusOf(admin.userId)).status).toBe('active');
  });
});
