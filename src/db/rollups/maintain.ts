import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Actor } from '../audit.js';
import type { Database } from '../schema.js';

/** One count to store; month is the first day of the month ('YYYY-MM-01'). */
export interface StoredCount {
  serviceId: number;
  month: string;
  ars: string;
  count: number;
}

export interface UpsertSummary {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Serialises writers per online service for the rest of the transaction. With it, the snapshot each
 * following statement reads already contains every earlier writer's commit, so old values, audit
 * records and roll-up deltas are exact under concurrency. Ids are locked in ascending order so two
 * portal deliveries cannot deadlock.
 */
export async function lockServices(trx: Kysely<Database>, serviceIds: Iterable<number>): Promise<void> {
  const ids = [...new Set(serviceIds)].sort((a, b) => a - b);
  if (ids.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(1, id) FROM unnest(${ids}::int[]) AS id ORDER BY id`.execute(trx);
}

/**
 * Stores counts: upsert, audit of every changed value (old -> new), and the roll-up deltas. New values
 * are traceable through counts.delivery_id and the delivery's summary; changed values get an audit
 * row each. Must run in a transaction after lockServices() for the same services.
 *
 * Rows of a month the service has no stored count for (no roll-up row; the usual monthly delivery)
 * cannot replace anything: they are inserted without the old-value probes, the conflict handling and
 * the audit join, which saves about 18 % of a slice (docs/benchmarks.md). The roll-up is exact for
 * every (service, month) with counts, since every write of counts maintains it in its own statement,
 * and the service lock keeps it current until commit. Should a count exist all the same, the plain
 * insert fails on the primary key and the whole delivery rolls back: nothing is stored unaudited.
 */
export async function upsertCounts(
  trx: Kysely<Database>,
  rows: readonly StoredCount[],
  deliveryId: number,
  actor: Actor,
): Promise<UpsertSummary> {
  if (rows.length === 0) return { created: 0, updated: 0, unchanged: 0 };
  const stored = await storedMonths(trx, rows);
  const fresh = stored.size === 0 ? rows : rows.filter((r) => !stored.has(monthKey(r)));
  const known = stored.size === 0 ? [] : rows.filter((r) => stored.has(monthKey(r)));
  const created = await insertCounts(trx, fresh, deliveryId);
  const merged = await mergeCounts(trx, known, deliveryId, actor);
  if (created + merged.created + merged.updated > 0) {
    await refreshServiceSummaries(
      trx,
      rows.map((r) => r.serviceId),
    );
  }
  return { ...merged, created: merged.created + created };
}

const monthKey = (r: { serviceId: number; month: string }) => `${r.serviceId}/${r.month}`;

/** The (service, month) pairs among the rows that already have counts, as monthKey()s of the input. */
async function storedMonths(trx: Kysely<Database>, rows: readonly StoredCount[]): Promise<Set<string>> {
  const pairs = new Map<string, StoredCount>();
  for (const r of rows) if (!pairs.has(monthKey(r))) pairs.set(monthKey(r), r);
  const keys = [...pairs.values()];
  // The month goes in and comes back as the caller's text, so the keys match whatever form it has.
  const result = await sql<{ service_id: number; month: string }>`
    SELECT k.service_id, k.month
    FROM unnest(${keys.map((k) => k.serviceId)}::int[], ${keys.map((k) => k.month)}::text[]) AS k(service_id, month)
    WHERE EXISTS (SELECT 1 FROM rollup_service_month r
                  WHERE r.service_id = k.service_id AND r.month = k.month::date)`.execute(trx);
  return new Set(result.rows.map((r) => monthKey({ serviceId: r.service_id, month: r.month })));
}

/** Inserts counts of months without stored counts and adds them to the roll-ups; returns how many. */
async function insertCounts(
  trx: Kysely<Database>,
  rows: readonly StoredCount[],
  deliveryId: number,
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql<{ created: number }>`
    WITH input AS (
      SELECT * FROM unnest(${rows.map((r) => r.serviceId)}::int[], ${rows.map((r) => r.month)}::date[],
                           ${rows.map((r) => r.ars)}::text[], ${rows.map((r) => r.count)}::int[])
        AS t(service_id, month, ars, count)
    ),
    created AS (
      INSERT INTO counts (service_id, month, ars, count, delivery_id)
      SELECT service_id, month, ars, count, ${deliveryId}::bigint FROM input
      RETURNING service_id, month, ars, count
    ),
    by_month AS (
      INSERT INTO rollup_service_month AS r (service_id, month, total, regions)
      SELECT service_id, month, sum(count), count(*) FROM created GROUP BY service_id, month
      ON CONFLICT (service_id, month) DO UPDATE
        SET total = r.total + excluded.total, regions = r.regions + excluded.regions
    ),
    land_delta AS (
      SELECT service_id, left(ars, 2) AS land, month, sum(count) AS total, count(*) AS regions
      FROM created GROUP BY service_id, left(ars, 2), month
    ),
    by_land AS (
      INSERT INTO rollup_service_land_month AS r (service_id, land, month, total, regions)
      SELECT service_id, land, month, total, regions FROM land_delta
      ON CONFLICT (service_id, land, month) DO UPDATE
        SET total = r.total + excluded.total, regions = r.regions + excluded.regions
    ),
    ${addToGroups(sql`land_delta`)}
    SELECT count(*)::int AS created FROM created`.execute(trx);
  return result.rows[0]?.created ?? 0;
}

/** Upserts counts of months with stored counts: audit of every changed value, roll-up deltas. */
async function mergeCounts(
  trx: Kysely<Database>,
  rows: readonly StoredCount[],
  deliveryId: number,
  actor: Actor,
): Promise<UpsertSummary> {
  if (rows.length === 0) return { created: 0, updated: 0, unchanged: 0 };
  const services = rows.map((r) => r.serviceId);
  const months = rows.map((r) => r.month);
  const arss = rows.map((r) => r.ars);
  const values = rows.map((r) => r.count);
  const result = await sql<{ created: number; updated: number }>`
    WITH input AS (
      SELECT * FROM unnest(${services}::int[], ${months}::date[], ${arss}::text[], ${values}::int[])
        AS t(service_id, month, ars, count)
    ),
    old AS (
      -- One primary-key probe per input row. A plain join lets the planner hash a sequential scan of
      -- all counts for every slice, which grows with the table; OFFSET 0 keeps the lateral subquery
      -- from being flattened into such a join.
      SELECT c.service_id, c.month, c.ars, c.count, c.delivery_id
      FROM input i CROSS JOIN LATERAL (
        SELECT * FROM counts c
        WHERE c.service_id = i.service_id AND c.month = i.month AND c.ars = i.ars
        OFFSET 0
      ) c
    ),
    changed AS (
      INSERT INTO counts (service_id, month, ars, count, delivery_id)
      SELECT service_id, month, ars, count, ${deliveryId}::bigint FROM input
      ON CONFLICT (service_id, month, ars) DO UPDATE
        SET count = excluded.count, delivery_id = excluded.delivery_id, updated_at = now()
        WHERE counts.count <> excluded.count
      RETURNING service_id, month, ars, count
    ),
    diff AS (
      SELECT ch.service_id, ch.month, ch.ars, ch.count, o.count AS old_count, o.delivery_id AS old_delivery
      FROM changed ch LEFT JOIN old o USING (service_id, month, ars)
    ),
    audited AS (
      INSERT INTO audit_log (actor_user_id, actor_token_id, action, entity, entity_id, old_value, new_value, delivery_id)
      SELECT ${actor.userId}::int, ${actor.tokenId}::int, 'count.update', 'count',
             service_id || '/' || to_char(month, 'YYYY-MM') || '/' || ars,
             jsonb_build_object('count', old_count, 'deliveryId', old_delivery),
             jsonb_build_object('count', count), ${deliveryId}::bigint
      FROM diff WHERE old_count IS NOT NULL
    ),
    by_month AS (
      INSERT INTO rollup_service_month AS r (service_id, month, total, regions)
      SELECT service_id, month, sum(count - coalesce(old_count, 0)), count(*) FILTER (WHERE old_count IS NULL)
      FROM diff GROUP BY service_id, month
      ON CONFLICT (service_id, month) DO UPDATE
        SET total = r.total + excluded.total, regions = r.regions + excluded.regions
    ),
    land_delta AS (
      SELECT service_id, left(ars, 2) AS land, month, sum(count - coalesce(old_count, 0)) AS total,
             count(*) FILTER (WHERE old_count IS NULL) AS regions
      FROM diff GROUP BY service_id, left(ars, 2), month
    ),
    by_land AS (
      INSERT INTO rollup_service_land_month AS r (service_id, land, month, total, regions)
      SELECT service_id, land, month, total, regions FROM land_delta
      ON CONFLICT (service_id, land, month) DO UPDATE
        SET total = r.total + excluded.total, regions = r.regions + excluded.regions
    ),
    ${addToGroups(sql`land_delta`)}
    SELECT count(*) FILTER (WHERE old_count IS NULL)::int AS created,
           count(*) FILTER (WHERE old_count IS NOT NULL)::int AS updated
    FROM diff`.execute(trx);
  const row = result.rows[0] ?? { created: 0, updated: 0 };
  return { created: row.created, updated: row.updated, unchanged: rows.length - row.created - row.updated };
}

/** Retracts stored counts (the months become gaps again), audited, roll-ups adjusted. Returns how many existed. */
export async function deleteCounts(
  trx: Kysely<Database>,
  keys: readonly Omit<StoredCount, 'count'>[],
  deliveryId: number | null,
  actor: Actor,
): Promise<number> {
  if (keys.length === 0) return 0;
  const result = await sql<{ deleted: number }>`
    WITH input AS (
      SELECT * FROM unnest(${keys.map((k) => k.serviceId)}::int[], ${keys.map((k) => k.month)}::date[],
                           ${keys.map((k) => k.ars)}::text[]) AS t(service_id, month, ars)
    ),
    gone AS (
      DELETE FROM counts c USING input i
      WHERE c.service_id = i.service_id AND c.month = i.month AND c.ars = i.ars
      RETURNING c.service_id, c.month, c.ars, c.count, c.delivery_id
    ),
    audited AS (
      INSERT INTO audit_log (actor_user_id, actor_token_id, action, entity, entity_id, old_value, new_value, delivery_id)
      SELECT ${actor.userId}::int, ${actor.tokenId}::int, 'count.delete', 'count',
             service_id || '/' || to_char(month, 'YYYY-MM') || '/' || ars,
             jsonb_build_object('count', count, 'deliveryId', delivery_id), NULL, ${deliveryId}::bigint
      FROM gone
    ),
    by_month AS (
      UPDATE rollup_service_month r SET total = r.total - g.total, regions = r.regions - g.n
      FROM (SELECT service_id, month, sum(count) AS total, count(*) AS n FROM gone GROUP BY 1, 2) g
      WHERE r.service_id = g.service_id AND r.month = g.month
    ),
    land_delta AS (
      SELECT service_id, left(ars, 2) AS land, month, -sum(count) AS total, -count(*) AS regions
      FROM gone GROUP BY 1, 2, 3
    ),
    by_land AS (
      UPDATE rollup_service_land_month r SET total = r.total + d.total, regions = r.regions + d.regions
      FROM land_delta d
      WHERE r.service_id = d.service_id AND r.land = d.land AND r.month = d.month
    ),
    ${addToGroups(sql`land_delta`)}
    SELECT count(*)::int AS deleted FROM gone`.execute(trx);
  // A month whose last region was retracted is a gap again, not a zero.
  const services = [...new Set(keys.map((k) => k.serviceId))];
  await sql`DELETE FROM rollup_service_month WHERE regions = 0 AND service_id = ANY(${services}::int[])`.execute(
    trx,
  );
  await sql`DELETE FROM rollup_service_land_month WHERE regions = 0 AND service_id = ANY(${services}::int[])`.execute(
    trx,
  );
  await refreshServiceSummaries(trx, services);
  return result.rows[0]?.deleted ?? 0;
}

/**
 * A CTE (named by_group) adding per-service Land and month deltas — rows (service_id, land, month,
 * total, regions) — to rollup_group_month, for every group the service belongs to (view service_groups), per
 * Land only where the dimension keeps it (per_land). Rows go in key order so that one statement locks
 * shared group rows in the same order as any other (a delivery of several slices may still meet
 * another over two statements: transactionWithRetry). A group row stays when its counts are retracted
 * or moved (regions 0): readers that ask whether a group has data in a month test regions > 0.
 */
export function addToGroups(landDelta: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`by_group AS (
      INSERT INTO rollup_group_month AS r (dimension, group_key, land, month, total, regions)
      SELECT g.dimension, g.group_key, CASE WHEN g.per_land THEN d.land ELSE '' END AS land, d.month,
             sum(d.total), sum(d.regions)
      FROM ${landDelta} d JOIN service_groups g ON g.service_id = d.service_id
      GROUP BY g.dimension, d.month, g.group_key, 3
      ORDER BY g.dimension, d.month, g.group_key, 3
      ON CONFLICT (dimension, month, group_key, land) DO UPDATE
        SET total = r.total + excluded.total, regions = r.regions + excluded.regions
    )`;
}

/**
 * Recomputes rollup_service (first and last month, months, total, before_last and two_before_last per
 * service), rollup_service_year (the same per calendar year) and rollup_service_running (running sums)
 * of the given services from rollup_service_month: a few dozen rows per service, so recomputing is as cheap as a delta and
 * cannot drift. A separate statement because the CTEs of the upsert cannot see each other's writes.
 * Must run after lockServices() for the same services, like every roll-up change.
 */
export async function refreshServiceSummaries(
  trx: Kysely<Database>,
  serviceIds: Iterable<number>,
): Promise<void> {
  const ids = [...new Set(serviceIds)];
  if (ids.length === 0) return;
  await sql`
    WITH summary AS (
      SELECT service_id, min(month) AS first_month, max(month) AS last_month, count(*) AS months, sum(total) AS total
      FROM rollup_service_month WHERE service_id = ANY(${ids}::int[])
      GROUP BY service_id
    ),
    gone AS (
      DELETE FROM rollup_service r
      WHERE r.service_id = ANY(${ids}::int[]) AND NOT EXISTS (SELECT 1 FROM summary s WHERE s.service_id = r.service_id)
    )
    INSERT INTO rollup_service AS r (service_id, first_month, last_month, months, total, before_last, two_before_last)
    SELECT s.service_id, s.first_month, s.last_month, s.months, s.total, ${deliveredBeforeLast(sql`s`, 1)},
           ${deliveredBeforeLast(sql`s`, 2)}
    FROM summary s
    ON CONFLICT (service_id) DO UPDATE
      SET first_month = excluded.first_month, last_month = excluded.last_month,
          months = excluded.months, total = excluded.total, before_last = excluded.before_last,
          two_before_last = excluded.two_before_last
      WHERE (r.first_month, r.last_month, r.months, r.total, r.before_last, r.two_before_last)
            IS DISTINCT FROM (excluded.first_month, excluded.last_month, excluded.months, excluded.total,
                              excluded.before_last, excluded.two_before_last)`.execute(trx);
  await sql`
    WITH summary AS (${yearSummaries(sql`service_id = ANY(${ids}::int[])`)}),
    gone AS (
      DELETE FROM rollup_service_year y
      WHERE y.service_id = ANY(${ids}::int[])
        AND NOT EXISTS (SELECT 1 FROM summary s WHERE s.service_id = y.service_id AND s.year = y.year)
    )
    INSERT INTO rollup_service_year AS y (service_id, year, first_month, last_month, months, total)
    SELECT * FROM summary
    ON CONFLICT (service_id, year) DO UPDATE
      SET first_month = excluded.first_month, last_month = excluded.last_month,
          months = excluded.months, total = excluded.total
      WHERE (y.first_month, y.last_month, y.months, y.total)
            IS DISTINCT FROM (excluded.first_month, excluded.last_month, excluded.months, excluded.total)`.execute(
    trx,
  );
  await refreshRunning(trx, ids);
}

/**
 * Recomputes the given services' running sums (rollup_service_running, migration 0026) from
 * rollup_service_month: one row per service, written only where it differs.
 */
async function refreshRunning(trx: Kysely<Database>, ids: number[]): Promise<void> {
  await sql`
    WITH fresh AS (${runningSums(sql`service_id = ANY(${ids}::int[])`)}),
    gone AS (
      DELETE FROM rollup_service_running r
      WHERE r.service_id = ANY(${ids}::int[]) AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.service_id = r.service_id)
    )
    INSERT INTO rollup_service_running AS r (service_id, first_month_no, totals, months)
    SELECT * FROM fresh
    ON CONFLICT (service_id) DO UPDATE
      SET first_month_no = excluded.first_month_no, totals = excluded.totals, months = excluded.months
      WHERE (r.first_month_no, r.totals, r.months)
            IS DISTINCT FROM (excluded.first_month_no, excluded.totals, excluded.months)`.execute(trx);
}

/**
 * The running sums (rollup_service_running) of the services matched: per service the transactions
 * and delivered months from its first delivered month up to each month to its last, gaps included,
 * as arrays (element 1 is month number first_month_no). One ordered pass over the services' months:
 * each delivered month stands for itself and the undelivered months up to the next delivered one.
 * Migration 0026 filled the table with a join of every month to rollup_service_month instead; without
 * statistics on a freshly loaded table (a repair, bench:query) PostgreSQL ran that join as one scan of
 * the whole table per service.
 */
export function runningSums(services: RawBuilder<unknown>): RawBuilder<unknown> {
  const monthNo = (month: RawBuilder<unknown>) =>
    sql`(extract(year FROM ${month}) * 12 + extract(month FROM ${month}) - 1)::int`;
  return sql`
    SELECT d.service_id, min(d.month_no) AS first_month_no,
           array_agg(d.total ORDER BY d.month_no, k) AS totals, array_agg(d.months ORDER BY d.month_no, k) AS months
    FROM (SELECT service_id, ${monthNo(sql`month`)} AS month_no,
                 (sum(total) OVER w)::bigint AS total, (count(*) OVER w)::int AS months,
                 coalesce(${monthNo(sql`lead(month) OVER w`)} - ${monthNo(sql`month`)}, 1) AS span
          FROM rollup_service_month WHERE ${services}
          WINDOW w AS (PARTITION BY service_id ORDER BY month)) d
    CROSS JOIN LATERAL generate_series(1, d.span) AS k
    GROUP BY d.service_id`;
}

/** rollup_service_month summed per service and calendar year (rollup_service_year), for the services matched. */
export function yearSummaries(services: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    SELECT service_id, extract(year FROM month)::int AS year, min(month) AS first_month,
           max(month) AS last_month, count(*)::int AS months, sum(total) AS total
    FROM rollup_service_month WHERE ${services}
    GROUP BY 1, 2`;
}

/**
 * Whether the month `back` months before a summary's last month was delivered
 * (rollup_service.before_last for 1, two_before_last for 2).
 */
export function deliveredBeforeLast(summary: RawBuilder<unknown>, back: 1 | 2): RawBuilder<unknown> {
  return sql`EXISTS (SELECT 1 FROM rollup_service_month m WHERE m.service_id = ${summary}.service_id
                      AND m.month = (${summary}.last_month - make_interval(months => ${sql.lit(back)}))::date)`;
}

/**
 * Runs a change of the groups of the given services (type, Fokus, authority, portals, OZG links,
 * Themenfelder) and moves their transactions in rollup_group_month from the old groups to the new:
 * subtract under the old groups, change, add under the new. Locks the services first, so no delivery
 * of theirs changes the roll-ups in between. Must run inside a transaction.
 */
export async function regroupServices<T>(
  trx: Kysely<Database>,
  serviceIds: Iterable<number>,
  change: () => Promise<T>,
): Promise<T> {
  const ids = [...new Set(serviceIds)].sort((a, b) => a - b);
  if (ids.length === 0) return change();
  await lockServices(trx, ids);
  await shiftGroups(trx, ids, -1);
  const result = await change();
  await shiftGroups(trx, ids, 1);
  return result;
}

async function shiftGroups(trx: Kysely<Database>, ids: number[], sign: 1 | -1): Promise<void> {
  await sql`
    WITH land_delta AS (
      SELECT service_id, land, month, ${sign}::int * total AS total, ${sign}::int * regions AS regions
      FROM rollup_service_land_month WHERE service_id = ANY(${ids}::int[])
    ),
    ${addToGroups(sql`land_delta`)}
    SELECT 1`.execute(trx);
}
