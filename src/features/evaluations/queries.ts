import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { BuildMode, Granularity, ServiceType } from '../../domain/vocabulary.js';

/** Evaluations read the roll-ups (rollup_service_month, rollup_service_land_month), never counts. */

export interface ServiceMasterData {
  id: number;
  name: string;
  url: string | null;
  authority: string | null;
  serviceType: ServiceType;
  buildMode: BuildMode;
  isFocus: boolean;
  granularity: Granularity;
  portals: string | null;
  /** False: kept out of every public output (online_services.published). */
  published: boolean;
}

/** One service's master data; null if unknown. */
export async function getServiceMasterData(
  db: Kysely<Database>,
  serviceId: number,
): Promise<ServiceMasterData | null> {
  const rows = await sql<ServiceMasterData>`
    SELECT s.id, s.name, s.url, a.name AS authority, s.service_type AS "serviceType",
           s.build_mode AS "buildMode", s.is_focus AS "isFocus", s.granularity, s.published,
           (SELECT string_agg(p.name, ', ' ORDER BY p.name) FROM portal_services ps
              JOIN portals p ON p.id = ps.portal_id WHERE ps.service_id = s.id) AS portals
    FROM online_services s
    LEFT JOIN authorities a ON a.id = s.authority_id
    WHERE s.id = ${serviceId}`.execute(db);
  return rows.rows[0] ?? null;
}

export interface MonthTotal {
  month: string;
  total: number;
}

/** The delivered months of one service with their totals, oldest first. */
export async function listServiceMonthTotals(db: Kysely<Database>, serviceId: number): Promise<MonthTotal[]> {
  const rows = await sql<MonthTotal>`
    SELECT to_char(month, 'YYYY-MM') AS month, total::bigint AS total
    FROM rollup_service_month
    WHERE service_id = ${serviceId}
    ORDER BY month`.execute(db);
  return rows.rows;
}

/**
 * What the service page shows per region over the chosen months; the Land and the Kreis table are read
 * side by side, so they say the same things.
 */
interface RegionTotal {
  name: string | null;
  total: number;
  months: number;
}

export interface LandTotal extends RegionTotal {
  /** Two-digit Land key; '00' is nationwide (bundesweit). */
  land: string;
}

/** Totals per Land of one service over the months from..to (YYYY-MM, both included). */
export async function listServiceLandTotals(
  db: Kysely<Database>,
  serviceId: number,
  from: string,
  to: string,
): Promise<LandTotal[]> {
  const rows = await sql<LandTotal>`
    SELECT r.land, g.name, sum(r.total)::bigint AS total, count(*)::int AS months
    FROM rollup_service_land_month r
    LEFT JOIN regions g ON g.ars = r.land || '0000000000'
    WHERE r.service_id = ${serviceId}
      AND r.month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date
    GROUP BY r.land, g.name
    ORDER BY r.land`.execute(db);
  return rows.rows;
}

export interface KreisTotal extends RegionTotal {
  /** 12-digit ARS of the Kreis. */
  ars: string;
}

/**
 * Totals per Kreis of one service over the months from..to, for services that report per Kreis or
 * Gemeinde. The roll-ups stop at the Land, so this reads counts, but only this service's rows of the
 * period: a range scan of the primary key (service_id, month, ars). Gemeinde rows add up to their Kreis
 * (the first five digits of the ARS); rows above Kreis level (a Land) are left out.
 */
export async function listServiceKreisTotals(
  db: Kysely<Database>,
  serviceId: number,
  from: string,
  to: string,
): Promise<KreisTotal[]> {
  const rows = await sql<KreisTotal>`
    SELECT k.ars, g.name, sum(k.count)::bigint AS total, count(DISTINCT k.month)::int AS months
    FROM (SELECT substr(c.ars, 1, 5) || '0000000' AS ars, c.month, c.count
            FROM counts c
           WHERE c.service_id = ${serviceId}
             AND c.month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date) k
    JOIN regions g ON g.ars = k.ars AND (g.level = 'kreis' OR g.is_kreis)
    GROUP BY k.ars, g.name
    ORDER BY k.ars`.execute(db);
  return rows.rows;
}
