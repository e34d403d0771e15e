import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { createAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { grantPortal, grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';
import { pathOf } from '../../helpers/forms.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import type { ErrorBody } from '../../../src/http/errors.js';

/*
 * Security issue item 4: a portal manager took over any service by adding it to the portal. Now a
 * service joins a portal only with its own managers' consent (or an administrator's, or when the
 * portal manager manages it too).
 */

let t: TestApp;
let smtp: TestSmtp;
let admin: SignedIn;
let portalManager: SignedIn;
let owner: SignedIn;
let portal: number;
let portalToken: string;
let x: number;
let xDelivery: number;

const db = () => t.db.kysely;

const get = (url: string, who: SignedIn) =>
  t.app.inject({ url, headers: { cookie: who.cookie, accept: 'text/html' } });
const post = (url: string, who: SignedIn, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, accept: 'text/html' },
    payload: { _csrf: who.csrfToken, ...fields },
  });
const deliverViaPortal = (serviceId: number) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/portals/${portal}/counts`,
    headers: { authorization: `Bearer ${portalToken}` },
    payload: { counts: [{ serviceId, month: '2024-05', ars: '06', count: 7 }] },
  });
const deliverAsService = (serviceId: number) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/services/${serviceId}/counts`,
    headers: { authorization: `Bearer ${portalToken}` },
    payload: { counts: [{ month: '2024-06', ars: '06', count: 8 }] },
  });

const inPortal = async (serviceId: number) =>
  (await db()
    .selectFrom('portal_services')
    .select('service_id')
    .where('portal_id', '=', portal)
    .where('service_id', '=', serviceId)
    .executeTakeFirst()) !== undefined;
const openRequest = (serviceId: number) =>
  db()
    .selectFrom('portal_join_requests')
    .select(['id', 'requested_by'])
    .where('portal_id', '=', portal)
    .where('service_id', '=', serviceId)
    .executeTakeFirst();
const audit = async () =>
  db()
    .selectFrom('audit_log')
    .select(['action', 'actor_user_id', 'new_value', 'old_value'])
    .where('entity', '=', 'portal')
    .where('entity_id', '=', String(portal))
    .where('action', 'like', 'portal.service%')
    .orderBy('id')
    .execute();

