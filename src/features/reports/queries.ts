import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import {
  countServicesWithData,
  periodForAllServices,
  servicePeriodSums,
  servicePeriodTotals,
  rankByTotal,
  type SumPeriod,
} from '../../db/rollups/index.js';
import { GRANULARITIES, type Granularity } from '../../domain/vocabulary.js';
import { publishedService, unpublishedService } from '../../db/published.js';

/**
 * The report tables read the roll-ups, never counts: rollup_service over all months, over a period
 * rollup_service_year or rollup_service_running (src/db/rollups/period-sums.ts), and rollup_source
 * with rollup_group_month for the sources. Rows come back unsorted: the reports sort in TypeScript with German collation
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
  granularities: Granularity[];
  transactions: number;
}

export interface ServiceReportRow {
  id: number;
  name: string;
  authority: string | null;
  /** Names of the portals the service belongs to, sorted; empty = connected directly. */
  portals: string[];
  granularity: Granularity;
  firstMonth: string | null;
  lastMonth: string | null;
  monthsDelivered: number;
  transactions: number;
}

type FlaggedPortalRow = Omit<PortalReportRow, 'granularities'> & Record<Granularity, boolean>;

const withGranularities = ({ bund, land, kreis, gemeinde, ...r }: FlaggedPortalRow): PortalReportRow => {
  const flags: Record<Granularity, boolean> = { bund, land, kreis, gemeinde };
  return { ...r, granularities: GRANULARITIES.filter((g) => flags[g]) };
};

/**
 * One row per data source: every portal (its services, a service in two portals counts in both), and
 * per authority the services that belong to no portal ("Einzelanbindung").
 *
 * The services of each source per granularity from rollup_source (migrations 0013, 0024), so the cost
 * does not grow with the services; the months and transactions, over all months or a period, from the
 * source's rows in rollup_group_month (dimension 'quelle', migration 0015), a few per source and month.
 */
export async function listPortalReport(
  db: Kysely<Database>,
  period: Period,
  hideUnpublished = false,
): Promise<PortalReportRow[]> {
  if (hideUnpublished) return listPublishedPortalReport(db, period);
  const inPeriod = sql`
      SELECT split_part(group_key, ':', 1) AS kind, nullif(split_part(group_key, ':', 2), '')::int AS source_id,
             min(month) FILTER (WHERE regions > 0) AS first_month,
             max(month) FILTER (WHERE regions > 0) AS last_month, sum(total) AS total
      FROM rollup_group_month
      WHERE dimension = 'quelle' ${period.from ? sql`AND month >= ${`${period.from}-01`}::date` : sql``}
        ${period.to ? sql`AND month <= ${`${period.to}-01`}::date` : sql``}
      GROUP BY group_key`;
  return sourceRows(
    db,
    sql`per_source AS (
      SELECT kind, source_id, sum(services) AS services,
             bool_or(granularity = 'bund') AS bund, bool_or(granularity = 'land') AS land,
             bool_or(granularity = 'kreis') AS kreis, bool_or(granularity = 'gemeinde') AS gemeinde
      FROM rollup_source GROUP BY kind, source_id
    ),
    in_period AS (${inPeriod})`,
  );
}

/**
 * listPortalReport over the published services only. The source roll-ups hold every service, so this
 * reads one row per published service (service_sources, servicePeriodSums): slower, and only asked
 * while some service is unpublished.
 */
async function listPublishedPortalReport(db: Kysely<Database>, period: Period): Promise<PortalReportRow[]> {
  return sourceRows(
    db,
    sql`per_service AS (${servicePeriodSums(period, publishedService())}),
    per_source AS (
      SELECT src.kind, src.source_id, count(*) AS services,
             bool_or(s.granularity = 'bund') AS bund, bool_or(s.granularity = 'land') AS land,
             bool_or(s.granularity = 'kreis') AS kreis, bool_or(s.granularity = 'gemeinde') AS gemeinde,
             min(r.first_month) AS first_month, max(r.last_month) AS last_month, sum(r.total) AS total
      FROM service_sources src JOIN online_services s ON s.id = src.service_id AND s.published
      LEFT JOIN per_service r ON r.service_id = s.id
      GROUP BY src.kind, src.source_id
    ),
    in_period AS (SELECT kind, source_id, first_month, last_month, total FROM per_source)`,
  );
}

/**
 * The sources of the report with their figures, for all services and for the published ones alike, so
 * that both list the same sources in the same columns. `figures` defines per_source (kind, source_id,
 * services and a flag per granularity) and in_period (kind, source_id, first_month, last_month, total).
 */
