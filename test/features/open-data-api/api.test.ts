import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery, type IncomingRow } from '../../../src/features/deliveries/ingest.js';
import { loadConfig } from '../../../src/config.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';

let t: TestApp;
let viewer: SignedIn;
const ids = { a: 0, k: 0, u: 0, authority: 0, portal: 0 };
const LEIKA = '99000000000001';

async function deliver(serviceId: number, rows: IncomingRow[]) {
  const summary = await ingestDelivery(t.db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows,
  });
  expect(summary.status).toBe('accepted');
}

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { accept: 'application/json', ...headers } });

/*
 * 2025-01 to 2025-05:
 *   A  Typ 1, Fokus, per Land, Behörde X, Portal P, OZG o1 (T1), LeiKa LEIKA:
 *      Hessen 10, 20, 30, 40, 50 (Jan-May), Bayern 5 (Jan)                    = 155
 *   K  Typ 2/3, per Kreis: 01/2025 Darmstadt 7, Frankfurt 3, München 4          = 14
 *   U  Typ 1, unpublished: Hessen 1000 (Jan) — in no public answer, no sum
 */
beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  const db = t.db.kysely;
  ids.a = await createService(db, { name: 'A Dienst', type: '1', focus: true, granularity: 'land' });
  ids.k = await createService(db, { name: 'K Dienst', type: '2/3', granularity: 'kreis' });
  ids.u = await createService(db, { name: 'U Geheimdienst', type: '1', granularity: 'land' });
  const x = await db
    .insertInto('authorities')
    .values({ name: 'Behörde X', land: '06' })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids.authority = x.id;
  await db
    .updateTable('online_services')
    .set({ authority_id: x.id })
    .where('id', 'in', [ids.a, ids.u])
    .execute();
  ids.portal = await createPortal(db, [ids.a, ids.u], 'Portal P');
  await db
    .insertInto('ozg_services')
    .values({ id: 'o1', name: 'OZG eins', themenfeld: 'T1', lebenslage: null })
    .execute();
  await db
    .insertInto('online_service_ozg')
    .values([
      { service_id: ids.a, ozg_id: 'o1' },
      { service_id: ids.u, ozg_id: 'o1' },
    ])
    .execute();
  await db
    .insertInto('leika_services')
    .values({ key: LEIKA, name: 'Leistung eins', typisierung: '1' })
    .execute();
  await db
    .insertInto('online_service_leika')
    .values([
      { service_id: ids.a, leika_key: LEIKA },
      { service_id: ids.u, leika_key: LEIKA },
    ])
    .execute();
  await deliver(ids.a, [
    ...[10, 20, 30, 40, 50].map((count, i) => ({ month: `2025-0${i + 1}`, ars: '060000000000', count })),
    { month: '2025-01', ars: '090000000000', count: 5 },
  ]);
  await deliver(ids.k, [
    { month: '2025-01', ars: '064110000000', count: 7 },
    { month: '2025-01', ars: '064120000000', count: 3 },
    { month: '2025-01', ars: '091620000000', count: 4 },
  ]);
  await deliver(ids.u, [{ month: '2025-01', ars: '060000000000', count: 1000 }]);
  await db.updateTable('online_services').set({ published: false }).where('id', '=', ids.u).execute();
});
afterAll(async () => {
  await t.close();
});

interface Bucket {
  period: string;
  total: number | null;
  months: number;
  monthsInPeriod: number;
  complete: boolean;
}
/** The fields these tests read from any answer (list, series, JSON-stat or error). */
interface Answer {
  totalItems: number;
  items: ({ id: number } & Record<string, unknown>)[];
  data: (Bucket & { key: string; label: string; ars: string })[];
  dimension: { geo: { category: { label: Record<string, string> } } };
  error: { code: string; message: string };
}

const sum = (rows: { total: number | null }[]) => rows.reduce((s, r) => s + (r.total ?? 0), 0);

function csvLines(body: Buffer | string): string[][] {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  return text
    .slice(1)
    .split('\r\n')
    .filter(Boolean)
    .map((line) => line.split(';'));
}

