import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServiceList } from '../../../src/features/portals/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser, grantPortal, grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

let t: TestApp;
let smtp: TestSmtp;
let admin: SignedIn;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ smtpUrl: smtp.url, publicUrl: 'https://zsk.example.de' });
  admin = await signIn(t, { name: 'Ada Admin', isAdmin: true });
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

const actions = async (entityId: string) =>
  (
    await t.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('entity', '=', 'portal')
      .where('entity_id', '=', entityId)
      .orderBy('id')
      .execute()
  ).map((r) => r.action);

describe('creating portals', () => {
  it('creates a portal with its authority and names its managers by e-mail, all audited', async () => {
    const known = await createUser(t.db.kysely, { name: 'Karl Kennt', email: 'karl@land.example' });
    const res = await post('/portale/neu', admin, {
      name: 'Serviceportal Hessen',
      url: 'https://portal.hessen.example',
      authority: 'Hessisches Ministerium für Digitales',
      managers: 'karl@land.example\nneu@land.example; karl@land.example',
    });
    expect(res.statusCode).toBe(303);
    const portal = await t.db.kysely
      .selectFrom('portals')
      .innerJoin('authorities', 'authorities.id', 'portals.authority_id')
      .select(['portals.id', 'portals.url', 'authorities.name as authority'])
      .where('portals.name', '=', 'Serviceportal Hessen')
      .executeTakeFirstOrThrow();
    expect(portal).toMatchObject({
      url: 'https://portal.hessen.example',
      authority: 'Hessisches Ministerium für Digitales',
    });
    expect(res.headers.location).toBe(`/portale/${portal.id}/zugang?erledigt=angelegt`);

    const membership = await t.db.kysely
      .selectFrom('memberships')
      .selectAll()
      .where('user_id', '=', known)
      .executeTakeFirstOrThrow();
    expect(membership).toMatchObject({
      portal_id: portal.id,
      role: 'portal_manager',
      granted_by: admin.userId,
    });
    const invitation = await t.db.kysely
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('email', '=', 'neu@land.example')
      .executeTakeFirstOrThrow();
    expect(invitation.payload).toEqual({ kind: 'portal', id: portal.id, grantedBy: admin.userId });
    expect(await actions(String(portal.id))).toEqual(['portal.create']);
    const audit = await t.db.kysely.selectFrom('audit_log').select('action').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual([
      'authority.create',
      'portal.create',
      'membership.grant',
      'invitation.create',
    ]);

    expect((await smtp.waitFor('karl@land.example')).text).toContain(
      'die Verwaltung des Portals „Serviceportal Hessen“',
    );
    const invite = await smtp.waitFor('neu@land.example');
    expect(invite.links.some((l) => l.startsWith('https://zsk.example.de/registrieren?einladung='))).toBe(
      true,
    );

    const page = await get(res.headers.location as string, admin);
    expect(page.body).toContain('Das Portal ist angelegt.');
    expect(page.body).toContain('Karl Kennt');
    expect(page.body).toContain('neu@land.example');
  });

  it('refuses a duplicate name, a URL without scheme and malformed addresses, creating nothing', async () => {
    const before = await t.db.kysely.selectFrom('portals').select('id').execute();
    const res = await post('/portale/neu', admin, {
      name: 'serviceportal hessen',
      url: 'portal.example',
      authority: '',
      managers: 'gut@land.example, schlecht',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Ein Portal „serviceportal hessen“ gibt es bereits.');
    expect(res.body).toContain('https://');
    expect(res.body).toContain('Keine gültige E-Mail-Adresse: schlecht.');
    expect(await t.db.kysely.selectFrom('portals').select('id').execute()).toEqual(before);
  });

  it('lists portals for every signed-in person; only administrators see the button to add one', async () => {
    const viewer = await signIn(t, { name: 'Vera Viewer' });
    const list = await get('/portale', viewer);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Serviceportal Hessen');
    expect(list.body).not.toContain('href="/portale/neu"');
    expect((await get('/portale', admin)).body).toContain('href="/portale/neu"');
  });
});

describe("a portal's services", () => {
  let portal: number;
  let pm: SignedIn;
  let a: number;
  let b: number;
  let c: number;

  beforeAll(async () => {
    a = await createService(t.db.kysely, { name: 'Kfz-Zulassung' });
    b = await createService(t.db.kysely, { name: 'Führerschein' });
    c = await createService(t.db.kysely, { name: 'Wohngeld' });
    await createService(t.db.kysely, { name: 'Doppelt' });
    await createService(t.db.kysely, { name: 'doppelt' });
    portal = await createPortal(t.db.kysely, [], 'Portal der Dienste');
    pm = await signIn(t, { name: 'Paul Portal' });
    await grantPortal(t.db.kysely, pm.userId, portal);
    // Managing the services too, Paul adds them at once; asking their managers is join-requests.test.ts.
    for (const service of [a, b, c]) await grantService(t.db.kysely, pm.userId, service);
  });

  it('adds one service chosen from those not yet in the portal, searchable by name', async () => {
    const page = await get(`/portale/${portal}?suche=f%C3%BChrer`, pm);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<option value="${b}">Führerschein (Nr. ${b})</option>`);
    expect(page.body).not.toContain(`<option value="${a}">`);

    const res = await post(`/portale/${portal}/dienste`, pm, { dienst: String(b), suche: 'führer' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('„Führerschein“ gehört jetzt zum Portal.');
    expect(res.body).not.toContain(`<option value="${b}">`);
    expect(await actions(String(portal))).toEqual(['portal.service_add']);

    const none = await post(`/portale/${portal}/dienste`, pm, { dienst: '' });
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain('Bitte wählen Sie einen Onlinedienst aus.');
  });

  it('adds services from a CSV list all or nothing, naming the wrong lines', async () => {
    const bad = await post(`/portale/${portal}/dienste/liste`, pm, {
      liste: `id;name\n${a};Kfz-Zulassung\n999999;Gibt es nicht\n${c};Falscher Name\nDoppelt\nUnbekannter Dienst`,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Zeile 3: Einen Onlinedienst mit der Nummer 999999 gibt es nicht.');
    expect(bad.body).toContain(`Zeile 4: Onlinedienst ${c} heißt „Wohngeld“, nicht „Falscher Name“.`);
    expect(bad.body).toContain('Zeile 5: Den Namen „Doppelt“ tragen mehrere Onlinedienste');
    expect(bad.body).toContain('Zeile 6: Einen Onlinedienst „Unbekannter Dienst“ gibt es nicht.');
    expect(bad.body).toContain('es wurde nichts hinzugefügt');
    const inPortal = async () =>
      (
        await t.db.kysely
          .selectFrom('portal_services')
          .select('service_id')
          .where('portal_id', '=', portal)
          .orderBy('service_id')
          .execute()
      ).map((r) => r.service_id);
    expect(await inPortal()).toEqual([b]);

    const good = await post(`/portale/${portal}/dienste/liste`, pm, {
      liste: `${a},Kfz-Zulassung\nwohngeld\n${b}\n`,
    });
    expect(good.statusCode).toBe(200);
    expect(good.body).toContain('2 Onlinedienste wurden hinzugefügt. Einer gehörte bereits dazu.');
    expect(await inPortal()).toEqual([a, b, c].sort((x, y) => x - y));
    expect(await actions(String(portal))).toEqual([
      'portal.service_add',
      'portal.service_add',
      'portal.service_add',
    ]);
  });

  it('reads lists with a BOM and refuses an empty list', async () => {
    const result = await resolveServiceList(t.db.kysely, portal, '\uFEFFname\nKfz-Zulassung\n');
    expect(result).toEqual({ ok: true, serviceIds: [], alreadyIn: 1 });
    const empty = await post(`/portale/${portal}/dienste/liste`, pm, { liste: '  ' });
    expect(empty.statusCode).toBe(422);
  });

  it('removes a service after confirmation, audited; viewers see the portal without the forms', async () => {
    const ask = await post(`/portale/${portal}/dienste/entfernen`, pm, { dienst: String(a) });
    expect(ask.body).toContain('Onlinedienst aus dem Portal entfernen?');
    const done = await post(`/portale/${portal}/dienste/entfernen`, pm, {
      dienst: String(a),
      bestaetigt: 'ja',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/portale/${portal}?erledigt=entfernt`);
    expect((await actions(String(portal))).at(-1)).toBe('portal.service_remove');
    const page = await get(done.headers.location as string, pm);
    expect(page.body).toContain('Der Onlinedienst gehört nicht mehr zum Portal.');

    const viewer = await signIn(t, { name: 'Vico Viewer' });
    const view = await get(`/portale/${portal}`, viewer);
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('Führerschein');
    expect(view.body).not.toContain('Onlinedienst hinzufügen');
    expect(view.body).not.toContain('/dienste/entfernen');
    expect((await get('/portale/999999', viewer)).statusCode).toBe(404);
    expect((await post('/portale/999999/dienste', admin, { dienst: String(a) })).statusCode).toBe(404);
  });
});
