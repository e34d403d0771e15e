import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { deleteCounts, lockServices } from '../../../src/db/rollups/index.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import {
  listPortalReport,
  listServiceReport,
  listServiceReportPage,
} from '../../../src/features/reports/queries.js';
import { PORTAL_TABLE, SERVICE_TABLE, sortRows, sourceName } from '../../../src/features/reports/report.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { ENGINE } from '../../helpers/db.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';

const NOW = new Date('2024-11-20T10:00:00Z');
let t: TestApp;
let viewer: SignedIn;
const ids = { s1: 0, s2: 0, s3: 0, s4: 0, s5: 0 };

async function deliver(serviceId: number, rows: [string, string, number][]) {
  const summary = await ingestDelivery(t.db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows: rows.map(([month, ars, count]) => ({ month, ars, count })),
    now: NOW,
  });
  expect(summary.status).toBe('accepted');
}

/*
 * Hand-made data, every figure below computed by hand:
 *   Alpha-Portal    S1 (Land) 2024-01..03: 150 + 200 + 0 = 350; S2 (Kreis) 2024-02, 2024-05: 1.000 + 1.252.473
 *   Ästhetik-Portal S2 only (a service in two portals counts in both)
 *   Leeres Portal   no services
 *   Behörde B       S3 (bund) 2023-12: 7, 2024-04: 3; S4 (bund) 2024-01: 5 — no portal: Einzelanbindung
 *   no authority    S5 (Land) never delivered — no portal: Einzelanbindung
 */
beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  const db = t.db.kysely;
  const authority = await db
    .insertInto('authorities')
    .values({ name: 'Behörde B', land: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const alpha = await db
    .insertInto('authorities')
    .values({ name: 'Amt Alpha', land: '06' })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids.s1 = await createService(db, { name: 'S1 Landesdienst', granularity: 'land' });
  ids.s2 = await createService(db, { name: 'S2 Kreisdienst', granularity: 'kreis' });
  ids.s3 = await createService(db, { name: 'S3 Bundesdienst', granularity: 'bund' });
  ids.s4 = await createService(db, { name: 'S4 Bundesdienst', granularity: 'bund' });
  ids.s5 = await createService(db, { name: 'S5 ohne Daten', granularity: 'land' });
  await db.updateTable('online_services').set({ authority_id: alpha.id }).where('id', '=', ids.s1).execute();
  await db
    .updateTable('online_services')
    .set({ authority_id: authority.id })
    .where('id', 'in', [ids.s3, ids.s4])
    .execute();
  await createPortal(db, [ids.s1, ids.s2], 'Alpha-Portal');
  await createPortal(db, [ids.s2], 'Ästhetik-Portal');
  await createPortal(db, [], 'Leeres Portal');
  await deliver(ids.s1, [
    ['2024-01', '060000000000', 100],
    ['2024-01', '090000000000', 50],
    ['2024-02', '060000000000', 200],
    ['2024-03', '060000000000', 0],
  ]);
  await deliver(ids.s2, [
    ['2024-02', '064110000000', 1000],
    ['2024-05', '064110000000', 1_252_473],
  ]);
  await deliver(ids.s3, [
    ['2023-12', '000000000000', 7],
    ['2024-04', '000000000000', 3],
  ]);
  await deliver(ids.s4, [['2024-01', '000000000000', 5]]);
});
afterAll(async () => {
  await t?.close();
});

const ALL = { from: null, to: null };

