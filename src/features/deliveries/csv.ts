import { Readable } from 'node:stream';
import { parse as parseStream } from 'csv-parse';
import { shown } from '../../domain/shown.js';
import { AppError } from '../../http/errors.js';
import { formatInt } from '../../web/format.js';
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
  /**
   * Row number of each row as people see it (file line, Excel row; the header is 1). Blank lines are
   * skipped, so the numbers may have gaps.
   */
  rowNumbers: number[];
}

/**
 * Rows of one delivery file. Excel itself stops at 1,048,576 rows; the largest deliveries (every
 * Gemeinde for three years) have about 400,000. The limit bounds the memory a file of short rows
 * can take before anything is checked.
 */
export const MAX_FILE_ROWS = 1_000_000;

const csvError = (message: string) => new AppError(400, 'csv_invalid', message);

/** A limit of the file readers was exceeded; `details` names it for programs. */
export function limitExceeded(limit: string, max: number, message: string): AppError {
  return new AppError(422, 'limit_exceeded', message, [{ limit, max }]);
}

const tooManyRows = (max: number) =>
  limitExceeded(
    'rows',
    max,
    `Die Datei hat mehr als ${formatInt(max)} Zeilen mit Daten; bitte teilen Sie die Lieferung auf.`,
  );

/** Lines whose field count differs from the header's before the file is taken for no delivery. */
const MAX_MISSHAPEN = 1_000;

const misshapenLines = (width: number) =>
  csvError(
    `Mehr als ${formatInt(MAX_MISSHAPEN)} Zeilen haben nicht die ${width} Spalten der Kopfzeile. ` +
      'Bitte prüfen Sie das Trennzeichen (; oder ,) und ob die Datei eine Lieferung ist.',
  );

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const YIELD_EVERY = 5_000;
/** UTF-8 text of digits, letters and separators has no zero bytes; UTF-16 has one in every ASCII character. */
const ENCODING_PROBE = 4096;

function* chunksOf(content: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < content.length; i += size) yield content.subarray(i, i + size);
}

/**
 * Excel's „Unicode-Text“ and some exports write UTF-16: read as UTF-8 it gives a header of NUL
 * characters, which says nothing to people. Name the encoding and what to do instead.
 */
function checkEncoding(content: Buffer): void {
  const bom16 =
    content.length >= 2 &&
    ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff));
  if (bom16 || content.subarray(0, ENCODING_PROBE).includes(0)) {
    throw new AppError(
      400,
      'csv_encoding',
      `Die Datei ist ${bom16 ? 'in UTF-16 (Unicode)' : 'nicht in UTF-8 (sie enthält Null-Bytes, vermutlich UTF-16)'} gespeichert. ` +
        'Bitte speichern Sie sie als „CSV UTF-8 (durch Trennzeichen getrennt)“ und laden Sie sie erneut hoch.',
    );
  }
}

/** csv-parse's own messages are English and technical; people get the line and what to look at. */
function syntaxError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const { code, lines } = e as { code?: string; lines?: number };
  const where = typeof lines === 'number' ? ` (Zeile ${lines})` : '';
  if (code === 'CSV_QUOTE_NOT_CLOSED')
    return csvError(`Die CSV-Datei ist fehlerhaft: Ein Anführungszeichen wird nicht geschlossen${where}.`);
  if (code === 'CSV_INVALID_CLOSING_QUOTE' || code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE')
    return csvError(
      `Die CSV-Datei ist fehlerhaft: Nach einem schließenden Anführungszeichen folgt kein Trennzeichen${where}.`,
    );
  return csvError(`Die CSV-Datei ist fehlerhaft${where}.`);
}

/**
 * Reads a delivery file: UTF-8 with or without BOM, header line naming the columns, `;` (German
 * spreadsheets) or `,` as delimiter, whichever the header uses. csv-parse's streaming API takes the
 * file in chunks and hands records over as they are complete, so no decoded copy of the whole text is
 * made and each record is mapped to a row (or dropped, if blank) as it comes: a file of a million
 * empty lines costs no memory. It yields every 5,000 records, so progress polls and other requests
 * are answered in between. Fields are decoded from bytes by csv-parse, so a character split across
 * two chunks stays whole.
 */
