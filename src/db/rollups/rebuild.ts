import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { deliveredBeforeLast, runningSums, yearSummaries } from './maintain.js';

/** The roll-ups with rows per service, which rebuildRollups recomputes for a range of services. */
const PER_SERVICE_TABLES = [
  'rollup_service_month',
  'rollup_service_land_month',
  'rollup_service',
  'rollup_service_year',
  'rollup_service_running',
] as const;

/**
 * Rebuilds the roll-ups of the services with ids in [fromId, toId] from counts, as one GROUP BY each.
 * The result is what upsertCounts/deleteCounts (maintain.ts) maintain incrementally: per service and
 * month (and per Land) the sum of the stored counts and the number of regions with a count, months
 * without any count have no row; per service (rollup_service) and per service and year
 * (rollup_service_year) first and last month, months and total; per service the running sums
 * (rollup_service_running).
 * Used for bulk loads (bench:query) and to repair roll-ups; run it in a transaction after
 * lockServices() for the same services when deliveries may run at the same time. `replace: false`
 * skips deleting the old rows, for tables known to hold none of these services.
 */
export async function rebuildRollups(
  db: Kysely<Database>,
  fromId: number,
  toId: number,
  options: { replace?: boolean } = {},
): Promise<void> {
  if (options.replace !== false) {
    for (const table of PER_SERVICE_TABLES)
      await db
        .deleteFrom(table)
        .where((eb) => eb.between('service_id', fromId, toId))
        .execute();
  }
  await sql`
    INSERT INTO rollup_service_month (service_id, month, total, regions)
    SELECT service_id, month, sum(count), count(*)
    FROM counts WHERE service_id BETWEEN ${fromId} AND ${toId}
    GROUP BY service_id, month`.execute(db);
  await sql`
    INSERT INTO rollup_service_land_month (service_id, land, month, total, regions)
    SELECT service_id, left(ars, 2), month, sum(count), count(*)
    FROM counts WHERE service_id BETWEEN ${fromId} AND ${toId}
    GROUP BY service_id, left(ars, 2), month`.execute(db);
  await sql`
    WITH summary AS (
      SELECT service_id, min(month) AS first_month, max(month) AS last_month, count(*) AS months,
             sum(total) AS total
      FROM rollup_service_month WHERE service_id BETWEEN ${fromId} AND ${toId}
      GROUP BY service_id
    )
    INSERT INTO rollup_service (service_id, first_month, last_month, months, total, before_last, two_before_last)
    SELECT s.service_id, s.first_month, s.last_month, s.months, s.total, ${deliveredBeforeLast(sql`s`, 1)},
           ${deliveredBeforeLast(sql`s`, 2)}
    FROM summary s`.execute(db);
  await sql`
    INSERT INTO rollup_service_year (service_id, year, first_month, last_month, months, total)
    ${yearSummaries(sql`service_id BETWEEN ${fromId} AND ${toId}`)}`.execute(db);
  await sql`
    INSERT INTO rollup_service_running (service_id, first_month_no, totals, months)
    ${runningSums(sql`service_id BETWEEN ${fromId} AND ${toId}`)}`.execute(db);
}

/**
 * Recomputes the roll-ups over groups of services: rollup_group_month from rollup_service_land_month
 * and the service groups, rollup_completeness from rollup_service and rollup_source from the catalogue
 * (migrations 0011, 0013, 0024; their triggers keep them current, but not while
 * session_replication_role = replica). Group rows mix services, so this is all or nothing: for bulk loads (bench:query) and repairs, in a transaction
 * that keeps writers out (deliveries change group rows of every group their service belongs to).
 */
export async function rebuildGroupRollups(db: Kysely<Database>): Promise<void> {
  await sql`SELECT rebuild_rollup_completeness()`.execute(db);
  await sql`SELECT rebuild_rollup_source()`.execute(db);
  await sql`SELECT rebuild_rollup_group_month()`.execute(db);
}
