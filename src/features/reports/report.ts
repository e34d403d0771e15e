/**
 * The two report tables of the federal reports (per data source, per online service): their columns
 * in German, the sort order and the parameters of the page and the exports. The page, the CSV and the
 * XLSX export share these definitions, so a column reads the same everywhere.
 */
import { ok, type DomainError, type Result } from '../../domain/result.js';
import { currentMonth, parseMonth } from '../../domain/months.js';
import { alignPeriod, parseResolution, type Resolution } from '../../domain/periods.js';
import { GRANULARITY_LABEL, monthLabel } from '../../web/labels.js';
import { GRANULARITIES } from '../../domain/vocabulary.js';
import { renamedParam } from '../../http/renamed-params.js';
import { collator, type Period, type PortalReportRow, type ServiceReportRow } from './queries.js';

export type SortDir = 'asc' | 'desc';

export interface ReportColumn<R> {
  key: string;
  label: string;
  numeric?: boolean;
  nowrap?: boolean;
  /** What the column sorts by; null sorts last in both directions. */
  sortValue: (row: R) => string | number | null;
  /** German text for the page and for text cells of the exports ('' = no value). */
  text: (row: R) => string;
  /** Numeric columns: the number itself, for CSV digits and XLSX number cells. */
  number?: (row: R) => number;
  /** Month columns: the month (YYYY-MM) or null, for XLSX date cells that sort as dates. */
  month?: (row: R) => string | null;
}

export interface ReportTable<R> {
  /** Used in the URL of the exports and in their file names: portale, dienste. */
  slug: 'portale' | 'dienste';
  title: string;
  columns: ReportColumn<R>[];
  defaultSort: { key: string; dir: SortDir };
  /** Stable order among equal values. */
  tieBreak: (a: R, b: R) => number;
}

/** „–“ where a row has no data in the period, as the federal report tables print it. */
export const NO_DATA = '–';
const month = (m: string | null) => (m ? monthLabel(m) : NO_DATA);
// Letters, not digits: the collator compares digit runs as numbers, which would put "12" after "2".
const granularityRank = (values: readonly string[]) =>
  values.map((g) => 'abcd'[GRANULARITIES.indexOf(g as never)]).join('');

/** The columns both reports share: first and last month with data, transactions. */
type ReportFigures = { firstMonth: string | null; lastMonth: string | null; transactions: number };

const periodColumns = <R extends ReportFigures>(): ReportColumn<R>[] => [
  {
    key: 'first',
    label: 'Daten von',
    nowrap: true,
    sortValue: (r) => r.firstMonth,
    text: (r) => month(r.firstMonth),
    month: (r) => r.firstMonth,
  },
  {
    key: 'last',
    label: 'Daten bis',
    nowrap: true,
    sortValue: (r) => r.lastMonth,
    text: (r) => month(r.lastMonth),
    month: (r) => r.lastMonth,
  },
];

const transactionsColumn = <R extends ReportFigures>(): ReportColumn<R> => ({
  key: 'transactions',
  label: 'Anzahl Transaktionen',
  numeric: true,
  sortValue: (r) => r.transactions,
  text: (r) => String(r.transactions),
  number: (r) => r.transactions,
});

export const DIRECT_CONNECTION = 'Einzelanbindung';
export const WITHOUT_AUTHORITY = 'ohne Behörde';

/** "Verwaltungsportal des Bundes" or "Einzelanbindung: Kraftfahrt-Bundesamt". */
export function sourceName(row: Pick<PortalReportRow, 'kind' | 'name'>): string {
  if (row.kind === 'portal') return row.name ?? '';
  return `${DIRECT_CONNECTION}: ${row.name ?? WITHOUT_AUTHORITY}`;
}

export const PORTAL_TABLE: ReportTable<PortalReportRow> = {
  slug: 'portale',
  title: 'Transaktionen je Portal und Datenquelle',
  columns: [
    { key: 'source', label: 'Portal / Datenquelle', sortValue: sourceName, text: sourceName },
    {
      key: 'kind',
      label: 'Art der Anbindung',
      sortValue: (r) => (r.kind === 'portal' ? 'Portal' : DIRECT_CONNECTION),
      text: (r) => (r.kind === 'portal' ? 'Portal' : DIRECT_CONNECTION),
    },
    {
      key: 'services',
      label: 'Anzahl Onlinedienste',
      numeric: true,
      sortValue: (r) => r.services,
      text: (r) => String(r.services),
      number: (r) => r.services,
    },
    ...periodColumns(),
    {
      key: 'granularity',
      label: 'Granularität',
      sortValue: (r) => (r.granularities.length ? granularityRank(r.granularities) : null),
      text: (r) => r.granularities.map((g) => GRANULARITY_LABEL[g]).join(', ') || NO_DATA,
    },
    transactionsColumn(),
  ],
  defaultSort: { key: 'transactions', dir: 'desc' },
  tieBreak: (a, b) => collator.compare(sourceName(a), sourceName(b)) || (a.sourceId ?? 0) - (b.sourceId ?? 0),
};

const portalsText = (r: ServiceReportRow) =>
  r.portals.length ? r.portals.join(', ') : `${DIRECT_CONNECTION} (kein Portal)`;

