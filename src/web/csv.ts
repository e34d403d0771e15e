/**
 * The one CSV writer of every download (reports, upload templates): CSV as German statistics offices
 * publish it, `;` between fields, CRLF line ends, UTF-8 with a byte order mark (so Excel in a German
 * locale opens umlauts and columns correctly). Figures are plain digits without thousands separators so
 * that programs read them as numbers; no value is an empty field.
 */
export type CsvCell = string | number | null;

/**
 * Spreadsheets run a cell starting with = + - @ (or a tab or CR before one) as a formula (CSV
 * injection, OWASP), so such text gets a leading apostrophe. Also after a line break inside the text:
 * a reader that ignores the quotes starts a new row there.
 */
export const defuseFormula = (text: string): string => text.replace(/(?<=^|[\r\n])(?=[=+\-@\t\r])/g, "'");

// Only what needs it (RFC 4180), so the files stay as they always were for plain values.
const NEEDS_QUOTES = /[;"\r\n]/;

/** Text is defused and quoted when needed; numbers are written as they are. */
export function csvField(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = defuseFormula(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line of the ZSK's CSV (`;`, CRLF), for documents and for files written as a stream. */
export const csvLine = (cells: readonly CsvCell[]): string => `${cells.map(csvField).join(';')}\r\n`;

export function csvDocument(rows: Iterable<readonly CsvCell[]>): Buffer {
  let text = '\uFEFF';
  for (const row of rows) text += csvLine(row);
  return Buffer.from(text, 'utf8');
}
