import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';
import { splitByYears, widenToData, type OpenPeriod } from '../../domain/months.js';
import { publishedService } from '../published.js';

/**
 * Per service with data in the period: first and last delivered month, delivered months and total,
 * as rows (service_id, first_month, last_month, months, total). All months are rollup_service itself,
 * one row per service; one calendar year is rollup_service_year, a plain range of its index
 * (year, total DESC, service_id), which lets the planner read the largest services in index order.
 * Any other period is two subscripts of the service's running sums (rollup_service_running, migration
 * 0026), and its first and last delivered month a look into rollup_service_month by its key, made only
 * where a caller reads them. `services` restricts the rows (a condition on service_id).
 */
export function servicePeriodSums(
  period: SumPeriod,
  services: RawBuilder<unknown> = sql`true`,
): RawBuilder<unknown> {
  if (period.from === null && period.to === null)
    return sql`SELECT service_id, first_month, last_month, months, total FROM rollup_service WHERE ${services}`;
  const year = singleYear(period);
  if (year !== null)
    return sql`
      SELECT service_id, first_month, last_month, months, total FROM rollup_service_year
      WHERE year = ${year}::int AND ${services}`;
  const from = `${period.from ?? '0001-01'}-01`;
  const to = `${period.to ?? '9999-12'}-01`;
  const delivered = (fn: RawBuilder<unknown>) => sql`
    (SELECT ${fn} FROM rollup_service_month m
     WHERE m.service_id = p.service_id AND m.month BETWEEN ${from}::date AND ${to}::date)`;
  return sql`
    SELECT p.service_id, ${delivered(sql`min(m.month)`)} AS first_month, ${delivered(sql`max(m.month)`)} AS last_month,
           p.months, p.total
    FROM (SELECT r.service_id, ${runningDifference('months', period)} AS months,
                 ${runningDifference('totals', period)} AS total
          FROM rollup_service_running r WHERE ${services}) p
    WHERE p.months > 0`;
}

/**
 * Per service its transactions in the period, as rows (service_id, total): rollup_service for all
 * months and rollup_service_year for a calendar year (in the order of their index on the total), the
 * running sums otherwise (every service with data at all; 0 where none falls in the period).
 */
export function servicePeriodTotals(period: SumPeriod): RawBuilder<unknown> {
  if (period.from === null && period.to === null) return sql`SELECT service_id, total FROM rollup_service`;
  const year = singleYear(period);
  if (year !== null) return sql`SELECT service_id, total FROM rollup_service_year WHERE year = ${year}::int`;
  return sql`SELECT r.service_id, ${runningDifference('totals', period)} AS total FROM rollup_service_running r`;
}

