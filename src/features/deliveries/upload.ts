import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { csvDocument } from '../../web/csv.js';
import { sql, type Kysely } from 'kysely';
import type { RowError } from '../../domain/counts.js';
import { dateToMonth, monthRange, monthToDate } from '../../domain/months.js';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { formatInt } from '../../web/format.js';
import { limitExceeded, MAX_FILE_ROWS, parseDeliveryCsvStream, RowCollector, type CsvRows } from './csv.js';
import { checkWorkbookArchive } from './xlsx-guard.js';
import { firstWorksheet } from './xlsx-sheet.js';
import type { ChangedCount, DeliverySummary, DeliveryTarget } from './ingest.js';
import type { Granularity } from '../../domain/vocabulary.js';

export type UploadChannel = 'csv' | 'xlsx';

export const CSV_MEDIA_TYPE = 'text/csv; charset=utf-8';
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An .xlsx file is a ZIP archive: it starts with "PK\x03\x04", whatever its name says. */
export function channelOf(fileName: string, content: Buffer): UploadChannel {
  const zip = content.length >= 4 && content.readUInt32LE(0) === 0x04034b50;
  if (zip) return 'xlsx';
  if (/\.xlsx?$/i.test(fileName)) {
    throw new AppError(
      400,
      'xlsx_invalid',
      'Die Datei ist keine Excel-Arbeitsmappe im Format .xlsx. Bitte speichern Sie sie als .xlsx oder als CSV.',
    );
  }
  return 'csv';
}

export async function parseUpload(
  channel: UploadChannel,
  content: Buffer,
  needsServiceId: boolean,
): Promise<CsvRows> {
  if (channel === 'csv') return parseDeliveryCsvStream(content, needsServiceId);
  return parseXlsx(content, needsServiceId);
}

type CellValue = ExcelJS.CellValue;

/** Columns a delivery sheet may use: a delivery needs four; past them is a stray cell, not data. */
export const MAX_COLUMNS = 100;
/** Excel's own limit for the text of one cell. */
export const MAX_CELL_CHARS = 32_767;
const YIELD_EVERY = 5_000;

const columnName = (n: number): string => {
  let name = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) name = String.fromCharCode(65 + ((c - 1) % 26)) + name;
  return name;
};

/** What a person sees in a cell, as text or number; dates (Excel's guess for "2024-04") as YYYY-MM. */
function cellValue(value: CellValue): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 7);
  if (typeof value === 'object') {
    if ('richText' in value)
      return value.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('result' in value) return cellValue(value.result);
    if ('text' in value) return String(value.text).trim();
    if ('error' in value) return String(value.error);
  }
  return JSON.stringify(value);
}

/**
 * A key typed into a number cell loses its leading zero (Land 01 to 09): 6411000000 was 06411000000
 * ... and the valid lengths are 2, 3, 5, 9 and 12 digits, so one missing digit is put back.
 */
function arsFromNumber(n: number): string {
  const digits = String(n);
  return [1, 4, 8, 11].includes(digits.length) ? `0${digits}` : digits;
}

/** The cells of one row up to MAX_COLUMNS, by column (gaps stay holes), each at most MAX_CELL_CHARS. */
function rowFields(row: ExcelJS.Row): unknown[] {
  const fields: unknown[] = [];
  // eachCell, not row.values: a single cell in column XFD makes `values` an array 16,384 wide.
  row.eachCell((cell, col) => {
    if (col > MAX_COLUMNS) {
      throw limitExceeded(
        'columns',
        MAX_COLUMNS,
        `Zelle ${columnName(col)}${row.number} liegt außerhalb der erlaubten ${MAX_COLUMNS} Spalten (A bis ${columnName(MAX_COLUMNS)}); bitte löschen Sie alles rechts davon.`,
      );
    }
    const value = cellValue(cell.value);
    if (typeof value === 'string' && value.length > MAX_CELL_CHARS) {
      throw limitExceeded(
        'cell_length',
        MAX_CELL_CHARS,
        `Zelle ${columnName(col)}${row.number} enthält mehr als ${formatInt(MAX_CELL_CHARS)} Zeichen (die Grenze von Excel).`,
      );
    }
    fields[col - 1] = value;
  });
  return fields;
}

