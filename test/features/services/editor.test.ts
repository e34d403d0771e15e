import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';

let t: TestApp;
let anna: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  anna = await signIn(t, { name: 'Anna Anbieterin' });
});
afterAll(async () => {
  await t.close();
});

const FORM = {
  name: 'Wohngeld digital',
  url: 'https://wohngeld.example.de',
  authorityId: 'neu',
  authorityName: 'Ministerium für Wohnen',
  serviceType: '4',
  buildMode: 'efa',
  isFocus: 'ja',
  granularity: 'land',
  description: 'Antrag auf Wohngeld',
  leika: '99123456760000, 99123456761000',
  ozg: '10054',
};

const post = (url: string, who: SignedIn, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, accept: 'text/html' },
    payload: { _csrf: who.csrfToken, ...fields },
  });

describe('creating a service', () => {
  it('shows the form with type explanations and the catalogue search slot', async () => {
    const res = await t.app.inject({
      url: '/dienste/neu',
      headers: { cookie: anna.cookie, accept: 'text/html' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Onlinedienst anlegen');
    expect(res.body).toContain('Der Bund regelt die Leistung und führt sie selbst aus.');
    expect(res.body).toContain('hx-get="/katalog/suche?auswahl=1"');
    expect(res.body).toContain('<script src="/assets/service-form.js" defer>');
  });

  it('creates the service, a new authority, makes the creator its manager and audits it all', async () => {
    const res = await post('/dienste/neu', anna, FORM);
    expect(res.statusCode).toBe(303);
    const id = Number(/^\/dienste\/(\d+)/.exec(res.headers.location as string)![1]);
    const db = t.db.kysely;
    const s = await db
      .selectFrom('online_services')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(s).toMatchObject({
      name: 'Wohngeld digital',
      service_type: '4',
      build_mode: 'efa',
      is_focus: true,
      granularity: 'land',
      created_by: anna.userId,
    });
    const authority = await db
      .selectFrom('authorities')
      .selectAll()
      .where('id', '=', s.authority_id!)
      .executeTakeFirstOrThrow();
    expect(authority.name).toBe('Ministerium für Wohnen');
    const membership = await db.selectFrom('memberships').selectAll().where('service_id', '=', id).execute();
    expect(membership).toMatchObject([{ user_id: anna.userId, role: 'service_manager' }]);
    const leika = await db
      .selectFrom('online_service_leika')
      .select('leika_key')
      .where('service_id', '=', id)
      .execute();
    expect(leika.map((l) => l.leika_key)).toEqual(['99123456760000', '99123456761000']);
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'entity'])
      .where('actor_user_id', '=', anna.userId)
      .execute();
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'create', entity: 'online_service' },
        { action: 'create', entity: 'authority' },
        { action: 'grant', entity: 'membership' },
      ]),
    );
    // The creator may now edit it.
    const edit = await t.app.inject({
      url: `/dienste/${id}/bearbeiten`,
      headers: { cookie: anna.cookie, accept: 'text/html' },
    });
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('value="Wohngeld digital"');
  });

  it('reports every wrong field at once and stores nothing', async () => {
    const before = await t.db.kysely
      .selectFrom('online_services')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await post('/dienste/neu', anna, {
      ...FORM,
      name: '',
      url: 'wohngeld',
      serviceType: '9',
      leika: '123',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Bitte geben Sie den Namen des Onlinedienstes an.');
    expect(res.body).toContain('vollständige Adresse');
    expect(res.body).toContain('Bitte wählen Sie den Typ');
    expect(res.body).toContain('genau 14 Ziffern');
    expect(res.body).toContain('href="#feld-name"');
    const after = await t.db.kysely
      .selectFrom('online_services')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('checks LeiKa keys and OZG ids against the catalogue once one was imported', async () => {
    await t.db.kysely
      .insertInto('leika_services')
      .values({ key: '99000000000001', name: 'Eine Leistung', typisierung: '1' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await t.db.kysely
      .insertInto('master_data_imports')
      .values({ kind: 'catalogue', source: 'Test', data_as_of: null, summary: '{}' })
      .execute();
    const res = await post('/dienste/neu', anna, {
      ...FORM,
      authorityId: '',
      leika: '99000000000002',
      ozg: 'gibts-nicht',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('stehen nicht im Leistungskatalog: 99000000000002');
    expect(res.body).toContain('stehen nicht im Katalog: gibts-nicht');
    const ok = await post('/dienste/neu', anna, {
      ...FORM,
      name: 'Mit Katalog',
      authorityId: '',
      leika: '99000000000001',
      ozg: '10054',
    });
    expect(ok.statusCode).toBe(303);
  });
});

describe('editing master data', () => {
  it('saves changes and audits them old -> new', async () => {
    const id = await createService(t.db.kysely, { name: 'Alter Name', granularity: 'land' });
    const manager = await signIn(t, { name: 'Manni Manager' });
    await grantService(t.db.kysely, manager.userId, id);
    const res = await post(`/dienste/${id}/bearbeiten`, manager, {
      name: 'Neuer Name',
      url: `https://neu.example.de`,
      authorityId: '',
      serviceType: '1',
      buildMode: 'own',
      granularity: 'land',
    });
    expect(res.statusCode).toBe(303);
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .select(['old_value', 'new_value'])
      .where('entity', '=', 'online_service')
      .where('entity_id', '=', String(id))
      .where('action', '=', 'update')
      .executeTakeFirstOrThrow();
    expect(audit.old_value).toMatchObject({ name: 'Alter Name', serviceType: '2/3', buildMode: 'efa' });
    expect(audit.new_value).toMatchObject({ name: 'Neuer Name', serviceType: '1', buildMode: 'own' });
    expect(Object.keys(audit.new_value as object)).not.toContain('granularity');
  });

  it('refuses to change the granularity once counts exist, and says why', async () => {
    const id = await createService(t.db.kysely, { name: 'Mit Zahlen', granularity: 'land' });
    await ingestDelivery(t.db.kysely, {
      channel: 'demo',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId: id },
      rows: [{ month: '2024-01', ars: '06', count: 3 }],
    });
    const admin = await signIn(t, { isAdmin: true });
    const fields = { name: 'Mit Zahlen', serviceType: '2/3', buildMode: 'efa', granularity: 'kreis' };
    const res = await post(`/dienste/${id}/bearbeiten`, admin, fields);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Die Granularität lässt sich nicht mehr ändern');
    const s = await t.db.kysely
      .selectFrom('online_services')
      .select(['granularity', 'name'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(s.granularity).toBe('land');
  });

  it('says so when nothing changed', async () => {
    const id = await createService(t.db.kysely, { name: 'Unverändert', granularity: 'bund' });
    const admin = await signIn(t, { isAdmin: true });
    const page = await t.app.inject({
      url: `/dienste/${id}/bearbeiten`,
      headers: { cookie: admin.cookie, accept: 'text/html' },
    });
    const url = /value="(https:[^"]+)"/.exec(page.body)![1]!;
    const res = await post(`/dienste/${id}/bearbeiten`, admin, {
      name: 'Unverändert',
      url,
      serviceType: '2/3',
      buildMode: 'efa',
      granularity: 'bund',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Es wurde nichts geändert.');
  });
});
