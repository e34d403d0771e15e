import ExcelJS from 'exceljs';
import { sql, type Kysely } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { Database, GranularityColumn } from '../../db/schema.js';

/**
 * Delivery templates for one service and month: every region of the service's granularity as a row
 * with the count left empty, so suppliers fill in figures instead of typing keys. Both files read
 * back through parse.ts unchanged.
 */

export interface TemplateRow {
  month: string;
  ars: string;
  region: string;
}

/** The regions a service reports for, in key order. */
export async function templateRows(
  db: Kysely<Database>,
  granularity: GranularityColumn,
  month: string,
): Promise<TemplateRow[]> {
  const where =
    granularity === 'bund'
      ? sql`level = 'bund'`
      : granularity === 'land'
        ? sql`level = 'land'`
        : granularity === 'kreis'
          ? sql`(level = 'kreis' OR is_kreis)`
          : sql`(level = 'gemeinde' OR is_gemeinde)`;
  const rows = await sql<{ ars: string; name: string }>`
    SELECT ars, name FROM regions WHERE ${where} ORDER BY ars`.execute(db);
  return rows.rows.map((r) => ({ month, ars: r.ars, region: r.name }));
}

/**
 * CSV as German spreadsheets open it: `;`, UTF-8 with BOM (without it Excel guesses Windows-1252 and
 * breaks umlauts), CRLF. Only the three delivery columns, because the delivery API refuses others.
 */
export function csvTemplate(rows: TemplateRow[]): Buffer {
  const body = stringify(
    rows.map((r) => [r.month, r.ars, '']),
    { delimiter: ';', record_delimiter: '\r\n', header: true, columns: ['month', 'ars', 'count'] },
  );
  return Buffer.from(`\uFEFF${body}`, 'utf8');
}

/**
 * XLSX with the keys stored as text (leading zeros kept), the header row frozen and a fourth column
 * with the region's name for orientation; parse.ts ignores that column.
 */
export async function xlsxTemplate(rows: TemplateRow[], serviceName: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Zentrale Statistik-Komponente';
  const sheet = workbook.addWorksheet('Lieferung', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: 'month', key: 'month', width: 10, style: { numFmt: '@' } },
    { header: 'ars', key: 'ars', width: 16, style: { numFmt: '@' } },
    { header: 'count', key: 'count', width: 12, style: { numFmt: '0' } },
    { header: 'region', key: 'region', width: 40 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const r of rows) sheet.addRow({ month: r.month, ars: r.ars, count: null, region: r.region });
  workbook.title = `Lieferung ${serviceName}`;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** File name for a template download, e.g. zsk-vorlage-12-2026-10.xlsx */
export const templateFileName = (serviceId: number, month: string, kind: 'csv' | 'xlsx'): string =>
  `zsk-vorlage-${serviceId}-${month}.${kind}`;
