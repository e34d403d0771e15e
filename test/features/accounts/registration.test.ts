import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../../src/http/sessions.js';
import { issueOneTimeToken } from '../../../src/features/accounts/one-time-tokens.js';
import { hashToken } from '../../../src/http/secrets.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser, signIn } from '../../helpers/auth.js';
import { pathOf, postAnonymous } from '../../helpers/forms.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

let t: TestApp;
let smtp: TestSmtp;
let adminId: number;
beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ smtpUrl: smtp.url, loginRateLimit: 1000 });
  adminId = await createUser(t.db.kysely, { email: 'admin@zsk.example', name: 'Ada Admin', isAdmin: true });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const PASSWORD = 'Kaffee trinken am Rhein 7';

const form = (fields: Record<string, string> = {}) => ({
  authority: 'Landesamt für Statistik Beispielland',
  land: '06',
  name: 'Erika Mustermann',
  email: 'erika@behoerde.example',
  purpose: 'Ich liefere die Zahlen des Onlinedienstes Wohngeld.',
  password: PASSWORD,
  passwordConfirm: PASSWORD,
  consent: 'ja',
  ...fields,
});

const register = (fields: Record<string, string>) =>
  postAnonymous(t, '/registrieren', '/registrieren', form(fields));

const userByEmail = (email: string) =>
  t.db.kysely
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();

const auditActions = async (entityId: number) =>
  (
    await t.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('entity', '=', 'user')
      .where('entity_id', '=', String(entityId))
      .orderBy('id')
      .execute()
  ).map((r) => r.action);

