import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Audience } from '../../http/access.js';
import { AppError, notFound } from '../../http/errors.js';
import { addMonths, lastClosedMonth, monthRange, parseMonth } from '../../domain/months.js';
import { bucketRange, periodLabelDe, type PeriodKind, type RangeBucket } from '../../domain/periods.js';
import type { Granularity, ServiceType } from '../../domain/vocabulary.js';
import { GRANULARITY_LABEL, SERVICE_TYPE_LABEL } from '../../web/labels.js';
import type { CsvCell } from '../../web/csv.js';
import { parseFilter, type Filter } from './filter.js';
import { jsonStatDataset, type JsonStatDataset } from './jsonstat.js';
import {
  getOpenService,
  groupLabels,
  LEVELS,
  listGroupMonths,
  listServicePage,
  listServiceSeries,
  MULTI_MEMBERSHIP_DIMENSIONS,
  regionNames,
  type AggregateDimension,
  type ServiceRecord,
} from './queries.js';

const SOURCE = 'Zentrale Statistik-Komponente (ZSK)';
const badParameter = (message: string) => new AppError(400, 'invalid_parameter', message);

export interface ServicePage {
  page: number;
  pageSize: number;
  totalItems: number;
  totalPages: number;
  items: ServiceRecord[];
}

export async function loadServicePage(
  db: Kysely<Database>,
  audience: Audience,
  { page, pageSize }: { page: number; pageSize: number },
): Promise<ServicePage> {
  const { total, items } = await listServicePage(db, audience, {
    offset: (page - 1) * pageSize,
    limit: pageSize,
  });
  return { page, pageSize, totalItems: total, totalPages: Math.ceil(total / pageSize), items };
}

/** A month parameter, checked like every month of the ZSK (format, 01-12, not before 2000, not future). */
function monthParam(name: 'from' | 'to', value: string | undefined, now: Date): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseMonth(value, now);
  if (!parsed.ok) throw badParameter(`Parameter „${name}“: ${parsed.error.message}`);
  return parsed.value;
}

function checkOrder(from: string, to: string): void {
  if (from > to)
    throw badParameter(`Parameter „from“ (${from}) liegt nach „to“ (${to}); der Zeitraum ist leer.`);
}

export interface CountsRow extends RangeBucket {
  ars: string;
  region: string | null;
}

export interface CountsResult {
  service: { id: number; name: string; granularity: Granularity };
  level: Granularity;
  period: PeriodKind;
  from: string | null;
  to: string | null;
  data: CountsRow[];
}