describe('GET /api/open/v1/services', () => {
  it('lists the published services with master data, ordered by id, without the unpublished one', async () => {
    const res = await get('/api/open/v1/services');
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const body = res.json<Answer>();
    expect(body.totalItems).toBe(2);
    expect(body.items.map((s: { id: number }) => s.id)).toEqual([ids.a, ids.k]);
    expect(res.body).not.toContain('Geheimdienst');
    const a = body.items[0];
    expect(a).toMatchObject({
      name: 'A Dienst',
      authority: { id: ids.authority, name: 'Behörde X' },
      serviceType: '1',
      buildMode: 'efa',
      isFocus: true,
      granularity: 'land',
      leikaKeys: [LEIKA],
      ozgServices: [{ id: 'o1', name: 'OZG eins', themenfeld: 'T1' }],
      themenfelder: ['T1'],
      portals: [{ id: ids.portal, name: 'Portal P' }],
      firstMonth: '2025-01',
      lastMonth: '2025-05',
      total: 155,
    });
  });

  it('pages with a stable order', async () => {
    const first = (await get('/api/open/v1/services?pageSize=1')).json<Answer>();
    const second = (await get('/api/open/v1/services?pageSize=1&page=2')).json<Answer>();
    expect(first).toMatchObject({ page: 1, pageSize: 1, totalItems: 2, totalPages: 2 });
    expect([first.items[0]?.id, second.items[0]?.id]).toEqual([ids.a, ids.k]);
  });

  it('answers CSV for Accept: text/csv and for the .csv address', async () => {
    for (const res of [
      await get('/api/open/v1/services', { accept: 'text/csv' }),
      await get('/api/open/v1/services.csv'),
      await get('/api/open/v1/services?format=csv'),
    ]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      const lines = csvLines(res.rawPayload);
      expect(lines[0]!.slice(0, 3)).toEqual(['ID', 'Name', 'URL']);
      expect(lines.length).toBe(3);
      expect(lines[1]).toContain('A Dienst');
      expect(res.body).not.toContain('Geheimdienst');
    }
  });

  it('shows signed-in people every service, privately cached', async () => {
    const res = await get('/api/open/v1/services', { cookie: viewer.cookie });
    expect(res.json<Answer>().totalItems).toBe(3);
    expect(res.headers['cache-control']).toBe('private, max-age=300');
  });
});

describe('GET /api/open/v1/services/:id/counts', () => {
  it('gives the monthly series at the national level by default', async () => {
    const res = await get(`/api/open/v1/services/${ids.a}/counts`);
    expect(res.statusCode).toBe(200);
    const body = res.json<Answer>();
    expect(body).toMatchObject({ level: 'bund', period: 'month', from: '2025-01', to: '2025-05' });
    expect(body.data.map((r: Bucket) => r.total)).toEqual([15, 20, 30, 40, 50]);
  });

  it('sums quarters and years to the sums of their months and marks incomplete ones', async () => {
    const months = (await get(`/api/open/v1/services/${ids.a}/counts?period=month`)).json<Answer>()
      .data as Bucket[];
    const quarters = (await get(`/api/open/v1/services/${ids.a}/counts?period=quarter`)).json<Answer>()
      .data as Bucket[];
    const years = (await get(`/api/open/v1/services/${ids.a}/counts?period=year`)).json<Answer>()
      .data as Bucket[];
    expect(sum(quarters)).toBe(sum(months));
    expect(sum(years)).toBe(sum(months));
    expect(quarters).toEqual([
      {
        ars: '000000000000',
        region: 'Deutschland',
        period: '2025-Q1',
        total: 65,
        months: 3,
        monthsInPeriod: 3,
        complete: true,
      },
      {
        ars: '000000000000',
        region: 'Deutschland',
        period: '2025-Q2',
        total: 90,
        months: 2,
        monthsInPeriod: 3,
        complete: false,
      },
    ]);
    expect(years).toMatchObject([
      { period: '2025', total: 155, months: 5, monthsInPeriod: 12, complete: false },
    ]);
    // A quarter cut by the range counts only its months inside.
    const cut = (
      await get(`/api/open/v1/services/${ids.a}/counts?period=quarter&from=2025-02&to=2025-04`)
    ).json<Answer>();
    expect(cut.data.map((r: Bucket) => [r.period, r.total, r.months])).toEqual([
      ['2025-Q1', 50, 2],
      ['2025-Q2', 40, 1],
    ]);
  });

  it('sums a Kreis service to the Länder and gives its Kreise, and refuses a level finer than delivered', async () => {
    const land = (await get(`/api/open/v1/services/${ids.k}/counts?level=land`)).json<Answer>();
    expect(land.data.map((r: Bucket & { ars: string }) => [r.ars, r.total])).toEqual([
      ['060000000000', 10],
      ['090000000000', 4],
    ]);
    const kreis = (await get(`/api/open/v1/services/${ids.k}/counts?level=kreis`)).json<Answer>();
    expect(kreis.data.map((r: Bucket & { ars: string }) => [r.ars, r.total])).toEqual([
      ['064110000000', 7],
      ['064120000000', 3],
      ['091620000000', 4],
    ]);
    const tooFine = await get(`/api/open/v1/services/${ids.a}/counts?level=kreis`);
    expect(tooFine.statusCode).toBe(400);
    expect(tooFine.json<Answer>().error.code).toBe('level_too_fine');
    expect(tooFine.json<Answer>().error.message).toContain('level');
    expect(tooFine.json<Answer>().error.message).toContain('„land“');
  });

  it('answers CSV and JSON-stat', async () => {
    const csv = await get(`/api/open/v1/services/${ids.a}/counts.csv?period=quarter`);
    const lines = csvLines(csv.rawPayload);
    expect(lines[0]).toEqual([
      'Onlinedienst-ID',
      'Regionalschlüssel',
      'Region',
      'Zeitraum',
      'Transaktionen',
      'Monate mit Daten',
      'Monate im Zeitraum',
      'Vollständig',
    ]);
    expect(lines[2]).toEqual([
      String(ids.a),
      '000000000000',
      'Deutschland',
      '2025-Q2',
      '90',
      '2',
      '3',
      'nein',
    ]);
    const stat = (
      await get(`/api/open/v1/services/${ids.k}/counts?format=jsonstat&level=land&period=quarter`)
    ).json<Answer>();
    expect(stat).toMatchObject({
      version: '2.0',
      class: 'dataset',
      id: ['time', 'geo', 'metric'],
      size: [1, 2, 1],
      role: { time: ['time'], geo: ['geo'], metric: ['metric'] },
      value: [10, 4],
      status: { '0': 'u', '1': 'u' },
    });
    expect(stat.dimension.geo.category.label['060000000000']).toBe('Hessen');
  });

  it('knows neither unpublished nor unknown services', async () => {
    for (const id of [ids.u, 999999]) {
      const res = await get(`/api/open/v1/services/${id}/counts`);
      expect(res.statusCode).toBe(404);
      expect(res.json<Answer>().error.code).toBe('not_found');
      expect(res.body).not.toContain('Geheimdienst');
    }
    expect((await get(`/api/open/v1/services/${ids.u}/counts`, { cookie: viewer.cookie })).statusCode).toBe(
      200,
    );
  });
});

