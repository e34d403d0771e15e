import { Readable } from 'node:stream';
import { parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../http/errors.js';
import type { IncomingRow } from './ingest.js';

/** German and English column names of delivery files, lower case. */
const COLUMNS: Record<string, keyof IncomingRow> = {
  month: 'month',
  monat: 'month',
  ars: 'ars',
  count: 'count',
  anzahl: 'count',
  serviceid: 'serviceId',
  service_id: 'serviceId',
  onlinedienst: 'serviceId',
  servicekey: 'serviceKey',
  service_key: 'serviceKey',
};

export interface CsvRows {
  rows: IncomingRow[];
  /** File line of rows[0]: the header is line 1, so data start at line 2. */
  firstRowNumber: number;
}

const csvError = (message: string) => new AppError(400, 'csv_invalid', message);

/**
 * Reads a delivery file: UTF-8 with or without BOM, header line naming the columns, `;` (German
 * spreadsheets) or `,` as delimiter, whichever the header uses.
 */
export function parseDeliveryCsv(text: string, needsServiceId: boolean): CsvRows {
  const content = text.replace(/^\uFEFF/, '');
  const headerLine = content.split(/\r?\n/, 1)[0] ?? '';
  if (headerLine.trim() === '')
    throw csvError('Die CSV-Datei ist leer; erwartet wird die Kopfzeile month;ars;count.');
  const delimiter = count(headerLine, ';') >= count(headerLine, ',') ? ';' : ',';
  let records: string[][];
  try {
    // Empty lines are kept, so record i is file line i + 1 and row numbers match what people see.
    records = parse(content, { delimiter, relax_column_count: true, skip_empty_lines: false, trim: true });
  } catch (e) {
    throw csvError(`Die CSV-Datei ist fehlerhaft: ${(e as Error).message}`);
  }
  return rowsFromRecords(records, needsServiceId);
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const YIELD_EVERY = 5_000;

function* chunksOf(content: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < content.length; i += size) yield content.subarray(i, i + size);
}

/**
 * The same reading as parseDeliveryCsv for an uploaded file, as a stream: csv-parse's streaming API
 * takes the file in chunks and hands records over as they are complete, so a file of 100,000 rows
 * does not hold the event loop for the whole parse (it yields every 5,000 records: progress polls and
 * other requests are answered in between) and no decoded copy of the whole text is made. Fields are decoded from bytes by
 * csv-parse, so a character split across two chunks stays whole.
 */
export async function parseDeliveryCsvStream(
  content: Buffer,
  needsServiceId: boolean,
  chunkSize = 64 * 1024,
): Promise<CsvRows> {
  const body = content.subarray(0, 3).equals(UTF8_BOM) ? content.subarray(3) : content;
  const lineEnd = body.indexOf(0x0a);
  const headerLine = body.subarray(0, lineEnd < 0 ? body.length : lineEnd).toString('utf8');
  if (headerLine.trim() === '')
    throw csvError('Die CSV-Datei ist leer; erwartet wird die Kopfzeile month;ars;count.');
  const delimiter = count(headerLine, ';') >= count(headerLine, ',') ? ';' : ',';
  const records: string[][] = [];
  try {
    const parser = parseStream({ delimiter, relax_column_count: true, skip_empty_lines: false, trim: true });
    Readable.from(chunksOf(body, chunkSize)).pipe(parser);
    for await (const record of parser) {
      // Stream callbacks run as (next-)ticks, which never let the event loop reach waiting I/O; a
      // macrotask break now and then does.
      if (records.push(record as string[]) % YIELD_EVERY === 0) await new Promise(setImmediate);
    }
  } catch (e) {
    throw csvError(`Die CSV-Datei ist fehlerhaft: ${(e as Error).message}`);
  }
  return rowsFromRecords(records, needsServiceId);
}

/**
 * Maps the records of a delivery table (a CSV file or the first sheet of a workbook; record 0 is the
 * header) to rows, checking the header. Trailing empty records are dropped; empty records in between
 * are kept so that row numbers stay those of the file.
 */
export function rowsFromRecords(records: unknown[][], needsServiceId: boolean): CsvRows {
  const isEmpty = (r: unknown[]) => r.every((f) => f === '' || f === null || f === undefined);
  while (records.length > 1 && isEmpty(records[records.length - 1]!)) records.pop();
  const header = (records[0] ?? []).map((h) =>
    String(h ?? '')
      .trim()
      .toLowerCase(),
  );
  if (header.every((h) => h === ''))
    throw csvError(`Die Datei ist leer; erwartet wird die Kopfzeile ${expected(needsServiceId)}.`);
  const keys = header.map((h) => COLUMNS[h]);
  const unknown = header.filter((_, i) => keys[i] === undefined);
  if (unknown.length) {
    throw csvError(
      `Unbekannte Spalte ${unknown.map((u) => `„${u}“`).join(', ')} in der Kopfzeile; erwartet: ${expected(needsServiceId)}.`,
    );
  }
  const missing = ['month', 'ars', 'count'].filter((k) => !keys.includes(k as keyof IncomingRow));
  // A portal names its services by id or by its own key, one of the two.
  const naming = keys.filter((k) => k === 'serviceId' || k === 'serviceKey').length;
  if (missing.length || new Set(keys).size !== keys.length || (needsServiceId && naming !== 1)) {
    throw csvError(`Die Kopfzeile muss die Spalten ${expected(needsServiceId)} je einmal enthalten.`);
  }
  if (!needsServiceId && naming > 0) {
    throw csvError('Die Spalten serviceId und serviceKey gibt es nur bei Lieferungen eines Portals.');
  }
  const rows = records.slice(1).map((fields) => {
    const row: IncomingRow = { month: undefined, ars: undefined, count: undefined };
    keys.forEach((k, i) => {
      row[k!] = fields[i];
    });
    return row;
  });
  return { rows, firstRowNumber: 2 };
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}

function expected(needsServiceId: boolean): string {
  return needsServiceId
    ? 'serviceId;month;ars;count (oder serviceKey statt serviceId; oder monat, anzahl)'
    : 'month;ars;count (oder monat;ars;anzahl)';
}
