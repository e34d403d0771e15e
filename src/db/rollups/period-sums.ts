import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';
import { splitByYears, widenToData, type OpenPeriod } from '../../domain/months.js';

/**
 * Per service with data in the period: first and last delivered month, delivered months and total,
 * as rows (service_id, first_month, last_month, months, total). All months are rollup_service itself,
 * one row per service; one calendar year is rollup_service_year, a plain range of its index
 * (year, total DESC, service_id), which lets the planner read the largest services in index order.
 * Any other period is the difference of two running sums (rollup_service_cumulative, migration 0024):
 * the last delivered month up to the period's end minus the last one before its start, each one
 * primary-key probe, skipped where rollup_service already answers (a service whose last month lies in
 * the period needs no probe for the end, one that starts in it none for the start).
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
  const from = sql`${`${period.from ?? '0001-01'}-01`}::date`;
  const to = sql`${`${period.to ?? '9999-12'}-01`}::date`;
  // The conditions on r inside the subqueries are constant per service: the planner turns them into
  // a gate that skips the probe, rather than probing and discarding.
  return sql`
    SELECT r.service_id, coalesce(lo.next_month, r.first_month) AS first_month,
           coalesce(hi.month, r.last_month) AS last_month,
           coalesce(hi.cum_months, r.months) - coalesce(lo.cum_months, 0) AS months,
           coalesce(hi.cum_total, r.total) - coalesce(lo.cum_total, 0) AS total
    FROM (SELECT * FROM rollup_service WHERE ${services}) r
    LEFT JOIN LATERAL (
      SELECT c.month, c.cum_total, c.cum_months FROM rollup_service_cumulative c
      WHERE r.last_month > ${to} AND c.service_id = r.service_id AND c.month <= ${to}
      ORDER BY c.month DESC LIMIT 1
    ) hi ON true
    LEFT JOIN LATERAL (
      SELECT c.next_month, c.cum_total, c.cum_months FROM rollup_service_cumulative c
      WHERE r.first_month < ${from} AND c.service_id = r.service_id AND c.month < ${from}
      ORDER BY c.month DESC LIMIT 1
    ) lo ON true
    WHERE r.first_month <= ${to} AND r.last_month >= ${from}
      AND coalesce(hi.cum_months, r.months) > coalesce(lo.cum_months, 0)`;
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
