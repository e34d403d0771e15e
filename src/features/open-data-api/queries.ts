import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Audience } from '../../http/access.js';
import type { BuildMode, Granularity, ServiceType } from '../../domain/vocabulary.js';
import type { Filter } from './filter.js';
import { mustHideUnpublished, unpublishedService } from '../../db/published.js';

/**
 * SQL of the open-data API, one query per function, all on the roll-ups except the Kreis and
 * Gemeinde series of one service (the roll-ups stop at the Land; those read this service's rows of
 * counts by its primary key). Unpublished services are in no answer for the audience 'published'.
 */

export interface ServiceRecord {
  id: number;
  name: string;
  url: string | null;
  authority: { id: number; name: string } | null;
  serviceType: ServiceType;
  buildMode: BuildMode;
  isFocus: boolean;
  granularity: Granularity;
  leikaKeys: string[];
  ozgServices: { id: string; name: string; themenfeld: string | null }[];
  themenfelder: string[];
  portals: { id: number; name: string }[];
  firstMonth: string | null;
  lastMonth: string | null;
  total: number;
}

interface ServiceRow extends Omit<ServiceRecord, 'authority' | 'themenfelder' | 'total'> {
  authorityId: number | null;
  authorityName: string | null;
  total: string | number | null;
}

// json_agg rather than arrays: PGlite and node-postgres both hand json back parsed.
const SERVICE_COLUMNS = sql`
  s.id, s.name, s.url, s.authority_id AS "authorityId", a.name AS "authorityName",
  s.service_type AS "serviceType", s.build_mode AS "buildMode", s.is_focus AS "isFocus", s.granularity,
  (SELECT coalesce(json_agg(l.leika_key ORDER BY l.leika_key), '[]'::json)
     FROM online_service_leika l WHERE l.service_id = s.id) AS "leikaKeys",
  (SELECT coalesce(json_agg(json_build_object('id', z.id, 'name', z.name, 'themenfeld', z.themenfeld)
                            ORDER BY z.id), '[]'::json)
     FROM online_service_ozg o JOIN ozg_services z ON z.id = o.ozg_id WHERE o.service_id = s.id) AS "ozgServices",
  (SELECT coalesce(json_agg(json_build_object('id', p.id, 'name', p.name) ORDER BY p.id), '[]'::json)
     FROM portal_services ps JOIN portals p ON p.id = ps.portal_id WHERE ps.service_id = s.id) AS portals,
  to_char(r.first_month, 'YYYY-MM') AS "firstMonth", to_char(r.last_month, 'YYYY-MM') AS "lastMonth",
  r.total`;

function toRecord(row: ServiceRow): ServiceRecord {
  const { authorityId, authorityName, total, ...rest } = row;
  return {
    ...rest,
    authority: authorityId === null ? null : { id: authorityId, name: authorityName ?? '' },
    themenfelder: [
      ...new Set(row.ozgServices.map((o) => o.themenfeld).filter((t): t is string => t !== null)),
    ].sort(),
    total: Number(total ?? 0),
  };
}

const publishedOnly = (audience: Audience) => (audience === 'all' ? sql`true` : sql`s.published`);

/** One page of the services, in the order of their ids, with the number of all of them. */
export async function listServicePage(
  db: Kysely<Database>,
  audience: Audience,
  page: { offset: number; limit: number },
): Promise<{ total: number; items: ServiceRecord[] }> {
  const [count, rows] = await Promise.all([
    sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM online_services s WHERE ${publishedOnly(audience)}`.execute(db),
    sql<ServiceRow>`
      SELECT ${SERVICE_COLUMNS}
      FROM online_services s
      LEFT JOIN authorities a ON a.id = s.authority_id
      LEFT JOIN rollup_service r ON r.service_id = s.id
      WHERE ${publishedOnly(audience)}
      ORDER BY s.id
      LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db),
  ]);
  return { total: count.rows[0]!.n, items: rows.rows.map(toRecord) };
}

