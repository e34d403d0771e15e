import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser, grantPortal, grantService } from '../../helpers/auth.js';
import { ENGINE } from '../../helpers/db.js';
import { createPortal, createService } from '../../helpers/factories.js';
import type { Static } from 'typebox';
import type { BatchSummary, ServiceList } from '../../../src/features/services/api-schemas.js';
import type { RowError } from '../../../src/features/services/bulk.js';
import type { ErrorBody } from '../../../src/http/errors.js';

type Batch = Static<typeof BatchSummary>;
type List = Static<typeof ServiceList>;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ apiRateLimit: 10_000 });
});
afterAll(async () => {
  await t.close();
});

const db = () => t.db.kysely;

async function portalWithToken(serviceIds: number[] = []) {
  const portalId = await createPortal(db(), serviceIds);
  const { id, token } = await createAccessToken(db(), { portalId, label: 'Verwaltung' });
  return { portalId, tokenId: id, token };
}

const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  url: string,
  token: string,
  payload?: unknown,
  csv = false,
) =>
  t.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      ...(payload !== undefined && { 'content-type': csv ? 'text/csv; charset=utf-8' : 'application/json' }),
    },
    ...(payload !== undefined && { payload: csv ? (payload as string) : JSON.stringify(payload) }),
  });

const row = (i: number, fields: Record<string, unknown> = {}) => ({
  serviceKey: `dienst-${i}`,
  name: `Onlinedienst ${i}`,
  url: `https://dienst-${i}.example.de`,
  authority: 'Landesamt für Digitales',
  type: '2/3',
  buildMode: 'efa',
  focus: i % 7 === 0,
  granularity: 'land',
  leika: i % 2 ? ['99123456789012'] : [],
  ...fields,
});

