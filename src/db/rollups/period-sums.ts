import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';
import { addMonths, splitByYears, widenToData, type OpenPeriod } from '../../domain/months.js';

/**
 * Per service with data in the period: first and last delivered month, delivered months and total,
 * as rows (service_id, first_month, last_month, months, total). All months are rollup_service itself,
 * one row per service; one calendar year is rollup_service_year, a plain range of its index
 * (year, total DESC, service_id), which lets the planner read the largest services in index order.
 * Any other period is the difference of two running sums (rollup_service_cumulative, migration 0024):
 * the row of the period's last month minus the row of the month before its first, each looked up by
 * month, and only where rollup_service does not already answer (a service whose last month lies in
 * the period needs no row for the end, one that starts in it none for the start).
 * `services` restricts the rows (a condition on service_id).
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
  // The running sums at the period's end (hi) and before its start (lo); an open end needs no row.
  const to = period.to === null ? null : sql`${`${period.to}-01`}::date`;
  const end = to
    ? {
        join: sql`LEFT JOIN rollup_service_cumulative hi
                    ON r.last_month > ${to} AND hi.service_id = r.service_id AND hi.month = ${to}`,
        where: sql`r.first_month <= ${to}`,
        last: sql`coalesce(hi.latest_month, r.last_month)`,
        months: sql`coalesce(hi.cum_months, r.months)`,
        total: sql`coalesce(hi.cum_total, r.total)`,
      }
    : { join: sql``, where: sql`true`, last: sql`r.last_month`, months: sql`r.months`, total: sql`r.total` };
  const from = period.from === null ? null : sql`${`${period.from}-01`}::date`;
  const start =
    from && period.from
      ? {
          join: sql`LEFT JOIN rollup_service_cumulative lo
                      ON r.first_month < ${from} AND lo.service_id = r.service_id
                     AND lo.month = ${`${addMonths(period.from, -1)}-01`}::date`,
          where: sql`r.last_month >= ${from}`,
          first: sql`coalesce(lo.next_month, r.first_month)`,
          months: sql`coalesce(lo.cum_months, 0)`,
          total: sql`coalesce(lo.cum_total, 0)`,
        }
      : { join: sql``, where: sql`true`, first: sql`r.first_month`, months: sql`0`, total: sql`0` };
  return sql`
    SELECT r.service_id, ${start.first} AS first_month, ${end.last} AS last_month,
           ${end.months} - ${start.months} AS months, ${end.total} - ${start.total} AS total
    FROM (SELECT * FROM rollup_service WHERE ${services}) r
    ${end.join}
    ${start.join}
    WHERE ${end.where} AND ${start.where} AND ${end.months} > ${start.months}`;
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

/**
 * The per-service summary whose index on the total gives the order by transactions of the period:
 * rollup_service for all months, rollup_service_year for one calendar year; null for other periods
 * (they sort their sums). `where` picks the period's rows of `table`.
 */
export function indexedSummary(
  period: SumPeriod,
): { table: RawBuilder<unknown>; where: RawBuilder<unknown> } | null {
  if (period.from === null && period.to === null) return { table: sql`rollup_service`, where: sql`true` };
  const year = singleYear(period);
  return year === null ? null : { table: sql`rollup_service_year`, where: sql`year = ${year}::int` };
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
           OR r.months = month_span(r.first_month, r.last_month)
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

/** The period with its ends widened to whole years where they reach past the data (widenToData). */
export async function periodWithinData(db: Kysely<Database>, period: OpenPeriod): Promise<OpenPeriod> {
  return widenToData(period, await dataMonths(db));
}

/** The calendar years with delivered data, newest first, for choosing a report year. */
export async function listDataYears(db: Kysely<Database>): Promise<number[]> {
  const data = await dataMonths(db);
  if (data === null) return [];
  const [first, last] = [Number(data.first.slice(0, 4)), Number(data.last.slice(0, 4))];
  return Array.from({ length: last - first + 1 }, (_, i) => last - i);
}