describe('registration', () => {
  it('register -> mailed link -> confirm -> administrators told -> approve -> mail -> sign in', async () => {
    const res = await register({});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/registrieren?gesendet=1');
    const sent = await t.app.inject({ url: '/registrieren?gesendet=1', headers: { accept: 'text/html' } });
    expect(sent.body).toContain('Bitte prüfen Sie Ihr Postfach');

    const user = (await userByEmail('erika@behoerde.example'))!;
    expect(user.status).toBe('pending_verification');
    expect(user.purpose).toBe('Ich liefere die Zahlen des Onlinedienstes Wohngeld.');
    const authority = await t.db.kysely
      .selectFrom('authorities')
      .selectAll()
      .where('id', '=', user.authority_id!)
      .executeTakeFirstOrThrow();
    expect(authority).toMatchObject({ name: 'Landesamt für Statistik Beispielland', land: '06' });

    const mail = await smtp.waitFor('erika@behoerde.example', (m) => m.subject.includes('bestätigen'));
    const link = mail.links.find((l) => l.includes('/registrieren/bestaetigen?token='))!;
    expect(link.startsWith('http://localhost:3000/registrieren/bestaetigen?token=')).toBe(true);
    const token = new URL(link).searchParams.get('token')!;
    // Only the hash is stored, valid for 24 hours.
    const stored = await t.db.kysely
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(hashToken(token));
    expect(stored.purpose).toBe('verify_email');
    const hours = (new Date(stored.expires_at).getTime() - new Date(stored.created_at).getTime()) / 3_600_000;
    expect(Math.round(hours)).toBe(24);

    // Opening the link (as a mail scanner would) changes nothing; it shows a button.
    const page = await t.app.inject({ url: pathOf(link), headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('E-Mail-Adresse bestätigen</span></button>');
    expect((await userByEmail('erika@behoerde.example'))!.status).toBe('pending_verification');

    const confirm = await postAnonymous(t, pathOf(link), '/registrieren/bestaetigen', { token });
    expect(confirm.statusCode).toBe(303);
    expect(confirm.headers.location).toBe('/registrieren/bestaetigen?bestaetigt=1');
    expect((await userByEmail('erika@behoerde.example'))!.status).toBe('pending_approval');
    await smtp.waitFor('erika@behoerde.example', (m) => m.subject === 'Ihre Registrierung wird geprüft');
    const notice = await smtp.waitFor(
      'admin@zsk.example',
      (m) => m.subject === 'Neue Registrierung zur Prüfung',
    );
    expect(notice.text).toContain('Erika Mustermann <erika@behoerde.example>');
    expect(notice.links).toContain('http://localhost:3000/verwaltung/registrierungen');

    // A second click on the same link is refused with a clear message.
    const again = await postAnonymous(t, '/registrieren', '/registrieren/bestaetigen', { token });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('bereits verwendet');

    const admin = await signIn(t, { userId: adminId });
    const queue = await t.app.inject({
      url: '/verwaltung/registrierungen',
      headers: { cookie: admin.cookie },
    });
    expect(queue.statusCode).toBe(200);
    for (const text of [
      'Erika Mustermann',
      'erika@behoerde.example',
      'Landesamt für Statistik Beispielland (Hessen)',
    ]) {
      expect(queue.body).toContain(text);
    }
    expect(queue.body).toContain('Ich liefere die Zahlen des Onlinedienstes Wohngeld.');
    const approve = await t.app.inject({
      method: 'POST',
      url: `/verwaltung/registrierungen/${user.id}/freischalten`,
      headers: { cookie: admin.cookie },
      payload: { _csrf: admin.csrfToken },
    });
    expect(approve.statusCode).toBe(303);
    expect(approve.headers.location).toBe('/verwaltung/registrierungen?ergebnis=freigeschaltet');
    const approved = await smtp.waitFor(
      'erika@behoerde.example',
      (m) => m.subject === 'Ihr Zugang ist freigeschaltet',
    );
    expect(approved.links).toContain('http://localhost:3000/anmelden');
    expect((await userByEmail('erika@behoerde.example'))!.status).toBe('active');

    const login = await postAnonymous(t, '/anmelden', '/anmelden', {
      email: 'erika@behoerde.example',
      password: PASSWORD,
    });
    expect(login.statusCode).toBe(303);
    expect(login.cookies.some((c) => c.name === SESSION_COOKIE && c.value)).toBe(true);

    expect(await auditActions(user.id)).toEqual([
      'user.register',
      'user.verify_email',
      'user.approve',
      'session.login',
    ]);
    const record = await t.db.kysely
      .selectFrom('audit_log')
      .select('new_value')
      .where('action', '=', 'user.register')
      .where('entity_id', '=', String(user.id))
      .executeTakeFirstOrThrow();
    expect(record.new_value).toMatchObject({ consent: true });
  });

  it('shows errors in a summary, keeps the values but never the password, and checks the password rules', async () => {
    const empty = await postAnonymous(t, '/registrieren', '/registrieren', {});
    expect(empty.statusCode).toBe(422);
    for (const message of [
      'Bitte geben Sie Ihre Behörde an.',
      'Bitte geben Sie Ihren Namen an.',
      'Bitte geben Sie Ihre E-Mail-Adresse an.',
      'Bitte beschreiben Sie, wofür Sie den Zugang benötigen.',
      'Bitte wählen Sie ein Passwort.',
      'Bitte willigen Sie in die Verarbeitung Ihrer Kontodaten ein.',
    ]) {
      expect(empty.body).toContain(message);
    }
    expect(empty.body).toContain('href="#feld-authority"');

    const cases: Array<[Record<string, string>, string]> = [
      [{ password: 'zu-kurz-1', passwordConfirm: 'zu-kurz-1' }, 'mindestens 12 Zeichen'],
      [{ password: 'felixfelix-2026', passwordConfirm: 'felixfelix-2026' }, 'vor dem „@“'],
      [{ password: 'Passwort1234', passwordConfirm: 'Passwort1234' }, 'zu verbreitet'],
      [{ passwordConfirm: 'etwas anderes als das Passwort' }, 'stimmen nicht überein'],
      [{ email: 'keine-adresse' }, 'gültige E-Mail-Adresse'],
      [{ consent: '' }, 'willigen Sie'],
    ];
    for (const [fields, message] of cases) {
      const res = await register({ email: 'felix@behoerde.example', name: 'Felix Fehler', ...fields });
      expect(res.statusCode, message).toBe(422);
      expect(res.body).toContain(message);
      expect(res.body).toContain('value="Felix Fehler"');
      expect(res.body).toContain('Ich liefere die Zahlen des Onlinedienstes Wohngeld.</textarea>');
      expect(res.body).not.toContain(PASSWORD);
    }
    expect(await userByEmail('felix@behoerde.example')).toBeUndefined();
  });

  it('does not reveal a registered address: same answer, a notice mail instead of a second account', async () => {
    await createUser(t.db.kysely, { email: 'bekannt@behoerde.example', name: 'Bernd Bekannt' });
    const known = await register({ email: 'Bekannt@Behoerde.example', name: 'Jemand anderes' });
    const fresh = await register({ email: 'neu@behoerde.example', name: 'Nora Neu' });
    expect(known.statusCode).toBe(fresh.statusCode);
    expect(known.headers.location).toBe(fresh.headers.location);
    const users = await t.db.kysely
      .selectFrom('users')
      .select('name')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', 'bekannt@behoerde.example'))
      .execute();
    expect(users).toEqual([{ name: 'Bernd Bekannt' }]);
    const notice = await smtp.waitFor('bekannt@behoerde.example');
    expect(notice.subject).toBe('Ihre Registrierung bei der ZSK');
    expect(notice.text).toContain('bereits ein Konto');
    expect(notice.links).toContain('http://localhost:3000/passwort-vergessen');
  });

  it('creates one account when the same address registers twice at once', async () => {
    const results = await Promise.all([
      register({ email: 'doppelt@behoerde.example', authority: 'Neue Behörde Doppelt' }),
      register({ email: 'Doppelt@behoerde.example', authority: 'Neue Behörde Doppelt' }),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([303, 303]);
    const users = await t.db.kysely
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', 'doppelt@behoerde.example'))
      .execute();
    expect(users).toHaveLength(1);
  });

  it('reuses an existing authority regardless of case and offers the known ones as suggestions', async () => {
    await register({ email: 'theo@behoerde.example', authority: 'landesamt für statistik beispielland' });
    const count = await t.db.kysely
      .selectFrom('authorities')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => eb(eb.fn('lower', ['name']), '=', 'landesamt für statistik beispielland'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const page = await t.app.inject({ url: '/registrieren', headers: { accept: 'text/html' } });
    expect(page.body).toContain(
      '<datalist id="behoerden"><option value="Landesamt für Statistik Beispielland"',
    );
  });

  it('explains expired and unknown links, and mails a new link for an expired one', async () => {
    await register({ email: 'eva@behoerde.example', name: 'Eva Eilig' });
    const user = (await userByEmail('eva@behoerde.example'))!;
    const old = await issueOneTimeToken(
      t.db.kysely,
      { purpose: 'verify_email', userId: user.id, email: user.email, ttlMs: 60_000 },
      new Date(Date.now() - 2 * 24 * 3_600_000),
    );
    const expired = await t.app.inject({
      url: `/registrieren/bestaetigen?token=${old}`,
      headers: { accept: 'text/html' },
    });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('Der Link ist abgelaufen');
    expect(expired.body).toContain('Neuen Link senden');
    const confirm = await postAnonymous(t, '/registrieren', '/registrieren/bestaetigen', { token: old });
    expect(confirm.statusCode).toBe(410);
    expect((await userByEmail('eva@behoerde.example'))!.status).toBe('pending_verification');

    const before = smtp.mails.filter((m) => m.to.includes('eva@behoerde.example')).length;
    const resend = await postAnonymous(t, '/registrieren', '/registrieren/neuer-link', { token: old });
    expect(resend.statusCode).toBe(303);
    await smtp.waitFor(
      'eva@behoerde.example',
      () => smtp.mails.filter((m) => m.to.includes('eva@behoerde.example')).length > before,
    );
    const newest = smtp.mails.filter((m) => m.to.includes('eva@behoerde.example')).at(-1)!;
    const fresh = new URL(newest.links.find((l) => l.includes('token='))!).searchParams.get('token')!;
    expect(fresh).not.toBe(old);
    const ok = await postAnonymous(t, '/registrieren', '/registrieren/bestaetigen', { token: fresh });
    expect(ok.statusCode).toBe(303);

    const unknown = await t.app.inject({
      url: '/registrieren/bestaetigen?token=gibt-es-nicht-gibt-es-nicht',
      headers: { accept: 'text/html' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('Registrieren Sie sich erneut');
  });
});
