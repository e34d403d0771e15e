import fs from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { shouldRegenerate } from '../../../src/features/open-data/scheduler.js';
import { publishedCounts } from '../../../src/features/open-data/queries.js';
import { createTestApp, testConfig, type TestApp } from '../../helpers/app.js';
import { createPortal, createService } from '../../helpers/factories.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const LEIKA_A = '99050012104000';
const LEIKA_B = '99050012104001';
const LEIKA_HIDDEN = '99050012104002';

let t: TestApp;
let published: number;
let second: number;
let hidden: number;

async function deliver(serviceId: number, rows: { month: string; ars: string; count: number }[]) {
  const summary = await ingestDelivery(t.db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows,
    now: NOW,
  });
  expect(summary.status).toBe('accepted');
}

beforeAll(async () => {
  // Long waits: no timer builds anything by itself during the test; the test decides when.
  t = await createTestApp({
    openData: { ...testConfig().openData, quietSeconds: 3600, maxWaitSeconds: 36_000 },
  });
  const db = t.db.kysely;
  await db
    .insertInto('leika_services')
    .values([
      { key: LEIKA_A, name: 'Leistung A', typisierung: '2/3' },
      { key: LEIKA_B, name: 'Leistung B', typisierung: '2/3' },
      { key: LEIKA_HIDDEN, name: 'Leistung geheim', typisierung: '1' },
    ])
    .execute();
  await db
    .insertInto('ozg_services')
    .values([{ id: '10287', name: 'Elterngeld', themenfeld: 'Familie & Kind', lebenslage: null }])
    .execute();
  await db.insertInto('ozg_service_leika').values({ ozg_id: '10287', leika_key: LEIKA_A }).execute();
  published = await createService(db, { name: 'Elterngeld Digital' });
  second = await createService(db, { name: 'Zweiter Dienst; mit "Zeichen"' });
  hidden = await createService(db, { name: 'Geheimer Testdienst' });
  await db
    .insertInto('online_service_leika')
    .values([
      { service_id: published, leika_key: LEIKA_A },
      { service_id: published, leika_key: LEIKA_B },
      { service_id: second, leika_key: LEIKA_A },
      { service_id: hidden, leika_key: LEIKA_HIDDEN },
      { service_id: hidden, leika_key: LEIKA_A },
    ])
    .execute();
  await db.insertInto('online_service_ozg').values({ service_id: published, ozg_id: '10287' }).execute();
  await createPortal(db, [published, hidden], 'Bundesportal');
  await db.updateTable('online_services').set({ published: false }).where('id', '=', hidden).execute();
  await deliver(published, [
    { month: '2025-12', ars: '060000000000', count: 10 },
    { month: '2026-01', ars: '060000000000', count: 20 },
    { month: '2026-01', ars: '090000000000', count: 0 },
  ]);
  await deliver(second, [{ month: '2026-01', ars: '060000000000', count: 5 }]);
  await deliver(hidden, [
    { month: '2025-12', ars: '060000000000', count: 777 },
    { month: '2026-01', ars: '060000000000', count: 888 },
  ]);
  await t.app.openData.regenerate();
});
afterAll(async () => {
  await t?.close();
});

const file = (name: string) => fs.readFile(path.join(t.app.openData.dir, name));
const csvRows = (buffer: Buffer): Record<string, string>[] =>
  parse<Record<string, string>>(buffer, { delimiter: ';', bom: true, columns: true });

describe('shouldRegenerate (debounce)', () => {
  const debounce = { quietSeconds: 60, maxWaitSeconds: 900 };
  const built = { version: 5, at: new Date('2026-03-10T12:00:00Z') };
  it.each([
    ['nothing built yet', null, { version: 5, ageSeconds: 0 }, '2026-03-10T12:00:00Z', true],
    ['no change since the build', built, { version: 5, ageSeconds: 5000 }, '2026-03-10T14:00:00Z', false],
    ['changed 10 s ago', built, { version: 6, ageSeconds: 10 }, '2026-03-10T12:01:00Z', false],
    ['quiet for 60 s', built, { version: 6, ageSeconds: 60 }, '2026-03-10T12:02:00Z', true],
    [
      'changes keep coming, 15 min after the build',
      built,
      { version: 9, ageSeconds: 1 },
      '2026-03-10T12:15:00Z',
      true,
    ],
    [
      'changes keep coming, 14 min after the build',
      built,
      { version: 9, ageSeconds: 1 },
      '2026-03-10T12:14:00Z',
      false,
    ],
  ] as const)('%s', (_name, b, current, now, expected) => {
    expect(shouldRegenerate(b, current, new Date(now), debounce)).toBe(expected);
  });
});

