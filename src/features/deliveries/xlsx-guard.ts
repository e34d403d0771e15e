import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { AppError } from '../../http/errors.js';
import { formatBytes } from '../../http/errors.js';
import { formatInt } from '../../web/format.js';
import { limitExceeded } from './csv.js';

/*
 * An .xlsx file is a ZIP archive of XML parts. A few hundred kilobytes can unpack to gigabytes, and
 * ExcelJS (through saxes) holds a whole text node, the shared strings and the styles in
 * memory and trusts every index it reads. So before ExcelJS sees a workbook, this check unpacks it
 * once as a stream (never more than a chunk in memory) and refuses what could exhaust the process:
 * too much unpacked data, parts ExcelJS keeps whole that are too large, XML text or tags too long to
 * be a cell, XML declarations that expand (DOCTYPE) and column ranges past Excel's last column.
 */

/** All parts unpacked together. An Excel sheet of 1,000,000 rows of a delivery is about 150 MiB. */
export const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;
/** Each part ExcelJS keeps whole (shared strings, styles, workbook, relationships). */
export const MAX_PART_BYTES = 16 * 1024 * 1024;
/** Parts of the archive; a workbook of a few sheets has about a dozen. */
export const MAX_ENTRIES = 1_000;
/**
 * Bytes from one `<` to the next: one tag with its text. Excel allows 32,767 characters per cell,
 * which are at most 6 bytes each in XML (`&quot;`); anything longer is no cell.
 */
export const MAX_XML_TOKEN_BYTES = 256 * 1024;
/** Excel's last column, XFD. */
const LAST_COLUMN = 16_384;

/** The parts xlsx-sheet.ts hands to ExcelJS's parsers before the sheet, in the order it reads them. */
export const WORKBOOK_PARTS = {
  rels: 'xl/_rels/workbook.xml.rels',
  workbook: 'xl/workbook.xml',
  sharedStrings: 'xl/sharedStrings.xml',
  styles: 'xl/styles.xml',
} as const;
/** A worksheet xlsx-sheet.ts may read (the number names it). */
export const SHEET_PART = /^xl\/worksheets\/sheet(\d+)\.xml$/;

// Watched as parsed: the parts above and, as ExcelJS's own reader matches them (unanchored), every
// sheet and the relationships it would read too.
const SHEET = /xl\/worksheets\/sheet\d+[.]xml/;
const PARSED_NAMES = new Set<string>(Object.values(WORKBOOK_PARTS));
const PARSED = [/^_rels\/\.rels$/, /xl\/worksheets\/_rels\/sheet\d+[.]xml.rels/];

const invalid = () =>
  new AppError(
    400,
    'xlsx_invalid',
    'Die Excel-Datei lässt sich nicht lesen. Bitte speichern Sie sie in Excel oder LibreOffice erneut als Excel-Arbeitsmappe (.xlsx).',
  );

const tooLarge = () =>
  limitExceeded(
    'unpacked_size',
    MAX_UNPACKED_BYTES,
    `Die Excel-Datei ist entpackt größer als ${formatBytes(MAX_UNPACKED_BYTES)}; bitte teilen Sie die Lieferung auf.`,
  );

const partTooLarge = (name: string) =>
  limitExceeded(
    'part_size',
    MAX_PART_BYTES,
    `Der Teil „${name.slice(0, 60)}“ der Excel-Datei ist entpackt größer als ${formatBytes(MAX_PART_BYTES)}.`,
  );

const tokenTooLong = () =>
  limitExceeded(
    'cell_length',
    MAX_XML_TOKEN_BYTES,
    `Die Excel-Datei enthält eine Zelle oder ein Element von mehr als ${formatBytes(MAX_XML_TOKEN_BYTES)}; ` +
      `Excel erlaubt höchstens ${formatInt(32_767)} Zeichen je Zelle.`,
  );