async function sourceRows(db: Kysely<Database>, figures: RawBuilder<unknown>): Promise<PortalReportRow[]> {
  const rows = await sql<FlaggedPortalRow>`
    WITH ${figures},
    sources AS (
      SELECT 'portal' AS kind, p.id AS source_id, p.name FROM portals p
      UNION ALL
      SELECT 'direct', r.source_id, a.name FROM per_source r LEFT JOIN authorities a ON a.id = r.source_id
      WHERE r.kind = 'direct'
    )
    SELECT src.kind, src.source_id AS "sourceId", src.name, coalesce(r.services, 0)::int AS services,
           to_char(t.first_month, 'YYYY-MM') AS "firstMonth", to_char(t.last_month, 'YYYY-MM') AS "lastMonth",
           coalesce(r.bund, false) AS bund, coalesce(r.land, false) AS land,
           coalesce(r.kreis, false) AS kreis, coalesce(r.gemeinde, false) AS gemeinde,
           coalesce(t.total, 0)::bigint AS transactions
    FROM sources src
    LEFT JOIN per_source r ON r.kind = src.kind AND r.source_id IS NOT DISTINCT FROM src.source_id
    LEFT JOIN in_period t ON t.kind = src.kind AND t.source_id IS NOT DISTINCT FROM src.source_id`.execute(
    db,
  );
  return rows.rows.map(withGranularities);
}

/** One row per online service, with its portals; services without data in the period have 0. */
export async function listServiceReport(
  db: Kysely<Database>,
  asked: Period,
  hideUnpublished = false,
): Promise<ServiceReportRow[]> {
  const period = await periodForAllServices(db, asked);
  const rows = await sql<ServiceReportRow>`
    WITH per_service AS (${servicePeriodSums(period)})
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
    LEFT JOIN per_service r ON r.service_id = s.id
    ${hideUnpublished ? sql`WHERE s.published` : sql``}`.execute(db);
  return rows.rows.map((r) => ({ ...r, portals: [...r.portals].sort(collator.compare) }));
}

export const collator = new Intl.Collator('de', { sensitivity: 'base', numeric: true });

type PageWindow = { limit: number; offset: number };

/** The ids of one page in the order of the column (only the joins the order needs). */
async function pageBy(
  db: Kysely<Database>,
  period: SumPeriod,
  sort: string,
  dir: 'asc' | 'desc',
  page: PageWindow,
  hideUnpublished: boolean,
): Promise<number[]> {
  const key = SERVICE_SORT_SQL[sort];
  if (!key) throw new RangeError(`Unknown sort key ${sort}`);
  const direction = dir === 'asc' ? sql`ASC` : sql`DESC`;
  // Only the first and last month need the period's sums of every service; the other orders none.
  const sums =
    sort === 'first' || sort === 'last'
      ? sql`LEFT JOIN (${servicePeriodSums(period)}) r ON r.service_id = s.id`
      : sql``;
  const rows = await sql<{ id: number }>`
    SELECT s.id FROM online_services s ${sums}
    ${hideUnpublished ? sql`WHERE s.published` : sql``}
    ORDER BY ${key} ${direction} NULLS LAST, s.sort_name, s.id
    LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * The order by transactions without sorting every service: services with transactions come in the
 * order of their totals (rankByTotal, ties by name), the others (0 or no data, all tied at 0) by
 * name; descending puts the first part first, ascending the second.
 */
async function pageByTransactions(
  db: Kysely<Database>,
  period: SumPeriod,
  dir: 'asc' | 'desc',
  page: PageWindow,
  services: number,
  hideUnpublished: boolean,
): Promise<number[]> {
  const published = hideUnpublished ? sql`AND s.published` : sql``;
  const totals = servicePeriodTotals(period);
  const withTotals = async (w: PageWindow) =>
    (await rankByTotal(db, period, { direction: dir, ...w, hideUnpublished })).map((r) => r.id);
  const zeros = async (w: PageWindow) =>
    (
      await sql<{ id: number }>`
        SELECT s.id FROM online_services s
        WHERE NOT EXISTS (SELECT 1 FROM (${totals}) r WHERE r.service_id = s.id AND r.total > 0) ${published}
        ORDER BY s.sort_name, s.id LIMIT ${w.limit} OFFSET ${w.offset}`.execute(db)
    ).rows.map((r) => r.id);
  // The size of the first part is needed only where a page reaches past it; a part that still gave
  // rows ends right after them, so counting is left for a page that starts beyond it.
  const positive = async () =>
    (
      await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM (${totals}) r
        WHERE r.total > 0 ${hideUnpublished ? sql`AND ${publishedService(sql.ref('r.service_id'))}` : sql``}`.execute(
        db,
      )
    ).rows[0]!.n;
  const [first, second] = dir === 'desc' ? [withTotals, zeros] : [zeros, withTotals];
  const ids = await first(page);
  if (ids.length < page.limit) {
    const firstSize =
      ids.length > 0
        ? page.offset + ids.length
        : dir === 'desc'
          ? await positive()
          : services - (await positive());
    ids.push(
      ...(await second({ limit: page.limit - ids.length, offset: Math.max(0, page.offset - firstSize) })),
    );
  }
  return ids;
}

export interface ServiceReportPage {
  rows: ServiceReportRow[];
  /** Over all services, not only the page. */
  figures: { services: number; withData: number; transactions: number };
  /** The page shown: the one asked for, or the last one if that lies beyond. */
  page: number;
  pageCount: number;
}

/**
 * The SQL order of a column of the service report: what sortRows does in TypeScript, with names
 * folded by sort_key() (migration 0010) instead of German collation; rows without a value last.
 */
