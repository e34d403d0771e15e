import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { periodForAllServices, servicesByTotal, type RankedService } from '../../db/rollups/index.js';
import { unpublishedService } from '../../db/published.js';
import type { OpenPeriod } from '../../domain/months.js';

/**
 * The figures of the public start page, over all services from the group roll-up (a few rows per
 * month, however many services there are). The 'typ' dimension of rollup_group_month holds every
 * service exactly once, so its sums are the totals. Without the unpublished services their own
 * roll-up rows (few) are subtracted: the default, where every service is published, reads nothing more.
 */

export interface MonthTotal {
  month: string;
  total: number;
}

/** Transactions per month over all (published) services, oldest first; months without any row are missing. */
export async function listMonthTotals(db: Kysely<Database>, hideUnpublished: boolean): Promise<MonthTotal[]> {
  const rows = await sql<MonthTotal>`
    SELECT to_char(month, 'YYYY-MM') AS month, sum(total)::bigint AS total
    FROM (
      SELECT month, total FROM rollup_group_month WHERE dimension = 'typ'
      ${hideUnpublished ? sql`UNION ALL SELECT month, -total FROM rollup_service_month WHERE ${unpublishedService()}` : sql``}
    ) t
    GROUP BY month
    ORDER BY month`.execute(db);
  return rows.rows;
}

export interface LandTotal {
  /** Two-digit Land key; '00' is nationwide (bundesweit). */
  land: string;
  name: string | null;
  total: number;
}

/** Transactions per Land over the months from..to (YYYY-MM, both included). */
export async function listLandTotals(
  db: Kysely<Database>,
  period: { from: string; to: string },
  hideUnpublished: boolean,
): Promise<LandTotal[]> {
  const from = `${period.from}-01`;
  const to = `${period.to}-01`;
  const rows = await sql<LandTotal>`
    SELECT t.land, g.name, sum(t.total)::bigint AS total
    FROM (
      SELECT land, total FROM rollup_group_month
      WHERE dimension = 'typ' AND month BETWEEN ${from}::date AND ${to}::date
      ${
        hideUnpublished
          ? sql`UNION ALL SELECT land, -total FROM rollup_service_land_month
                WHERE month BETWEEN ${from}::date AND ${to}::date AND ${unpublishedService()}`
          : sql``
      }
    ) t
    LEFT JOIN regions g ON g.ars = t.land || '0000000000'
    GROUP BY t.land, g.name
    HAVING sum(t.total) <> 0
    ORDER BY t.land`.execute(db);
  return rows.rows;
}

export type TopService = RankedService;

/** The services with the most transactions in the period, published ones only when asked. */
export async function listTopServices(
  db: Kysely<Database>,
  asked: OpenPeriod,
  limit: number,
  hideUnpublished: boolean,
): Promise<TopService[]> {
  const period = await periodForAllServices(db, asked);
  return servicesByTotal(db, period, { direction: 'desc', limit, hideUnpublished });
}
