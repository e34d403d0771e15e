import { containsPattern } from '../../db/like.js';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Dimension } from './params.js';
import type { Audience } from '../../http/access.js';
import {
  countServicesWithData,
  periodForAllServices,
  periodWithinData,
  servicePeriodSums,
  servicesByTotal,
} from '../../db/rollups/index.js';
import { publishedService, unpublishedService } from '../../db/published.js';

/**
 * The explorer reads only the roll-ups, never counts: rollup_group_month over all services, per-service
 * sums over a period (src/db/period-sums.ts) for a selection or the largest services.
 */

export interface GroupRow {
  /** '' = the service has no link in this dimension (no authority, no portal, …). */
  key: string;
  label: string | null;
  total: number;
  /** Services with a delivery in the period; null where not kept (Länder over all services). */
  services: number | null;
  /** Population of the group, where the dimension has one (Land). */
  population: number | null;
}

export interface Filter {
  from: string;
  to: string;
  /** Empty = every service. */
  serviceIds: number[];
  /**
   * Leave out the unpublished services (a public visitor while there are any): group sums over all
   * services then subtract their per-service rows from rollup_group_month.
   */
  hideUnpublished?: boolean;
}

const monthBetween = (column: RawBuilder<unknown>, f: Filter) =>
  sql`${column} BETWEEN ${`${f.from}-01`}::date AND ${`${f.to}-01`}::date`;

const serviceFilter = (column: RawBuilder<unknown>, f: Filter) =>
  sql`${
    f.serviceIds.length === 0
      ? sql`true`
      : sql`${column} IN (${sql.join(f.serviceIds.map((id) => sql`${id}::int`))})`
  } AND ${f.hideUnpublished ? publishedService(column) : sql`true`}`;

/** The unpublished services' rows of rollup_service_land_month in the period, negated, to subtract. */
const unpublishedRows = (f: Filter, key: RawBuilder<unknown>, dimension: string) =>
  f.hideUnpublished
    ? sql`UNION ALL
        SELECT ${key} AS key, r.month, -r.total AS total
        FROM rollup_service_land_month r
        JOIN service_groups g ON g.service_id = r.service_id AND g.dimension = ${dimension}
        WHERE ${unpublishedService(sql.ref('r.service_id'))} AND ${monthBetween(sql.ref('r.month'), f)}`
    : sql``;

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

/**
 * Totals per group of a service attribute over the months and services of the filter. A selection
 * of services reads their per-service roll-up; all services read rollup_group_month, whose size
 * depends on groups × Länder × months, not on the number of services.
 */
export async function listGroupTotals(
  db: Kysely<Database>,
  dimension: Exclude<Dimension, 'land'>,
  f: Filter,
): Promise<GroupRow[]> {
  if (f.serviceIds.length === 0)
    return dimension === 'dienst' ? listTopServices(db, f) : listAllGroupTotals(db, dimension, f);
  const d = DIMENSION_SQL[dimension];
  const period = await periodWithinData(db, f);
  const rows = await sql<GroupRow>`
    WITH per_service AS (${servicePeriodSums(period, serviceFilter(sql.ref('service_id'), f))})
    SELECT ${sql.raw(d.key)} AS key, ${sql.raw(d.label)} AS label, sum(p.total)::bigint AS total,
           count(DISTINCT p.service_id)::int AS services, NULL::int AS population
    FROM per_service p
    JOIN online_services s ON s.id = p.service_id
    ${d.join}
    GROUP BY 1, 2`.execute(db);
  return rows.rows;
}

/** The TOP_SERVICES services with the most transactions in the period (servicesByTotal). */
async function listTopServices(db: Kysely<Database>, f: Filter): Promise<GroupRow[]> {
  const top = await servicesByTotal(db, await periodForAllServices(db, f), {
    direction: 'desc',
    limit: TOP_SERVICES,
    hideUnpublished: f.hideUnpublished === true,
  });
  return top.map((s) => ({
    key: String(s.id),
    label: s.name,
    total: s.total,
    services: 1,
    population: null,
  }));
}

/** Grouped by online service without a selection, the explorer shows the largest this many. */
export const TOP_SERVICES = 25;

/** Label of a group key per dimension, for the groups read from rollup_group_month. */
const GROUP_LABEL_SQL: Record<GroupDimension, RawBuilder<unknown>> = {
  typ: sql`m.group_key`,
  fokus: sql`m.group_key`,
  themenfeld: sql`m.group_key`,
  // The key back to the id, so the lookup uses the primary key ('' = no link: no name).
  behoerde: sql`(SELECT a.name FROM authorities a WHERE a.id = nullif(m.group_key, '')::int)`,
  portal: sql`(SELECT p.name FROM portals p WHERE p.id = nullif(m.group_key, '')::int)`,
  ozg: sql`(SELECT z.name FROM ozg_services z WHERE z.id = m.group_key)`,
};

type GroupDimension = Exclude<Dimension, 'land' | 'dienst'>;

/**
 * Every group with transactions in the period, from rollup_group_month alone: per-group service
 * counts would need a row per service, so they are not given here (null), as for the Länder.
 */