/**
 * The first worksheet, read as a stream after the archive passed checkWorkbookArchive: rows numbered
 * as in Excel, the first non-empty row is the header.
 */
async function parseXlsx(content: Buffer, needsServiceId: boolean): Promise<CsvRows> {
  const parts = await checkWorkbookArchive(content);
  const table = new RowCollector(needsServiceId);
  let sheet: AsyncIterable<ExcelJS.Row> | null;
  try {
    sheet = await firstWorksheet(parts);
    if (sheet) {
      let n = 0;
      for await (const row of sheet) {
        table.add(rowFields(row), row.number);
        if (++n % YIELD_EVERY === 0) await new Promise(setImmediate);
      }
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    // ExcelJS's messages ("Cannot read properties of undefined …") mean nothing to people.
    throw Object.assign(
      new AppError(
        400,
        'xlsx_invalid',
        'Die Excel-Datei lässt sich nicht lesen. Bitte speichern Sie sie in Excel oder LibreOffice erneut als Excel-Arbeitsmappe (.xlsx).',
      ),
      { cause: e },
    );
  }
  if (!sheet) throw new AppError(400, 'xlsx_invalid', 'Die Excel-Datei enthält kein Tabellenblatt.');
  const parsed = table.result();
  for (const row of parsed.rows) {
    if (typeof row.ars === 'number') row.ars = arsFromNumber(row.ars);
    if (typeof row.serviceId === 'number') row.serviceId = String(row.serviceId);
  }
  return parsed;
}

/** A template row: the service (portals only), month, region and the stored count if any. */
export interface TemplateRow {
  serviceId?: number;
  month: string;
  ars: string;
  count: number | null;
}

const REGION_FILTER: Record<Granularity, string> = {
  bund: "ars = '000000000000'",
  land: "level = 'land'",
  kreis: "(level = 'kreis' OR is_kreis)",
  gemeinde: "(level = 'gemeinde' OR is_gemeinde)",
};

/** The regions a service of this granularity reports for, in key order, with their names. */
export async function regionsOf(
  db: Kysely<Database>,
  granularity: Granularity,
): Promise<{ ars: string; name: string }[]> {
  const rows = await sql<{ ars: string; name: string }>`
    SELECT ars, name FROM regions WHERE ${sql.raw(REGION_FILTER[granularity])} ORDER BY ars`.execute(db);
  return rows.rows;
}

/** One row per region of each service's granularity for the month, stored counts filled in. */
/** Months one template may cover: two years of backfilling in one file. */
export const MAX_TEMPLATE_MONTHS = 24;

/**
 * One row per month, region (and service of a portal) from `from` to `to`, stored counts filled in.
 * Null when the template would hold more rows than an upload may (MAX_FILE_ROWS).
 */
export async function templateRows(
  db: Kysely<Database>,
  target: DeliveryTarget,
  from: string,
  to: string,
): Promise<TemplateRow[] | null> {
  const months = monthRange(from, to);
  const services =
    target.kind === 'service'
      ? await db
          .selectFrom('online_services')
          .select(['id', 'granularity'])
          .where('id', '=', target.serviceId)
          .execute()
      : await db
          .selectFrom('online_services')
          .innerJoin('portal_services', 'portal_services.service_id', 'online_services.id')
          .select(['online_services.id', 'online_services.granularity'])
          .where('portal_services.portal_id', '=', target.portalId)
          .orderBy('online_services.id')
          .execute();
  const stored = await db
    .selectFrom('counts')
    .select(['service_id', 'month', 'ars', 'count'])
    .where('service_id', 'in', services.length ? services.map((s) => s.id) : [-1])
    .where('month', '>=', monthToDate(from))
    .where('month', '<=', monthToDate(to))
    .execute();
  const known = new Map(stored.map((c) => [`${c.service_id}/${dateToMonth(c.month)}/${c.ars}`, c.count]));
  const regions = new Map<Granularity, { ars: string }[]>();
  for (const s of services) {
    if (!regions.has(s.granularity)) regions.set(s.granularity, await regionsOf(db, s.granularity));
  }
  const size = services.reduce((n, s) => n + regions.get(s.granularity)!.length * months.length, 0);
  if (size > MAX_FILE_ROWS) return null;
  const rows: TemplateRow[] = [];
  for (const month of months) {
    for (const s of services) {
      for (const r of regions.get(s.granularity)!) {
        rows.push({
          ...(target.kind === 'portal' ? { serviceId: s.id } : {}),
          month,
          ars: r.ars,
          count: known.get(`${s.id}/${month}/${r.ars}`) ?? null,
        });
      }
    }
  }
  return rows;
}

const templateHeader = (portal: boolean) =>
  portal ? ['serviceId', 'monat', 'ars', 'anzahl'] : ['monat', 'ars', 'anzahl'];

const templateRecord = (r: TemplateRow) => [
  ...(r.serviceId !== undefined ? [String(r.serviceId)] : []),
  r.month,
  r.ars,
  r.count === null ? '' : String(r.count),
];

/** In the one format of every CSV download (src/web/csv.ts). */
export function csvTemplate(rows: TemplateRow[], portal: boolean): Buffer {
  return csvDocument([templateHeader(portal), ...rows.map(templateRecord)]);
}

/** Month and ARS as text cells, so Excel keeps leading zeros and does not turn months into dates. */
export async function xlsxTemplate(rows: TemplateRow[], portal: boolean): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Zentrale Statistik-Komponente';
  const sheet = workbook.addWorksheet('Lieferung');
  const header = templateHeader(portal);
  sheet.columns = header.map((h) => ({ header: h, key: h, width: h === 'ars' ? 16 : 12 }));
  for (const key of ['monat', 'ars', ...(portal ? ['serviceId'] : [])]) sheet.getColumn(key).numFmt = '@';
  for (const r of rows) {
    sheet.addRow([
      ...(r.serviceId !== undefined ? [String(r.serviceId)] : []),
      r.month,
      r.ars,
      r.count ?? null,
    ]);
  }
  sheet.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** What the preview page shows; kept with the pending upload so it is computed once. */
export interface UploadPreview {
  status: DeliverySummary['status'];
  rowsTotal: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errorCount: number;
  errors: RowError[];
  changes: ChangedCount[];
  /** Milliseconds to parse and check the file, shown to people waiting for large files. */
  checkMs: number;
}

/** Errors and changed rows shown on the preview; the counts above them cover all rows. */
export const PREVIEW_ERRORS = 200;
export const PREVIEW_CHANGES = 20;
/** A preview not confirmed within this time is dropped. */
export const PENDING_HOURS = 2;

export interface PendingUpload {
  id: string;
  channel: UploadChannel;
  fileName: string;
  mediaType: string;
  preview: UploadPreview;
  createdAt: Date;
}

const targetColumns = (target: DeliveryTarget) =>
  target.kind === 'service'
    ? { service_id: target.serviceId, portal_id: null }
    : { service_id: null, portal_id: target.portalId };

export async function savePendingUpload(
  db: Kysely<Database>,
  input: {
    userId: number;
    target: DeliveryTarget;
    channel: UploadChannel;
    fileName: string;
    mediaType: string;
    content: Buffer;
    preview: UploadPreview;
  },
  now = new Date(),
): Promise<string> {
  await db.deleteFrom('pending_uploads').where('expires_at', '<', now).execute();
  const id = randomBytes(18).toString('base64url');
  await db
    .insertInto('pending_uploads')
    .values({
      id,
      user_id: input.userId,
      ...targetColumns(input.target),
      channel: input.channel,
      file_name: input.fileName,
      media_type: input.mediaType,
      content: input.content,
      preview: JSON.stringify(input.preview),
      expires_at: new Date(now.getTime() + PENDING_HOURS * 3_600_000),
    })
    .execute();
  return id;
}

/** A previewed upload of this user for this target, not expired and not confirmed; null otherwise. */
export async function findPendingUpload(
  db: Kysely<Database>,
  id: string,
  userId: number,
  target: DeliveryTarget,
  now = new Date(),
): Promise<PendingUpload | null> {
  const cols = targetColumns(target);
  const row = await db
    .selectFrom('pending_uploads')
    .select(['id', 'channel', 'file_name', 'media_type', 'preview', 'created_at'])
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where(cols.service_id === null ? 'portal_id' : 'service_id', '=', cols.service_id ?? cols.portal_id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    channel: row.channel,
    fileName: row.file_name,
    mediaType: row.media_type,
    preview: row.preview as UploadPreview,
    createdAt: row.created_at,
  };
}
