import { sql, type Kysely, type QueryResult, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import { dateToMonth } from '../../domain/months.js';

/**
 * The queries of the downloads, the catalogue and the Dashboard export. Every one reads published
 * services only (online_services.published): an unpublished service is in no public file, not even
 * in a sum.
 */

/** Rows read per statement when a file is written: the files never hold all counts in memory. */
export const BATCH_ROWS = 10_000;

export interface DataVersion {
  version: number;
  changedAt: Date;
  /** Seconds since the last change by the database's own clock (no skew against the app's). */
  ageSeconds: number;
}

export async function readDataVersion(db: Kysely<Database>): Promise<DataVersion> {
  const row = await sql<{ version: number; changed_at: Date; age: number }>`
    SELECT version, changed_at, extract(epoch FROM now() - changed_at)::float8 AS age FROM data_version`
    .execute(db)
    .then((r) => r.rows[0]);
  if (!row) throw new Error('data_version has no row (migration 0022)');
  return { version: Number(row.version), changedAt: new Date(row.changed_at), ageSeconds: Number(row.age) };
}

/** Per published service: its LeiKa keys and OZG ids, joined with ',' in key order. */
export async function publishedServiceKeys(
  db: Kysely<Database>,
): Promise<Map<number, { leika: string; ozg: string }>> {
  const rows = await sql<{ id: number; leika: string | null; ozg: string | null }>`
    SELECT s.id,
           (SELECT string_agg(l.leika_key, ',' ORDER BY l.leika_key) FROM online_service_leika l
             WHERE l.service_id = s.id) AS leika,
           (SELECT string_agg(o.ozg_id, ',' ORDER BY o.ozg_id) FROM online_service_ozg o
             WHERE o.service_id = s.id) AS ozg
      FROM online_services s
     WHERE s.published`.execute(db);
  return new Map(rows.rows.map((r) => [r.id, { leika: r.leika ?? '', ozg: r.ozg ?? '' }]));
}

/** Region names by ARS (about 11,000 rows at Gemeinde level: small beside the counts). */
export async function regionNames(db: Kysely<Database>): Promise<Map<string, string>> {
  const rows = await db.selectFrom('regions').select(['ars', 'name']).execute();
  return new Map(rows.map((r) => [r.ars, r.name]));
}

interface CountDbRow {
  service_id: number;
  month: string;
  ars: string;
  count: number;
}

export interface CountRow {
  serviceId: number;
  month: string;
  ars: string;
  count: number;
}

/**
 * Every count of the published services in primary-key order, read in slices of BATCH_ROWS by
 * keyset (the primary key range of `counts`): memory stays flat however many rows there are, and the
 * same SQL runs on PGlite, which has no server-side cursors through its adapter.
 */
export async function* publishedCounts(
  db: Kysely<Database>,
  batchRows: number = BATCH_ROWS,
): AsyncGenerator<CountRow[]> {
  let after: { serviceId: number; month: string; ars: string } | null = null;
  for (;;) {
    const keyset: RawBuilder<unknown> = after
      ? sql`AND (c.service_id, c.month, c.ars) > (${after.serviceId}, ${after.month}::date, ${after.ars})`
      : sql``;
    const rows: QueryResult<CountDbRow> = await sql<CountDbRow>`
      SELECT c.service_id, c.month, c.ars, c.count
        FROM counts c JOIN online_services s ON s.id = c.service_id AND s.published
       WHERE true ${keyset}
       ORDER BY c.service_id, c.month, c.ars
       LIMIT ${batchRows}`.execute(db);
    if (rows.rows.length === 0) return;
    const batch = rows.rows.map((r) => ({
      serviceId: r.service_id,
      month: dateToMonth(r.month),
      ars: r.ars,
      count: r.count,
    }));
    yield batch;
    const last: CountDbRow = rows.rows[rows.rows.length - 1]!;
    after = { serviceId: last.service_id, month: last.month, ars: last.ars };
    if (rows.rows.length < batchRows) return;
  }
}

/** First and last month with data of the published services, for dct:temporal; null without data. */
export async function publishedPeriod(db: Kysely<Database>): Promise<{ first: string; last: string } | null> {
  const row = await sql<{ first: string | null; last: string | null }>`
    SELECT min(r.first_month) AS first, max(r.last_month) AS last
      FROM rollup_service r JOIN online_services s ON s.id = r.service_id AND s.published`
    .execute(db)
    .then((r) => r.rows[0]);
  return row?.first && row.last ? { first: dateToMonth(row.first), last: dateToMonth(row.last) } : null;
}

export interface MasterDataRow {
  id: number;
  name: string;
  url: string | null;
  authority: string | null;
  serviceType: string;
  buildMode: string;
  isFocus: boolean;
  granularity: string;
  description: string | null;
  leika: string;
  ozg: string;
  ozgNames: string;
  themenfelder: string;
  portals: string;
  firstMonth: string | null;
  lastMonth: string | null;
  total: number;
}

/** The master data of every published service with its first and last month and total, by id. */
export async function publishedMasterData(db: Kysely<Database>): Promise<MasterDataRow[]> {
  const rows = await sql<{
    id: number;
    name: string;
    url: string | null;
    authority: string | null;
    service_type: string;
    build_mode: string;
    is_focus: boolean;
    granularity: string;
    description: string | null;
    leika: string | null;
    ozg: string | null;
    ozg_names: string | null;
    themenfelder: string | null;
    portals: string | null;
    first_month: string | null;
    last_month: string | null;
    total: number | null;
  }>`
    SELECT s.id, s.name, s.url, a.name AS authority, s.service_type, s.build_mode, s.is_focus,
           s.granularity, s.description,
           (SELECT string_agg(l.leika_key, ',' ORDER BY l.leika_key) FROM online_service_leika l
             WHERE l.service_id = s.id) AS leika,
           (SELECT string_agg(o.ozg_id, ',' ORDER BY o.ozg_id) FROM online_service_ozg o
             WHERE o.service_id = s.id) AS ozg,
           (SELECT string_agg(z.name, ' | ' ORDER BY o.ozg_id) FROM online_service_ozg o
              JOIN ozg_services z ON z.id = o.ozg_id WHERE o.service_id = s.id) AS ozg_names,
           (SELECT string_agg(DISTINCT z.themenfeld, ' | ') FROM online_service_ozg o
              JOIN ozg_services z ON z.id = o.ozg_id WHERE o.service_id = s.id) AS themenfelder,
           (SELECT string_agg(p.name, ' | ' ORDER BY p.name) FROM portal_services ps
              JOIN portals p ON p.id = ps.portal_id WHERE ps.service_id = s.id) AS portals,
           r.first_month, r.last_month, r.total
      FROM online_services s
      LEFT JOIN authorities a ON a.id = s.authority_id
      LEFT JOIN rollup_service r ON r.service_id = s.id
     WHERE s.published
     ORDER BY s.id`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id,
    name: r.name,
    url: r.url,
    authority: r.authority,
    serviceType: r.service_type,
    buildMode: r.build_mode,
    isFocus: r.is_focus,
    granularity: r.granularity,
    description: r.description,
    leika: r.leika ?? '',
    ozg: r.ozg ?? '',
    ozgNames: r.ozg_names ?? '',
    themenfelder: r.themenfelder ?? '',
    portals: r.portals ?? '',
    firstMonth: r.first_month ? dateToMonth(r.first_month) : null,
    lastMonth: r.last_month ? dateToMonth(r.last_month) : null,
    total: r.total ?? 0,
  }));
}

