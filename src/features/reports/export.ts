import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { ReportTable } from './report.js';

/**
 * CSV as German statistics offices publish it: `;` between fields, UTF-8 with a byte order mark (so
 * Excel in a German locale opens umlauts and columns correctly), CRLF line ends, figures as plain
 * digits without thousands separators so that programs read them as numbers. No value = empty field.
 */
export function reportCsv<R>(table: ReportTable<R>, rows: readonly R[]): Buffer {
  const text = stringify(
    [
      table.columns.map((c) => c.label),
      ...rows.map((r) => table.columns.map((c) => (c.number ? String(c.number(r)) : defuse(c.text(r))))),
    ],
    { delimiter: ';', record_delimiter: 'windows' },
  );
  return Buffer.from(`\uFEFF${text}`, 'utf8');
}

/**
 * Names are typed by data suppliers; a spreadsheet would run one starting with = + - @ as a formula
 * (CSV injection, OWASP), so such text gets a leading apostrophe.
 */
const defuse = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * One worksheet; figures are number cells with a thousands format (Excel shows 1.252.473 in a German
 * locale), the bold header row stays in view while scrolling.
 */
export async function reportXlsx<R>(
  table: ReportTable<R>,
  rows: readonly R[],
  meta: { subtitle: string; created: Date },
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Zentrale Statistik-Komponente';
  workbook.created = meta.created;
  workbook.title = table.title;
  workbook.description = meta.subtitle;
  const sheet = workbook.addWorksheet(table.slug === 'portale' ? 'Portale' : 'Onlinedienste', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = table.columns.map((c) => ({
    header: c.label,
    key: c.key,
    width: c.numeric ? 22 : c.key === 'first' || c.key === 'last' ? 12 : 40,
    style: c.numeric ? { numFmt: '#,##0' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const r of rows) {
    sheet.addRow(Object.fromEntries(table.columns.map((c) => [c.key, c.number ? c.number(r) : c.text(r)])));
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
