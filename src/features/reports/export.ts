import ExcelJS from 'exceljs';
import { csvDocument } from '../../web/csv.js';
import type { ReportTable } from './report.js';

/** The report as CSV, in the one format of every CSV download (src/web/csv.ts). */
export function reportCsv<R>(table: ReportTable<R>, rows: readonly R[]): Buffer {
  return csvDocument([
    table.columns.map((c) => c.label),
    ...rows.map((r) => table.columns.map((c) => (c.number ? c.number(r) : c.text(r)))),
  ]);
}

/** A month as the date of its first day at midnight UTC: ExcelJS writes it as that day's serial number. */
const monthCell = (m: string | null): Date | null =>
  m ? new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1)) : null;

/**
 * One worksheet; figures are number cells with a thousands format (Excel shows 1.252.473 in a German
 * locale), months are date cells shown as MM/YYYY (so they sort and filter as dates), the bold header
 * row stays in view while scrolling.
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
    style: c.numeric ? { numFmt: '#,##0' } : c.month ? { numFmt: 'mm/yyyy' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const r of rows) {
    sheet.addRow(
      Object.fromEntries(
        table.columns.map((c) => [
          c.key,
          c.number ? c.number(r) : c.month ? (monthCell(c.month(r)) ?? c.text(r)) : c.text(r),
        ]),
      ),
    );
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