const portalServiceCount = async (portalId: number) =>
  Number(
    (
      await db()
        .selectFrom('portal_services')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('portal_id', '=', portalId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe(`service-management API (${ENGINE})`, () => {
  it('creates 500 services in one call; the same list again changes nothing; one change updates one', async () => {
    const { portalId, token, tokenId } = await portalWithToken();
    const rows = Array.from({ length: 500 }, (_, i) => row(i + 1));
    const created = await call('POST', `/api/v1/portals/${portalId}/services`, token, rows);
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toMatchObject({
      status: 'accepted',
      created: 500,
      updated: 0,
      unchanged: 0,
      errors: [],
    });
    const results = created.json<Batch>().services as {
      serviceKey: string;
      serviceId: number;
      outcome: string;
    }[];
    expect(results).toHaveLength(500);
    expect(new Set(results.map((r) => r.serviceId)).size).toBe(500);
    expect(await portalServiceCount(portalId)).toBe(500);
    // One new authority for all of them, not 500.
    const authorities = await db()
      .selectFrom('authorities')
      .select('id')
      .where('name', '=', 'Landesamt für Digitales')
      .execute();
    expect(authorities).toHaveLength(1);

    const again = await call('POST', `/api/v1/portals/${portalId}/services`, token, rows);
    expect(again.json()).toMatchObject({ status: 'accepted', created: 0, updated: 0, unchanged: 500 });
    expect(await portalServiceCount(portalId)).toBe(500);

    rows[41] = row(42, { name: 'Onlinedienst 42 (neu)', ozg: ['10054'] });
    const changed = await call('POST', `/api/v1/portals/${portalId}/services`, token, rows);
    expect(changed.json()).toMatchObject({ created: 0, updated: 1, unchanged: 499 });
    const id42 = results.find((r) => r.serviceKey === 'dienst-42')!.serviceId;
    const audit = await db()
      .selectFrom('audit_log')
      .select(['action', 'actor_token_id', 'old_value', 'new_value'])
      .where('entity', '=', 'online_service')
      .where('entity_id', '=', String(id42))
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['create', 'update']);
    expect(audit.every((a) => a.actor_token_id === tokenId)).toBe(true);
    expect(audit[1]!.old_value).toEqual({ name: 'Onlinedienst 42', ozg: [] });
    expect(audit[1]!.new_value).toEqual({ name: 'Onlinedienst 42 (neu)', ozg: ['10054'] });

    const page = await call('GET', `/api/v1/portals/${portalId}/services?page=2&perPage=200`, token);
    expect(page.statusCode).toBe(200);
    const body = page.json<List>();
    expect(body).toMatchObject({ portalId, page: 2, perPage: 200, total: 500 });
    expect(body.services).toHaveLength(200);
    const last = await call('GET', `/api/v1/portals/${portalId}/services?page=3&perPage=200`, token);
    expect(last.json<List>().services).toHaveLength(100);
    // A page whose offset would not fit the database's bigint is refused, not failed in the database.
    const far = await call('GET', `/api/v1/portals/${portalId}/services?page=99999999999999999999`, token);
    expect(far.statusCode).toBe(400);
    const item = [...body.services, ...last.json<List>().services].find((s) => s.serviceKey === 'dienst-301');
    expect(item).toMatchObject({
      name: 'Onlinedienst 301',
      authority: 'Landesamt für Digitales',
      type: '2/3',
      buildMode: 'efa',
      focus: true,
      granularity: 'land',
      leika: ['99123456789012'],
      ozg: [],
      firstMonth: null,
      lastMonth: null,
    });
    // Three calls of 500 services each: minutes on a busy 2-core machine, seconds on a quiet one.
  }, 300_000);

  it('rejects the whole list for one bad row and names every error; nothing is stored', async () => {
    const { portalId, token } = await portalWithToken();
    const res = await call('POST', `/api/v1/portals/${portalId}/services`, token, [
      row(1),
      row(2, { granularity: 'stadt', type: '7' }),
      row(3, { serviceKey: '' }),
      row(4, { serviceKey: 'dienst-1', focus: 'vielleicht' }),
      row(5, { leika: ['123'] }),
    ]);
    expect(res.statusCode).toBe(422);
    const error = res.json<ErrorBody<RowError>>().error;
    expect(error.code).toBe('services_invalid');
    expect(
      error.details.map((d: { row: number; field: string; code: string }) => `${d.row} ${d.field} ${d.code}`),
    ).toEqual([
      '2 type type_invalid',
      '2 granularity granularity_invalid',
      '3 serviceKey service_key_missing',
      '4 serviceKey service_key_duplicate',
      '5 leika leika_invalid',
    ]);
    expect(error.details[0]).toMatchObject({
      value: '7',
      messageEn: expect.stringContaining('type') as unknown,
    });
    expect(await portalServiceCount(portalId)).toBe(0);

    const dry = await call('POST', `/api/v1/portals/${portalId}/services?dryRun=true`, token, [
      row(1),
      row(2),
    ]);
    expect(dry.json()).toMatchObject({ status: 'accepted', created: 2, services: [{ serviceId: null }, {}] });
    expect(await portalServiceCount(portalId)).toBe(0);

    const partial = await call('POST', `/api/v1/portals/${portalId}/services?partial=true`, token, [
      row(1),
      row(2, { name: '' }),
    ]);
    expect(partial.json()).toMatchObject({ status: 'partial', created: 1, rejected: 1 });
    expect(partial.json<Batch>().errors[0]).toMatchObject({ row: 2, field: 'name', code: 'name_missing' });
    expect(await portalServiceCount(portalId)).toBe(1);
  });

  it('refuses more than 5,000 services in one call before reading them, with the limit named', async () => {
    const { portalId, token } = await portalWithToken();
    const rows = Array.from({ length: 5_001 }, (_, i) => row(i));
    const res = await call('POST', `/api/v1/portals/${portalId}/services`, token, rows);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: { code: 'limit_exceeded', details: [{ limit: 'rows', max: 5000 }] },
    });
    expect(await portalServiceCount(portalId)).toBe(0);
  });

  it('reads CSV with the documented header and reports file line numbers', async () => {
    const { portalId, token } = await portalWithToken();
    const csv =
      '\uFEFFserviceKey;name;url;authority;type;buildMode;focus;granularity;leika;ozg\n' +
      'wohngeld;Wohngeld online;https://wohngeld.example.de;Stadt Musterstadt;4;own;ja;kreis;"99123456789012, 99123456789013";\n' +
      'kfz;Kfz-Zulassung;;;2/3;efa;nein;land;;10054\n';
    const res = await call('POST', `/api/v1/portals/${portalId}/services`, token, csv, true);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ created: 2 });
    const list = (await call('GET', `/api/v1/portals/${portalId}/services`, token)).json<List>();
    expect(list.services[0]).toMatchObject({
      serviceKey: 'wohngeld',
      focus: true,
      granularity: 'kreis',
      leika: ['99123456789012', '99123456789013'],
    });
    // Columns left out keep what is stored; an empty cell clears.
    const fewer = await call(
      'POST',
      `/api/v1/portals/${portalId}/services`,
      token,
      'serviceKey;name;type;buildMode;granularity;ozg\nwohngeld;Wohngeld online;4;own;kreis;\n',
      true,
    );
    expect(fewer.json()).toMatchObject({ updated: 0, unchanged: 1 });
    const cleared = await call(
      'POST',
      `/api/v1/portals/${portalId}/services`,
      token,
      'serviceKey;name;type;buildMode;granularity;leika;focus\nwohngeld;Wohngeld online;4;own;kreis;;nein\n',
      true,
    );
    expect(cleared.json()).toMatchObject({ updated: 1 });
    const after = (await call('GET', `/api/v1/portals/${portalId}/services`, token)).json<List>();
    expect(after.services[0]).toMatchObject({
      url: 'https://wohngeld.example.de',
      authority: 'Stadt Musterstadt',
      focus: false,
      leika: [],
    });
    const bad = await call(
      'POST',
      `/api/v1/portals/${portalId}/services`,
      token,
      'serviceKey;name;type;buildMode;granularity\nx;X;2/3;efa;land\ny;Y;2/3;eigen;land\n',
      true,
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json<ErrorBody>().error.details).toEqual([
      expect.objectContaining({ row: 3, field: 'buildMode', value: 'eigen', code: 'build_mode_invalid' }),
    ]);
    const header = await call(
      'POST',
      `/api/v1/portals/${portalId}/services`,
      token,
      'serviceKey;name\n',
      true,
    );
    expect(header.statusCode).toBe(400);
    expect(header.json<ErrorBody>().error.code).toBe('csv_invalid');
  });

  it('delivers counts by the portal’s own keys, in JSON and CSV', async () => {
    const { portalId, token } = await portalWithToken();
    await call('POST', `/api/v1/portals/${portalId}/services`, token, [row(1), row(2)]);
    const json = await call('PUT', `/api/v1/portals/${portalId}/counts`, token, {
      counts: [
        { serviceKey: 'dienst-1', month: '2024-04', ars: '060000000000', count: 5 },
        { serviceKey: 'dienst-2', month: '2024-04', ars: '070000000000', count: 6 },
      ],
    });
    expect(json.statusCode, json.body).toBe(200);
    expect(json.json()).toMatchObject({ created: 2, errors: [] });
    const csv = await call(
      'PUT',
      `/api/v1/portals/${portalId}/counts`,
      token,
      'serviceKey;month;ars;count\ndienst-1;2024-05;06;7\ndienst-9;2024-05;06;1\n',
      true,
    );
    expect(csv.statusCode).toBe(422);
    expect(csv.json<ErrorBody>().error.details).toEqual([
      expect.objectContaining({
        row: 3,
        field: 'serviceKey',
        value: 'dienst-9',
        code: 'service_key_unknown',
      }),
    ]);
    const list = (await call('GET', `/api/v1/portals/${portalId}/services`, token)).json<List>();
    expect(list.services[0]).toMatchObject({
      serviceKey: 'dienst-1',
      firstMonth: '2024-04',
      lastMonth: '2024-04',
    });
  });

  it('changes one service by PATCH, audited, with the granularity fixed once counts exist', async () => {
    const { portalId, token, tokenId } = await portalWithToken();
    const created = await call('POST', `/api/v1/portals/${portalId}/services`, token, [row(1)]);
    const id = created.json<Batch>().services[0]?.serviceId as number;
    const patched = await call('PATCH', `/api/v1/services/${id}`, token, { name: 'Neuer Name', focus: true });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      changed: ['name', 'focus'],
      service: {
        id,
        serviceKey: 'dienst-1',
        name: 'Neuer Name',
        focus: true,
        url: 'https://dienst-1.example.de',
      },
    });
    const audit = await db()
      .selectFrom('audit_log')
      .select(['actor_token_id', 'new_value'])
      .where('entity', '=', 'online_service')
      .where('entity_id', '=', String(id))
      .where('action', '=', 'update')
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor_token_id: tokenId, new_value: { name: 'Neuer Name', isFocus: true } });

    const invalid = await call('PATCH', `/api/v1/services/${id}`, token, { url: 'ftp://x', type: '9' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json<ErrorBody>().error).toMatchObject({
      code: 'service_invalid',
      details: [
        expect.objectContaining({ field: 'url', code: 'url_invalid' }),
        expect.objectContaining({ field: 'type', code: 'type_invalid' }),
      ],
    });
    const unknownField = await call('PATCH', `/api/v1/services/${id}`, token, { serviceId: 3 });
    expect(unknownField.statusCode).toBe(400);

    const early = await call('PATCH', `/api/v1/services/${id}`, token, { granularity: 'bund' });
    expect(early.json<{ changed: string[] }>().changed).toEqual(['granularity']);
    await call('PUT', `/api/v1/portals/${portalId}/counts`, token, {
      counts: [{ serviceKey: 'dienst-1', month: '2024-04', ars: '000000000000', count: 5 }],
    });
    const locked = await call('PATCH', `/api/v1/services/${id}`, token, { granularity: 'land' });
    expect(locked.statusCode).toBe(409);
    expect(locked.json<ErrorBody>().error.code).toBe('granularity_locked');
    const lockedBulk = await call('POST', `/api/v1/portals/${portalId}/services`, token, [row(1)]);
    expect(lockedBulk.statusCode).toBe(422);
    expect(lockedBulk.json<ErrorBody>().error.details[0]).toMatchObject({
      field: 'granularity',
      code: 'granularity_locked',
    });

    const missing = await call('PATCH', `/api/v1/services/999999`, token, { name: 'x' });
    expect(missing.statusCode).toBe(404);
  });

  it('keeps tokens to their scope: another portal 403, a service token only delivers', async () => {
    const own = await createService(db());
    const { portalId, token } = await portalWithToken([own]);
    const other = await portalWithToken();
    for (const res of [
      await call('GET', `/api/v1/portals/${portalId}/services`, other.token),
      await call('POST', `/api/v1/portals/${portalId}/services`, other.token, [row(1)]),
      await call('PATCH', `/api/v1/services/${own}`, other.token, { name: 'fremd' }),
      await call('PUT', `/api/v1/portals/${portalId}/counts`, other.token, { counts: [] }),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json<ErrorBody>().error.code).toBe('forbidden_scope');
    }
    expect(await portalServiceCount(portalId)).toBe(1);
    const serviceToken = await createAccessToken(db(), { serviceId: own, label: 'Dienst' });
    const patch = await call('PATCH', `/api/v1/services/${own}`, serviceToken.token, { name: 'x' });
    expect(patch.statusCode).toBe(403);
    const list = await call('GET', `/api/v1/portals/${portalId}/services`, serviceToken.token);
    expect(list.statusCode).toBe(403);
    // A service added on the web page has no key until the portal gives it one.
    const items = (await call('GET', `/api/v1/portals/${portalId}/services`, token)).json<List>();
    expect(items.services).toEqual([expect.objectContaining({ id: own, serviceKey: null })]);
  });
  it('lets a personal token do what its owner manages, and nothing else', async () => {
    const managed = await createService(db());
    const foreign = await createService(db());
    const { portalId } = await portalWithToken();
    const otherPortal = await portalWithToken();
    const userId = await createUser(db(), { name: 'Paula Portal' });
    await grantPortal(db(), userId, portalId);
    await grantService(db(), userId, managed);
    const { token, id: tokenId } = await createAccessToken(db(), { userId, label: 'persönlich' });

    const created = await call('POST', `/api/v1/portals/${portalId}/services`, token, [row(1)]);
    expect(created.statusCode, created.body).toBe(200);
    const newId = created.json<Batch>().services[0]?.serviceId as number;
    const audit = await db()
      .selectFrom('audit_log')
      .select(['actor_user_id', 'actor_token_id'])
      .where('entity', '=', 'online_service')
      .where('entity_id', '=', String(newId))
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor_user_id: userId, actor_token_id: tokenId });
    expect((await call('GET', `/api/v1/portals/${portalId}/services`, token)).statusCode).toBe(200);
    expect(
      (await call('PATCH', `/api/v1/services/${newId}`, token, { name: 'Über das Portal' })).statusCode,
    ).toBe(200);
    expect((await call('PATCH', `/api/v1/services/${managed}`, token, { name: 'Direkt' })).statusCode).toBe(
      200,
    );
    const delivered = await call('PUT', `/api/v1/portals/${portalId}/counts`, token, {
      counts: [{ serviceKey: 'dienst-1', month: '2024-04', ars: '060000000000', count: 1 }],
    });
    expect(delivered.statusCode).toBe(200);

    for (const res of [
      await call('PATCH', `/api/v1/services/${foreign}`, token, { name: 'fremd' }),
      await call('GET', `/api/v1/portals/${otherPortal.portalId}/services`, token),
      await call('POST', `/api/v1/portals/${otherPortal.portalId}/services`, token, [row(1)]),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json<ErrorBody>().error.code).toBe('forbidden_scope');
      // An answer of the API names no person: clients log it, and the token may sit in a job.
      expect(res.json<ErrorBody>().error.message).toContain('die Person dieses Zugangsschlüssels');
      expect(res.body).not.toContain('Paula');
    }
    // The token follows its owner: without the role, or with the account disabled, it opens nothing.
    await db()
      .deleteFrom('memberships')
      .where('user_id', '=', userId)
      .where('service_id', '=', managed)
      .execute();
    expect((await call('PATCH', `/api/v1/services/${managed}`, token, { name: 'x' })).statusCode).toBe(403);
    await db().updateTable('users').set({ status: 'disabled' }).where('id', '=', userId).execute();
    expect((await call('GET', `/api/v1/portals/${portalId}/services`, token)).statusCode).toBe(401);
  });

  // Last: from here on a catalogue counts as imported.
  it('refuses LeiKa and OZG keys the imported catalogue does not know', async () => {
    const { portalId, token } = await portalWithToken();
    await db()
      .insertInto('leika_services')
      .values({ key: '99000000000001', name: 'Bekannte Leistung', typisierung: '2/3' })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const before = await call('POST', `/api/v1/portals/${portalId}/services?dryRun=true`, token, [
      row(2, { leika: ['99000000000002'] }),
    ]);
    expect(before.statusCode).toBe(200);
    await db()
      .insertInto('master_data_imports')
      .values({ kind: 'catalogue', source: 'Test', data_as_of: null, summary: '{}' })
      .execute();
    const res = await call('POST', `/api/v1/portals/${portalId}/services`, token, [
      row(1, { leika: ['99000000000001'] }),
      row(2, { leika: ['99000000000002'] }),
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorBody>().error.details).toEqual([
      expect.objectContaining({ row: 2, field: 'leika', code: 'leika_unknown' }),
    ]);
  });
});