export interface DashboardRow {
  leikaKey: string;
  ozgId: string;
  ars: string;
  month: string;
  transactions: number;
}

/**
 * One month of the Dashboard export: transactions per LeiKa key and ARS over the published
 * services that carry the key (a service with two keys counts under each, as in the Dashboard, where
 * every row is one Leistung). The OZG ids are those the catalogue links to the key. The roll-up
 * names the services with data in the month, so counts is read by its primary-key prefix, not scanned.
 */
export async function dashboardMonth(db: Kysely<Database>, month: string): Promise<DashboardRow[]> {
  const rows = await sql<{ leika_key: string; ozg: string | null; ars: string; total: number }>`
    SELECT l.leika_key, c.ars, sum(c.count)::bigint AS total,
           (SELECT string_agg(z.ozg_id, ',' ORDER BY z.ozg_id) FROM ozg_service_leika z
             WHERE z.leika_key = l.leika_key) AS ozg
      FROM rollup_service_month m
      JOIN online_services s ON s.id = m.service_id AND s.published
      JOIN online_service_leika l ON l.service_id = m.service_id
      JOIN counts c ON c.service_id = m.service_id AND c.month = m.month
     WHERE m.month = ${`${month}-01`}::date
     GROUP BY l.leika_key, c.ars
     ORDER BY l.leika_key, c.ars`.execute(db);
  return rows.rows.map((r) => ({
    leikaKey: r.leika_key,
    ozgId: r.ozg ?? '',
    ars: r.ars,
    month,
    transactions: Number(r.total),
  }));
}