describe('report per portal and data source', () => {
  it('gives the known answers over all months', async () => {
    const rows = sortRows(PORTAL_TABLE, await listPortalReport(t.db.kysely, ALL), 'source', 'asc');
    expect(
      rows.map((r) => [
        sourceName(r),
        r.services,
        r.firstMonth,
        r.lastMonth,
        r.granularities,
        r.transactions,
      ]),
    ).toEqual([
      ['Alpha-Portal', 2, '2024-01', '2024-05', ['land', 'kreis'], 1_253_823],
      // German collation: Ä sorts with A, not after Z as in the database's C collation.
      ['Ästhetik-Portal', 1, '2024-02', '2024-05', ['kreis'], 1_253_473],
      ['Einzelanbindung: Behörde B', 2, '2023-12', '2024-04', ['bund'], 15],
      ['Einzelanbindung: ohne Behörde', 1, null, null, ['land'], 0],
      ['Leeres Portal', 0, null, null, [], 0],
    ]);
  });

  it('restricts every figure to the period, with open ends', async () => {
    const rows = await listPortalReport(t.db.kysely, { from: '2024-02', to: '2024-04' });
    const by = new Map(rows.map((r) => [sourceName(r), r]));
    expect(by.get('Alpha-Portal')).toMatchObject({
      services: 2,
      firstMonth: '2024-02',
      lastMonth: '2024-03',
      transactions: 1200,
    });
    expect(by.get('Einzelanbindung: Behörde B')).toMatchObject({
      services: 2,
      firstMonth: '2024-04',
      lastMonth: '2024-04',
      transactions: 3,
    });
    const fromOnly = await listPortalReport(t.db.kysely, { from: '2024-05', to: null });
    expect(fromOnly.find((r) => r.name === 'Alpha-Portal')).toMatchObject({
      firstMonth: '2024-05',
      transactions: 1_252_473,
    });
  });

  it('sorts by every column, rows without data last in both directions', async () => {
    const rows = await listPortalReport(t.db.kysely, ALL);
    const names = (key: string, dir: 'asc' | 'desc') =>
      sortRows(PORTAL_TABLE, rows, key, dir).map(sourceName);
    expect(names('transactions', 'desc')).toEqual([
      'Alpha-Portal',
      'Ästhetik-Portal',
      'Einzelanbindung: Behörde B',
      'Einzelanbindung: ohne Behörde',
      'Leeres Portal',
    ]);
    expect(names('first', 'asc')).toEqual([
      'Einzelanbindung: Behörde B',
      'Alpha-Portal',
      'Ästhetik-Portal',
      'Einzelanbindung: ohne Behörde',
      'Leeres Portal',
    ]);
    expect(names('first', 'desc').slice(0, 3)).toEqual([
      'Ästhetik-Portal',
      'Alpha-Portal',
      'Einzelanbindung: Behörde B',
    ]);
    expect(names('services', 'asc')[0]).toBe('Leeres Portal');
    expect(names('kind', 'desc').slice(0, 3)).toEqual(['Alpha-Portal', 'Ästhetik-Portal', 'Leeres Portal']);
    // Sorted granularity lists compare coarsest first: bund < land < land+kreis < kreis.
    expect(names('granularity', 'asc')).toEqual([
      'Einzelanbindung: Behörde B',
      'Einzelanbindung: ohne Behörde',
      'Alpha-Portal',
      'Ästhetik-Portal',
      'Leeres Portal',
    ]);
    for (const c of PORTAL_TABLE.columns) expect(sortRows(PORTAL_TABLE, rows, c.key, 'desc')).toHaveLength(5);
  });
});

describe('report per online service', () => {
  it('gives the known answers', async () => {
    const rows = sortRows(SERVICE_TABLE, await listServiceReport(t.db.kysely, ALL), 'service', 'asc');
    expect(
      rows.map((r) => [
        r.name,
        r.authority,
        r.portals,
        r.granularity,
        r.firstMonth,
        r.lastMonth,
        r.transactions,
      ]),
    ).toEqual([
      ['S1 Landesdienst', 'Amt Alpha', ['Alpha-Portal'], 'land', '2024-01', '2024-03', 350],
      ['S2 Kreisdienst', null, ['Alpha-Portal', 'Ästhetik-Portal'], 'kreis', '2024-02', '2024-05', 1_253_473],
      ['S3 Bundesdienst', 'Behörde B', [], 'bund', '2023-12', '2024-04', 10],
      ['S4 Bundesdienst', 'Behörde B', [], 'bund', '2024-01', '2024-01', 5],
      ['S5 ohne Daten', null, [], 'land', null, null, 0],
    ]);
    const period = await listServiceReport(t.db.kysely, { from: '2024-02', to: '2024-04' });
    expect(period.find((r) => r.id === ids.s4)).toMatchObject({ firstMonth: null, transactions: 0 });
    expect(period.find((r) => r.id === ids.s1)).toMatchObject({ monthsDelivered: 2, transactions: 200 });
  });
});