/** One service as the audience may see it; null when unknown or not published for it. */
export async function getOpenService(
  db: Kysely<Database>,
  audience: Audience,
  id: number,
): Promise<ServiceRecord | null> {
  const rows = await sql<ServiceRow>`
    SELECT ${SERVICE_COLUMNS}
    FROM online_services s
    LEFT JOIN authorities a ON a.id = s.authority_id
    LEFT JOIN rollup_service r ON r.service_id = s.id
    WHERE s.id = ${id} AND ${publishedOnly(audience)}`.execute(db);
  const row = rows.rows[0];
  return row ? toRecord(row) : null;
}

export interface RegionMonth {
  ars: string;
  month: string;
  total: number;
}

/** Levels from coarse to fine; a service's series can be summed to its own level or a coarser one. */
export const LEVELS: readonly Granularity[] = ['bund', 'land', 'kreis', 'gemeinde'];

/** One service's transactions per region of `level` and month, over from..to. */
export async function listServiceSeries(
  db: Kysely<Database>,
  serviceId: number,
  level: Granularity,
  range: { from: string; to: string },
): Promise<RegionMonth[]> {
  const [from, to] = [`${range.from}-01`, `${range.to}-01`];
  const query =
    level === 'bund'
      ? sql`SELECT '000000000000' AS ars, month, total FROM rollup_service_month
            WHERE service_id = ${serviceId} AND month BETWEEN ${from}::date AND ${to}::date`
      : level === 'land'
        ? sql`SELECT land || '0000000000' AS ars, month, total FROM rollup_service_land_month
              WHERE service_id = ${serviceId} AND month BETWEEN ${from}::date AND ${to}::date`
        : level === 'kreis'
          ? sql`SELECT substr(ars, 1, 5) || '0000000' AS ars, month, sum(count) AS total FROM counts
                WHERE service_id = ${serviceId} AND month BETWEEN ${from}::date AND ${to}::date
                GROUP BY 1, 2`
          : sql`SELECT ars, month, count AS total FROM counts
                WHERE service_id = ${serviceId} AND month BETWEEN ${from}::date AND ${to}::date`;
  const rows = await sql<{ ars: string; month: string; total: string | number }>`
    SELECT q.ars, to_char(q.month, 'YYYY-MM') AS month, q.total FROM (${query}) q
    ORDER BY q.ars, q.month`.execute(db);
  return rows.rows.map((r) => ({ ars: r.ars, month: r.month, total: Number(r.total) }));
}

/** Names of regions by ARS, for the keys of a series. */
export async function regionNames(db: Kysely<Database>, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await sql<{ ars: string; name: string }>`
    SELECT ars, name FROM regions WHERE ars = ANY(${keys}::text[])`.execute(db);
  return new Map(rows.rows.map((r) => [r.ars, r.name]));
}

/** What the aggregates group by (`by`). */
export const AGGREGATE_DIMENSIONS = [
  'service',
  'ozg',
  'leika',
  'themenfeld',
  'typ',
  'fokus',
  'land',
  'authority',
  'portal',
] as const;
export type AggregateDimension = (typeof AGGREGATE_DIMENSIONS)[number];

/** One service can sit in several groups of these: the groups may add up to more than the total. */
export const MULTI_MEMBERSHIP_DIMENSIONS: ReadonlySet<AggregateDimension> = new Set([
  'ozg',
  'leika',
  'themenfeld',
  'portal',
]);

export interface GroupMonth {
  key: string;
  month: string;
  total: number;
}

/** The name of rollup_group_month's dimension (explorer names) for an API dimension kept there. */
const GROUP_ROLLUP_DIMENSION: Partial<Record<AggregateDimension, string>> = {
  typ: 'typ',
  fokus: 'fokus',
  authority: 'behoerde',
  portal: 'portal',
  ozg: 'ozg',
  themenfeld: 'themenfeld',
};

