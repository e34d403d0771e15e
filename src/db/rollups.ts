import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Rebuilds the roll-ups of the services with ids in [fromId, toId] from counts, as one GROUP BY each.
 * The result is what upsertCounts/deleteCounts (counts.ts) maintain incrementally: per service and
 * month (and per Land) the sum of the stored counts and the number of regions with a count, months
 * without any count have no row; per service (rollup_service) first and last month, months and total.
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
    await sql`DELETE FROM rollup_service_month WHERE service_id BETWEEN ${fromId} AND ${toId}`.execute(db);
    await sql`DELETE FROM rollup_service_land_month WHERE service_id BETWEEN ${fromId} AND ${toId}`.execute(
      db,
    );
    await sql`DELETE FROM rollup_service WHERE service_id BETWEEN ${fromId} AND ${toId}`.execute(db);
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
    INSERT INTO rollup_service (service_id, first_month, last_month, months, total)
    SELECT service_id, min(month), max(month), count(*), sum(total)
    FROM rollup_service_month WHERE service_id BETWEEN ${fromId} AND ${toId}
    GROUP BY service_id`.execute(db);
}