describe('GET /berichte', () => {
  it('renders the portal table in German, sorted by transactions, with aria-sort and sort links', async () => {
    const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url: '/berichte' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/berichte" aria-current="page">Berichte</a>');
    expect(res.body).toContain('1.253.823');
    expect(res.body.indexOf('Alpha-Portal')).toBeLessThan(res.body.indexOf('Leeres Portal'));
    const sorted = [...res.body.matchAll(/<th[^>]*aria-sort="(\w+)"[^>]*>(.*?)<\/th>/g)];
    expect(sorted).toHaveLength(1);
    expect(sorted[0]![1]).toBe('descending');
    expect(sorted[0]![2]).toContain('href="/berichte?sortierung=transactions&amp;richtung=asc"');
    expect(res.body).toContain('href="/berichte?sortierung=source&amp;richtung=asc"');
    expect(res.body).toContain('je Land, je Kreis');
  });

  it('offers every month and each calendar year with data as one-click periods', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte/dienste?von=2024-01&bis=2024-12&sortierung=service&richtung=asc',
    });
    expect(res.statusCode).toBe(200);
    const nav = res.body.slice(res.body.indexOf('aria-labelledby="zeitraum-schnell"'));
    const links = [...nav.slice(0, nav.indexOf('</nav>')).matchAll(/<a href="([^"]+)"([^>]*)>([^<]+)<\/a>/g)];
    expect(links.map((l) => [l[3], l[1]!.replaceAll('&amp;', '&'), l[2]!.includes('aria-current')])).toEqual([
      ['Alle Monate', '/berichte/dienste?sortierung=service&richtung=asc', false],
      ['2024', '/berichte/dienste?von=2024-01&bis=2024-12&sortierung=service&richtung=asc', true],
      ['2023', '/berichte/dienste?von=2023-01&bis=2023-12&sortierung=service&richtung=asc', false],
    ]);
  });

  // The German names (von, bis, sortierung, richtung) and the former ones (from, to, sort, dir) read
  // alike; the links the page writes carry only the German names.
  it.each([
    ['German', '/berichte?von=2024-02&bis=2024-04&sortierung=source&richtung=desc'],
    ['former', '/berichte?from=2024-02&to=2024-04&sort=source&dir=desc'],
  ])('sorts from the query string (%s names) and keeps the period in every link', async (_names, url) => {
    const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url });
    expect(res.statusCode).toBe(200);
    expect(res.body.indexOf('Leeres Portal')).toBeLessThan(res.body.indexOf('Alpha-Portal'));
    expect(res.body).toMatch(
      /aria-sort="descending"[^>]*><a class="zsk-sort" href="\/berichte\?von=2024-02&amp;bis=2024-04&amp;sortierung=source&amp;richtung=asc"/,
    );
    expect(res.body).toContain(
      'href="/berichte/portale.csv?von=2024-02&amp;bis=2024-04&amp;sortierung=source&amp;richtung=desc"',
    );
    expect(res.body).toContain('02/2024 bis 04/2024');
    expect(res.body).toContain('1.200');
    expect(res.body).not.toMatch(/[?&;](from|to|sort|dir)=/);
  });

  it('prefers the German name when a link carries both', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte?von=2024-02&from=2023-01&bis=2024-04&to=2023-12',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('02/2024 bis 04/2024');
  });

  it('treats empty form fields as absent', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte?von=&bis=&sortierung=transactions&richtung=desc',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('alle gelieferten Monate');
  });

  it('answers 400 with every problem named on the page', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte/dienste?von=2024-13&sortierung=color&richtung=up',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain('Zeitraum von: Monat &quot;2024-13&quot; gibt es nicht');
    expect(res.body).toContain('Nach „color“ kann nicht sortiert werden');
    const reversed = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte?from=2024-05&to=2024-01',
    });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.body).toContain('Der Zeitraum beginnt (05/2024) nach seinem Ende (01/2024).');
  });

  it('renders the service table with links to the service pages', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte/dienste?sort=service&dir=asc',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="/dienste/${ids.s2}">S2 Kreisdienst</a>`);
    expect(res.body).toContain('Alpha-Portal, Ästhetik-Portal');
    expect(res.body).toContain('Einzelanbindung (kein Portal)');
    expect(res.body).toContain(
      '5 Onlinedienste, davon 4 mit Daten im Zeitraum; 1.253.838 Transaktionen insgesamt.',
    );
  });
});

