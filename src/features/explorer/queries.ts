import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Dimension } from './params.js';

/**
 * The explorer reads only the roll-ups (rollup_service_month, rollup_service_land_month), never counts:
 * its cost depends on services × months, not on the number of regions delivered.
 */

export interface GroupRow {
  /** '' = the service has no link in this dimension (no authority, no portal, …). */
  key: string;
  label: string | null;
  total: number;
  services: number;
  /** Population of the group, where the dimension has one (Land). */
  population: number | null;
}

export interface Filter {
  from: string;
  to: string;
  /** Empty = every service. */
  serviceIds: number[];
}

const monthBetween = (column: RawBuilder<unknown>, f: Filter) =>
  sql`${column} BETWEEN ${`${f.from}-01`}::date AND ${`${f.to}-01`}::date`;

const serviceFilter = (column: RawBuilder<unknown>, f: Filter) =>
  f.serviceIds.length === 0
    ? sql`true`
    : sql`${column} IN (${sql.join(f.serviceIds.map((id) => sql`${id}::int`))})`;

/** Per dimension: the joins onto `s` (online_services) and the key and label of a group. */
const DIMENSION_SQL: Record<
  Exclude<Dimension, 'land'>,
  { join: RawBuilder<unknown>; key: string; label: string }
> = {
  dienst: { join: sql``, key: 's.id::text', label: 's.name' },
  typ: { join: sql``, key: 's.service_type', label: 's.service_type' },
  fokus: {
    join: sql``,
    key: "CASE WHEN s.is_focus THEN 'ja' ELSE 'nein' END",
    label: "CASE WHEN s.is_focus THEN 'ja' ELSE 'nein' END",
  },
  behoerde: {
    join: sql`LEFT JOIN authorities a ON a.id = s.authority_id`,
    key: "coalesce(a.id::text, '')",
    label: 'a.name',
  },
  portal: {
    join: sql`LEFT JOIN portal_services ps ON ps.service_id = s.id LEFT JOIN portals po ON po.id = ps.portal_id`,
    key: "coalesce(po.id::text, '')",
    label: 'po.name',
  },
  ozg: {
    join: sql`LEFT JOIN online_service_ozg o ON o.service_id = s.id LEFT JOIN ozg_services z ON z.id = o.ozg_id`,
    key: "coalesce(z.id, '')",
    label: 'z.name',
  },
  // One row per service and Themenfeld, so a service with two OZG services of one Themenfeld counts once.
  themenfeld: {
    join: sql`LEFT JOIN (SELECT DISTINCT o.service_id, z.themenfeld
                           FROM online_service_ozg o JOIN ozg_services z ON z.id = o.ozg_id
                          WHERE z.themenfeld IS NOT NULL) tf ON tf.service_id = s.id`,
    key: "coalesce(tf.themenfeld, '')",
    label: 'tf.themenfeld',
  },
};

/** Totals per group of a service attribute over the months and services of the filter. */
export async function listGroupTotals(
  db: Kysely<Database>,
  dimension: Exclude<Dimension, 'land'>,
  f: Filter,
): Promise<GroupRow[]> {
  const d = DIMENSION_SQL[dimension];
  const rows = await sql<GroupRow>`
    WITH per_service AS (
      SELECT r.service_id, sum(r.total) AS total
      FROM rollup_service_month r
      WHERE ${monthBetween(sql.ref('r.month'), f)} AND ${serviceFilter(sql.ref('r.service_id'), f)}
      GROUP BY r.service_id
    )
    SELECT ${sql.raw(d.key)} AS key, ${sql.raw(d.label)} AS label, sum(p.total)::bigint AS total,
           count(DISTINCT p.service_id)::int AS services, NULL::int AS population
    FROM per_service p
    JOIN online_services s ON s.id = p.service_id
    ${d.join}
    GROUP BY 1, 2`.execute(db);
  return rows.rows;
}

/** Totals per Land ('00' = nationwide) with the Land's population, from rollup_service_land_month. */
export async function listLandTotals(db: Kysely<Database>, f: Filter): Promise<GroupRow[]> {
  const rows = await sql<GroupRow>`
    SELECT r.land AS key, g.name AS label, sum(r.total)::bigint AS total,
           count(DISTINCT r.service_id)::int AS services, g.population
    FROM rollup_service_land_month r
    LEFT JOIN regions g ON g.ars = r.land || '0000000000'
    WHERE ${monthBetween(sql.ref('r.month'), f)} AND ${serviceFilter(sql.ref('r.service_id'), f)}
    GROUP BY r.land, g.name, g.population`.execute(db);
  return rows.rows;
}

export interface GrandTotal {
  total: number;
  services: number;
  months: number;
}

/** The total over every selected service, each counted once whatever its groups. */
export async function getGrandTotal(db: Kysely<Database>, f: Filter): Promise<GrandTotal> {
  const rows = await sql<GrandTotal>`
    SELECT coalesce(sum(r.total), 0)::bigint AS total, count(DISTINCT r.service_id)::int AS services,
           count(DISTINCT r.month)::int AS months
    FROM rollup_service_month r
    WHERE ${monthBetween(sql.ref('r.month'), f)} AND ${serviceFilter(sql.ref('r.service_id'), f)}`.execute(
    db,
  );
  return rows.rows[0] ?? { total: 0, services: 0, months: 0 };
}

/** Population of Germany as shipped in regions (000000000000); null before the regions are loaded. */
export async function getGermanPopulation(db: Kysely<Database>): Promise<number | null> {
  const rows = await sql<{ population: number | null }>`
    SELECT population FROM regions WHERE ars = '000000000000'`.execute(db);
  return rows.rows[0]?.population ?? null;
}

export interface ServiceOption {
  id: number;
  name: string;
}

/** Every online service for the comparison choice, by name. */
export async function listServiceOptions(db: Kysely<Database>): Promise<ServiceOption[]> {
  const rows = await sql<ServiceOption>`
    SELECT id, name FROM online_services ORDER BY lower(name), id`.execute(db);
  return rows.rows;
}