export async function loadCounts(
  db: Kysely<Database>,
  audience: Audience,
  id: number,
  query: { from?: string; to?: string; period?: PeriodKind; level?: Granularity },
  now: Date,
): Promise<CountsResult> {
  const askedFrom = monthParam('from', query.from, now);
  const askedTo = monthParam('to', query.to, now);
  const service = await getOpenService(db, audience, id);
  if (!service) throw notFound(`Einen veröffentlichten Onlinedienst ${id} gibt es nicht.`);
  const level = query.level ?? 'bund';
  const period = query.period ?? 'month';
  if (LEVELS.indexOf(level) > LEVELS.indexOf(service.granularity)) {
    throw new AppError(
      400,
      'level_too_fine',
      `Parameter „level“: Der Onlinedienst ${id} liefert Zahlen je ${GRANULARITY_LABEL[service.granularity]} ` +
        `(Granularität „${service.granularity}“); feiner als das („${level}“) lässt sich nicht summieren.`,
    );
  }
  const from = askedFrom ?? service.firstMonth;
  const to = askedTo ?? service.lastMonth;
  const head = { service: { id, name: service.name, granularity: service.granularity }, level, period };
  // No data and no period asked: an empty series rather than a made-up range.
  if (from === null || to === null)
    return { ...head, from: askedFrom ?? null, to: askedTo ?? null, data: [] };
  checkOrder(from, to);
  const series = await listServiceSeries(db, id, level, { from, to });
  const byRegion = new Map<string, { month: string; total: number }[]>();
  for (const row of series) {
    const list = byRegion.get(row.ars) ?? [];
    list.push(row);
    byRegion.set(row.ars, list);
  }
  // A service without data in the period still answers its periods (with null) at the national level.
  if (byRegion.size === 0 && level === 'bund') byRegion.set('000000000000', []);
  const names = await regionNames(db, [...byRegion.keys()]);
  const data: CountsRow[] = [];
  for (const [ars, months] of [...byRegion.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    for (const bucket of bucketRange(months, period, { from, to }))
      data.push({ ars, region: names.get(ars) ?? null, ...bucket });
  }
  return { ...head, from, to, data };
}

export interface AggregateRow extends RangeBucket {
  key: string;
  label: string;
}

export interface AggregatesResult {
  by: AggregateDimension;
  period: PeriodKind | 'total';
  from: string;
  to: string;
  filter: string;
  multiMembership: boolean;
  page: number;
  pageSize: number;
  totalGroups: number;
  data: AggregateRow[];
}

const NO_LINK_LABEL: Record<AggregateDimension, string> = {
  service: 'ohne Namen',
  ozg: 'ohne OZG-Leistung',
  leika: 'ohne LeiKa-Schlüssel',
  themenfeld: 'ohne Themenfeld',
  typ: 'ohne Typ',
  fokus: 'ohne Angabe',
  land: 'ohne Land',
  authority: 'ohne Behörde',
  portal: 'ohne Portal',
};

function labelOf(by: AggregateDimension, key: string, names: Map<string, string>): string {
  if (by === 'land' && key === '00') return 'bundesweit (ohne Länderaufteilung)';
  if (key === '') return NO_LINK_LABEL[by];
  if (by === 'typ') return SERVICE_TYPE_LABEL[key as ServiceType] ?? key;
  if (by === 'fokus') return key === 'ja' ? 'Fokusleistung' : 'keine Fokusleistung';
  if (by === 'themenfeld') return key;
  return names.get(key) ?? key;
}

/** Ids in a filter must name something the audience may see: a typo would otherwise sum to nothing. */
async function checkFilterIds(db: Kysely<Database>, audience: Audience, filter: Filter): Promise<void> {
  const tables = { service: 'online_services', authority: 'authorities', portal: 'portals' } as const;
  for (const f of filter) {
    if (!(f.key in tables)) continue;
    const table = tables[f.key as keyof typeof tables];
    const ids = f.values.map(Number);
    const visible = f.key === 'service' && audience === 'published' ? sql`AND published` : sql``;
    const rows = await sql<{ id: number }>`
      SELECT id FROM ${sql.table(table)} WHERE id = ANY(${ids}::int[]) ${visible}`.execute(db);
    const known = new Set(rows.rows.map((r) => r.id));
    const unknown = ids.find((i) => !known.has(i));
    if (unknown !== undefined)
      throw new AppError(400, 'invalid_filter', `Parameter „filter“: ${f.key} ${unknown} gibt es nicht.`);
  }
}

export async function loadAggregates(
  db: Kysely<Database>,
  audience: Audience,
  query: {
    by?: AggregateDimension;
    from?: string;
    to?: string;
    period?: PeriodKind | 'total';
    filter?: string;
    page?: number;
    pageSize?: number;
  },
  now: Date,
): Promise<AggregatesResult> {
  const last = lastClosedMonth(now);
  const to = monthParam('to', query.to, now) ?? last;
  const from = monthParam('from', query.from, now) ?? addMonths(query.to === undefined ? last : to, -11);
  checkOrder(from, to);
  const parsed = parseFilter(query.filter);
  if (!parsed.ok) throw new AppError(400, parsed.error.code, parsed.error.message);
  const filter = parsed.value;
  await checkFilterIds(db, audience, filter);
  const by = query.by ?? 'land';
  const period = query.period ?? 'total';
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 100;

  const rows = await listGroupMonths(db, audience, by, { from, to }, filter);
  const byKey = new Map<string, { month: string; total: number }[]>();
  for (const row of rows) {
    const list = byKey.get(row.key) ?? [];
    list.push(row);
    byKey.set(row.key, list);
  }
  const keys = [...byKey.keys()].sort();
  const pageKeys = keys.slice((page - 1) * pageSize, page * pageSize);
  const names = await groupLabels(db, by, pageKeys);
  const data: AggregateRow[] = [];
  for (const key of pageKeys) {
    const label = labelOf(by, key, names);
    for (const bucket of bucketsOf(byKey.get(key)!, period, { from, to }))
      data.push({ key, label, ...bucket });
  }
  return {
    by,
    period,
    from,
    to,
    filter: query.filter ?? '',
    multiMembership: MULTI_MEMBERSHIP_DIMENSIONS.has(by),
    page,
    pageSize,
    totalGroups: keys.length,
    data,
  };
}

/** Periods of a group's months; 'total' is the whole range as one period `from/to`. */
function bucketsOf(
  months: { month: string; total: number }[],
  period: PeriodKind | 'total',
  range: { from: string; to: string },
): RangeBucket[] {
  if (period !== 'total') return bucketRange(months, period, range);
  const size = monthRange(range.from, range.to).length;
  const withData = new Set(months.map((m) => m.month)).size;
  return [
    {
      period: `${range.from}/${range.to}`,
      total: months.length === 0 ? null : months.reduce((sum, m) => sum + m.total, 0),
      months: withData,
      monthsInPeriod: size,
      complete: withData === size,
    },
  ];
}

const yesNo = (b: boolean) => (b ? 'ja' : 'nein');

/** Column names as in the data dictionary (docs/open-data-api.md). */
export function servicesCsv(items: ServiceRecord[]): CsvCell[][] {
  return [
    [
      'ID',
      'Name',
      'URL',
      'Behörde-ID',
      'Behörde',
      'Typ',
      'Bauweise',
      'Fokusleistung',
      'Granularität',
      'LeiKa-Schlüssel',
      'OZG-Leistungen',
      'Themenfelder',
      'Portale',
      'Erster Monat',
      'Letzter Monat',
      'Transaktionen gesamt',
    ],
    ...items.map((s) => [
      s.id,
      s.name,
      s.url,
      s.authority?.id ?? null,
      s.authority?.name ?? null,
      s.serviceType,
      s.buildMode === 'efa' ? 'EfA' : 'eigen',
      yesNo(s.isFocus),
      s.granularity,
      s.leikaKeys.join('|'),
      s.ozgServices.map((o) => o.id).join('|'),
      s.themenfelder.join('|'),
      s.portals.map((p) => p.name).join('|'),
      s.firstMonth,
      s.lastMonth,
      s.total,
    ]),
  ];
}

const PERIOD_COLUMNS = ['Zeitraum', 'Transaktionen', 'Monate mit Daten', 'Monate im Zeitraum', 'Vollständig'];
const periodCells = (b: RangeBucket): CsvCell[] => [
  b.period,
  b.total,
  b.months,
  b.monthsInPeriod,
  yesNo(b.complete),
];

export function countsCsv(result: CountsResult): CsvCell[][] {
  return [
    ['Onlinedienst-ID', 'Regionalschlüssel', 'Region', ...PERIOD_COLUMNS],
    ...result.data.map((r) => [result.service.id, r.ars, r.region, ...periodCells(r)]),
  ];
}

export function aggregatesCsv(result: AggregatesResult): CsvCell[][] {
  return [
    ['Gruppierung', 'Schlüssel', 'Bezeichnung', ...PERIOD_COLUMNS],
    ...result.data.map((r) => [result.by, r.key, r.label, ...periodCells(r)]),
  ];
}

const METRIC = {
  id: 'metric',
  label: 'Kennzahl',
  role: 'metric' as const,
  categories: [{ key: 'transaktionen', label: 'Transaktionen' }],
  unit: { label: 'Anzahl', decimals: 0 },
};

/** Cells of an incomplete period carry status 'u' (unvollständig), explained in the note. */
const INCOMPLETE_NOTE =
  'Status „u“: Zeitraum unvollständig, nicht jeder Monat hat Daten (extension.months nennt die Monate mit Daten).';

function timeCategories(rows: RangeBucket[]): { key: string; label: string }[] {
  const keys = [...new Set(rows.map((r) => r.period))].sort();
  return keys.map((key) => ({ key, label: periodLabelDe(key) }));
}

export function countsJsonStat(result: CountsResult, updated: Date): JsonStatDataset {
  const time = timeCategories(result.data);
  const geoKeys = [...new Set(result.data.map((r) => r.ars))].sort();
  const regionOf = new Map(result.data.map((r) => [r.ars, r.region]));
  const cell = new Map(result.data.map((r) => [`${r.period}|${r.ars}`, r]));
  const at = (i: number[]) => cell.get(`${time[i[0]!]!.key}|${geoKeys[i[1]!]!}`);
  return jsonStatDataset({
    label: `Transaktionen: ${result.service.name}`,
    source: SOURCE,
    updated,
    dimensions: [
      { id: 'time', label: 'Zeitraum', role: 'time', categories: time },
      {
        id: 'geo',
        label: 'Region',
        role: 'geo',
        categories: geoKeys.map((key) => ({ key, label: regionOf.get(key) ?? key })),
      },
      METRIC,
    ],
    value: (i) => at(i)?.total ?? null,
    status: (i) => {
      const row = at(i);
      return row && !row.complete ? 'u' : undefined;
    },
    note: [INCOMPLETE_NOTE],
    extension: {
      service: result.service,
      level: result.level,
      months: Object.fromEntries(
        time.map((t) => [t.key, result.data.find((r) => r.period === t.key)?.months]),
      ),
    },
  });
}

export function aggregatesJsonStat(result: AggregatesResult, updated: Date): JsonStatDataset {
  const time = timeCategories(result.data);
  const groups = [...new Map(result.data.map((r) => [r.key, r.label])).entries()].map(([key, label]) => ({
    key: key === '' ? '_' : key,
    label,
  }));
  const cell = new Map(result.data.map((r) => [`${r.period}|${r.key === '' ? '_' : r.key}`, r]));
  const at = (i: number[]) => cell.get(`${time[i[0]!]!.key}|${groups[i[1]!]!.key}`);
  return jsonStatDataset({
    label: `Transaktionen je ${result.by}`,
    source: SOURCE,
    updated,
    dimensions: [
      { id: 'time', label: 'Zeitraum', role: 'time', categories: time },
      {
        id: result.by,
        label: result.by,
        ...(result.by === 'land' ? { role: 'geo' as const } : {}),
        categories: groups,
      },
      METRIC,
    ],
    value: (i) => at(i)?.total ?? null,
    status: (i) => {
      const row = at(i);
      return row && !row.complete ? 'u' : undefined;
    },
    note: [
      INCOMPLETE_NOTE,
      ...(result.multiMembership
        ? [
            'Ein Onlinedienst kann in mehreren Gruppen zählen: die Gruppen ergeben zusammen mehr als die Summe.',
          ]
        : []),
    ],
    extension: { filter: result.filter, page: result.page, totalGroups: result.totalGroups },
  });
}