describe('exports', () => {
  it('sends CSV with BOM, semicolons, German headers, CRLF and plain digits', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte/portale.csv?sort=source&dir=asc',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="zsk-bericht-portale-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const bytes = res.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(
      'Portal / Datenquelle;Art der Anbindung;Anzahl Onlinedienste;Daten von;Daten bis;Granularität;Anzahl Transaktionen\r\n' +
        'Alpha-Portal;Portal;2;01/2024;05/2024;je Land, je Kreis;1253823\r\n' +
        'Ästhetik-Portal;Portal;1;02/2024;05/2024;je Kreis;1253473\r\n' +
        'Einzelanbindung: Behörde B;Einzelanbindung;2;12/2023;04/2024;bundesweit;15\r\n' +
        'Einzelanbindung: ohne Behörde;Einzelanbindung;1;–;–;je Land;0\r\n' +
        'Leeres Portal;Portal;0;–;–;–;0\r\n',
    );
  });

  it('names the period in the file name and keeps the sort order', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte/dienste.csv?from=2024-02&to=2024-04&sort=transactions&dir=asc',
    });
    expect(res.headers['content-disposition']).toMatch(
      /filename="zsk-bericht-dienste-2024-02-bis-2024-04-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const lines = res.rawPayload.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).toBe(
      'Onlinedienst;Behörde;Portal / Datenquelle;Daten von;Daten bis;Granularität;Anzahl Transaktionen',
    );
    // No data in the period is 0 transactions; equal values keep the name order.
    expect(lines.slice(1).map((l) => l.split(';')[0])).toEqual([
      'S4 Bundesdienst',
      'S5 ohne Daten',
      'S3 Bundesdienst',
      'S1 Landesdienst',
      'S2 Kreisdienst',
    ]);
    // No data in the period: „–“ for von, bis and granularity, as the federal report tables print it.
    expect(lines[1]).toBe('S4 Bundesdienst;Behörde B;Einzelanbindung (kein Portal);–;–;–;0');
    expect(lines[5]).toBe('S2 Kreisdienst;;Alpha-Portal, Ästhetik-Portal;02/2024;02/2024;je Kreis;1000');
  });

  it('defuses names a spreadsheet would run as a formula', async () => {
    const id = await createService(t.db.kysely, { name: '=HYPERLINK("http://x")', granularity: 'bund' });
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte/dienste.csv?sort=service&dir=asc',
    });
    expect(res.rawPayload.toString('utf8')).toContain(`"'=HYPERLINK(""http://x"")"`);
    await t.db.kysely.deleteFrom('online_services').where('id', '=', id).execute();
  });

  it('sends XLSX with number cells, a bold frozen header row and German headers', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte/portale.xlsx?sort=transactions&dir=desc',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toMatch(
      /filename="zsk-bericht-portale-\d{4}-\d{2}-\d{2}\.xlsx"/,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Portale')!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'Portal / Datenquelle',
      'Art der Anbindung',
      'Anzahl Onlinedienste',
      'Daten von',
      'Daten bis',
      'Granularität',
      'Anzahl Transaktionen',
    ]);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.rowCount).toBe(6);
    const first = sheet.getRow(2);
    expect(first.getCell(1).value).toBe('Alpha-Portal');
    expect(first.getCell(7).value).toBe(1_253_823);
    expect(first.getCell(7).numFmt).toBe('#,##0');
    expect(first.getCell(3).value).toBe(2);
    // A date cell shown as MM/YYYY: Excel sorts and filters it as a date, not as text.
    expect(first.getCell(4).value).toEqual(new Date(Date.UTC(2024, 0, 1)));
    expect(first.getCell(4).numFmt).toBe('mm/yyyy');
  });

  it('answers 400 in the JSON error shape for an invalid query', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/berichte/dienste.xlsx?sort=nope',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: { code: 'report_query_invalid', details: [{ code: 'sort_unknown' }] },
    });
  });
});