export async function parseDeliveryCsvStream(
  content: Buffer,
  needsServiceId: boolean,
  { chunkSize = 64 * 1024, maxRows = MAX_FILE_ROWS }: { chunkSize?: number; maxRows?: number } = {},
): Promise<CsvRows> {
  checkEncoding(content);
  const body = content.subarray(0, 3).equals(UTF8_BOM) ? content.subarray(3) : content;
  const lineEnd = body.indexOf(0x0a);
  const headerLine = body.subarray(0, lineEnd < 0 ? body.length : lineEnd).toString('utf8');
  if (headerLine.trim() === '')
    throw csvError('Die CSV-Datei ist leer; erwartet wird die Kopfzeile month;ars;count.');
  const delimiter = count(headerLine, ';') >= count(headerLine, ',') ? ';' : ',';
  const table = new RowCollector(needsServiceId, maxRows);
  try {
    // Blank lines are skipped inside csv-parse: handed over as records, a million of them took
    // minutes. `info.lines` is the line a record ends on; a quoted field may span lines.
    const parser = parseStream({
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      trim: true,
      info: true,
    });
    Readable.from(chunksOf(body, chunkSize)).pipe(parser);
    let n = 0;
    let width = 0;
    let misshapen = 0;
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      // csv-parse builds an error object (stack trace included) for every record whose width differs
      // from the first, even when told to let it pass: 150 µs each, minutes for a file of such lines.
      if (n === 0) width = record.length;
      else if (record.length !== width && ++misshapen > MAX_MISSHAPEN) throw misshapenLines(width);
      table.add(record, info.lines - newlinesIn(record));
      // Stream callbacks run as (next-)ticks, which never let the event loop reach waiting I/O; a
      // macrotask break now and then does.
      if (++n % YIELD_EVERY === 0) await new Promise(setImmediate);
    }
  } catch (e) {
    throw syntaxError(e);
  }
  return table.result();
}

function newlinesIn(record: readonly string[]): number {
  let n = 0;
  for (const field of record) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) n++;
  return n;
}

const isBlank = (fields: readonly unknown[]) =>
  fields.every((f) => f === '' || f === null || f === undefined);

/**
 * Turns the records of a delivery table (a CSV file or the first sheet of a workbook) into rows as
 * they come: the first non-blank record is the header and is checked; blank records (empty lines,
 * lines of separators only, empty spreadsheet rows) carry nothing and are skipped, keeping the row
 * numbers of the others.
 */
export class RowCollector {
  private keys: (keyof IncomingRow)[] | null = null;
  private readonly rows: IncomingRow[] = [];
  private readonly rowNumbers: number[] = [];

  constructor(
    private readonly needsServiceId: boolean,
    private readonly maxRows = MAX_FILE_ROWS,
  ) {}

  add(fields: readonly unknown[], rowNumber: number): void {
    if (isBlank(fields)) return;
    if (this.keys === null) {
      this.keys = headerKeys(fields, this.needsServiceId);
      return;
    }
    if (this.rows.length >= this.maxRows) throw tooManyRows(this.maxRows);
    const row: IncomingRow = { month: undefined, ars: undefined, count: undefined };
    this.keys.forEach((k, i) => {
      row[k] = fields[i];
    });
    this.rows.push(row);
    this.rowNumbers.push(rowNumber);
  }

  result(): CsvRows {
    if (this.keys === null)
      throw csvError(`Die Datei ist leer; erwartet wird die Kopfzeile ${expected(this.needsServiceId)}.`);
    return { rows: this.rows, rowNumbers: this.rowNumbers };
  }
}

function headerKeys(fields: readonly unknown[], needsServiceId: boolean): (keyof IncomingRow)[] {
  const header = fields.map((h) => (typeof h === 'string' ? h : '').trim().toLowerCase());
  const keys = header.map((h) => COLUMNS[h]);
  const unknown = header.filter((_, i) => keys[i] === undefined);
  if (unknown.length) {
    throw csvError(
      `Unbekannte Spalte ${unknown
        .slice(0, 5)
        .map((u) => `„${shown(u, 40)}“`)
        .join(
          ', ',
        )}${unknown.length > 5 ? ' …' : ''} in der Kopfzeile; erwartet: ${expected(needsServiceId)}.`,
    );
  }
  const found = keys as (keyof IncomingRow)[];
  const missing = (['month', 'ars', 'count'] as const).filter((k) => !found.includes(k));
  // A portal names its services by id or by its own key, one of the two.
  const naming = found.filter((k) => k === 'serviceId' || k === 'serviceKey').length;
  if (missing.length || new Set(found).size !== found.length || (needsServiceId && naming !== 1)) {
    throw csvError(`Die Kopfzeile muss die Spalten ${expected(needsServiceId)} je einmal enthalten.`);
  }
  if (!needsServiceId && naming > 0) {
    throw csvError('Die Spalten serviceId und serviceKey gibt es nur bei Lieferungen eines Portals.');
  }
  return found;
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}

function expected(needsServiceId: boolean): string {
  return needsServiceId
    ? 'serviceId;month;ars;count (oder serviceKey statt serviceId; oder monat, anzahl)'
    : 'month;ars;count (oder monat;ars;anzahl)';
}