export const SERVICE_TABLE: ReportTable<ServiceReportRow> = {
  slug: 'dienste',
  title: 'Transaktionen je Onlinedienst',
  columns: [
    { key: 'service', label: 'Onlinedienst', sortValue: (r) => r.name, text: (r) => r.name },
    {
      key: 'authority',
      label: 'Behörde',
      sortValue: (r) => r.authority,
      text: (r) => r.authority ?? '',
    },
    { key: 'source', label: 'Portal / Datenquelle', sortValue: portalsText, text: portalsText },
    ...periodColumns(),
    {
      key: 'granularity',
      label: 'Granularität',
      sortValue: (r) => granularityRank([r.granularity]),
      text: (r) => (r.firstMonth === null ? NO_DATA : GRANULARITY_LABEL[r.granularity]),
    },
    transactionsColumn(),
  ],
  defaultSort: { key: 'transactions', dir: 'desc' },
  tieBreak: (a, b) => collator.compare(a.name, b.name) || a.id - b.id,
};

export interface ReportQuery {
  period: Period;
  sort: string;
  dir: SortDir;
  /** Month, quarter or year (default month): the period is widened to whole quarters or years. */
  resolution?: Resolution;
}

const first = (v: unknown): string | undefined => {
  const value: unknown = Array.isArray(v) ? v[0] : v;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/**
 * Reads ?von=YYYY-MM&bis=YYYY-MM&sortierung=KEY&richtung=asc|desc (the former names from, to, sort and
 * dir still answer); empty fields (as a GET form sends them) count as absent. Every problem is returned
 * at once, for the page to show them together.
 */
export function parseReportQuery<R>(
  table: ReportTable<R>,
  query: Record<string, unknown>,
  now: Date,
): Result<ReportQuery, DomainError[]> {
  const errors: DomainError[] = [];
  const period: Period = { from: null, to: null };
  for (const [field, label] of [
    ['from', 'von'],
    ['to', 'bis'],
  ] as const) {
    const raw = first(renamedParam(query, label, field));
    if (raw === undefined) continue;
    const parsed = parseMonth(raw, now);
    if (parsed.ok) period[field] = parsed.value;
    else errors.push({ ...parsed.error, message: `Zeitraum ${label}: ${parsed.error.message}` });
  }
  if (period.from && period.to && period.from > period.to) {
    errors.push({
      code: 'period_reversed',
      message: `Der Zeitraum beginnt (${monthLabel(period.from)}) nach seinem Ende (${monthLabel(period.to)}).`,
      messageEn: `The period starts (${period.from}) after it ends (${period.to}).`,
    });
  }
  const resolution = parseResolution(first(query.aufloesung));
  if (!resolution.ok) errors.push(resolution.error);
  const sort = first(renamedParam(query, 'sortierung', 'sort')) ?? table.defaultSort.key;
  if (!table.columns.some((c) => c.key === sort)) {
    const keys = table.columns.map((c) => c.key).join(', ');
    errors.push({
      code: 'sort_unknown',
      message: `Nach „${sort}“ kann nicht sortiert werden; möglich sind: ${keys}.`,
      messageEn: `Cannot sort by "${sort}"; possible: ${keys}.`,
    });
  }
  const dirRaw =
    first(renamedParam(query, 'richtung', 'dir')) ??
    (sort === table.defaultSort.key ? table.defaultSort.dir : 'asc');
  if (dirRaw !== 'asc' && dirRaw !== 'desc') {
    errors.push({
      code: 'sort_direction',
      message: `Die Sortierrichtung muss asc (aufsteigend) oder desc (absteigend) sein, erhalten: „${dirRaw}“.`,
      messageEn: `The sort direction must be asc or desc, got "${dirRaw}".`,
    });
  }
  if (errors.length > 0 || !resolution.ok) return { ok: false, error: errors };
  return ok({
    period: alignPeriod(period, resolution.value, currentMonth(now)),
    sort,
    dir: dirRaw as SortDir,
    resolution: resolution.value,
  });
}

function compareValues(a: string | number | null, b: string | number | null): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** Sorted copy; rows without a value (no data) stay at the end in both directions. */
export function sortRows<R>(table: ReportTable<R>, rows: readonly R[], key: string, dir: SortDir): R[] {
  const column = table.columns.find((c) => c.key === key);
  if (!column) throw new RangeError(`Unknown sort key ${key}`);
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = column.sortValue(a);
    const vb = column.sortValue(b);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
      return table.tieBreak(a, b);
    }
    return sign * compareValues(va, vb) || table.tieBreak(a, b);
  });
}

/** The query string of a report URL; absent values are left out. */
export function reportSearch(q: {
  period: Period;
  sort?: string;
  dir?: SortDir;
  page?: number;
  resolution?: Resolution;
}): string {
  const params = new URLSearchParams();
  if (q.period.from) params.set('von', q.period.from);
  if (q.period.to) params.set('bis', q.period.to);
  if (q.resolution && q.resolution !== 'monat') params.set('aufloesung', q.resolution);
  if (q.sort) params.set('sortierung', q.sort);
  if (q.dir) params.set('richtung', q.dir);
  if (q.page && q.page > 1) params.set('seite', String(q.page));
  const s = params.toString();
  return s ? `?${s}` : '';
}