/** Retracts one stored count, as the API's DELETE does. */
async function retract(serviceId: number, month: string, ars: string) {
  await t.db.kysely.transaction().execute(async (trx) => {
    await lockServices(trx, [serviceId]);
    await deleteCounts(trx, [{ serviceId, month: `${month}-01`, ars }], null, SYSTEM_ACTOR);
  });
}

/** The report per service over the period gives per service what rollup_service_month sums to. */
async function expectSumsOfMonths(period: { from: string | null; to: string | null }) {
  const reference = await sql<{ id: number; figures: string }>`
    SELECT s.id, concat_ws(' ', to_char(min(m.month), 'YYYY-MM'), to_char(max(m.month), 'YYYY-MM'),
                           count(m.month), coalesce(sum(m.total), 0)) AS figures
    FROM online_services s
    LEFT JOIN rollup_service_month m ON m.service_id = s.id
      AND m.month >= ${`${period.from ?? '0001-01'}-01`}::date AND m.month <= ${`${period.to ?? '9999-12'}-01`}::date
    GROUP BY s.id ORDER BY s.id`.execute(t.db.kysely);
  const rows = (await listServiceReport(t.db.kysely, period)).sort((a, b) => a.id - b.id);
  expect(
    rows.map((r) => ({
      id: r.id,
      figures: [r.firstMonth, r.lastMonth, r.monthsDelivered, r.transactions]
        .filter((v) => v !== null)
        .join(' '),
    })),
    JSON.stringify(period),
  ).toEqual(reference.rows);
}

