import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueOneTimeToken } from '../../../src/features/accounts/one-time-tokens.js';
import { authenticateLocal, MAX_FAILED_LOGINS } from '../../../src/features/accounts/login.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser, signIn } from '../../helpers/auth.js';
import { pathOf, postAnonymous } from '../../helpers/forms.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ smtpUrl: smtp.url, loginRateLimit: 1000 });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const OLD = 'Altes Passwort vom Sommer 1';
const NEW = 'Neues Passwort im Winter 2';

const resetTokens = (userId: number | null) =>
  t.db.kysely
    .selectFrom('one_time_tokens')
    .selectAll()
    .where('purpose', '=', 'reset_password')
    .$if(userId !== null, (q) => q.where('user_id', '=', userId!))
    .execute();

describe('password reset', () => {
  it('answers alike for known and unknown addresses and mails a 1-hour link only to the account', async () => {
    const known = await postAnonymous(t, '/passwort-vergessen', '/passwort-vergessen', {
      email: 'niemand@behoerde.example',
    });
    const before = (await resetTokens(null)).length;
    const userId = await createUser(t.db.kysely, { email: 'rita@behoerde.example', password: OLD });
    const real = await postAnonymous(t, '/passwort-vergessen', '/passwort-vergessen', {
      email: 'Rita@behoerde.example',
    });
    expect(known.statusCode).toBe(303);
    expect(real.statusCode).toBe(303);
    expect(known.headers.location).toBe(real.headers.location);
    expect(before).toBe(0);
    const [token] = await resetTokens(userId);
    const minutes = (new Date(token!.expires_at).getTime() - new Date(token!.created_at).getTime()) / 60_000;
    expect(Math.round(minutes)).toBe(60);
    const mail = await smtp.waitFor('rita@behoerde.example', (m) => m.subject === 'Passwort neu setzen');
    expect(mail.links[0]).toMatch(/^http:\/\/localhost:3000\/passwort-neu\?token=/);
    const sent = await t.app.inject({
      url: '/passwort-vergessen?gesendet=1',
      headers: { accept: 'text/html' },
    });
    expect(sent.body).toContain('Wenn zu dieser Adresse ein aktives Konto besteht');
  });

  it('sends no reset link to an account that signs in with its Behördenkonto, and refuses one', async () => {
    const userId = await createUser(t.db.kysely, { email: 'olga@behoerde.example' });
    await t.db.kysely
      .updateTable('users')
      .set({ oidc_subject: 'kc-olga' })
      .where('id', '=', userId)
      .execute();
    const answer = await postAnonymous(t, '/passwort-vergessen', '/passwort-vergessen', {
      email: 'olga@behoerde.example',
    });
    // The same answer as for every other address; the mail explains where to sign in.
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/passwort-vergessen?gesendet=1');
    const mail = await smtp.waitFor('olga@behoerde.example', (m) => m.subject === 'Anmeldung bei der ZSK');
    expect(mail.text).toContain('Mit dem Behördenkonto anmelden');
    expect(mail.links[0]).toBe('http://localhost:3000/anmelden');
    expect(await resetTokens(userId)).toEqual([]);
    // A link issued anyway (say before the account was linked) sets no password.
    const token = await issueOneTimeToken(t.db.kysely, {
      purpose: 'reset_password',
      userId,
      email: 'olga@behoerde.example',
      ttlMs: 3_600_000,
    });
    const page = await t.app.inject({
      url: `/passwort-neu?token=${token}`,
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(404);
    const set = await postAnonymous(t, '/passwort-vergessen', '/passwort-neu', {
      token,
      password: NEW,
      confirm: NEW,
    });
    expect(set.statusCode).toBe(404);
    const user = await t.db.kysely
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toBeNull();
  });

  it('sets a new password by the rules, ends every session, lifts the lock, audits and mails', async () => {
    const userId = await createUser(t.db.kysely, { email: 'sven@behoerde.example', password: OLD });
    // A stranger's guesses make the address wait; the owner's reset must end that.
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      await authenticateLocal(t.db.kysely, 'sven@behoerde.example', 'geraten');
    }
    expect(await authenticateLocal(t.db.kysely, 'sven@behoerde.example', OLD)).toMatchObject({
      reason: 'throttled',
    });
    const sessions = [await signIn(t, { userId }), await signIn(t, { userId })];
    await postAnonymous(t, '/passwort-vergessen', '/passwort-vergessen', { email: 'sven@behoerde.example' });
    const link = (await smtp.waitFor('sven@behoerde.example', (m) => m.subject === 'Passwort neu setzen'))
      .links[0]!;
    const token = new URL(link).searchParams.get('token')!;

    const page = await t.app.inject({ url: pathOf(link), headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Neues Passwort setzen');

    const weak = await postAnonymous(t, pathOf(link), '/passwort-neu', {
      token,
      password: 'sven-sven-sven',
      passwordConfirm: 'sven-sven-sven',
    });
    expect(weak.statusCode).toBe(422);
    expect(weak.body).toContain('vor dem „@“');
    const mismatch = await postAnonymous(t, pathOf(link), '/passwort-neu', {
      token,
      password: NEW,
      passwordConfirm: 'x',
    });
    expect(mismatch.body).toContain('stimmen nicht überein');

    const ok = await postAnonymous(t, pathOf(link), '/passwort-neu', {
      token,
      password: NEW,
      passwordConfirm: NEW,
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/passwort-neu?geaendert=1');
    for (const s of sessions) {
      expect((await t.app.inject({ url: '/meine-dienste', headers: { cookie: s.cookie } })).statusCode).toBe(
        401,
      );
    }
    expect(await authenticateLocal(t.db.kysely, 'sven@behoerde.example', NEW)).toEqual({ ok: true, userId });
    await smtp.waitFor('sven@behoerde.example', (m) => m.subject === 'Ihr Passwort wurde geändert');
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'user.password_reset')
      .where('entity_id', '=', String(userId))
      .execute();
    expect(audit).toHaveLength(1);

    const oldLogin = await postAnonymous(t, '/anmelden', '/anmelden', {
      email: 'sven@behoerde.example',
      password: OLD,
    });
    expect(oldLogin.statusCode).toBe(422);
    const newLogin = await postAnonymous(t, '/anmelden', '/anmelden', {
      email: 'sven@behoerde.example',
      password: NEW,
    });
    expect(newLogin.statusCode).toBe(303);

    // The link works once.
    const reuse = await postAnonymous(t, '/passwort-vergessen', '/passwort-neu', {
      token,
      password: NEW,
      passwordConfirm: NEW,
    });
    expect(reuse.statusCode).toBe(410);
    expect(reuse.body).toContain('Fordern Sie einen neuen Link an');
  });

  it('refuses expired links and links replaced by a newer one', async () => {
    const userId = await createUser(t.db.kysely, { email: 'xaver@behoerde.example', password: OLD });
    const expired = await issueOneTimeToken(
      t.db.kysely,
      { purpose: 'reset_password', userId, email: 'xaver@behoerde.example', ttlMs: 3_600_000 },
      new Date(Date.now() - 2 * 3_600_000),
    );
    const page = await t.app.inject({
      url: `/passwort-neu?token=${expired}`,
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Der Link ist abgelaufen');

    const older = await issueOneTimeToken(t.db.kysely, {
      purpose: 'reset_password',
      userId,
      email: 'xaver@behoerde.example',
      ttlMs: 3_600_000,
    });
    await postAnonymous(t, '/passwort-vergessen', '/passwort-vergessen', { email: 'xaver@behoerde.example' });
    const replaced = await t.app.inject({
      url: `/passwort-neu?token=${older}`,
      headers: { accept: 'text/html' },
    });
    expect(replaced.statusCode).toBe(410);
    await smtp.waitFor('xaver@behoerde.example');
  });
});