describe('GET /api/open/v1/aggregates', () => {
  const totals = async (query: string, headers: Record<string, string> = {}) => {
    const res = await get(`/api/open/v1/aggregates?from=2025-01&to=2025-05&${query}`, headers);
    expect(res.statusCode, res.body).toBe(200);
    return Object.fromEntries(
      (res.json<Answer>().data as { key: string; total: number }[]).map((r) => [r.key, r.total]),
    );
  };

  it('sums per group without the unpublished service, from the group roll-up and the per-service rows', async () => {
    expect(await totals('by=typ')).toEqual({ '1': 155, '2/3': 14 });
    expect(await totals('by=land')).toEqual({ '06': 160, '09': 9 });
    expect(await totals('by=fokus')).toEqual({ ja: 155, nein: 14 });
    expect(await totals('by=authority')).toEqual({ [String(ids.authority)]: 155, '': 14 });
    expect(await totals('by=portal')).toEqual({ [String(ids.portal)]: 155, '': 14 });
    expect(await totals('by=ozg')).toEqual({ o1: 155, '': 14 });
    expect(await totals('by=themenfeld')).toEqual({ T1: 155, '': 14 });
    expect(await totals('by=leika')).toEqual({ [LEIKA]: 155, '': 14 });
    expect(await totals('by=service')).toEqual({ [String(ids.a)]: 155, [String(ids.k)]: 14 });
  });

  it('includes the unpublished service for signed-in people', async () => {
    expect(await totals('by=typ', { cookie: viewer.cookie })).toEqual({ '1': 1155, '2/3': 14 });
    expect(await totals('by=land&filter=typ:1', { cookie: viewer.cookie })).toEqual({ '06': 1150, '09': 5 });
  });

  it('filters by service attributes and Länder', async () => {
    expect(await totals('by=land&filter=typ:1')).toEqual({ '06': 150, '09': 5 });
    expect(await totals('by=typ&filter=land:06')).toEqual({ '1': 150, '2/3': 10 });
    expect(await totals('by=typ&filter=land:06|09,fokus:nein')).toEqual({ '2/3': 14 });
    expect(await totals(`by=land&filter=portal:${ids.portal},leika:${LEIKA},ozg:o1,themenfeld:T1`)).toEqual({
      '06': 150,
      '09': 5,
    });
  });

  it('gives quarters and years summing to their months, with labels', async () => {
    const res = await get('/api/open/v1/aggregates?by=typ&from=2025-01&to=2025-05&period=quarter');
    const body = res.json<Answer>();
    expect(body.data).toEqual([
      {
        key: '1',
        label: expect.any(String) as unknown,
        period: '2025-Q1',
        total: 65,
        months: 3,
        monthsInPeriod: 3,
        complete: true,
      },
      {
        key: '1',
        label: expect.any(String) as unknown,
        period: '2025-Q2',
        total: 90,
        months: 2,
        monthsInPeriod: 3,
        complete: false,
      },
      {
        key: '2/3',
        label: expect.any(String) as unknown,
        period: '2025-Q1',
        total: 14,
        months: 1,
        monthsInPeriod: 3,
        complete: false,
      },
      {
        key: '2/3',
        label: expect.any(String) as unknown,
        period: '2025-Q2',
        total: null,
        months: 0,
        monthsInPeriod: 3,
        complete: false,
      },
    ]);
    const monthly = (
      await get('/api/open/v1/aggregates?by=typ&from=2025-01&to=2025-05&period=month')
    ).json<Answer>();
    const yearly = (
      await get('/api/open/v1/aggregates?by=typ&from=2025-01&to=2025-05&period=year')
    ).json<Answer>();
    expect(sum(body.data)).toBe(sum(monthly.data));
    expect(sum(yearly.data)).toBe(sum(monthly.data));
    const byLand = (await get('/api/open/v1/aggregates?by=land&from=2025-01&to=2025-05')).json<Answer>();
    expect(byLand.data.find((r: { key: string }) => r.key === '06')?.label).toBe('Hessen');
  });

  it('answers CSV and JSON-stat', async () => {
    const csv = await get('/api/open/v1/aggregates.csv?by=typ&from=2025-01&to=2025-05');
    const lines = csvLines(csv.rawPayload);
    expect(lines[0]!.slice(0, 4)).toEqual(['Gruppierung', 'Schlüssel', 'Bezeichnung', 'Zeitraum']);
    expect(lines[1]!.slice(0, 2)).toEqual(['typ', '1']);
    expect(lines[1]![4]).toBe('155');
    const stat = (
      await get('/api/open/v1/aggregates?by=land&from=2025-01&to=2025-05&period=year&format=jsonstat')
    ).json<Answer>();
    expect(stat).toMatchObject({
      class: 'dataset',
      id: ['time', 'land', 'metric'],
      size: [1, 2, 1],
      role: { time: ['time'], geo: ['land'], metric: ['metric'] },
      value: [160, 9],
    });
  });
});