describe('report per service, paged in the database', () => {
  const all = { from: null, to: null };
  for (const column of SERVICE_TABLE.columns) {
    for (const dir of ['asc', 'desc'] as const) {
      it(`orders by ${column.key} ${dir} as the exports do`, async () => {
        const exported = sortRows(SERVICE_TABLE, await listServiceReport(t.db.kysely, all), column.key, dir);
        const page = await listServiceReportPage(t.db.kysely, all, column.key, dir, {
          size: 100,
          number: 1,
        });
        expect(page.rows.map((r) => r.name)).toEqual(exported.map((r) => r.name));
        const second = await listServiceReportPage(t.db.kysely, all, column.key, dir, {
          size: 2,
          number: 2,
        });
        expect(second.rows.map((r) => r.name)).toEqual(exported.slice(2, 4).map((r) => r.name));
        const last = await listServiceReportPage(t.db.kysely, all, column.key, dir, { size: 3, number: 2 });
        expect(last.rows.map((r) => r.name)).toEqual(exported.slice(3, 5).map((r) => r.name));
      });
    }
  }

  // One calendar year (per-year summary and its index), no whole year, a year with months before it,
  // and open ends: each path of servicePeriodSums and pageByTransactions.
  const periods = [
    { from: '2024-01', to: '2024-12' },
    { from: '2023-12', to: '2024-04' },
    { from: '2023-06', to: '2024-12' },
    { from: null, to: '2024-03' },
    { from: '2024-02', to: null },
  ];
  for (const period of periods) {
    it(`orders every column of ${period.from ?? 'Anfang'} to ${period.to ?? 'Ende'} as the exports do`, async () => {
      const exported = await listServiceReport(t.db.kysely, period);
      for (const column of SERVICE_TABLE.columns) {
        for (const dir of ['asc', 'desc'] as const) {
          const sorted = sortRows(SERVICE_TABLE, exported, column.key, dir).map((r) => r.name);
          const page = (size: number, number: number) =>
            listServiceReportPage(t.db.kysely, period, column.key, dir, { size, number });
          expect(
            (await page(100, 1)).rows.map((r) => r.name),
            `${column.key} ${dir}`,
          ).toEqual(sorted);
          expect(
            (await page(2, 2)).rows.map((r) => r.name),
            `${column.key} ${dir}`,
          ).toEqual(sorted.slice(2, 4));
        }
      }
    });
  }

  it('sums a period from the yearly and monthly roll-ups as from the months alone', async () => {
    for (const period of [
      ...periods,
      { from: '2024-01', to: '2024-01' },
      { from: '2022-01', to: '2022-12' },
    ]) {
      await expectSumsOfMonths(period);
      const sources = await sql<{ source: string; figures: string }>`
        SELECT src.kind || ':' || coalesce(src.source_id::text, '') AS source,
               concat_ws(' ', to_char(min(m.month), 'YYYY-MM'), to_char(max(m.month), 'YYYY-MM'),
                         coalesce(sum(m.total), 0)) AS figures
        FROM service_sources src
        LEFT JOIN rollup_service_month m ON m.service_id = src.service_id
          AND m.month >= ${`${period.from ?? '0001-01'}-01`}::date AND m.month <= ${`${period.to ?? '9999-12'}-01`}::date
        GROUP BY 1 ORDER BY 1`.execute(t.db.kysely);
      const report = await listPortalReport(t.db.kysely, period);
      expect(
        report
          .filter((r) => r.services > 0)
          .map((r) => ({
            source: `${r.kind}:${r.sourceId ?? ''}`,
            figures: [r.firstMonth, r.lastMonth, r.transactions].filter((v) => v !== null).join(' '),
          }))
          .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)),
        JSON.stringify(period),
      ).toEqual(sources.rows);
    }
  });

  it('gives the figures over all services, for all months and for a period', async () => {
    const page = await listServiceReportPage(t.db.kysely, all, 'service', 'asc', { size: 1, number: 1 });
    expect(page.figures).toEqual({ services: 5, withData: 4, transactions: 350 + 1_253_473 + 10 + 5 });
    const year = await listServiceReportPage(
      t.db.kysely,
      { from: '2024-02', to: '2024-04' },
      'service',
      'asc',
      {
        size: 1,
        number: 1,
      },
    );
    // S1 200 + 0, S2 1.000, S3 3; S4 has only 2024-01.
    expect(year.figures).toEqual({ services: 5, withData: 3, transactions: 1203 });
    // A calendar year counts from the per-year summary: S1, S2, S3 (2024-04) and S4; S3's 2023-12 is out.
    const calendar = await listServiceReportPage(
      t.db.kysely,
      { from: '2024-01', to: '2024-12' },
      'transactions',
      'desc',
      {
        size: 2,
        number: 1,
      },
    );
    expect(calendar.figures).toEqual({ services: 5, withData: 4, transactions: 350 + 1_253_473 + 3 + 5 });
    expect(calendar.rows.map((r) => [r.name, r.transactions])).toEqual([
      ['S2 Kreisdienst', 1_253_473],
      ['S1 Landesdienst', 350],
    ]);
  });

  it('answers a page number out of range with the last page and a wrong one with 400', async () => {
    const last = await t.app.inject({
      url: '/berichte/dienste?seite=99',
      headers: { cookie: viewer.cookie },
    });
    expect(last.statusCode).toBe(200);
    expect(last.body).toContain('S1 Landesdienst');
    const wrong = await t.app.inject({
      url: '/berichte/dienste?seite=zwei',
      headers: { cookie: viewer.cookie },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Ungültige Seitenzahl „zwei“');
  });
});