describe('downloads', () => {
  it('writes all published counts as gzip CSV with LeiKa keys, OZG id, ARS, region name, month and count', async () => {
    const rows = csvRows(gunzipSync(await file('zsk-transaktionen.csv.gz')));
    expect(Object.keys(rows[0]!)).toEqual([
      'dienst_id',
      'leika_schluessel',
      'ozg_id',
      'ars',
      'region',
      'monat',
      'transaktionen',
    ]);
    expect(rows).toEqual([
      {
        dienst_id: String(published),
        leika_schluessel: `${LEIKA_A},${LEIKA_B}`,
        ozg_id: '10287',
        ars: '060000000000',
        region: 'Hessen',
        monat: '2025-12',
        transaktionen: '10',
      },
      {
        dienst_id: String(published),
        leika_schluessel: `${LEIKA_A},${LEIKA_B}`,
        ozg_id: '10287',
        ars: '060000000000',
        region: 'Hessen',
        monat: '2026-01',
        transaktionen: '20',
      },
      {
        dienst_id: String(published),
        leika_schluessel: `${LEIKA_A},${LEIKA_B}`,
        ozg_id: '10287',
        ars: '090000000000',
        region: 'Bayern',
        monat: '2026-01',
        transaktionen: '0',
      },
      {
        dienst_id: String(second),
        leika_schluessel: LEIKA_A,
        ozg_id: '',
        ars: '060000000000',
        region: 'Hessen',
        monat: '2026-01',
        transaktionen: '5',
      },
    ]);
    const raw = gunzipSync(await file('zsk-transaktionen.csv.gz')).toString('utf8');
    expect(raw.startsWith('\uFEFFdienst_id;')).toBe(true);
    expect(raw).toContain('\r\n');
  });

  it('reads the counts in keyset slices that together hold every row once, in key order', async () => {
    const slices = [];
    for await (const slice of publishedCounts(t.db.kysely, 2)) slices.push(slice);
    expect(slices.map((s) => s.length)).toEqual([2, 2]);
    const keys = slices.flat().map((r) => `${r.serviceId}/${r.month}/${r.ars}`);
    expect(keys).toEqual([
      `${published}/2025-12/060000000000`,
      `${published}/2026-01/060000000000`,
      `${published}/2026-01/090000000000`,
      `${second}/2026-01/060000000000`,
    ]);
  });

  it('writes one file per calendar year', async () => {
    const y2025 = csvRows(gunzipSync(await file('zsk-transaktionen-2025.csv.gz')));
    const y2026 = csvRows(gunzipSync(await file('zsk-transaktionen-2026.csv.gz')));
    expect(y2025.map((r) => [r.dienst_id, r.monat, r.transaktionen])).toEqual([
      [String(published), '2025-12', '10'],
    ]);
    expect(y2026.map((r) => r.transaktionen)).toEqual(['20', '0', '5']);
  });

  it('writes the master data as CSV and XLSX', async () => {
    const rows = csvRows(await file('zsk-onlinedienste.csv'));
    expect(rows.map((r) => r.name)).toEqual(['Elterngeld Digital', 'Zweiter Dienst; mit "Zeichen"']);
    expect(rows[0]).toMatchObject({
      dienst_id: String(published),
      typ: '2/3',
      umsetzung: 'EfA',
      fokusleistung: 'nein',
      granularitaet: 'land',
      leika_schluessel: `${LEIKA_A},${LEIKA_B}`,
      ozg_id: '10287',
      ozg_leistung: 'Elterngeld',
      themenfeld: 'Familie & Kind',
      portale: 'Bundesportal',
      erster_monat: '2025-12',
      letzter_monat: '2026-01',
      transaktionen_gesamt: '30',
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await file('zsk-onlinedienste.xlsx')) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Onlinedienste')!;
    expect(sheet.getRow(1).getCell(2).value).toBe('name');
    expect(sheet.getRow(2).getCell(2).value).toBe('Elterngeld Digital');
    expect(sheet.getRow(2).getCell(17).value).toBe(30);
    expect(sheet.rowCount).toBe(3);
    expect(workbook.getWorksheet('Lizenz')!.getRow(1).getCell(2).value).toBe(
      'Datenlizenz Deutschland – Namensnennung – Version 2.0',
    );
  });

  it('leaves the unpublished service out of every file, sums included', async () => {
    const manifest = await t.app.openData.current();
    expect(manifest.files.map((f) => f.name).sort()).toEqual([
      'zsk-onlinedienste.csv',
      'zsk-onlinedienste.xlsx',
      'zsk-transaktionen-2025.csv.gz',
      'zsk-transaktionen-2026.csv.gz',
      'zsk-transaktionen.csv.gz',
    ]);
    for (const f of manifest.files) {
      let content = await file(f.name);
      if (f.name.endsWith('.gz')) content = gunzipSync(content);
      const text = f.name.endsWith('.xlsx') ? await xlsxText(content) : content.toString('utf8');
      expect(text, f.name).not.toContain('Geheimer Testdienst');
      expect(text, f.name).not.toContain(LEIKA_HIDDEN);
      expect(text, f.name).not.toMatch(/\b(777|888)\b/);
    }
  });

  it('serves the files with Content-Length, ETag, Last-Modified and Cache-Control, and answers 304', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/opendata/zsk-transaktionen.csv.gz' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    expect(res.rawPayload).toEqual(await file('zsk-transaktionen.csv.gz'));
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers['last-modified']).toBeTruthy();
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}-\d+"$/);
    const again = await t.app.inject({
      method: 'GET',
      url: '/opendata/zsk-transaktionen.csv.gz',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const since = await t.app.inject({
      method: 'GET',
      url: '/opendata/zsk-onlinedienste.csv',
      headers: { 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() },
    });
    expect(since.statusCode).toBe(304);
  });

  it('serves nothing but the files of the last build', async () => {
    for (const name of ['manifest.json', '..%2Fmanifest.json', 'zsk-transaktionen-1999.csv.gz']) {
      const res = await t.app.inject({ method: 'GET', url: `/opendata/${name}` });
      expect(res.statusCode, name).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('rebuilds after a delivery once the data have been quiet long enough, not before', async () => {
    const builder = t.app.openData;
    const before = await builder.current();
    await deliver(second, [{ month: '2026-02', ars: '060000000000', count: 42 }]);
    const { changed_at: changedAt } = await t.db.kysely
      .selectFrom('data_version')
      .select('changed_at')
      .executeTakeFirstOrThrow();
    const at = (seconds: number) => new Date(new Date(changedAt).getTime() + seconds * 1000);
    // quietSeconds is 3600 here.
    expect(await builder.tick(at(10))).toBe(false);
    expect((await builder.current()).version).toBe(before.version);
    expect(await builder.tick(at(3600))).toBe(true);
    const after = await builder.current();
    expect(after.version).toBeGreaterThan(before.version);
    const rows = csvRows(gunzipSync(await file('zsk-transaktionen-2026.csv.gz')));
    expect(rows.map((r) => r.transaktionen)).toContain('42');
    // Nothing new: no rebuild, however long it has been.
    expect(await builder.tick(at(100_000))).toBe(false);
  });

  it('builds again after a running build when asked during it, so a change made meanwhile is not lost', async () => {
    const builder = t.app.openData;
    const running = builder.regenerate();
    await deliver(second, [{ month: '2026-02', ars: '090000000000', count: 4321 }]);
    const next = await builder.regenerate();
    // Whether the running build saw the delivery depends on timing; the one after it always does.
    expect(next.version).toBeGreaterThanOrEqual((await running).version);
    const rows = csvRows(gunzipSync(await file('zsk-transaktionen.csv.gz')));
    expect(rows.map((r) => r.transaktionen)).toContain('4321');
  });

  it('drops the file of a year whose counts are gone', async () => {
    await sql`DELETE FROM counts WHERE month < DATE '2026-01-01'`.execute(t.db.kysely);
    await t.app.openData.regenerate();
    const names = (await t.app.openData.current()).files.map((f) => f.name);
    expect(names).not.toContain('zsk-transaktionen-2025.csv.gz');
    await expect(fs.stat(path.join(t.app.openData.dir, 'zsk-transaktionen-2025.csv.gz'))).rejects.toThrow();
    const res = await t.app.inject({ method: 'GET', url: '/opendata/zsk-transaktionen-2025.csv.gz' });
    expect(res.statusCode).toBe(404);
  });
});

async function xlsxText(content: Buffer): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(content as unknown as ArrayBuffer);
  const cells: string[] = [];
  workbook.eachSheet((sheet) =>
    sheet.eachRow((row) =>
      row.eachCell((cell) =>
        cells.push(typeof cell.value === 'object' ? JSON.stringify(cell.value) : String(cell.value)),
      ),
    ),
  );
  return cells.join('\n');
}
