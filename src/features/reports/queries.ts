import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, GranularityColumn } from '../../db/schema.js';

/**
 * The report tables read the roll-ups rollup_service (all months) and rollup_service_month (a period),
 * never counts. Rows come back unsorted: the reports sort in TypeScript with German collation
 * (report.ts), which the database's C collation would not give.
 */

/** Months 'YYYY-MM', both included; null = open end. */
export interface Period {
  from: string | null;
  to: string | null;
}

export type SourceKind = 'portal' | 'direct';

export interface PortalReportRow {
  kind: SourceKind;
  /** Portal id, or for a direct connection the authority id (null: service without authority). */
  sourceId: number | null;
  /** Portal name, or the authority of directly connected services (null: none recorded). */
  name: string | null;
  services: number;
  firstMonth: string | null;
  lastMonth: string | null;
  granularities: GranularityColumn[];
  transactions: number;
}

export interface ServiceReportRow {
  id: number;
  name: string;
  authority: string | null;
  /** Names of the portals the service belongs to, sorted; empty = connected directly. */
  portals: string[];
  granularity: GranularityColumn;
  firstMonth: string | null;
  lastMonth: string | null;
  monthsDelivered: number;
  transactions: number;
}

function monthFilter(period: Period): RawBuilder<unknown> {
  const from = period.from ? sql`AND month >= ${`${period.from}-01`}::date` : sql``;
  const to = period.to ? sql`AND month <= ${`${period.to}-01`}::date` : sql``;
  return sql`${from} ${to}`;
}

/**
 * First and last delivered month, months and total per service within the period. Over all months the
 * per-service summary rollup_service has exactly these figures in one row per service.
 */
const perService = (period: Period) =>
  period.from || period.to
    ? sql`
      SELECT service_id, min(month) AS first_month, max(month) AS last_month,
             count(*) AS months, sum(total) AS total
      FROM rollup_service_month
      WHERE true ${monthFilter(period)}
      GROUP BY service_id`
    : sql`SELECT service_id, first_month, last_month, months, total FROM rollup_service`;

/**
 * One row per data source: every portal (its services, a service in two portals counts in both), and
 * per authority the services that belong to no portal ("Einzelanbindung").
 */
export async function listPortalReport(db: Kysely<Database>, period: Period): Promise<PortalReportRow[]> {
  const rows = await sql<Omit<PortalReportRow, 'granularities'> & Record<GranularityColumn, boolean>>`
    WITH per_service AS (${perService(period)}),
    sources AS (
      SELECT 'portal' AS kind, p.id AS source_id, p.name, ps.service_id
      FROM portals p LEFT JOIN portal_services ps ON ps.portal_id = p.id
      UNION ALL
      SELECT 'direct', a.id, a.name, s.id
      FROM online_services s LEFT JOIN authorities a ON a.id = s.authority_id
      WHERE NOT EXISTS (SELECT 1 FROM portal_services ps WHERE ps.service_id = s.id)
    )
    SELECT src.kind, src.source_id AS "sourceId", src.name,
           count(src.service_id)::int AS services,
           to_char(min(r.first_month), 'YYYY-MM') AS "firstMonth",
           to_char(max(r.last_month), 'YYYY-MM') AS "lastMonth",
           -- Flags rather than string_agg(DISTINCT …): a DISTINCT aggregate forces a sort of every
           -- service row, which spilled to disk at 100,000 services; flags aggregate in a hash table.
           coalesce(bool_or(s.granularity = 'bund'), false) AS bund,
           coalesce(bool_or(s.granularity = 'land'), false) AS land,
           coalesce(bool_or(s.granularity = 'kreis'), false) AS kreis,
           coalesce(bool_or(s.granularity = 'gemeinde'), false) AS gemeinde,
           coalesce(sum(r.total), 0)::bigint AS transactions
    FROM sources src
    LEFT JOIN online_services s ON s.id = src.service_id
    LEFT JOIN per_service r ON r.service_id = src.service_id
    GROUP BY src.kind, src.source_id, src.name`.execute(db);
  return rows.rows.map(({ bund, land, kreis, gemeinde, ...r }) => {
    const flags: Record<GranularityColumn, boolean> = { bund, land, kreis, gemeinde };
    return { ...r, granularities: GRANULARITY_ORDER.filter((g) => flags[g]) };
  });
}

/** One row per online service, with its portals; services without data in the period have 0. */
export async function listServiceReport(db: Kysely<Database>, period: Period): Promise<ServiceReportRow[]> {
  const rows = await sql<ServiceReportRow>`
    WITH per_service AS (${perService(period)})
    SELECT s.id, s.name, a.name AS authority, s.granularity, coalesce(pn.names, '[]') AS portals,
           to_char(r.first_month, 'YYYY-MM') AS "firstMonth", to_char(r.last_month, 'YYYY-MM') AS "lastMonth",
           coalesce(r.months, 0)::int AS "monthsDelivered", coalesce(r.total, 0)::bigint AS transactions
    FROM online_services s
    LEFT JOIN authorities a ON a.id = s.authority_id
    -- Portal names aggregated once and joined: a subquery per service made the estimated cost so high
    -- at 100,000 services that PostgreSQL JIT-compiled the query on every call (docs/benchmarks.md).
    LEFT JOIN (SELECT ps.service_id, json_agg(p.name) AS names
               FROM portal_services ps JOIN portals p ON p.id = ps.portal_id
               GROUP BY ps.service_id) pn ON pn.service_id = s.id
    LEFT JOIN per_service r ON r.service_id = s.id`.execute(db);
  return rows.rows.map((r) => ({ ...r, portals: [...r.portals].sort(collator.compare) }));
}

export const collator = new Intl.Collator('de', { sensitivity: 'base', numeric: true });

export const GRANULARITY_ORDER: readonly GranularityColumn[] = ['bund', 'land', 'kreis', 'gemeinde'];