/** Per dimension: joins onto `s` (online_services) and the group key. */
const GROUP_SQL: Record<Exclude<AggregateDimension, 'land'>, { join: RawBuilder<unknown>; key: string }> = {
  service: { join: sql``, key: 's.id::text' },
  typ: { join: sql``, key: 's.service_type' },
  fokus: { join: sql``, key: "CASE WHEN s.is_focus THEN 'ja' ELSE 'nein' END" },
  authority: { join: sql``, key: "coalesce(s.authority_id::text, '')" },
  portal: {
    join: sql`LEFT JOIN portal_services ps ON ps.service_id = s.id`,
    key: "coalesce(ps.portal_id::text, '')",
  },
  ozg: { join: sql`LEFT JOIN online_service_ozg o ON o.service_id = s.id`, key: "coalesce(o.ozg_id, '')" },
  leika: {
    join: sql`LEFT JOIN online_service_leika l ON l.service_id = s.id`,
    key: "coalesce(l.leika_key, '')",
  },
  themenfeld: {
    join: sql`LEFT JOIN (SELECT DISTINCT o.service_id, z.themenfeld
                           FROM online_service_ozg o JOIN ozg_services z ON z.id = o.ozg_id
                          WHERE z.themenfeld IS NOT NULL) tf ON tf.service_id = s.id`,
    key: "coalesce(tf.themenfeld, '')",
  },
};

const monthBetween = (column: RawBuilder<unknown>, range: { from: string; to: string }) =>
  sql`${column} BETWEEN ${`${range.from}-01`}::date AND ${`${range.to}-01`}::date`;

/**
 * Transactions per group and month. Without a filter the groups kept in rollup_group_month answer
 * (its size depends on groups × months, not on the number of services); unpublished services are
 * then subtracted from it using their own per-service rows, which only costs when there are any.
 * A filter, or a dimension not kept there (service, LeiKa), reads the per-service roll-ups.
 */
export async function listGroupMonths(
  db: Kysely<Database>,
  audience: Audience,
  by: AggregateDimension,
  range: { from: string; to: string },
  filter: Filter,
): Promise<GroupMonth[]> {
  const rollupDimension = by === 'land' ? 'typ' : GROUP_ROLLUP_DIMENSION[by];
  const subtract = await mustHideUnpublished(db, audience);
  let query: RawBuilder<unknown>;
  if (filter.length === 0 && rollupDimension !== undefined) {
    const key = by === 'land' ? sql.ref('land') : sql.ref('group_key');
    const unpublished = subtract
      ? sql`UNION ALL
          SELECT ${by === 'land' ? sql.ref('r.land') : sql.ref('g.group_key')} AS key, r.month, -r.total AS total
          FROM rollup_service_land_month r
          JOIN service_groups g ON g.service_id = r.service_id AND g.dimension = ${rollupDimension}
          WHERE ${unpublishedService(sql.ref('r.service_id'))}
            AND ${monthBetween(sql.ref('r.month'), range)}`
      : sql``;
    query = sql`
      SELECT key, month, sum(total) AS total FROM (
        SELECT ${key} AS key, month, total FROM rollup_group_month
        WHERE dimension = ${rollupDimension} AND ${monthBetween(sql.ref('month'), range)}
        ${unpublished}
      ) x GROUP BY key, month
      -- Rows a regrouping emptied stay with 0 in rollup_group_month; a group of only delivered zeros goes with them.
      HAVING sum(total) <> 0`;
  } else {
    const perLand = by === 'land' || filter.some((f) => f.key === 'land');
    const table = perLand ? sql`rollup_service_land_month` : sql`rollup_service_month`;
    const group = by === 'land' ? { join: sql``, key: 'r.land' } : GROUP_SQL[by];
    query = sql`
      SELECT ${sql.raw(group.key)} AS key, r.month, sum(r.total) AS total
      FROM ${table} r
      JOIN online_services s ON s.id = r.service_id
      ${group.join}
      WHERE ${monthBetween(sql.ref('r.month'), range)}
        AND ${audience === 'all' ? sql`true` : sql`s.published`}
        AND ${filterSql(filter)}
      GROUP BY 1, 2`;
  }
  const rows = await sql<{ key: string; month: string; total: string | number }>`
    SELECT q.key, to_char(q.month, 'YYYY-MM') AS month, q.total FROM (${query}) q
    ORDER BY q.key, q.month`.execute(db);
  return rows.rows.map((r) => ({ key: r.key, month: r.month, total: Number(r.total) }));
}

