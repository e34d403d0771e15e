import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { createTestApp, testConfig, type TestApp } from '../../helpers/app.js';
import { signIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';

const LEIKA_A = '99001001000000';
const LEIKA_B = '99001002000000';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ openData: { ...testConfig().openData, quietSeconds: 3600 } });
  const db = t.db.kysely;
  await db
    .insertInto('leika_services')
    .values([
      { key: LEIKA_A, name: 'Leistung A', typisierung: '2/3' },
      { key: LEIKA_B, name: 'Leistung B', typisierung: '2/3' },
    ])
    .execute();
  await db
    .insertInto('ozg_services')
    .values([
      { id: '100', name: 'OZG Eins', themenfeld: 'Arbeit', lebenslage: null },
      { id: '200', name: 'OZG Zwei', themenfeld: 'Arbeit', lebenslage: null },
    ])
    .execute();
  await db
    .insertInto('ozg_service_leika')
    .values([
      { ozg_id: '100', leika_key: LEIKA_A },
      { ozg_id: '200', leika_key: LEIKA_A },
    ])
    .execute();
  const one = await createService(db);
  const two = await createService(db);
  const hidden = await createService(db);
  await db
    .insertInto('online_service_leika')
    .values([
      { service_id: one, leika_key: LEIKA_A },
      { service_id: one, leika_key: LEIKA_B },
      { service_id: two, leika_key: LEIKA_A },
      { service_id: hidden, leika_key: LEIKA_A },
    ])
    .execute();
  await db.updateTable('online_services').set({ published: false }).where('id', '=', hidden).execute();
  const deliver = (serviceId: number, rows: { month: string; ars: string; count: number }[]) =>
    ingestDelivery(db, { channel: 'api', actor: SYSTEM_ACTOR, target: { kind: 'service', serviceId }, rows });
  await deliver(one, [
    { month: '2025-01', ars: '060000000000', count: 10 },
    { month: '2025-02', ars: '060000000000', count: 11 },
    { month: '2025-02', ars: '090000000000', count: 3 },
  ]);
  await deliver(two, [{ month: '2025-02', ars: '060000000000', count: 5 }]);
  await deliver(hidden, [{ month: '2025-02', ars: '060000000000', count: 1000 }]);
  await t.app.openData.regenerate();
});
afterAll(async () => {
  await t?.close();
});

const ALL = [
  {
    leika_key: LEIKA_A,
    ozgid: '100,200',
    ars: '060000000000',
    bundesland: 'Hessen',
    monat: '2025-01',
    transaktionen: 10,
  },
  {
    leika_key: LEIKA_B,
    ozgid: '',
    ars: '060000000000',
    bundesland: 'Hessen',
    monat: '2025-01',
    transaktionen: 10,
  },
  // Two published services carry LEIKA_A in Hessen: 11 + 5; the unpublished one's 1000 is not in the sum.
  {
    leika_key: LEIKA_A,
    ozgid: '100,200',
    ars: '060000000000',
    bundesland: 'Hessen',
    monat: '2025-02',
    transaktionen: 16,
  },
  {
    leika_key: LEIKA_A,
    ozgid: '100,200',
    ars: '090000000000',
    bundesland: 'Bayern',
    monat: '2025-02',
    transaktionen: 3,
  },
  {
    leika_key: LEIKA_B,
    ozgid: '',
    ars: '060000000000',
    bundesland: 'Hessen',
    monat: '2025-02',
    transaktionen: 11,
  },
  {
    leika_key: LEIKA_B,
    ozgid: '',
    ars: '090000000000',
    bundesland: 'Bayern',
    monat: '2025-02',
    transaktionen: 3,
  },
];

describe('Dashboard Digitale Verwaltung export', () => {
  it('answers JSON per LeiKa key, ARS and month with the Dashboard field names, published services only', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/opendata/dashboard.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json<{
      lizenz: string;
      namensnennung: string;
      from: string;
      to: string;
      daten: unknown[];
    }>();
    expect(body).toMatchObject({
      lizenz: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
      namensnennung: testConfig().openData.attribution,
      from: '2025-01',
      to: '2025-02',
    });
    expect(body.daten).toEqual(ALL);
  });

  it('answers the same as CSV and limits the period with from and to', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/opendata/dashboard.csv?from=2025-02&to=2025-02' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body.startsWith('\uFEFFleika_key;ozgid;ars;bundesland;monat;transaktionen\r\n')).toBe(true);
    const rows = parse<Record<string, string>>(res.body, { delimiter: ';', bom: true, columns: true });
    expect(rows).toEqual(
      ALL.filter((r) => r.monat === '2025-02').map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])),
      ),
    );
  });

  it('refuses bad parameters with 400 and a message naming the parameter', async () => {
    for (const [query, field, code] of [
      ['from=2025-13', 'from', 'month_invalid'],
      ['to=01/2025', 'to', 'month_format'],
      ['from=2025-03&to=2025-01', 'from', 'period_reversed'],
      ['seite=2', 'seite', 'unknown_parameter'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/opendata/dashboard.json?${query}` });
      expect(res.statusCode, query).toBe(400);
      const body = res.json<{
        error: { code: string; message: string; details: { field: string; code: string }[] };
      }>();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.message).toContain(field);
      expect(body.error.details).toContainEqual(expect.objectContaining({ field, code }));
    }
  });

  it('answers 304 to a client that has the current version', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/opendata/dashboard.csv' });
    const again = await t.app.inject({
      method: 'GET',
      url: '/opendata/dashboard.csv',
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
  });
});

describe('/opendata page', () => {
  it('lists the downloads with size, licence, attribution and the data dictionary for anonymous visitors', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/opendata' });
    expect(res.statusCode).toBe(200);
    for (const text of [
      'href="/opendata/zsk-transaktionen.csv.gz"',
      'href="/opendata/zsk-transaktionen-2025.csv.gz"',
      'href="/opendata/zsk-onlinedienste.xlsx"',
      'Datenlizenz Deutschland – Namensnennung – Version 2.0',
      testConfig().openData.attribution,
      'href="/dcat/catalog.ttl"',
      'href="/api/docs"',
      'transaktionen_gesamt',
      'leika_key',
    ]) {
      expect(res.body).toContain(text);
    }
    expect(res.body).toMatch(/\d+(,\d)? (Byte|KiB)/);
  });
});

describe('with the public part off (ZSK_PUBLIC=0)', () => {
  it('needs a sign-in for the downloads, the export and the catalogue', async () => {
    const closed = await createTestApp({
      publicData: false,
      openData: { ...testConfig().openData, quietSeconds: 3600 },
    });
    try {
      for (const url of [
        '/opendata',
        '/opendata/zsk-onlinedienste.csv',
        '/opendata/dashboard.json',
        '/dcat/catalog.ttl',
      ]) {
        const res = await closed.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
        expect(res.statusCode, url).toBe(303);
      }
      const viewer = await signIn(closed, { name: 'Vera Viewer' });
      const res = await closed.app.inject({
        method: 'GET',
        url: '/dcat/catalog.ttl',
        headers: { cookie: viewer.cookie },
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await closed.close();
    }
  });
});
