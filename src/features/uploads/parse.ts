import ExcelJS from 'exceljs';
import { AppError } from '../../http/errors.js';
import { parseDeliveryCsv, type CsvRows } from '../deliveries/csv.js';
import type { IncomingRow } from '../deliveries/ingest.js';

/**
 * Uploaded delivery files (CSV or XLSX) -> the rows the ingest path takes (`ingestDelivery`), with
 * `firstRowNumber` so that the row numbers in errors are the rows people see in their file: the
 * header is row 1, data start at row 2, and empty rows in between keep their number.
 */

export type UploadKind = 'csv' | 'xlsx';

/** German and English column names, lower case, as in delivery CSV files (features/deliveries/csv.ts). */
const COLUMNS: Record<string, keyof IncomingRow> = {
  month: 'month',
  monat: 'month',
  ars: 'ars',
  count: 'count',
  anzahl: 'count',
  serviceid: 'serviceId',
  service_id: 'serviceId',
  dienst: 'serviceId',
  onlinedienst: 'serviceId',
};

/** Columns for people, not for the ZSK: the region's name in the XLSX template. */
const IGNORED = new Set(['region', 'regionsname', 'name']);

const XLSX_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** XLSX is a ZIP file; anything else is read as CSV text. */
export function detectUploadKind(content: Buffer): UploadKind {
  return content.subarray(0, 4).equals(XLSX_MAGIC) ? 'xlsx' : 'csv';
}

const xlsxError = (message: string) => new AppError(400, 'xlsx_invalid', message);

export async function parseUpload(
  content: Buffer,
  needsServiceId: boolean,
): Promise<CsvRows & { kind: UploadKind }> {
  const kind = detectUploadKind(content);
  if (kind === 'csv') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      throw new AppError(
        400,
        'csv_invalid',
        'Die CSV-Datei ist nicht UTF-8-kodiert; bitte als „CSV UTF-8“ speichern.',
      );
    }
    return { ...parseDeliveryCsv(text, needsServiceId), kind };
  }
  return { ...(await parseXlsx(content, needsServiceId)), kind };
}

/** Reads the first worksheet: a header row, then one value per row. */
export async function parseXlsx(content: Buffer, needsServiceId: boolean): Promise<CsvRows> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch (e) {
    throw xlsxError(`Die Excel-Datei ist fehlerhaft: ${(e as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.actualRowCount === 0) {
    throw xlsxError('Das erste Tabellenblatt ist leer; erwartet wird die Kopfzeile month, ars, count.');
  }
  const headerRow = sheet.getRow(1);
  const header: { column: number; key: keyof IncomingRow | undefined; name: string }[] = [];
  headerRow.eachCell({ includeEmpty: false }, (cell, column) => {
    const name = cellText(cell.value).trim();
    if (name && !IGNORED.has(name.toLowerCase()))
      header.push({ column, key: COLUMNS[name.toLowerCase()], name });
  });
  const unknown = header.filter((h) => h.key === undefined);
  if (unknown.length) {
    throw xlsxError(
      `Unbekannte Spalte ${unknown.map((u) => `„${u.name}“`).join(', ')} in Zeile 1; erwartet: ${expected(needsServiceId)}.`,
    );
  }
  const keys = header.map((h) => h.key!);
  const required: (keyof IncomingRow)[] = needsServiceId
    ? ['serviceId', 'month', 'ars', 'count']
    : ['month', 'ars', 'count'];
  if (required.some((k) => !keys.includes(k)) || new Set(keys).size !== keys.length) {
    throw xlsxError(`Zeile 1 muss die Spalten ${expected(needsServiceId)} je einmal enthalten.`);
  }
  if (!needsServiceId && keys.includes('serviceId')) {
    throw xlsxError('Die Spalte serviceId gibt es nur bei Lieferungen eines Portals.');
  }
  const rows: IncomingRow[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const incoming: IncomingRow = { month: undefined, ars: undefined, count: undefined };
    for (const h of header) incoming[h.key!] = cellValue(h.key!, row.getCell(h.column).value);
    rows.push(incoming);
  }
  // Trailing empty rows (formatting left behind) are no data.
  while (rows.length > 0 && Object.values(rows.at(-1)!).every((v) => v === undefined)) rows.pop();
  return { rows, firstRowNumber: 2 };
}

function expected(needsServiceId: boolean): string {
  return needsServiceId
    ? 'serviceId (oder dienst), month (oder monat), ars, count (oder anzahl)'
    : 'month (oder monat), ars, count (oder anzahl)';
}

type CellValue = ExcelJS.CellValue;

/** The displayed text of a cell: rich text joined, formulas by their result, hyperlinks by text. */
function cellText(value: CellValue): string {
  const v = unwrap(value);
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

function unwrap(value: CellValue): string | number | boolean | Date | null | undefined {
  if (value === null || value === undefined) return value;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('result' in value) return unwrap(value.result as CellValue);
  if ('text' in value) return unwrap(value.text as CellValue);
  if ('error' in value) return String(value.error);
  return String(value);
}

/** ARS lengths the domain accepts (2, 3, 5, 9, 12), each one digit short. */
const ARS_LOST_ZERO = new Set([1, 4, 8, 11]);

/**
 * Spreadsheet cells as the ingest path expects them. A month typed as a date becomes YYYY-MM (Excel
 * dates are read as UTC midnight). An ARS typed as a number has lost its leading zero
 * (060000000000 -> 60000000000); a number one digit short of an ARS length gets it back. Counts stay
 * numbers, so 1.5 is refused as a non-integer instead of being rounded silently.
 */
function cellValue(key: keyof IncomingRow, raw: CellValue): unknown {
  const v = unwrap(raw);
  if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return undefined;
  if (key === 'month' && v instanceof Date) return v.toISOString().slice(0, 7);
  if (key === 'ars' && typeof v === 'number' && Number.isInteger(v) && v >= 0) {
    const digits = String(v);
    return ARS_LOST_ZERO.has(digits.length) ? digits.padStart(digits.length + 1, '0') : digits;
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return v.trim();
  return v;
}
