import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';
import { splitByYears, widenToData, type OpenPeriod } from '../../domain/months.js';

/**
 * Per service with data in the period: first and last delivered month, delivered months and total,
 * as rows (service_id, first_month, last_month, months, total). All months are rollup_service itself,
 * one row per service. Whole calendar years come from
 * rollup_service_year (one row per service and year), only the months at either end of the period
 * from rollup_service_month: 2025 at 100,000 services reads 100,000 rows instead of 1.2 million.
 * `services` restricts the rows (a condition on service_id); a period of one year is then a plain
 * range of the year index, which lets the planner read the largest services in index order. A kept
 * period (periodForAllServices) reads its stored sums instead, also in index order.
 */
export function servicePeriodSums(
  period: SumPeriod,
  services: RawBuilder<unknown> = sql`true`,
): RawBuilder<unknown> {
  if (period.from === null && period.to === null)
    return sql`SELECT service_id, first_month, last_month, months, total FROM rollup_service WHERE ${services}`;
  if (period.cached)
    return sql`
      SELECT service_id, first_month, last_month, months, total FROM rollup_service_period
      WHERE ${cachedKey(period)} AND ${services}`;
  const split = splitByYears(period);
  const parts: RawBuilder<unknown>[] = [];
  if (split.years) {
    const { from, to } = split.years;
    // One year as an equality, so that the index (year, total DESC, service_id) gives the order.
    const years =
      from !== null && from === to
        ? sql`year = ${from}::int`
        : sql`${from === null ? sql`true` : sql`year >= ${from}::int`} AND ${to === null ? sql`true` : sql`year <= ${to}::int`}`;
    parts.push(sql`
      SELECT service_id, first_month, last_month, months, total FROM rollup_service_year
      WHERE ${years} AND ${services}`);
  }
  for (const m of split.months) {
    parts.push(sql`
      SELECT service_id, month AS first_month, month AS last_month, 1 AS months, total FROM rollup_service_month
      WHERE ${m.from === null ? sql`true` : sql`month >= ${`${m.from}-01`}::date`}
        AND ${m.to === null ? sql`true` : sql`month <= ${`${m.to}-01`}::date`} AND ${services}`);
  }
  if (singleYear(period) !== null) return parts[0]!;
  return sql`
    SELECT service_id, min(first_month) AS first_month, max(last_month) AS last_month,
           sum(months)::int AS months, sum(total) AS total
    FROM (${sql.join(parts, sql` UNION ALL `)}) p
    GROUP BY service_id`;
}

/**
 * A period to sum over: its per-service sums are in rollup_service_period (migration 0016) when
 * `cached`, which only periodForAllServices() sets after making sure they are there.
 */
export interface SumPeriod extends OpenPeriod {
  cached?: boolean;
}

/** Periods whose per-service sums are kept; building one more drops the oldest. */
export const CACHED_PERIODS = 2;

const periodDates = (period: OpenPeriod) => [`${period.from}-01`, `${period.to}-01`] as const;

/** The rows of one kept period in rollup_service_period (or cached_periods). */
function cachedKey(period: OpenPeriod): RawBuilder<unknown> {
  const [from, to] = periodDates(period);
  return sql`period_from = ${from}::date AND period_to = ${to}::date`;
}

/**
 * The period prepared for sums over every service: widened to the data (periodWithinData); a period
 * that is neither all months nor one calendar year has its per-service sums kept in
 * rollup_service_period, built here on its first use (1.5 s for twelve months at 100,000 services),
 * then kept current by every change of counts. Questions about a few chosen services do not need it.
 */
export async function periodForAllServices(db: Kysely<Database>, asked: OpenPeriod): Promise<SumPeriod> {
  const period = await periodWithinData(db, asked);
  if (period.from === null || period.to === null || singleYear(period) !== null) return period;
  const kept = async (q: Kysely<Database>) =>
    (await sql`SELECT 1 FROM cached_periods WHERE ${cachedKey(period)}`.execute(q)).rows.length > 0;
  if (!(await kept(db))) {
    await db.transaction().execute(async (trx) => {
      // Deliveries change these rows in refreshServiceSummaries: none may commit between the sums
      // read here and the commit of the kept period, or its change would be missing.
      await sql`LOCK TABLE rollup_service_period IN EXCLUSIVE MODE`.execute(trx);
      if (await kept(trx)) return;
      await sql`
        WITH dropped AS (
          DELETE FROM cached_periods WHERE (period_from, period_to) IN (
            SELECT period_from, period_to FROM cached_periods
            ORDER BY built_at DESC, period_from DESC, period_to DESC OFFSET ${CACHED_PERIODS - 1})
          RETURNING period_from, period_to
        )
        DELETE FROM rollup_service_period r USING dropped d
        WHERE r.period_from = d.period_from AND r.period_to = d.period_to`.execute(trx);
      const [from, to] = periodDates(period);
      await sql`INSERT INTO cached_periods (period_from, period_to) VALUES (${from}::date, ${to}::date)`.execute(
        trx,
      );
      await sql`
        INSERT INTO rollup_service_period (period_from, period_to, service_id, first_month, last_month, months, total)
        SELECT ${from}::date, ${to}::date, service_id, first_month, last_month, months, total
        FROM (${servicePeriodSums(period)}) p`.execute(trx);
      // Statistics now rather than when autovacuum gets there: without them the planner takes the
      // new rows for a handful and reads them by bitmap instead of in index order.
      await sql`ANALYZE rollup_service_period`.execute(trx);
    });
  }
  return { ...period, cached: true };
}

/**
 * The per-service summary whose index on the total gives the order by transactions of the period:
 * rollup_service for all months, rollup_service_year for one calendar year, rollup_service_period for
 * a kept period; null for other periods. `where` picks the period's rows of `table`.
 */
export function indexedSummary(
  period: SumPeriod,
): { table: RawBuilder<unknown>; where: RawBuilder<unknown> } | null {
  if (period.from === null && period.to === null) return { table: sql`rollup_service`, where: sql`true` };
  if (period.cached) return { table: sql`rollup_service_period`, where: cachedKey(period) };
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
  const rows = await sql<{ first: string | null; last: string | null }>`
    SELECT to_char(min(first_month), 'YYYY-MM') AS first, to_char(max(last_month), 'YYYY-MM') AS last
    FROM rollup_completeness`.execute(db);
  const { first, last } = rows.rows[0] ?? { first: null, last: null };
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
