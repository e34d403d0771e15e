import { sql, type Kysely } from 'kysely';
import type { Database, GranularityColumn, ServiceType } from '../../db/schema.js';

export interface ServiceOverviewRow {
  id: number;
  name: string;
  url: string | null;
  authority: string | null;
  serviceType: ServiceType;
  granularity: GranularityColumn;
  isFocus: boolean;
  firstMonth: string | null;
  lastMonth: string | null;
  monthsDelivered: number;
  total: number;
}

/** Every online service with its first and last month and total transactions, from the roll-up. */
export async function listServiceOverview(db: Kysely<Database>): Promise<ServiceOverviewRow[]> {
  const rows = await sql<ServiceOverviewRow>`
    SELECT s.id, s.name, s.url, a.name AS authority, s.service_type AS "serviceType", s.granularity,
           s.is_focus AS "isFocus",
           to_char(min(r.month), 'YYYY-MM') AS "firstMonth", to_char(max(r.month), 'YYYY-MM') AS "lastMonth",
           count(r.month)::int AS "monthsDelivered", coalesce(sum(r.total), 0)::bigint AS total
    FROM online_services s
    LEFT JOIN authorities a ON a.id = s.authority_id
    LEFT JOIN rollup_service_month r ON r.service_id = s.id
    GROUP BY s.id, a.name
    ORDER BY lower(s.name), s.id`.execute(db);
  return rows.rows;
}
