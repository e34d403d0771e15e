import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken, revokeAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { ENGINE } from '../../helpers/db.js';
import { createPortal, createService } from '../../helpers/factories.js';
import type { Static } from 'typebox';
import type { RowError } from '../../../src/domain/counts.js';
import type { DeliverySummarySchema } from '../../../src/features/deliveries/api-schemas.js';
import type { ErrorBody } from '../../../src/http/errors.js';

type Summary = Static<typeof DeliverySummarySchema>;
/** A stored delivery's answer: deliveryId is null only on a dry run. */
type Stored = Summary & { deliveryId: number };
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, { put?: { requestBody: { content: object }; responses: Record<string, unknown> } }>;
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.db.kysely;

async function serviceWithToken(granularity: 'bund' | 'land' | 'kreis' | 'gemeinde' = 'land') {
  const serviceId = await createService(db(), { granularity });
  const { id, token } = await createAccessToken(db(), { serviceId, label: 'Test' });
  return { serviceId, tokenId: id, token };
}

const put = (
  serviceId: number,
  token: string,
  payload: unknown,
  options: { query?: string; headers?: Record<string, string>; csv?: boolean } = {},
) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/services/${serviceId}/counts${options.query ?? ''}`,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': options.csv ? 'text/csv; charset=utf-8' : 'application/json',
      ...options.headers,
    },
    payload: options.csv ? (payload as string) : JSON.stringify(payload),
  });

const stored = async (serviceId: number) =>
  db()
    .selectFrom('counts')
    .select(['month', 'ars', 'count'])
    .where('service_id', '=', serviceId)
    .orderBy('month')
    .orderBy('ars')
    .execute();

describe(`delivery API (${ENGINE})`, () => {
  it('stores a JSON delivery and answers the summary', async () => {
    const { serviceId, token } = await serviceWithToken();
    const res = await put(serviceId, token, {
      counts: [
        { month: '2024-04', ars: '060000000000', count: 153 },
        { month: '2024-04', ars: '070000000000', count: 0 },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<Summary>();
    expect(body).toMatchObject({ created: 2, updated: 0, unchanged: 0, rejected: 0, errors: [] });
    expect(body.deliveryId).toEqual(expect.any(Number));
    const again = await put(serviceId, token, {
      counts: [{ month: '2024-04', ars: '060000000000', count: 154 }],
    });
    expect(again.json()).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    expect(await stored(serviceId)).toEqual([
      { month: '2024-04-01', ars: '060000000000', count: 154 },
      { month: '2024-04-01', ars: '070000000000', count: 0 },
    ]);
  });

  it('accepts CSV with BOM, German headers and comma delimiter', async () => {
    const { serviceId, token } = await serviceWithToken();
    const semicolon = await put(serviceId, token, '\uFEFFmonth;ars;count\r\n2024-04;060000000000;153\r\n', {
      csv: true,
    });
    expect(semicolon.statusCode).toBe(200);
    expect(semicolon.json()).toMatchObject({ created: 1 });
    const german = await put(serviceId, token, 'monat;ars;anzahl\n2024-05;06;7\n', { csv: true });
    expect(german.json()).toMatchObject({ created: 1 });
    const comma = await put(serviceId, token, 'month,ars,count\n2024-06,060000000000,9\n2024-06,09,3\n', {
      csv: true,
    });
    expect(comma.json()).toMatchObject({ created: 2 });
    expect((await stored(serviceId)).map((r) => r.count)).toEqual([153, 7, 9, 3]);
    const file = await db()
      .selectFrom('delivery_files')
      .select(['media_type', 'content'])
      .where('delivery_id', '=', comma.json<Stored>().deliveryId)
      .executeTakeFirstOrThrow();
    expect(file.content.toString('utf8')).toContain('2024-06,09,3');
  });

  it('numbers CSV errors by file line and refuses unknown columns', async () => {
    const { serviceId, token } = await serviceWithToken();
    const res = await put(serviceId, token, 'month;ars;count\n2024-04;06;1\n2024-04;06;x\n', { csv: true });
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorBody>().error.details).toMatchObject([
      { row: 3, field: 'count', code: 'count_not_integer' },
    ]);
    const header = await put(serviceId, token, 'month;ars;count;comment\n2024-04;06;1;x\n', { csv: true });
    expect(header.statusCode).toBe(400);
    expect(header.json<ErrorBody>().error).toMatchObject({ code: 'csv_invalid' });
    expect(header.json<ErrorBody>().error.message).toContain('comment');
  });

  it('reports every invalid row with row, field, value, code and both messages, storing nothing', async () => {
    const { serviceId, token } = await serviceWithToken();
    const res = await put(serviceId, token, {
      counts: [
        { month: '2024-04', ars: '060000000000', count: 1 },
        { month: '2024-13', ars: '06', count: 1 },
        { month: '1999-12', ars: '06', count: 1 },
        { month: '2099-01', ars: '06', count: 1 },
        { month: '2024-05', ars: '990000000000', count: 1 },
        { month: '2024-05', ars: '064110000000', count: 1 },
        { month: '2024-06', ars: '06', count: -3 },
        { month: '2024-07', ars: '06', count: 1.5 },
        { month: '2024-08', ars: '06', count: 3_000_000_000 },
        { month: '2024-04', ars: '06', count: 2 },
      ],
    });
    expect(res.statusCode).toBe(422);
    const { error } = res.json<ErrorBody<RowError>>();
    expect(error.code).toBe('delivery_invalid');
    expect(error.message).toMatch(/nicht gespeichert/);
    expect(
      error.details.map((d: { row: number; field: string; code: string }) => [d.row, d.field, d.code]),
    ).toEqual([
      [2, 'month', 'month_invalid'],
      [3, 'month', expect.stringMatching(/month_/)],
      [4, 'month', 'month_in_future'],
      [5, 'ars', expect.stringMatching(/^ars_/)],
      [6, 'ars', 'ars_granularity'],
      [7, 'count', 'count_negative'],
      [8, 'count', 'count_not_integer'],
      [9, 'count', 'count_too_large'],
      [10, 'row', 'duplicate_row'],
    ]);
    for (const d of error.details) {
      expect(d).toEqual({
        // vitest types its matchers as any.
        row: expect.any(Number) as unknown,
        field: expect.any(String) as unknown,
        value: expect.any(String) as unknown,
        code: expect.any(String) as unknown,
        message: expect.any(String) as unknown,
        messageEn: expect.any(String) as unknown,
      });
    }
    expect(await stored(serviceId)).toEqual([]);
  });

  it('refuses other media types and a missing body', async () => {
    const { serviceId, token } = await serviceWithToken();
    const plain = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/services/${serviceId}/counts`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      payload: 'month;ars;count\n2024-04;06;1\n',
    });
    expect(plain.statusCode).toBe(415);
    expect(plain.json<ErrorBody>().error.code).toBe('unsupported_media_type');
    const broken = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/services/${serviceId}/counts`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '{"counts": [',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json<ErrorBody>().error.code).toBe('invalid_json');
  });

  it('refuses unknown fields with a clear message', async () => {
    const { serviceId, token } = await serviceWithToken();
    const res = await put(serviceId, token, {
      counts: [{ month: '2024-04', ars: '06', count: 1, comment: 'x' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>().error.code).toBe('validation_failed');
    expect(res.json<ErrorBody>().error.message).toContain('comment');
    const top = await put(serviceId, token, { counts: [], extra: 1 });
    expect(top.statusCode).toBe(400);
    expect(top.json<ErrorBody>().error.message).toContain('extra');
  });

  it('answers a dry run without storing and stores valid rows with partial', async () => {
    const { serviceId, token } = await serviceWithToken();
    const rows = {
      counts: [
        { month: '2024-04', ars: '06', count: 1 },
        { month: '2099-01', ars: '06', count: 1 },
      ],
    };
    const dry = await put(serviceId, token, rows, { query: '?dryRun=true&partial=true' });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ deliveryId: null, created: 1, rejected: 1 });
    const dryAtomic = await put(serviceId, token, { counts: [rows.counts[0]] }, { query: '?dryRun=true' });
    expect(dryAtomic.json()).toMatchObject({ deliveryId: null, created: 1, rejected: 0 });
    expect(await stored(serviceId)).toEqual([]);
    const partial = await put(serviceId, token, rows, { query: '?partial=true' });
    expect(partial.statusCode).toBe(200);
    expect(partial.json()).toMatchObject({
      created: 1,
      rejected: 1,
      errors: [{ row: 2, code: 'month_in_future' }],
    });
    expect(await stored(serviceId)).toHaveLength(1);
  });

  it('replays an Idempotency-Key and refuses it for another body', async () => {
    const { serviceId, token } = await serviceWithToken();
    const body = { counts: [{ month: '2024-04', ars: '06', count: 5 }] };
    const headers = { 'idempotency-key': 'lieferung-2024-04' };
    const first = await put(serviceId, token, body, { headers });
    const second = await put(serviceId, token, body, { headers });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    const deliveries = await db()
      .selectFrom('deliveries')
      .select('id')
      .where('service_id', '=', serviceId)
      .execute();
    expect(deliveries).toHaveLength(1);
    const other = await put(
      serviceId,
      token,
      { counts: [{ month: '2024-04', ars: '06', count: 6 }] },
      { headers },
    );
    expect(other.statusCode).toBe(409);
    expect(other.json<ErrorBody>().error.code).toBe('idempotency_key_reused');
    // The key belongs to the token: another token may use the same key.
    const { token: second2 } = await createAccessToken(db(), { serviceId, label: 'zweiter' });
    expect((await put(serviceId, second2, body, { headers })).json()).toMatchObject({ unchanged: 1 });
  });

  it('replays an answer stored before it had totalErrors and truncated', async () => {
    const { serviceId, token } = await serviceWithToken();
    const body = { counts: [{ month: '2024-04', ars: '06', count: 5 }] };
    const headers = { 'idempotency-key': 'vor-dem-update' };
    const first = await put(serviceId, token, body, { headers });
    expect(first.json()).toMatchObject({ totalErrors: 0, truncated: false });
    await db()
      .updateTable('deliveries')
      .set({ response: sql`response #- '{body,totalErrors}' #- '{body,truncated}'` })
      .where('service_id', '=', serviceId)
      .execute();
    const again = await put(serviceId, token, body, { headers });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({
      ...first.json<Summary>(),
      totalErrors: undefined,
      truncated: undefined,
    });
  });

  it('replays a rejected delivery as 422 too', async () => {
    const { serviceId, token } = await serviceWithToken();
    const headers = { 'idempotency-key': 'bad' };
    const body = { counts: [{ month: '2024-13', ars: '06', count: 5 }] };
    expect((await put(serviceId, token, body, { headers })).statusCode).toBe(422);
    const again = await put(serviceId, token, body, { headers });
    expect(again.statusCode).toBe(422);
    expect(again.json<ErrorBody>().error.code).toBe('delivery_invalid');
  });

  it('answers 401 without, with unknown, revoked or expired tokens', async () => {
    const { serviceId, token, tokenId } = await serviceWithToken();
    const body = { counts: [] };
    const none = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/services/${serviceId}/counts`,
      payload: body,
    });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.json<ErrorBody>().error.code).toBe('unauthorized');
    expect((await put(serviceId, 'zsk_wrong', body)).statusCode).toBe(401);
    const expired = await createAccessToken(db(), { serviceId, label: 'alt', expiresInDays: -1 });
    expect((await put(serviceId, expired.token, body)).statusCode).toBe(401);
    await revokeAccessToken(db(), tokenId, { userId: null, tokenId: null });
    expect((await put(serviceId, token, body)).statusCode).toBe(401);
  });

  it('answers 403 for services outside the scope and lets portal tokens deliver for their services', async () => {
    const a = await serviceWithToken('bund');
    const b = await serviceWithToken('bund');
    const body = { counts: [{ month: '2024-04', ars: '0', count: 1 }] };
    const other = await put(b.serviceId, a.token, body);
    expect(other.statusCode).toBe(403);
    expect(other.json<ErrorBody>().error.code).toBe('forbidden_scope');
    expect(other.json<ErrorBody>().error.message).toContain(`Onlinedienst ${a.serviceId}`);

    const portalId = await createPortal(db(), [a.serviceId]);
    const { token: portalToken } = await createAccessToken(db(), { portalId, label: 'Portal' });
    expect((await put(a.serviceId, portalToken, body)).statusCode).toBe(200);
    const outside = await put(b.serviceId, portalToken, body);
    expect(outside.statusCode).toBe(403);
    expect(outside.json<ErrorBody>().error.message).toContain(`Portal ${portalId}`);

    const portalPut = (id: number, tok: string, payload: unknown) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/portals/${id}/counts`,
        headers: { authorization: `Bearer ${tok}` },
        payload: payload as object,
      });
    const ok = await portalPut(portalId, portalToken, {
      counts: [{ serviceId: a.serviceId, month: '2024-05', ars: '000000000000', count: 2 }],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ created: 1 });
    const notMember = await portalPut(portalId, portalToken, {
      counts: [{ serviceId: b.serviceId, month: '2024-05', ars: '0', count: 2 }],
    });
    expect(notMember.statusCode).toBe(422);
    expect(notMember.json<ErrorBody>().error.details[0]).toMatchObject({
      field: 'serviceId',
      code: 'service_not_in_portal',
    });
    expect((await portalPut(portalId, a.token, { counts: [] })).statusCode).toBe(403);
    const csv = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/portals/${portalId}/counts`,
      headers: { authorization: `Bearer ${portalToken}`, 'content-type': 'text/csv' },
      payload: `serviceId;monat;ars;anzahl\n${a.serviceId};2024-06;000000000000;4\n`,
    });
    expect(csv.json()).toMatchObject({ created: 1 });
  });

  it('reads the stored counts in pages, by month and region, with the total of the period', async () => {
    const { serviceId, token } = await serviceWithToken();
    const lands = ['01', '02', '03', '04', '05'];
    await put(serviceId, token, {
      counts: ['2024-01', '2024-02', '2024-03'].flatMap((month, m) =>
        lands.map((ars, i) => ({ month, ars, count: m * 10 + i })),
      ),
    });
    const read = (query: string) =>
      t.app.inject({
        url: `/api/v1/services/${serviceId}/counts?${query}`,
        headers: { authorization: `Bearer ${token}` },
      });
    const pages = [];
    for (let page = 1; page <= 3; page++)
      pages.push(
        (await read(`perPage=6&page=${page}`)).json<{
          total: number;
          counts: { month: string; ars: string }[];
        }>(),
      );
    expect(pages.map((p) => p.total)).toEqual([15, 15, 15]);
    expect(pages.map((p) => p.counts.length)).toEqual([6, 6, 3]);
    const all = pages.flatMap((p) => p.counts.map((c) => `${c.month}/${c.ars.slice(0, 2)}`));
    expect(all).toEqual(
      ['2024-01', '2024-02', '2024-03'].flatMap((month) => lands.map((ars) => `${month}/${ars}`)),
    );
    expect((await read('perPage=6&page=4')).json()).toMatchObject({ page: 4, total: 15, counts: [] });
    expect((await read('from=2024-03&perPage=2')).json()).toMatchObject({
      total: 5,
      counts: [{ month: '2024-03' }, { month: '2024-03' }],
    });
    for (const query of ['perPage=50001', 'perPage=0', 'page=0', 'page=x', 'page=99999999999999999999'])
      expect((await read(query)).statusCode, query).toBe(400);
  });

  it('reads counts, a delivery, and retracts a value', async () => {
    const { serviceId, token } = await serviceWithToken();
    const res = await put(serviceId, token, {
      counts: [
        { month: '2024-03', ars: '06', count: 1 },
        { month: '2024-04', ars: '06', count: 2 },
        { month: '2024-05', ars: '06', count: 3 },
      ],
    });
    const auth = { authorization: `Bearer ${token}` };
    const counts = await t.app.inject({
      url: `/api/v1/services/${serviceId}/counts?from=2024-04&to=2024-05`,
      headers: auth,
    });
    expect(counts.json()).toEqual({
      serviceId,
      page: 1,
      perPage: 10_000,
      total: 2,
      counts: [
        { month: '2024-04', ars: '060000000000', count: 2 },
        { month: '2024-05', ars: '060000000000', count: 3 },
      ],
    });
    const delivery = await t.app.inject({
      url: `/api/v1/deliveries/${res.json<Stored>().deliveryId}`,
      headers: auth,
    });
    expect(delivery.statusCode).toBe(200);
    expect(delivery.json()).toMatchObject({
      deliveryId: res.json<Stored>().deliveryId,
      serviceId,
      status: 'accepted',
      created: 3,
      channel: 'api',
      firstMonth: '2024-03',
      lastMonth: '2024-05',
    });
    const stranger = await serviceWithToken();
    const foreign = await t.app.inject({
      url: `/api/v1/deliveries/${res.json<Stored>().deliveryId}`,
      headers: { authorization: `Bearer ${stranger.token}` },
    });
    expect(foreign.statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/v1/deliveries/999999', headers: auth })).statusCode).toBe(404);

    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/services/${serviceId}/counts?month=2024-04&ars=06`,
      headers: auth,
    });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ deleted: 1 });
    const rollup = await db()
      .selectFrom('rollup_service_month')
      .select('month')
      .where('service_id', '=', serviceId)
      .orderBy('month')
      .execute();
    expect(rollup.map((r) => r.month)).toEqual(['2024-03-01', '2024-05-01']);
    const audit = await db()
      .selectFrom('audit_log')
      .select(['actor_token_id', 'old_value'])
      .where('action', '=', 'count.delete')
      .where('entity_id', '=', `${serviceId}/2024-04/060000000000`)
      .executeTakeFirstOrThrow();
    expect(audit.actor_token_id).not.toBeNull();
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/services/${serviceId}/counts?month=2024-04&ars=06`,
      headers: auth,
    });
    expect(again.statusCode).toBe(404);
  });

  it('limits reading to the token scope and lets portal tokens read their deliveries', async () => {
    const a = await serviceWithToken('bund');
    const b = await serviceWithToken('bund');
    const read = await t.app.inject({
      url: `/api/v1/services/${b.serviceId}/counts`,
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(read.statusCode).toBe(403);
    expect(read.json<ErrorBody>().error.code).toBe('forbidden_scope');
    const retract = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/services/${b.serviceId}/counts?month=2024-04&ars=0`,
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(retract.statusCode).toBe(403);
    const portalId = await createPortal(db(), [a.serviceId]);
    const { token: portalToken } = await createAccessToken(db(), { portalId, label: 'Portal' });
    const delivered = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/portals/${portalId}/counts`,
      headers: { authorization: `Bearer ${portalToken}` },
      payload: { counts: [{ serviceId: a.serviceId, month: '2024-04', ars: '0', count: 1 }] },
    });
    const detail = await t.app.inject({
      url: `/api/v1/deliveries/${delivered.json<Stored>().deliveryId}`,
      headers: { authorization: `Bearer ${portalToken}` },
    });
    expect(detail.json()).toMatchObject({ portalId, serviceId: null, created: 1 });
    const viaPortal = await t.app.inject({
      url: `/api/v1/services/${a.serviceId}/counts`,
      headers: { authorization: `Bearer ${portalToken}` },
    });
    expect(viaPortal.json<{ counts: unknown[] }>().counts).toEqual([
      { month: '2024-04', ars: '000000000000', count: 1 },
    ]);
  });

  it('audits changed values with the token as actor', async () => {
    const { serviceId, token, tokenId } = await serviceWithToken();
    await put(serviceId, token, { counts: [{ month: '2024-04', ars: '06', count: 1 }] });
    const res = await put(serviceId, token, { counts: [{ month: '2024-04', ars: '06', count: 2 }] });
    const audit = await db()
      .selectFrom('audit_log')
      .select(['actor_token_id', 'old_value', 'new_value', 'delivery_id'])
      .where('action', '=', 'count.update')
      .where('entity_id', '=', `${serviceId}/2024-04/060000000000`)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      actor_token_id: tokenId,
      new_value: { count: 2 },
      delivery_id: res.json<Stored>().deliveryId,
    });
    expect(audit.old_value).toMatchObject({ count: 1 });
  });

  it('keeps the final state of concurrent deliveries consistent', async () => {
    const { serviceId, token } = await serviceWithToken();
    const regions = ['01', '02', '03', '04', '05', '06'];
    const n = 8;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        put(serviceId, token, {
          counts: regions.map((ars) => ({ month: '2024-04', ars, count: (i + 1) * 10 })),
        }),
      ),
    );
    for (const r of results) expect(r.statusCode).toBe(200);
    const summaries = results.map((r) => r.json<Summary>());
    expect(summaries.reduce((s, x) => s + x.created, 0)).toBe(regions.length);
    // The first writer inserts the new month without probes; every later change is audited.
    const audited = await db()
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'count.update')
      .where('entity_id', 'like', `${serviceId}/%`)
      .executeTakeFirstOrThrow();
    expect(Number(audited.n)).toBe(summaries.reduce((s, x) => s + x.updated, 0));
    const rows = await stored(serviceId);
    expect(rows).toHaveLength(regions.length);
    const values = new Set(rows.map((r) => r.count));
    expect(values.size).toBe(1);
    const final = [...values][0]!;
    expect(Array.from({ length: n }, (_, i) => (i + 1) * 10)).toContain(final);
    const rollup = await db()
      .selectFrom('rollup_service_month')
      .select(['total', 'regions'])
      .where('service_id', '=', serviceId)
      .executeTakeFirstOrThrow();
    expect(rollup).toEqual({ total: final * regions.length, regions: regions.length });
    const lands = await db()
      .selectFrom('rollup_service_land_month')
      .select(['land', 'total'])
      .where('service_id', '=', serviceId)
      .execute();
    expect(lands).toHaveLength(regions.length);
    for (const l of lands) expect(l.total).toBe(final);
  });

  it('answers concurrent retries with the same Idempotency-Key once', async () => {
    const { serviceId, token } = await serviceWithToken();
    const body = { counts: [{ month: '2024-04', ars: '06', count: 5 }] };
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        put(serviceId, token, body, { headers: { 'idempotency-key': 'race' } }),
      ),
    );
    for (const r of results) expect(r.statusCode).toBe(200);
    expect(new Set(results.map((r) => r.json<Stored>().deliveryId)).size).toBe(1);
    const deliveries = await db()
      .selectFrom('deliveries')
      .select('id')
      .where('service_id', '=', serviceId)
      .execute();
    expect(deliveries).toHaveLength(1);
  });

  it('serves the OpenAPI document without the health checks', async () => {
    const res = await t.app.inject({ url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApiDocument>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/api/v1/services/{serviceId}/counts');
    expect(Object.keys(doc.paths)).not.toContain('/healthz');
    const putOp = doc.paths['/api/v1/services/{serviceId}/counts']?.put;
    expect(Object.keys(putOp?.requestBody.content ?? {})).toEqual(['application/json', 'text/csv']);
    expect(putOp?.responses['422']).toBeDefined();
    expect(putOp?.responses['503']).toBeDefined();
  });
});

describe(`delivery API limits (${ENGINE})`, () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await createTestApp({ bodyLimitBytes: 1024 * 1024, apiRateLimit: 3 });
  });
  afterAll(async () => {
    await small.close();
  });

  it('answers 413 naming the limit and 429 beyond the rate limit', async () => {
    const serviceId = await createService(small.db.kysely);
    const { token } = await createAccessToken(small.db.kysely, { serviceId, label: 'x' });
    const big = 'month;ars;count\n' + '2024-04;06;1\n'.repeat(90_000);
    const res = await small.app.inject({
      method: 'PUT',
      url: `/api/v1/services/${serviceId}/counts`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      payload: big,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<ErrorBody>().error.code).toBe('body_too_large');
    expect(res.json<ErrorBody>().error.message).toContain('1 MiB');
    const get = () =>
      small.app.inject({
        url: `/api/v1/services/${serviceId}/counts`,
        headers: { authorization: `Bearer ${token}` },
      });
    await get();
    await get();
    const limited = await get();
    expect(limited.statusCode).toBe(429);
    expect(limited.json<ErrorBody>().error.code).toBe('rate_limited');
  });
});
