import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { SHEET_PART, WORKBOOK_PARTS, type WorkbookParts } from './xlsx-guard.js';

/*
 * ExcelJS's streaming WorkbookReader walks the archive with unzipper in one pass. That pass loses
 * parts now and then (exceljs#3064; about one read in two hundred here): a workbook ExcelJS wrote
 * itself stores xl/workbook.xml last, and a valid file was refused as unreadable. So the parts are
 * taken from the central directory that checkWorkbookArchive already read, in the order the reader
 * needs them, and handed to the reader's own part parsers. Those are not in ExcelJS's typings:
 * the package is pinned to the version whose parsers these are, and the upload tests read real
 * workbooks through them.
 */
interface ReaderParts {
  workbookRels?: { Id: string; Target: string }[];
  model?: { sheets?: { rId: string; state?: string }[] };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(entry: Readable, sheetNo: string): Generator<{ eventType: string; value: unknown }>;
}

/**
 * The first visible worksheet in the workbook's tab order, the one a person sees on opening the file;
 * without a usable workbook part, the sheet with the lowest number. Null when there is none.
 */
function firstSheetPart(reader: ReaderParts, parts: WorkbookParts): string | null {
  const sheets = reader.model?.sheets ?? [];
  const ordered = [...sheets.filter((s) => s.state !== 'hidden'), ...sheets];
  for (const sheet of ordered) {
    const target = reader.workbookRels?.find((rel) => rel.Id === sheet.rId)?.Target;
    if (!target) continue;
    const name = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
    if (SHEET_PART.test(name) && parts.has(name)) return name;
  }
  const numbered = [...parts.keys()]
    .map((name) => ({ name, no: SHEET_PART.exec(name)?.[1] }))
    .filter((p): p is { name: string; no: string } => p.no !== undefined)
    .sort((a, b) => Number(a.no) - Number(b.no));
  return numbered[0]?.name ?? null;
}

/**
 * The rows of the first worksheet, streamed: shared strings and styles (for dates) are read first,
 * then the sheet row by row. Null when the workbook has no worksheet.
 */
export async function firstWorksheet(parts: WorkbookParts): Promise<AsyncIterable<ExcelJS.Row> | null> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(undefined as never, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as ReaderParts;
  const open = (name: string) => parts.get(name)?.();
  const rels = open(WORKBOOK_PARTS.rels);
  if (rels) await reader._parseRels(rels);
  const workbook = open(WORKBOOK_PARTS.workbook);
  if (workbook) await reader._parseWorkbook(workbook);
  reader.model ??= { sheets: [] };
  const strings = open(WORKBOOK_PARTS.sharedStrings);
  if (strings) for await (const _ of reader._parseSharedStrings(strings));
  const styles = open(WORKBOOK_PARTS.styles);
  if (styles) await reader._parseStyles(styles);

  const name = firstSheetPart(reader, parts);
  if (!name) return null;
  for (const { eventType, value } of reader._parseWorksheet(open(name)!, SHEET_PART.exec(name)![1]!)) {
    if (eventType === 'worksheet') return value as AsyncIterable<ExcelJS.Row>;
  }
  return null;
}