/** What a manager of `serviceId` may do: each answer's status. */
async function powersOver(who: SignedIn, serviceId: number, deliveryId: number) {
  return {
    access: (await get(`/dienste/${serviceId}/zugang`, who)).statusCode,
    grant: (await post(`/dienste/${serviceId}/zugang`, who, { email: 'helfer@example.de' })).statusCode,
    token: (await post(`/dienste/${serviceId}/schluessel`, who, { label: 'Übernahme' })).statusCode,
    entry: (await get(`/dienste/${serviceId}/erfassen`, who)).statusCode,
    upload: (await get(`/dienste/${serviceId}/hochladen`, who)).statusCode,
    edit: (await get(`/dienste/${serviceId}/bearbeiten`, who)).statusCode,
    originalFile: (await get(`/lieferungen/${deliveryId}/datei`, who)).statusCode,
  };
}

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ smtpUrl: smtp.url, publicUrl: 'https://zsk.example.de' });
  admin = await signIn(t, { name: 'Ada Admin', isAdmin: true, email: 'ada@zsk.example' });
  portalManager = await signIn(t, { name: 'Pia Portal', email: 'pia@portal.example' });
  owner = await signIn(t, { name: 'Otto Owner', email: 'otto@amt.example' });
  const own = await createService(db(), { name: 'Eigener Dienst' });
  portal = await createPortal(db(), [own], 'Portal Übernahme');
  await grantPortal(db(), portalManager.userId, portal);
  portalToken = (await createAccessToken(db(), { portalId: portal, label: 'Portal' })).token;
  x = await createService(db(), { name: 'Fremder Dienst' });
  await grantService(db(), owner.userId, x);
  const delivery = await ingestDelivery(db(), {
    channel: 'csv',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId: x },
    rows: [{ month: '2024-01', ars: '06', count: 5 }],
    file: {
      name: 'vertraulich.csv',
      mediaType: 'text/csv',
      content: Buffer.from('monat;ars;anzahl\n2024-01;06;5\n'),
    },
  });
  xDelivery = delivery.deliveryId!;
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('a portal manager adding a service they do not manage', () => {
  it('only asks: the service stays outside the portal, and nothing of it opens to the portal', async () => {
    const res = await post(`/portale/${portal}/dienste`, portalManager, { dienst: String(x) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('„Fremder Dienst“ verwalten Sie nicht. Seine Verantwortlichen wurden gefragt');
    expect(await inPortal(x)).toBe(false);
    expect(await openRequest(x)).toMatchObject({ requested_by: portalManager.userId });
    expect(await audit()).toEqual([
      {
        action: 'portal.service_request',
        actor_user_id: portalManager.userId,
        new_value: { serviceId: x },
        old_value: null,
      },
    ]);

    expect(await powersOver(portalManager, x, xDelivery)).toEqual({
      access: 403,
      grant: 403,
      token: 403,
      entry: 403,
      upload: 403,
      edit: 403,
      originalFile: 403,
    });
    const viaPortal = await deliverViaPortal(x);
    expect(viaPortal.statusCode).toBe(422);
    expect(viaPortal.json<ErrorBody>().error.details[0]).toMatchObject({ code: 'service_not_in_portal' });
    expect((await deliverAsService(x)).statusCode).toBe(403);
    expect(
      await db().selectFrom('counts').select('month').where('service_id', '=', x).orderBy('month').execute(),
    ).toEqual([{ month: '2024-01-01' }]);
  });

  it('asks once: the same service again, alone or in a list, finds the open request', async () => {
    const again = await post(`/portale/${portal}/dienste`, portalManager, { dienst: String(x) });
    expect(again.body).toContain('Für „Fremder Dienst“ ist bereits eine Anfrage offen.');
    const list = await post(`/portale/${portal}/dienste/liste`, portalManager, { liste: `${x}\n` });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(
      'Kein Onlinedienst wurde hinzugefügt. Für einen war bereits eine Anfrage offen.',
    );
    expect(await inPortal(x)).toBe(false);
    expect((await audit()).map((a) => a.action)).toEqual(['portal.service_request']);
  });

  it('lists the open request on the portal page for its managers only', async () => {
    const page = await get(`/portale/${portal}`, portalManager);
    expect(page.body).toContain('Offene Anfragen an Onlinedienste');
    expect(page.body).toContain('Fremder Dienst');
    const viewer = await signIn(t, { name: 'Vera Viewer' });
    expect((await get(`/portale/${portal}`, viewer)).body).not.toContain('Offene Anfragen');
  });

  it("lets nobody but the service's side accept: a manager of another service cannot", async () => {
    const request = (await openRequest(x))!;
    const stranger = await signIn(t, { name: 'Sven Fremd' });
    const theirs = await createService(db(), { name: 'Dienst von Sven' });
    await grantService(db(), stranger.userId, theirs);
    const viaOwnService = await post(`/dienste/${theirs}/portalanfragen/annehmen`, stranger, {
      anfrage: String(request.id),
      bestaetigt: 'ja',
    });
    expect(viaOwnService.statusCode).toBe(303);
    expect(viaOwnService.headers.location).toBe(`/dienste/${theirs}/zugang?erledigt=anfrage-weg`);
    const direct = await post(`/dienste/${x}/portalanfragen/annehmen`, stranger, {
      anfrage: String(request.id),
      bestaetigt: 'ja',
    });
    expect(direct.statusCode).toBe(403);
    const self = await post(`/dienste/${x}/portalanfragen/annehmen`, portalManager, {
      anfrage: String(request.id),
      bestaetigt: 'ja',
    });
    expect(self.statusCode).toBe(403);
    expect(await inPortal(x)).toBe(false);
    expect(await openRequest(x)).toBeDefined();
  });

  it("joins once the service's manager accepts, after a confirmation, audited; then the portal has it", async () => {
    const request = (await openRequest(x))!;
    const mail = await smtp.waitFor('otto@amt.example');
    expect(mail.subject).toBe('Das Portal „Portal Übernahme“ möchte einen Onlinedienst aufnehmen');
    expect(mail.text).toContain('Pia Portal möchte');
    expect(mail.links.map(pathOf)).toEqual([`/dienste/${x}/zugang`]);
    const mine = await get('/meine-dienste', owner);
    expect(mine.body).toContain('Portale, die Onlinedienste aufnehmen möchten');
    expect(mine.body).toContain(`href="/dienste/${x}/zugang"`);
    const access = await get(`/dienste/${x}/zugang`, owner);
    expect(access.body).toContain('Anfragen von Portalen, den Onlinedienst aufzunehmen');
    expect(access.body).toContain('Portal Übernahme');

    const ask = await post(`/dienste/${x}/portalanfragen/annehmen`, owner, { anfrage: String(request.id) });
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Onlinedienst in das Portal aufnehmen?');
    expect(await inPortal(x)).toBe(false);

    const done = await post(`/dienste/${x}/portalanfragen/annehmen`, owner, {
      anfrage: String(request.id),
      bestaetigt: 'ja',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/dienste/${x}/zugang?erledigt=anfrage-angenommen`);
    expect(await inPortal(x)).toBe(true);
    // The person who asked hears of it.
    const answer = await smtp.waitFor('pia@portal.example', (m) => m.subject.includes('Fremder Dienst'));
    expect(answer.subject).toBe('„Fremder Dienst“ gehört jetzt zum Portal „Portal Übernahme“');
    expect(answer.text).toContain('Guten Tag Pia Portal');
    expect(answer.links.map(pathOf)).toEqual([`/portale/${portal}`]);
    expect(await openRequest(x)).toBeUndefined();
    expect((await audit()).slice(1)).toEqual([
      {
        action: 'portal.service_request_accept',
        actor_user_id: owner.userId,
        new_value: { serviceId: x, requestedBy: portalManager.userId },
        old_value: null,
      },
      {
        action: 'portal.service_add',
        actor_user_id: owner.userId,
        new_value: { serviceId: x },
        old_value: null,
      },
    ]);

    const powers = await powersOver(portalManager, x, xDelivery);
    expect(powers).toMatchObject({ access: 200, entry: 200, upload: 200, edit: 200, originalFile: 200 });
    expect((await deliverViaPortal(x)).statusCode).toBe(200);
    expect((await deliverAsService(x)).statusCode).toBe(200);
  });
});

describe('declining and withdrawing', () => {
  it('a declined request leaves the service outside; the portal may ask again and withdraw, each audited', async () => {
    const y = await createService(db(), { name: 'Abgelehnter Dienst' });
    await grantService(db(), owner.userId, y);
    await post(`/portale/${portal}/dienste`, portalManager, { dienst: String(y) });
    const first = (await openRequest(y))!;
    const declined = await post(`/dienste/${y}/portalanfragen/ablehnen`, owner, {
      anfrage: String(first.id),
    });
    expect(declined.statusCode).toBe(303);
    expect(declined.headers.location).toBe(`/dienste/${y}/zugang?erledigt=anfrage-abgelehnt`);
    expect(await inPortal(y)).toBe(false);
    const answer = await smtp.waitFor('pia@portal.example', (m) => m.subject.includes('Abgelehnter Dienst'));
    expect(answer.subject).toBe(
      '„Abgelehnter Dienst“ wird nicht in das Portal „Portal Übernahme“ aufgenommen',
    );
    expect(answer.text).toContain('Das Portal kann später erneut anfragen.');
    expect(await openRequest(y)).toBeUndefined();

    await post(`/portale/${portal}/dienste`, portalManager, { dienst: String(y) });
    const second = (await openRequest(y))!;
    const withdrawn = await post(`/portale/${portal}/anfragen/zurueckziehen`, portalManager, {
      anfrage: String(second.id),
    });
    expect(withdrawn.statusCode).toBe(303);
    expect(withdrawn.headers.location).toBe(`/portale/${portal}?erledigt=anfrage-zurueckgezogen`);
    expect(await openRequest(y)).toBeUndefined();
    const gone = await post(`/dienste/${y}/portalanfragen/annehmen`, owner, {
      anfrage: String(second.id),
      bestaetigt: 'ja',
    });
    expect(gone.headers.location).toBe(`/dienste/${y}/zugang?erledigt=anfrage-weg`);
    expect(await inPortal(y)).toBe(false);

    const rows = (await audit()).filter((a) => JSON.stringify(a).includes(`"serviceId":${y}`));
    expect(rows.map((r) => [r.action, r.actor_user_id])).toEqual([
      ['portal.service_request', portalManager.userId],
      ['portal.service_request_decline', owner.userId],
      ['portal.service_request', portalManager.userId],
      ['portal.service_request_withdraw', portalManager.userId],
    ]);
  });
});

describe('adding directly', () => {
  it('an administrator adds any service at once, and an open request is settled with it', async () => {
    const z = await createService(db(), { name: 'Dienst für die Administration' });
    await post(`/portale/${portal}/dienste`, portalManager, { dienst: String(z) });
    expect(await openRequest(z)).toBeDefined();
    const res = await post(`/portale/${portal}/dienste`, admin, { dienst: String(z) });
    expect(res.body).toContain('„Dienst für die Administration“ gehört jetzt zum Portal.');
    expect(await inPortal(z)).toBe(true);
    expect(await openRequest(z)).toBeUndefined();
    expect((await audit()).at(-1)).toMatchObject({
      action: 'portal.service_add',
      actor_user_id: admin.userId,
    });
  });

  it('a portal manager who manages the service too adds it at once; a list mixes adding and asking', async () => {
    const both = await createService(db(), { name: 'Dienst beider' });
    await grantService(db(), portalManager.userId, both);
    const res = await post(`/portale/${portal}/dienste`, portalManager, { dienst: String(both) });
    expect(res.body).toContain('„Dienst beider“ gehört jetzt zum Portal.');
    expect(await inPortal(both)).toBe(true);

    const mine = await createService(db(), { name: 'Noch ein eigener' });
    await grantService(db(), portalManager.userId, mine);
    const a = await createService(db(), { name: 'Fremd A' });
    const b = await createService(db(), { name: 'Fremd B' });
    const list = await post(`/portale/${portal}/dienste/liste`, portalManager, {
      liste: `${mine}\n${a}\n${b}\n${both}\n`,
    });
    expect(list.body).toContain(
      'Ein Onlinedienst wurde hinzugefügt. Für 2 Onlinedienste, die Sie nicht verwalten, wurden deren Verantwortliche gefragt. Einer gehörte bereits dazu.',
    );
    expect([await inPortal(mine), await inPortal(a), await inPortal(b)]).toEqual([true, false, false]);
    expect(await openRequest(a)).toBeDefined();
    expect(await openRequest(b)).toBeDefined();
  });

  it('an administrator decides requests for services without managers, listed on „Meine Dienste“', async () => {
    const orphan = await createService(db(), { name: 'Dienst ohne Verantwortliche' });
    await post(`/portale/${portal}/dienste`, portalManager, { dienst: String(orphan) });
    const mail = await smtp.waitFor('ada@zsk.example', (m) => m.text.includes('Dienst ohne Verantwortliche'));
    expect(mail.links.map(pathOf)).toEqual([`/dienste/${orphan}/zugang`]);
    const mine = await get('/meine-dienste', admin);
    expect(mine.body).toContain('Dienst ohne Verantwortliche');
    expect((await get('/meine-dienste', owner)).body).not.toContain('Dienst ohne Verantwortliche');
    const request = (await openRequest(orphan))!;
    const done = await post(`/dienste/${orphan}/portalanfragen/annehmen`, admin, {
      anfrage: String(request.id),
      bestaetigt: 'ja',
    });
    expect(done.statusCode).toBe(303);
    expect(await inPortal(orphan)).toBe(true);
  });
});