describe('report per source after a retraction', () => {
  it('gives no months for a source whose counts in the period were all retracted', async () => {
    await deliver(ids.s5, [['2024-06', '060000000000', 4]]);
    await retract(ids.s5, '2024-06', '060000000000');
    const rows = await listPortalReport(t.db.kysely, { from: '2024-06', to: '2024-06' });
    expect(rows.find((r) => r.kind === 'direct' && r.sourceId === null)).toMatchObject({
      services: 1,
      firstMonth: null,
      lastMonth: null,
      transactions: 0,
    });
  });
});

describe('sums over any period', () => {
  it('stay current through deliveries and retractions, and a question writes nothing', async () => {
    const a = { from: '2024-02', to: '2024-04' };
    const b = { from: '2024-01', to: '2024-03' };
    await expectSumsOfMonths(a);
    await expectSumsOfMonths(b);
    await expectSumsOfMonths({ from: '2024-01', to: '2024-12' });
    // Any period is answered from the kept roll-ups (migration 0024): a read-only transaction suffices.
    await t.db.kysely.transaction().execute(async (trx) => {
      await sql`SET TRANSACTION READ ONLY`.execute(trx);
      await listServiceReportPage(trx, { from: '2023-12', to: '2024-02' }, 'transactions', 'desc', {
        size: 3,
        number: 1,
      });
    });
    await deliver(ids.s5, [
      ['2024-03', '060000000000', 40],
      ['2024-04', '090000000000', 2],
    ]);
    await deliver(ids.s1, [['2024-03', '060000000000', 9]]);
    await retract(ids.s2, '2024-02', '064110000000');
    await expectSumsOfMonths(a);
    await expectSumsOfMonths(b);
    const page = await listServiceReportPage(t.db.kysely, a, 'transactions', 'desc', { size: 3, number: 1 });
    // S1 200 + 9, S5 40 + 2, S3 3; S2's only month here was retracted.
    expect(page.rows.map((r) => [r.name, r.transactions])).toEqual([
      ['S1 Landesdienst', 209],
      ['S5 ohne Daten', 42],
      ['S3 Bundesdienst', 3],
    ]);
    expect(page.figures.withData).toBe(3);
    // A start before the data reads as the start of that year.
    await expectSumsOfMonths({ from: '2023-12', to: '2024-02' });
  });
  // On PostgreSQL a delivery may still be open when a period is asked for: once committed, its counts
  // are in the period's sums (until migration 0024 the first question built and kept them).
  it.skipIf(ENGINE !== 'postgres')(
    'includes a delivery still open while the period is asked for',
    async () => {
      let atGate!: () => void;
      const reached = new Promise<void>((resolve) => (atGate = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const delivery = ingestDelivery(t.db.kysely, {
        channel: 'api',
        actor: SYSTEM_ACTOR,
        target: { kind: 'service', serviceId: ids.s4 },
        rows: [{ month: '2024-03', ars: '000000000000', count: 77 }],
        now: NOW,
        alsoInTransaction: async () => {
          atGate();
          await gate;
        },
      });
      await reached;
      const period = { from: '2024-02', to: '2024-03' };
      const build = listServiceReport(t.db.kysely, period);
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      expect((await delivery).status).toBe('accepted');
      await build;
      await expectSumsOfMonths(period);
      expect((await listServiceReport(t.db.kysely, period)).find((r) => r.id === ids.s4)?.transactions).toBe(
        77,
      );
    },
  );
});