const tooManyEntries = () =>
  limitExceeded(
    'entries',
    MAX_ENTRIES,
    `Die Excel-Datei besteht aus mehr als ${formatInt(MAX_ENTRIES)} Teilen; so viele hat keine Arbeitsmappe.`,
  );

interface Entry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DESCRIPTOR = Buffer.from([0x50, 0x4b, 0x07, 0x08]);

/**
 * The entries of the central directory, checked against the local headers: they must lie one after
 * the other from the start to the directory, with nothing in between, so that any ZIP reader, whether
 * it follows the local headers in sequence or the directory, sees the parts this check read.
 */
function entriesOf(zip: Buffer): { entry: Entry; start: number; end: number }[] {
  const from = Math.max(0, zip.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = zip.length - 22; i >= from; i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0 || eocd + 22 + zip.readUInt16LE(eocd + 20) !== zip.length) throw invalid();
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  // ZIP64 (0xffff entries, 0xffffffff offsets) and split archives are no .xlsx of this size.
  if (zip.readUInt16LE(eocd + 4) !== 0 || zip.readUInt16LE(eocd + 6) !== 0) throw invalid();
  if (count === 0xffff || cdOffset === 0xffffffff) throw invalid();
  if (count > MAX_ENTRIES) throw tooManyEntries();
  if (cdOffset + cdSize !== eocd) throw invalid();

  const entries: Entry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || zip.readUInt32LE(p) !== CENTRAL) throw invalid();
    const nameLength = zip.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    if (next > eocd) throw invalid();
    entries.push({
      flags: zip.readUInt16LE(p + 8),
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      name: zip.toString('utf8', p + 46, p + 46 + nameLength),
      localOffset: zip.readUInt32LE(p + 42),
    });
    p = next;
  }
  if (p !== eocd) throw invalid();

  entries.sort((a, b) => a.localOffset - b.localOffset);
  const ranges: { entry: Entry; start: number; end: number }[] = [];
  let expected = 0;
  for (const entry of entries) {
    const o = entry.localOffset;
    if (o !== expected || o + 30 > cdOffset || zip.readUInt32LE(o) !== LOCAL) throw invalid();
    const flags = zip.readUInt16LE(o + 6);
    const localSize = zip.readUInt32LE(o + 18);
    const nameLength = zip.readUInt16LE(o + 26);
    const start = o + 30 + nameLength + zip.readUInt16LE(o + 28);
    const end = start + entry.compressedSize;
    const encrypted = (flags & 1) !== 0;
    if (encrypted || ![0, 8].includes(entry.method) || zip.readUInt16LE(o + 8) !== entry.method)
      throw invalid();
    if (zip.toString('utf8', o + 30, o + 30 + nameLength) !== entry.name) throw invalid();
    if (entry.compressedSize === 0xffffffff || end > cdOffset) throw invalid();
    // A reader that follows the local headers takes the size from there, or, with a data descriptor
    // and no size there, reads up to the first descriptor signature: both must give this range.
    if ((flags & 8) !== 0 && localSize === 0) {
      if (zip.indexOf(DESCRIPTOR, start) !== end) throw invalid();
      expected = end + 16;
    } else {
      if (localSize !== entry.compressedSize) throw invalid();
      expected = end;
    }
    ranges.push({ entry, start, end });
  }
  if (expected !== cdOffset) throw invalid();
  return ranges;
}

const LT = 0x3c;
const GT = 0x3e;
const BANG = 0x21;
const QUESTION = 0x3f;

/** Byte-level watch over one XML part as it is unpacked; see MAX_XML_TOKEN_BYTES. */
class XmlWatch {
  private run = 0;
  private afterLt = false;
  private inPi = false;
  private prev = 0;
  private name: string | null = null;
  private colTag: string | null = null;

