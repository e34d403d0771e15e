import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { detectUploadKind, parseUpload } from '../../../src/features/uploads/parse.js';
import { csvTemplate, templateRows, xlsxTemplate } from '../../../src/features/uploads/templates.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { createPortal, createService } from '../../helpers/factories.js';

const NOW = new Date('2026-11-23T10:00:00Z');
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

async function workbook(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Daten');
  for (const r of rows) sheet.addRow(r);
  wb.addWorksheet('Notizen').addRow(['wird nicht gelesen']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('XLSX uploads', () => {
  it('reads the first sheet: dates as months, numeric ARS with their leading zero back', async () => {
    const file = await workbook([
      ['Monat', 'ARS', 'Anzahl'],
      [new Date(Date.UTC(2026, 8, 1)), 60000000000, 153],
      ['2026-09', '070000000000', 0],
      [],
      ['2026-09', 80000000000, 1.5],
    ]);
    expect(detectUploadKind(file)).toBe('xlsx');
    const parsed = await parseUpload(file, false);
    expect(parsed).toEqual({
      kind: 'xlsx',
      firstRowNumber: 2,
      rows: [
        { month: '2026-09', ars: '060000000000', count: 153 },
        { month: '2026-09', ars: '070000000000', count: 0 },
        { month: undefined, ars: undefined, count: undefined },
        { month: '2026-09', ars: '080000000000', count: 1.5 },
      ],
    });
  });

  it('gives errors the row numbers of the sheet', async () => {
    const serviceId = await createService(db.kysely, { granularity: 'land' });
    const file = await workbook([
      ['month', 'ars', 'count'],
      ['2026-09', '060000000000', 10],
      ['2026-09', '990000000000', 5],
      ['2026-09', '070000000000', 'viele'],
    ]);
    const { rows, firstRowNumber } = await parseUpload(file, false);
    const summary = await ingestDelivery(db.kysely, {
      channel: 'xlsx',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId },
      rows,
      firstRowNumber,
      now: NOW,
    });
    expect(summary.status).toBe('rejected');
    expect(summary.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'ars'],
      [4, 'count'],
    ]);
  });

  it('reads portal files with a dienst column', async () => {
    const file = await workbook([
      ['dienst', 'monat', 'ars', 'anzahl'],
      [7, '2026-09', '000000000000', 3],
    ]);
    expect((await parseUpload(file, true)).rows).toEqual([
      { serviceId: 7, month: '2026-09', ars: '000000000000', count: 3 },
    ]);
    await expect(parseUpload(file, false)).rejects.toMatchObject({ code: 'xlsx_invalid' });
  });

  it('names unknown or missing columns and refuses a broken file', async () => {
    await expect(parseUpload(await workbook([['month', 'ars', 'menge']]), false)).rejects.toMatchObject({
      statusCode: 400,
      code: 'xlsx_invalid',
      message: expect.stringContaining('„menge“'),
    });
    await expect(parseUpload(await workbook([['month', 'ars']]), false)).rejects.toMatchObject({
      code: 'xlsx_invalid',
    });
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('kaputt')]);
    await expect(parseUpload(broken, false)).rejects.toMatchObject({ code: 'xlsx_invalid' });
  });
});

describe('CSV uploads', () => {
  it('goes through the delivery CSV reader, BOM and row numbers included', async () => {
    const file = Buffer.from(
      '\uFEFFmonat;ars;anzahl\r\n2026-09;060000000000;12\r\n\r\n2026-09;07;4\r\n',
      'utf8',
    );
    expect(detectUploadKind(file)).toBe('csv');
    const parsed = await parseUpload(file, false);
    expect(parsed.kind).toBe('csv');
    expect(parsed.firstRowNumber).toBe(2);
    expect(parsed.rows[0]).toEqual({ month: '2026-09', ars: '060000000000', count: '12' });
    expect(parsed.rows[2]).toEqual({ month: '2026-09', ars: '07', count: '4' });
  });

  it('refuses text that is not UTF-8', async () => {
    const latin1 = Buffer.from('monat;ars;anzahl\n2026-09;06;1\n# Gr\xfc\xdfe\n', 'latin1');
    await expect(parseUpload(latin1, false)).rejects.toMatchObject({ code: 'csv_invalid' });
  });
});

describe('templates', () => {
  it('lists every region of the granularity for the month, as CSV with BOM and semicolons', async () => {
    const rows = await templateRows(db.kysely, 'land', '2026-10');
    expect(rows).toHaveLength(16);
    expect(rows[0]).toEqual({ month: '2026-10', ars: '010000000000', region: 'Schleswig-Holstein' });
    const csv = csvTemplate(rows).toString('utf8');
    expect(csv.startsWith('\uFEFFmonth;ars;count\r\n2026-10;010000000000;\r\n')).toBe(true);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(17);
    expect(await templateRows(db.kysely, 'bund', '2026-10')).toHaveLength(1);
    const kreise = await templateRows(db.kysely, 'kreis', '2026-10');
    expect(kreise.length).toBe(400);
    expect(kreise.map((k) => k.ars)).toContain('110000000000');
  });

  it('round-trips: a filled-in XLSX template is accepted as delivered', async () => {
    const serviceId = await createService(db.kysely, { granularity: 'land' });
    const rows = await templateRows(db.kysely, 'land', '2026-10');
    const template = await xlsxTemplate(rows, 'Testdienst');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getCell('B2').value).toBe('010000000000');
    expect(sheet.getCell('D2').value).toBe('Schleswig-Holstein');
    for (let r = 2; r <= 17; r++) sheet.getCell(`C${r}`).value = r * 10;
    const filled = Buffer.from(await wb.xlsx.writeBuffer());

    const parsed = await parseUpload(filled, false);
    expect(parsed.rows).toHaveLength(16);
    const summary = await ingestDelivery(db.kysely, {
      channel: 'xlsx',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId },
      rows: parsed.rows,
      firstRowNumber: parsed.firstRowNumber,
      now: NOW,
    });
    expect(summary).toMatchObject({ status: 'accepted', created: 16, rejected: 0 });
  });

  it('round-trips the CSV template of a portal service through the CSV reader', async () => {
    const serviceId = await createService(db.kysely, { granularity: 'bund' });
    await createPortal(db.kysely, [serviceId]);
    const csv = csvTemplate(await templateRows(db.kysely, 'bund', '2026-10'))
      .toString('utf8')
      .replace(/;\r\n/g, ';42\r\n');
    const parsed = await parseUpload(Buffer.from(csv, 'utf8'), false);
    expect(parsed.rows).toEqual([{ month: '2026-10', ars: '000000000000', count: '42' }]);
  });
});