describe('conditional requests, CORS and bad input', () => {
  it('answers 304 on If-None-Match and If-Modified-Since until the data change', async () => {
    const url = '/api/open/v1/aggregates?by=typ&from=2025-01&to=2025-05';
    const first = await get(url);
    const etag = first.headers.etag as string;
    const lastModified = first.headers['last-modified'] as string;
    expect(etag).toMatch(/^"/);
    const byTag = await get(url, { 'if-none-match': etag });
    expect(byTag.statusCode).toBe(304);
    expect(byTag.body).toBe('');
    expect(byTag.headers.etag).toBe(etag);
    expect(byTag.headers['access-control-allow-origin']).toBe('*');
    expect((await get(url, { 'if-modified-since': lastModified })).statusCode).toBe(304);
    // Another representation of the same address has its own tag.
    expect((await get(url, { 'if-none-match': etag, accept: 'text/csv' })).statusCode).toBe(200);
    await deliver(ids.k, [{ month: '2025-02', ars: '064110000000', count: 1 }]);
    const after = await get(url, { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    await deliver(ids.k, [{ month: '2025-02', ars: '064110000000', count: 0 }]);
  });

  it('answers a current 304 in the HTTP server, before Fastify, only for the address it was issued for', async () => {
    // Over a socket: the early answer sits in the server (serverAnsweringFirst), which inject passes by.
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const fetchFrom = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { headers: { accept: 'application/json', ...headers } });
    const url = '/api/open/v1/aggregates?by=land&from=2025-01&to=2025-03';
    const first = await fetchFrom(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-remaining')).not.toBeNull();
    const etag = first.headers.get('etag') ?? '';
    const fast = await fetchFrom(url, { 'if-none-match': etag });
    expect(fast.status).toBe(304);
    // The same headers as the answer itself: validators, caching, CORS, security headers.
    for (const name of [
      'etag',
      'last-modified',
      'cache-control',
      'access-control-allow-origin',
      'access-control-expose-headers',
      'cross-origin-resource-policy',
      'vary',
      'content-security-policy',
      'x-content-type-options',
      'referrer-policy',
    ])
      expect(fast.headers.get(name), name).toBe(first.headers.get(name));
    // Answered before the rate limit, which counts the route's answers only.
    expect(fast.headers.get('x-ratelimit-remaining')).toBeNull();
    expect(fast.headers.get('strict-transport-security')).toBeNull();
    // The tag names data, not an address: an address the API refuses is refused with it too, again
    // and again (it is never remembered), whether its schema or its meaning is wrong.
    for (const refused of [
      ['/api/open/v1/aggregates?by=nichts', 400],
      ['/api/open/v1/aggregates?from=2025-13', 400],
      [`/api/open/v1/aggregates?filter=service:${ids.u}`, 400],
      ['/api/open/v1/services/999999/counts', 404],
      [`/api/open/v1/services/${ids.u}/counts`, 404],
    ] as const)
      for (let i = 0; i < 2; i++)
        expect((await fetchFrom(refused[0], { 'if-none-match': etag })).status, refused[0]).toBe(refused[1]);
    // Another representation, a stale tag and a signed-in visitor go to the route.
    const csv = await fetchFrom(url, { 'if-none-match': etag, accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect((await fetchFrom(url, { 'if-none-match': '"alt"' })).status).toBe(200);
    const signedIn = await fetchFrom(url, { 'if-none-match': etag, cookie: viewer.cookie });
    expect(signedIn.headers.get('x-ratelimit-remaining')).not.toBeNull();
    // A new data version ends it at once.
    await deliver(ids.k, [{ month: '2025-02', ars: '064110000000', count: 2 }]);
    expect((await fetchFrom(url, { 'if-none-match': etag })).status).toBe(200);
    await deliver(ids.k, [{ month: '2025-02', ars: '064110000000', count: 0 }]);
  });

  it('answers the CORS preflight', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/open/v1/aggregates',
      headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain('GET');
  });

  it.each([
    ['/api/open/v1/services?foo=1', 'foo'],
    ['/api/open/v1/services?pageSize=1001', 'pageSize'],
    ['/api/open/v1/services?page=0', 'page'],
    ['/api/open/v1/aggregates?from=2025-13', 'from'],
    ['/api/open/v1/aggregates?to=2025-1', 'to'],
    ['/api/open/v1/aggregates?from=2025-05&to=2025-01', 'from'],
    ['/api/open/v1/aggregates?by=nation', 'by'],
    ['/api/open/v1/aggregates?period=week', 'period'],
    ['/api/open/v1/aggregates?filter=farbe:rot', 'filter'],
    ['/api/open/v1/aggregates?filter=typ:7', 'filter'],
    ['/api/open/v1/aggregates?filter=land:6', 'filter'],
    ['/api/open/v1/aggregates?filter=service:999999', 'filter'],
    ['/api/open/v1/aggregates?pageSize=5000', 'pageSize'],
    ['/api/open/v1/aggregates.csv?format=jsonstat', 'format'],
    ['/api/open/v1/services/1/counts?level=stadt', 'level'],
    ['/api/open/v1/services/1/counts?from=2999-01', 'from'],
    ['/api/open/v1/services/1/counts?from=2025-01&from=2025-02', 'from'],
  ])('refuses %s with a 400 naming %s', async (url, parameter) => {
    const res = await get(url);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json<Answer>().error.message).toContain(parameter);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('hides an unpublished service from a filter too', async () => {
    const res = await get(`/api/open/v1/aggregates?filter=service:${ids.u}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('Geheimdienst');
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After over the limit per client address', async () => {
    const limited = await createTestApp({ openData: { ...loadConfig({}).openData, rateLimit: 3 } });
    try {
      const statuses: number[] = [];
      let last = await limited.app.inject({ method: 'GET', url: '/api/open/v1/services' });
      statuses.push(last.statusCode);
      for (let i = 1; i < 4; i++) {
        last = await limited.app.inject({ method: 'GET', url: '/api/open/v1/services' });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      expect(last.json<Answer>().error.code).toBe('rate_limited');
      expect(last.headers['access-control-allow-origin']).toBe('*');
    } finally {
      await limited.close();
    }
  });
});
