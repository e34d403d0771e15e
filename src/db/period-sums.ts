import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import { splitByYears, widenToData, type OpenPeriod } from '../domain/months.js';

/**
 * Per service with data in the period: first and last delivered month, delivered months and total,
 * as rows (service_id, first_month, last_month, months, total). Whole calendar years come from
 * rollup_service_year (one row per service and year), only the months at either end of the period
 * from rollup_service_month: 2025 at 100,000 services reads 100,000 rows instead of 1.2 million.
 * `services` restricts the rows (a condition on service_id); a period of one year is then a plain
 * range of the year index, which lets the planner read the largest services in index order.
 */
export function servicePeriodSums(
  period: OpenPeriod,
  services: RawBuilder<unknown> = sql`true`,
): RawBuilder<unknown> {
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
export function countServicesWithData(period: OpenPeriod): RawBuilder<unknown> {
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
