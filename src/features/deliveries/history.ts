import { sql, type Kysely } from 'kysely';
import type { RowError } from '../../domain/counts.js';
import type { Channel, Database, DeliveryStatus } from '../../db/schema.js';
import type { DeliveryTarget } from './ingest.js';
import type { Granularity } from '../../domain/vocabulary.js';
import { loadTarget, targetPath, type TargetKind } from '../../http/target.js';

/** A service or a portal as the delivery pages name it. */
export interface TargetInfo {
  target: DeliveryTarget;
  name: string;
  /** /dienste/7 or /portale/2: the pages of this target live below it. */
  base: string;
  /** Services only, and only where a page needs it (the entry grid). */
  granularity?: Granularity;
}

/**
 * A service or portal as the delivery pages name it, found by the one loadTarget (src/http/target.ts):
 * a 404 naming the id when it does not exist.
 */
export async function loadTargetInfo(
  db: Kysely<Database>,
  kind: TargetKind,
  rawId: string,
): Promise<TargetInfo> {
  const target = await loadTarget(db, kind, rawId);
  const base = targetPath(target);
  return kind === 'service'
    ? { target: { kind, serviceId: target.id }, name: target.name, base }
    : { target: { kind, portalId: target.id }, name: target.name, base };
}

export interface DeliveryRow {
  id: number;
  serviceId: number | null;
  serviceName: string | null;
  portalId: number | null;
  portalName: string | null;
  channel: Channel;
  /** The person's name or the access token's label. */
  who: string | null;
  whoKind: 'user' | 'token' | null;
  status: DeliveryStatus;
  rowsTotal: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  firstMonth: string | null;
  lastMonth: string | null;
  createdAt: Date;
  hasFile: boolean;
}

/** Deliveries per page of the history. */
export const HISTORY_PAGE_SIZE = 50;

export interface DeliveryPage {
  rows: DeliveryRow[];
  /** 1-based; a page past the end is the last page. */
  page: number;
  pages: number;
  /** All deliveries of the target, over all pages. */
  total: number;
}

const SELECT_DELIVERY = sql`
  SELECT d.id, d.service_id AS "serviceId", s.name AS "serviceName", d.portal_id AS "portalId",
         p.name AS "portalName", d.channel, coalesce(u.name, t.label) AS who,
         CASE WHEN u.id IS NOT NULL THEN 'user' WHEN t.id IS NOT NULL THEN 'token' END AS "whoKind",
         d.status, d.rows_total AS "rowsTotal", d.created, d.updated, d.unchanged, d.rejected,
         to_char(d.first_month, 'YYYY-MM') AS "firstMonth", to_char(d.last_month, 'YYYY-MM') AS "lastMonth",
         d.created_at AS "createdAt",
         EXISTS (SELECT 1 FROM delivery_files f WHERE f.delivery_id = d.id) AS "hasFile"
  FROM deliveries d
  LEFT JOIN online_services s ON s.id = d.service_id
  LEFT JOIN portals p ON p.id = d.portal_id
  LEFT JOIN users u ON u.id = d.user_id
  LEFT JOIN access_tokens t ON t.id = d.token_id`;

/**
 * One page of the deliveries of a service, newest first: its own and those of the portals it belongs
 * to (a portal delivery may hold rows of the service), or of a portal. Offset paging: the history is
 * read newest first and rarely beyond the first pages, and "Seite X von Y" needs the total anyway.
 */
export async function listDeliveries(
  db: Kysely<Database>,
  target: DeliveryTarget,
  requestedPage = 1,
  pageSize = HISTORY_PAGE_SIZE,
): Promise<DeliveryPage> {
  const where =
    target.kind === 'service'
      ? sql`WHERE d.service_id = ${target.serviceId}
             OR d.portal_id IN (SELECT portal_id FROM portal_services WHERE service_id = ${target.serviceId})`
      : sql`WHERE d.portal_id = ${target.portalId}`;
  const counted = await sql<{
    total: number;
  }>`SELECT count(*)::int AS total FROM deliveries d ${where}`.execute(db);
  const total = counted.rows[0]?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, requestedPage), pages);
  const rows = await sql<DeliveryRow>`${SELECT_DELIVERY} ${where}
    ORDER BY d.created_at DESC, d.id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`.execute(db);
  return { rows: rows.rows, page, pages, total };
}

export async function loadDelivery(
  db: Kysely<Database>,
  id: number,
): Promise<(DeliveryRow & { errors: RowError[] }) | null> {
  const row = await sql<DeliveryRow & { errors: RowError[] }>`
    SELECT * FROM (${SELECT_DELIVERY} WHERE d.id = ${id}) x,
      LATERAL (SELECT errors FROM deliveries WHERE id = ${id}) e`.execute(db);
  return row.rows[0] ?? null;
}

export async function loadDeliveryFile(
  db: Kysely<Database>,
  id: number,
): Promise<{ fileName: string; mediaType: string; content: Buffer } | null> {
  const f = await db
    .selectFrom('delivery_files')
    .select(['file_name', 'media_type', 'content'])
    .where('delivery_id', '=', id)
    .executeTakeFirst();
  return f ? { fileName: f.file_name, mediaType: f.media_type, content: f.content } : null;
}