const SERVICE_SORT_SQL: Record<string, RawBuilder<unknown>> = {
  service: sql`s.sort_name`,
  authority: sql`(SELECT sort_key(a.name) FROM authorities a WHERE a.id = s.authority_id)`,
  source: sql`coalesce((SELECT string_agg(sort_key(p.name), ', ' ORDER BY sort_key(p.name))
                         FROM portal_services ps JOIN portals p ON p.id = ps.portal_id
                         WHERE ps.service_id = s.id), 'einzelanbindung (kein portal)')`,
  first: sql`r.first_month`,
  last: sql`r.last_month`,
  granularity: sql`array_position(ARRAY[${sql.join(GRANULARITIES.map((g) => sql.lit(g)))}], s.granularity)`,
};

/**
 * One page of the report per service, sorted in the database: the number of services first (it gives
 * the number of pages), then the figures of the period and the page's ids in the order of the column,
 * then the page's rows with their details. Over all months it reads rollup_service and the group roll-ups; a period reads the per-year
 * roll-up or the running sums (servicePeriodSums); the order by transactions of all months or one
 * calendar year follows the index on the total, any other period is one scan of the running sums.
 */
export async function listServiceReportPage(
  db: Kysely<Database>,
  asked: Period,
  sort: string,
  dir: 'asc' | 'desc',
  requested: { size: number; number: number },
  hideUnpublished = false,
): Promise<ServiceReportPage> {
  const period = await periodForAllServices(db, asked);
  const services = await countServices(db, hideUnpublished);
  const pageCount = Math.max(1, Math.ceil(services / requested.size));
  const page = Math.min(Math.max(1, requested.number), pageCount);
  const window = { limit: requested.size, offset: (page - 1) * requested.size };
  // The figures and the page at once, on two connections: each reads every service of the period.
  const [figures, ids] = await Promise.all([
    periodFigures(db, period, hideUnpublished),
    sort === 'transactions'
      ? pageByTransactions(db, period, dir, window, services, hideUnpublished)
      : pageBy(db, period, sort, dir, window, hideUnpublished),
  ]);
  const rows = await sql<ServiceReportRow>`
    WITH per_service AS (${servicePeriodSums(period, sql`service_id = ANY(${ids}::int[])`)}),
    page AS (SELECT * FROM unnest(${ids}::int[]) WITH ORDINALITY AS p(id, position))
    SELECT s.id, s.name, a.name AS authority, s.granularity,
           coalesce((SELECT json_agg(p.name) FROM portal_services ps JOIN portals p ON p.id = ps.portal_id
                     WHERE ps.service_id = s.id), '[]') AS portals,
           to_char(r.first_month, 'YYYY-MM') AS "firstMonth", to_char(r.last_month, 'YYYY-MM') AS "lastMonth",
           coalesce(r.months, 0)::int AS "monthsDelivered", coalesce(r.total, 0)::bigint AS transactions
    FROM page JOIN online_services s ON s.id = page.id
    LEFT JOIN authorities a ON a.id = s.authority_id
    LEFT JOIN per_service r ON r.service_id = s.id
    ORDER BY page.position`.execute(db);
  return {
    rows: rows.rows.map((r) => ({ ...r, portals: [...r.portals].sort(collator.compare) })),
    figures: { services, ...figures },
    page,
    pageCount,
  };
}

/**
 * The figures above the report per service, over all services, from the roll-ups; without the
 * unpublished services, their own figures (a few rows) are subtracted. The number of services first:
 * it does not depend on the period.
 */
async function countServices(db: Kysely<Database>, hideUnpublished: boolean): Promise<number> {
  const row = await sql<{ n: number }>`
    SELECT ((SELECT coalesce(sum(services), 0) FROM rollup_completeness)
            - ${hideUnpublished ? sql`(SELECT count(*) FROM online_services WHERE NOT published)` : sql`0`})::int AS n`.execute(
    db,
  );
  return row.rows[0]!.n;
}

/** Services with data in the period and their transactions (as countServices). */
async function periodFigures(
  db: Kysely<Database>,
  period: SumPeriod,
  hideUnpublished: boolean,
): Promise<Omit<ServiceReportPage['figures'], 'services'>> {
  const from = period.from ?? '0001-01';
  const to = period.to ?? '9999-12';
  type Figures = Omit<ServiceReportPage['figures'], 'services'>;
  const figures = await sql<Figures>`
    SELECT ${countServicesWithData(period)}::int AS "withData",
           (SELECT coalesce(sum(total), 0) FROM rollup_group_month
             WHERE dimension = 'typ' AND month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date)::bigint
             AS transactions`.execute(db);
  const all = figures.rows[0]!;
  if (!hideUnpublished) return all;
  const hidden = await sql<Figures>`
    SELECT count(*) FILTER (WHERE r.months > 0)::int AS "withData", coalesce(sum(r.total), 0)::bigint AS transactions
    FROM (${servicePeriodSums(period, unpublishedService())}) r`.execute(db);
  const minus = hidden.rows[0]!;
  return {
    withData: all.withData - minus.withData,
    transactions: Number(all.transactions) - Number(minus.transactions),
  };
}