/** Month number (year * 12 + month - 1) of 'YYYY-MM', as rollup_service_running counts months. */
function monthNumber(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

/**
 * The period's part of a running sum of rollup_service_running r (`totals` or `months`): the sum at
 * its last month minus the sum before its first. A sum at month number m is 0 before the service's
 * first delivered month and the last element after its last. Month numbers are literals, so the
 * expression for the latest twelve months is the one recent-window.ts indexes (`table` null there).
 */
export function runningDifference(
  column: 'totals' | 'months',
  period: SumPeriod,
  table: 'r' | null = 'r',
): RawBuilder<unknown> {
  const ref = (name: string) => sql.ref(table === null ? name : `${table}.${name}`);
  const sums = ref(column);
  // A subscript below 1 is NULL in PostgreSQL: the month before the first delivered one counts 0.
  const at = (m: number | null) =>
    m === null
      ? sql`${sums}[cardinality(${sums})]`
      : sql`coalesce(${sums}[least(${sql.lit(m)} - ${ref('first_month_no')} + 1, cardinality(${sums}))], 0)`;
  const end = at(period.to === null ? null : monthNumber(period.to));
  return period.from === null ? end : sql`(${end} - ${at(monthNumber(period.from) - 1)})`;
}

export interface ServiceTotal {
  id: number;
  total: number;
}

export interface RankedService extends ServiceTotal {
  name: string;
}

export interface RankingWindow {
  direction: 'asc' | 'desc';
  limit: number;
  offset?: number;
  hideUnpublished: boolean;
}

/**
 * One window of the services with transactions in the period (total > 0), by total (ties by name, then
 * id): the report's order by transactions and the top lists. The totals are ranked by a bounded sort
 * (an index range for all months and calendar years, one scan of the running sums with a top-N sort
 * otherwise) to one row past the window's end; only where that row ties with the last one are the
 * other services of that total read as well, and only where totals tie are names read to order them.
 */
export async function rankByTotal(
  db: Kysely<Database>,
  period: SumPeriod,
  window: RankingWindow,
): Promise<ServiceTotal[]> {
  const direction = window.direction === 'asc' ? sql`ASC` : sql`DESC`;
  const offset = window.offset ?? 0;
  const end = offset + window.limit;
  const withTotals = (condition: RawBuilder<unknown>) => sql<ServiceTotal>`
    SELECT p.service_id AS id, p.total FROM (${servicePeriodTotals(period)}) p
    WHERE ${condition} ${window.hideUnpublished ? sql`AND ${publishedService(sql.ref('p.service_id'))}` : sql``}`;
  // Descending, services without transactions come last and are dropped here: a condition on the total
  // would compute it once more for every service (a third of the scan's time).
  const head = (
    await sql<ServiceTotal>`
      ${withTotals(window.direction === 'desc' ? sql`true` : sql`p.total > 0`)}
      ORDER BY p.total ${direction} LIMIT ${end + 1}`.execute(db)
  ).rows.filter((r) => r.total > 0);
  let ranked = head.slice(0, end);
  const last = ranked.at(-1);
  if (head.length > end && last && head[end]!.total === last.total) {
    // PostgreSQL's FETCH … WITH TIES would give these too, but sorts every row instead of the bounded few.
    const tied = await withTotals(sql`p.total = ${last.total}`).execute(db);
    ranked = [...ranked.filter((r) => r.total !== last.total), ...tied.rows];
  }
  if (new Set(ranked.map((r) => r.total)).size === ranked.length) return ranked.slice(offset, end);
  const ordered = await sql<ServiceTotal>`
    SELECT r.id, r.total FROM unnest(${ranked.map((r) => r.id)}::int[], ${ranked.map((r) => r.total)}::bigint[]) AS r(id, total)
    JOIN online_services s ON s.id = r.id
    ORDER BY r.total ${direction}, s.sort_name, s.id
    LIMIT ${window.limit} OFFSET ${offset}`.execute(db);
  return ordered.rows;
}

/** rankByTotal with the services' names: the top lists of the start page and the explorer. */
export async function servicesByTotal(
  db: Kysely<Database>,
  period: SumPeriod,
  window: RankingWindow,
): Promise<RankedService[]> {
  const ranked = await rankByTotal(db, period, window);
  if (ranked.length === 0) return [];
  const rows = await sql<RankedService>`
    SELECT s.id, s.name, r.total::bigint AS total
    FROM unnest(${ranked.map((r) => r.id)}::int[], ${ranked.map((r) => r.total)}::bigint[]) WITH ORDINALITY
         AS r(id, total, position)
    JOIN online_services s ON s.id = r.id
    ORDER BY r.position`.execute(db);
  return rows.rows;
}

/** A period to sum over (months 'YYYY-MM', null = open end). */
export type SumPeriod = OpenPeriod;

/**
 * The period prepared for sums over every service: widened to the data (periodWithinData). Reads
 * only; any period is answered from the kept roll-ups (servicePeriodSums).
 */
export async function periodForAllServices(db: Kysely<Database>, asked: OpenPeriod): Promise<SumPeriod> {
  return periodWithinData(db, asked);
}

/** The calendar year a period is exactly ('2025-01' to '2025-12'), else null. */
export function singleYear(period: OpenPeriod): number | null {
  const split = splitByYears(period);
  return split.years &&
    split.months.length === 0 &&
    split.years.from !== null &&
    split.years.from === split.years.to
    ? split.years.from
    : null;
}

/**
 * How many services have at least one delivered month in the period, as a scalar subquery. All
 * months read rollup_completeness (a few rows), one calendar year counts its rows of
 * rollup_service_year; otherwise the per-service summary answers: a
 * service whose first or last month lies in the period has one; one that spans the period has one if
 * it has no gaps, else its monthly roll-up is asked (the rare case of a gap covering the period).
 */
export function countServicesWithData(period: SumPeriod): RawBuilder<unknown> {
  const year = singleYear(period);
  if (year !== null) return sql`(SELECT count(*) FROM rollup_service_year WHERE year = ${year}::int)`;
  if (period.from === null && period.to === null)
    return sql`(SELECT coalesce(sum(services), 0) FROM rollup_completeness WHERE first_month IS NOT NULL)`;
  const from = `${period.from ?? '0001-01'}-01`;
  const to = `${period.to ?? '9999-12'}-01`;
  return sql`(
    SELECT count(*) FROM rollup_service r
    WHERE r.first_month <= ${to}::date AND r.last_month >= ${from}::date
      AND (r.first_month >= ${from}::date OR r.last_month <= ${to}::date
           OR r.gap_free
           OR EXISTS (SELECT 1 FROM rollup_service_month m WHERE m.service_id = r.service_id
                        AND m.month BETWEEN ${from}::date AND ${to}::date)))`;
}

/** The first and last month with delivered data over all services, from rollup_completeness (a few rows). */
export async function dataMonths(db: Kysely<Database>): Promise<{ first: string; last: string } | null> {
  const row = await db
    .selectFrom('rollup_completeness')
    .select([
      sql<string | null>`to_char(min(first_month), 'YYYY-MM')`.as('first'),
      sql<string | null>`to_char(max(last_month), 'YYYY-MM')`.as('last'),
    ])
    .executeTakeFirst();
  const { first, last } = row ?? { first: null, last: null };
  return first === null || last === null ? null : { first, last };
}

/**
 * The period widened to whole years where its ends reach past the data (widenToData), when that makes
 * it one calendar year, the one widening a roll-up can use (rollup_service_year). Otherwise the period
 * as asked, whose sums are the same: so the latest twelve months stay the expression that
 * recent-window.ts indexes, whatever the data's last month.
 */
export async function periodWithinData(db: Kysely<Database>, period: OpenPeriod): Promise<OpenPeriod> {
  const widened = widenToData(period, await dataMonths(db));
  return singleYear(widened) !== null ? widened : period;
}

/**
 * The calendar years with delivered data, newest first, for choosing a report year. With
 * `hideUnpublished` (mustHideUnpublished, decided once per request) only years in which a published
 * service delivered: a year of unpublished data alone would offer visitors a choice that leads to
 * nothing, and tell of data not to be shown.
 */
export async function listDataYears(db: Kysely<Database>, hideUnpublished: boolean): Promise<number[]> {
  let first: number | null = null;
  let last: number | null = null;
  if (hideUnpublished) {
    // min/max walk the index on (year, …) from either end and stop at the first published service.
    const published = publishedService(sql.ref('service_id'));
    const row = await sql<{ first: number | null; last: number | null }>`
      SELECT (SELECT min(year) FROM rollup_service_year WHERE ${published}) AS first,
             (SELECT max(year) FROM rollup_service_year WHERE ${published}) AS last`.execute(db);
    ({ first, last } = row.rows[0] ?? { first: null, last: null });
  } else {
    const data = await dataMonths(db);
    if (data) [first, last] = [Number(data.first.slice(0, 4)), Number(data.last.slice(0, 4))];
  }
  if (first === null || last === null) return [];
  return Array.from({ length: last - first + 1 }, (_, i) => last - i);
}