  scan(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.inPi || this.afterLt || this.name !== null || this.colTag !== null) {
        this.step(chunk[i++]!);
        continue;
      }
      // Between a tag's name and the next `<` only the length matters: jump there (the byte loop
      // above took as long as ExcelJS's whole reading).
      const lt = chunk.indexOf(LT, i);
      this.run += (lt < 0 ? chunk.length : lt) - i;
      if (this.run > MAX_XML_TOKEN_BYTES) throw tokenTooLong();
      if (lt < 0) return;
      this.step(LT);
      i = lt + 1;
    }
  }

  private step(b: number): void {
    if (this.inPi) {
      if (b === GT && this.prev === QUESTION) {
        this.inPi = false;
        this.run = 0;
      } else if (++this.run > 4096) throw tokenTooLong();
      this.prev = b;
      return;
    }
    if (b === LT) {
      this.run = 0;
      this.afterLt = true;
      this.name = '';
      this.colTag = null;
      return;
    }
    if (++this.run > MAX_XML_TOKEN_BYTES) throw tokenTooLong();
    if (this.afterLt) {
      this.afterLt = false;
      // DOCTYPE (entity expansion), comments and CDATA: Excel writes none of them.
      if (b === BANG) throw invalid();
      if (b === QUESTION) {
        this.inPi = true;
        this.prev = 0;
        this.name = null;
        return;
      }
    }
    if (this.name !== null) {
      if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x2f || b === GT) {
        if (/(^|:)col$/.test(this.name)) this.colTag = '';
        this.name = null;
      } else if (this.name.length < 32) this.name += String.fromCharCode(b);
    }
    if (this.colTag !== null) {
      if (b === GT) {
        checkColumns(this.colTag);
        this.colTag = null;
      } else this.colTag += String.fromCharCode(b);
    }
  }
}

/**
 * ExcelJS creates one object per column of `<col min max>` (as parseInt reads them): only plain
 * numbers up to Excel's last column are let through.
 */
function checkColumns(attributes: string): void {
  for (const m of attributes.matchAll(/\b(min|max)\s*=\s*(["'])(.*?)\2/g)) {
    const value = m[3]!;
    if (!/^\s*\d{1,5}\s*$/.test(value) || Number(value) > LAST_COLUMN) throw invalid();
  }
}

/** The checked parts of a workbook by name; each opens as a fresh stream of its unpacked bytes. */
export type WorkbookParts = ReadonlyMap<string, () => Readable>;

function unpack(zip: Buffer, entry: Entry, start: number, end: number): Readable {
  const data = Readable.from([zip.subarray(start, end)]);
  return entry.method === 8 ? data.pipe(createInflateRaw()) : data;
}

/**
 * Unpacks every part of the workbook once, as a stream, and refuses it with 422 `limit_exceeded`
 * (the message names the limit) or 400 `xlsx_invalid` before anything is kept. Returns the parts,
 * found through the central directory, for reading in the order the reader needs.
 */
export async function checkWorkbookArchive(zip: Buffer): Promise<WorkbookParts> {
  if (zip.length < 22) throw invalid();
  let total = 0;
  const parts = new Map<string, () => Readable>();
  for (const { entry, start, end } of entriesOf(zip)) {
    parts.set(entry.name, () => unpack(zip, entry, start, end));
    const sheet = SHEET.test(entry.name);
    const parsed = sheet || PARSED_NAMES.has(entry.name) || PARSED.some((p) => p.test(entry.name));
    const watch = parsed ? new XmlWatch() : null;
    let size = 0;
    const unpacked = unpack(zip, entry, start, end);
    try {
      for await (const chunk of unpacked) {
        const bytes = chunk as Buffer;
        size += bytes.length;
        total += bytes.length;
        if (total > MAX_UNPACKED_BYTES) throw tooLarge();
        if (parsed && !sheet && size > MAX_PART_BYTES) throw partTooLarge(entry.name);
        watch?.scan(bytes);
      }
    } catch (e) {
      unpacked.destroy();
      if (e instanceof AppError) throw e;
      throw invalid();
    }
  }
  return parts;
}
