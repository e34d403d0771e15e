import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { hashToken } from '../../../src/http/secrets.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser, grantPortal, grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

let t: TestApp;
let smtp: TestSmtp;
let manager: SignedIn;
let service: number;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ smtpUrl: smtp.url, publicUrl: 'https://zsk.example.de' });
  service = await createService(t.db.kysely, { name: 'Wohngeld Digital' });
  manager = await signIn(t, { name: 'Maria Managerin', email: 'maria@behoerde.example' });
  await grantService(t.db.kysely, manager.userId, service);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const get = (url: string, who: SignedIn) =>
  t.app.inject({ url, headers: { cookie: who.cookie, accept: 'text/html' } });
const post = (url: string, who: SignedIn, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, accept: 'text/html' },
    payload: { _csrf: who.csrfToken, ...fields },
  });

const auditOf = (action: string) =>
  t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

describe('access by e-mail', () => {
  it('gives a registered person the membership at once, audits it and mails the person', async () => {
    const anna = await createUser(t.db.kysely, { name: 'Anna Amt', email: 'anna@behoerde.example' });
    const res = await post(`/dienste/${service}/zugang`, manager, { email: ' Anna@Behoerde.example ' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Anna Amt (anna@behoerde.example) hat jetzt Zugang.');

    const membership = await t.db.kysely
      .selectFrom('memberships')
      .selectAll()
      .where('user_id', '=', anna)
      .executeTakeFirstOrThrow();
    expect(membership).toMatchObject({
      service_id: service,
      role: 'service_manager',
      granted_by: manager.userId,
    });
    const [audit] = await auditOf('membership.grant');
    expect(audit).toMatchObject({
      actor_user_id: manager.userId,
      entity: 'membership',
      entity_id: String(membership.id),
    });
    expect(audit!.new_value).toMatchObject({ userId: anna, role: 'service_manager', service });

    const mail = await smtp.waitFor('anna@behoerde.example');
    expect(mail.subject).toBe('Zugang zum Onlinedienst „Wohngeld Digital“ in der ZSK');
    expect(mail.text).toContain('Maria Managerin hat Ihnen');
    expect(mail.links).toContain(`https://zsk.example.de/dienste/${service}`);

    const page = await get(`/dienste/${service}/zugang`, manager);
    expect(page.body).toContain('anna@behoerde.example');
    expect(page.body).toContain('Maria Managerin');

    const again = await post(`/dienste/${service}/zugang`, manager, { email: 'anna@behoerde.example' });
    expect(again.body).toContain('hat bereits Zugang');
  });

  it('invites an unknown address: a one-time token stored as its hash, 30 days, mailed as a registration link', async () => {
    const before = Date.now();
    const res = await post(`/dienste/${service}/zugang`, manager, { email: 'neu@kommune.example' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      'neu@kommune.example hat kein Konto und wurde per E-Mail zur Registrierung eingeladen.',
    );

    const mail = await smtp.waitFor('neu@kommune.example');
    const link = mail.links.find((l) => l.startsWith('https://zsk.example.de/registrieren?einladung='));
    expect(link).toBeDefined();
    const token = new URL(link!).searchParams.get('einladung')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const row = await t.db.kysely
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('email', '=', 'neu@kommune.example')
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(row.purpose).toBe('invitation');
    expect(row.user_id).toBeNull();
    expect(row.payload).toEqual({ kind: 'service', id: service, grantedBy: manager.userId });
    const days = (new Date(row.expires_at).getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
    // Only the hash is stored: the token itself appears nowhere in the database.
    const leaked = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM one_time_tokens WHERE token_hash = ${token}`.execute(t.db.kysely);
    expect(leaked.rows[0]!.n).toBe(0);
    const [audit] = await auditOf('invitation.create');
    expect(audit).toMatchObject({ entity: 'invitation', entity_id: row.token_hash.slice(0, 16) });

    const page = await get(`/dienste/${service}/zugang`, manager);
    expect(page.body).toContain('Offene Einladungen');
    expect(page.body).toContain('neu@kommune.example');

    const twice = await post(`/dienste/${service}/zugang`, manager, { email: 'NEU@kommune.example' });
    expect(twice.body).toContain('bereits eine Einladung offen');
    const count = await t.db.kysely
      .selectFrom('one_time_tokens')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('purpose', '=', 'invitation')
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });

  it('withdraws an invitation after a confirmation step, audited', async () => {
    const row = await t.db.kysely
      .selectFrom('one_time_tokens')
      .select('token_hash')
      .where('email', '=', 'neu@kommune.example')
      .executeTakeFirstOrThrow();
    const ref = row.token_hash.slice(0, 16);
    const ask = await post(`/dienste/${service}/zugang/entziehen`, manager, { einladung: ref });
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Einladung zurückziehen?');
    expect(await t.db.kysely.selectFrom('one_time_tokens').select('token_hash').execute()).toHaveLength(1);

    const done = await post(`/dienste/${service}/zugang/entziehen`, manager, {
      einladung: ref,
      bestaetigt: 'ja',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/dienste/${service}/zugang?erledigt=einladung`);
    expect(await t.db.kysely.selectFrom('one_time_tokens').select('token_hash').execute()).toHaveLength(0);
    const [audit] = await auditOf('invitation.withdraw');
    expect(audit).toMatchObject({ actor_user_id: manager.userId, entity_id: ref });
    expect(audit!.old_value).toMatchObject({ email: 'neu@kommune.example', kind: 'service', id: service });
  });

  it('withdraws a membership of this service only, after a confirmation step', async () => {
    const other = await createService(t.db.kysely, { name: 'Fremder Dienst' });
    const bert = await createUser(t.db.kysely, { name: 'Bert Bund' });
    await grantService(t.db.kysely, bert, service);
    await grantService(t.db.kysely, bert, other);
    const [mine, foreign] = await t.db.kysely
      .selectFrom('memberships')
      .select(['id', 'service_id'])
      .where('user_id', '=', bert)
      .orderBy('id')
      .execute();

    const ask = await post(`/dienste/${service}/zugang/entziehen`, manager, {
      mitgliedschaft: String(mine!.id),
    });
    expect(ask.body).toContain('Bert Bund');
    expect(ask.body).toContain('Ja, Zugang entziehen');

    // A membership of another service cannot be withdrawn through this service's page.
    const wrong = await post(`/dienste/${service}/zugang/entziehen`, manager, {
      mitgliedschaft: String(foreign!.id),
      bestaetigt: 'ja',
    });
    expect(wrong.body).toContain('besteht nicht (mehr)');

    const done = await post(`/dienste/${service}/zugang/entziehen`, manager, {
      mitgliedschaft: String(mine!.id),
      bestaetigt: 'ja',
    });
    expect(done.statusCode).toBe(303);
    const left = await t.db.kysely
      .selectFrom('memberships')
      .select('service_id')
      .where('user_id', '=', bert)
      .execute();
    expect(left).toEqual([{ service_id: other }]);
    const audits = await auditOf('membership.revoke');
    expect(audits.at(-1)).toMatchObject({ entity_id: String(mine!.id), actor_user_id: manager.userId });
  });

  it('sends people who withdraw their own access to their list of services', async () => {
    const own = await createService(t.db.kysely, { name: 'Selbst entzogen' });
    const me = await signIn(t, { name: 'Susi Selbst' });
    await grantService(t.db.kysely, me.userId, own);
    const mine = await t.db.kysely
      .selectFrom('memberships')
      .select('id')
      .where('user_id', '=', me.userId)
      .executeTakeFirstOrThrow();
    const res = await post(`/dienste/${own}/zugang/entziehen`, me, {
      mitgliedschaft: String(mine.id),
      bestaetigt: 'ja',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/meine-dienste');
    expect((await get(`/dienste/${own}/zugang`, me)).statusCode).toBe(403);
  });

  it('refuses invalid addresses and blocked accounts', async () => {
    const empty = await post(`/dienste/${service}/zugang`, manager, { email: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Bitte geben Sie die E-Mail-Adresse der Person ein.');
    const wrong = await post(`/dienste/${service}/zugang`, manager, { email: 'kein-at-zeichen' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('aria-invalid="true"');

    const blocked = await createUser(t.db.kysely, { email: 'gesperrt@behoerde.example', status: 'disabled' });
    const res = await post(`/dienste/${service}/zugang`, manager, { email: 'gesperrt@behoerde.example' });
    expect(res.body).toContain('gesperrt oder abgelehnt');
    expect(
      await t.db.kysely.selectFrom('memberships').select('id').where('user_id', '=', blocked).execute(),
    ).toEqual([]);
  });

  it('lets portal managers manage the roles of every service of their portal, and lists them there', async () => {
    const inPortal = await createService(t.db.kysely, { name: 'Portaldienst' });
    const portal = await createPortal(t.db.kysely, [inPortal], 'Bundesportal Test');
    const pm = await signIn(t, { name: 'Paula Portal' });
    await grantPortal(t.db.kysely, pm.userId, portal);

    const page = await get(`/dienste/${inPortal}/zugang`, pm);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Paula Portal');
    expect(page.body).toContain('über das Portal');

    const res = await post(`/dienste/${inPortal}/zugang`, pm, { email: 'maria@behoerde.example' });
    expect(res.body).toContain('hat jetzt Zugang');
    const portalPage = await post(`/portale/${portal}/zugang`, pm, { email: 'vertretung@bund.example' });
    expect(portalPage.body).toContain('eingeladen');
    const invitation = await t.db.kysely
      .selectFrom('one_time_tokens')
      .select('payload')
      .where('email', '=', 'vertretung@bund.example')
      .executeTakeFirstOrThrow();
    expect(invitation.payload).toEqual({ kind: 'portal', id: portal, grantedBy: pm.userId });
    const mail = await smtp.waitFor('vertretung@bund.example');
    expect(mail.text).toContain('Portal „Bundesportal Test“');
  });
});

describe('my services', () => {
  it('lists the services and portals a person manages, a portal with its services', async () => {
    const own = await createService(t.db.kysely, { name: 'Eigener Dienst' });
    const viaPortal = await createService(t.db.kysely, { name: 'Dienst über Portal' });
    const portal = await createPortal(t.db.kysely, [viaPortal], 'Landesportal Meine');
    const me = await signIn(t, { name: 'Mona Meine' });
    await grantService(t.db.kysely, me.userId, own);
    await grantPortal(t.db.kysely, me.userId, portal);
    const page = await get('/meine-dienste', me);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/dienste/${own}/zugang"`);
    expect(page.body).toContain(`href="/dienste/${own}/schluessel"`);
    expect(page.body).toContain(`href="/dienste/${viaPortal}/zugang"`);
    expect(page.body).toContain('Portal „Landesportal Meine“');
    expect(page.body).toContain(`href="/portale/${portal}/schluessel"`);
    expect(page.body).toContain('<a href="/meine-dienste" aria-current="page">Meine Dienste</a>');

    const nobody = await signIn(t, { name: 'Nora Niemand' });
    expect((await get('/meine-dienste', nobody)).body).toContain('Sie verwalten noch keinen Onlinedienst');

    const admin = await signIn(t, { name: 'Ada Admin', isAdmin: true });
    const adminPage = await get('/meine-dienste', admin);
    expect(adminPage.body).toContain('verwalten Sie alle Onlinedienste und Portale');
    expect(adminPage.body).toContain('href="/verwaltung/protokoll"');
  });
});