/** Every condition of the filter must hold; each lists the values one of which must match. */
function filterSql(filter: Filter): RawBuilder<unknown> {
  if (filter.length === 0) return sql`true`;
  const parts = filter.map((f): RawBuilder<unknown> => {
    const values = f.values;
    switch (f.key) {
      case 'service':
        return sql`s.id = ANY(${values.map(Number)}::int[])`;
      case 'typ':
        return sql`s.service_type = ANY(${values}::text[])`;
      case 'fokus':
        return sql`s.is_focus = ANY(${values.map((v) => v === 'ja')}::boolean[])`;
      case 'authority':
        return sql`s.authority_id = ANY(${values.map(Number)}::int[])`;
      case 'land':
        return sql`r.land = ANY(${values}::text[])`;
      case 'portal':
        return sql`EXISTS (SELECT 1 FROM portal_services fp WHERE fp.service_id = s.id
                             AND fp.portal_id = ANY(${values.map(Number)}::int[]))`;
      case 'ozg':
        return sql`EXISTS (SELECT 1 FROM online_service_ozg fo WHERE fo.service_id = s.id
                             AND fo.ozg_id = ANY(${values}::text[]))`;
      case 'leika':
        return sql`EXISTS (SELECT 1 FROM online_service_leika fl WHERE fl.service_id = s.id
                             AND fl.leika_key = ANY(${values}::text[]))`;
      case 'themenfeld':
        return sql`EXISTS (SELECT 1 FROM online_service_ozg fo JOIN ozg_services fz ON fz.id = fo.ozg_id
                            WHERE fo.service_id = s.id AND fz.themenfeld = ANY(${values}::text[]))`;
    }
  });
  return sql.join(parts, sql` AND `);
}

/** Labels of group keys; keys without a name (or '') are left out. */
export async function groupLabels(
  db: Kysely<Database>,
  by: AggregateDimension,
  keys: string[],
): Promise<Map<string, string>> {
  const named = keys.filter((k) => k !== '');
  if (named.length === 0) return new Map();
  const ids = () => named.filter((k) => /^[0-9]{1,9}$/.test(k)).map(Number);
  let rows: { key: string; label: string }[] = [];
  switch (by) {
    case 'service':
      rows = (
        await sql<{ key: string; label: string }>`
          SELECT id::text AS key, name AS label FROM online_services WHERE id = ANY(${ids()}::int[])`.execute(
          db,
        )
      ).rows;
      break;
    case 'authority':
      rows = (
        await sql<{ key: string; label: string }>`
          SELECT id::text AS key, name AS label FROM authorities WHERE id = ANY(${ids()}::int[])`.execute(db)
      ).rows;
      break;
    case 'portal':
      rows = (
        await sql<{ key: string; label: string }>`
          SELECT id::text AS key, name AS label FROM portals WHERE id = ANY(${ids()}::int[])`.execute(db)
      ).rows;
      break;
    case 'ozg':
      rows = (
        await sql<{ key: string; label: string }>`
          SELECT id AS key, name AS label FROM ozg_services WHERE id = ANY(${named}::text[])`.execute(db)
      ).rows;
      break;
    case 'leika':
      rows = (
        await sql<{ key: string; label: string }>`
          SELECT key, name AS label FROM leika_services WHERE key = ANY(${named}::text[])`.execute(db)
      ).rows;
      break;
    case 'land':
      rows = (
        await sql<{ key: string; label: string }>`
          SELECT substr(ars, 1, 2) AS key, name AS label FROM regions
          WHERE ars = ANY(${named.map((k) => `${k}0000000000`)}::text[])`.execute(db)
      ).rows;
      break;
    default:
      break;
  }
  return new Map(rows.map((r) => [r.key, r.label]));
}