async function listAllGroupTotals(
  db: Kysely<Database>,
  dimension: GroupDimension,
  f: Filter,
): Promise<GroupRow[]> {
  const rows = await sql<GroupRow>`
    WITH m AS (
      SELECT key AS group_key, sum(total) AS total FROM (
        SELECT group_key AS key, month, total FROM rollup_group_month
        WHERE dimension = ${dimension} AND ${monthBetween(sql.ref('month'), f)}
        ${unpublishedRows(f, sql.ref('g.group_key'), dimension)}
      ) x
      GROUP BY key
      -- Rows a regrouping emptied stay with 0; a group of only delivered zeros goes with them.
      HAVING sum(total) <> 0
    )
    SELECT m.group_key AS key, ${GROUP_LABEL_SQL[dimension]} AS label, m.total::bigint AS total,
           NULL::int AS services, NULL::int AS population
    FROM m`.execute(db);
  return rows.rows;
}

/** Totals per Land ('00' = nationwide) with the Land's population. */
export async function listLandTotals(db: Kysely<Database>, f: Filter): Promise<GroupRow[]> {
  if (f.serviceIds.length === 0) {
    // Every service has exactly one type, so the type groups summed per Land are all services.
    const rows = await sql<GroupRow>`
      SELECT r.key, g.name AS label, sum(r.total)::bigint AS total, NULL::int AS services, g.population
      FROM (
        SELECT land AS key, month, total FROM rollup_group_month
        WHERE dimension = 'typ' AND ${monthBetween(sql.ref('month'), f)}
        ${unpublishedRows(f, sql.ref('r.land'), 'typ')}
      ) r
      LEFT JOIN regions g ON g.ars = r.key || '0000000000'
      GROUP BY r.key, g.name, g.population
      HAVING ${f.hideUnpublished ? sql`sum(r.total) <> 0` : sql`true`}`.execute(db);
    return rows.rows;
  }
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
  if (f.serviceIds.length === 0 && !f.hideUnpublished) {
    const rows = await sql<GrandTotal>`
      SELECT coalesce(sum(r.total), 0)::bigint AS total, count(DISTINCT r.month)::int AS months,
             ${countServicesWithData(await periodWithinData(db, f))}::int AS services
      FROM rollup_group_month r
      WHERE r.dimension = 'typ' AND ${monthBetween(sql.ref('r.month'), f)}`.execute(db);
    return rows.rows[0] ?? { total: 0, services: 0, months: 0 };
  }
  if (f.serviceIds.length === 0) {
    // Per month the group total less the unpublished services; a month whose net is 0 counts when a
    // published service delivered in it (zeros), which is asked for those rare months only.
    const rows = await sql<GrandTotal>`
      WITH per_month AS (
        SELECT key AS month, sum(total) AS total FROM (
          SELECT month AS key, total FROM rollup_group_month
          WHERE dimension = 'typ' AND ${monthBetween(sql.ref('month'), f)}
          UNION ALL
          SELECT month, -total FROM rollup_service_month
          WHERE ${unpublishedService(sql.ref('service_id'))} AND ${monthBetween(sql.ref('month'), f)}
        ) x GROUP BY key
      )
      SELECT coalesce(sum(p.total), 0)::bigint AS total,
             count(*) FILTER (WHERE p.total <> 0 OR EXISTS (
               SELECT 1 FROM rollup_service_month m
               WHERE m.month = p.month AND ${publishedService(sql.ref('m.service_id'))}))::int AS months,
             (${countServicesWithData(await periodWithinData(db, f))}
              - (SELECT count(DISTINCT service_id) FROM rollup_service_month
                 WHERE ${unpublishedService(sql.ref('service_id'))} AND ${monthBetween(sql.ref('month'), f)}))::int AS services
      FROM per_month p`.execute(db);
    return rows.rows[0] ?? { total: 0, services: 0, months: 0 };
  }
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

export interface ServiceOptions {
  options: ServiceOption[];
  /** All services; more than OPTIONS_ALL_UP_TO means the list holds the chosen and the found ones. */
  total: number;
}

/** Up to this many services the form lists every one; beyond, the chosen ones and a name search. */
export const OPTIONS_ALL_UP_TO = 200;
export const OPTIONS_FOUND = 50;

/**
 * The services to tick for a comparison, by name: all of them in a small installation; at 100,000
 * services a list of checkboxes would be megabytes, so then the chosen ones and up to OPTIONS_FOUND
 * whose name contains the search text.
 */
export async function listServiceOptions(
  db: Kysely<Database>,
  choice: { chosen: number[]; search: string },
  audience: Audience = 'all',
): Promise<ServiceOptions> {
  const visible = audience === 'all' ? sql`true` : sql`published`;
  const total = (
    await sql<{ n: number }>`SELECT count(*)::int AS n FROM online_services WHERE ${visible}`.execute(db)
  ).rows[0]!.n;
  if (total <= OPTIONS_ALL_UP_TO) {
    const rows = await sql<ServiceOption>`
      SELECT id, name FROM online_services WHERE ${visible} ORDER BY sort_name, id`.execute(db);
    return { options: rows.rows, total };
  }
  const pattern = containsPattern(choice.search);
  const rows = await sql<ServiceOption>`
    SELECT id, name, sort_name FROM online_services WHERE id = ANY(${choice.chosen}::int[]) AND ${visible}
    UNION
    (SELECT id, name, sort_name FROM online_services
      WHERE ${choice.search === '' ? sql`false` : sql`name ILIKE ${pattern}`} AND ${visible}
      ORDER BY sort_name, id LIMIT ${OPTIONS_FOUND})
    ORDER BY sort_name, id`.execute(db);
  return { options: rows.rows.map(({ id, name }) => ({ id, name })), total };
}
