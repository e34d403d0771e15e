import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/**
 * Embeds are shown on other sites to anyone, so they show published services only, whoever asks
 * (also a signed-in person, whose browser would otherwise put unpublished figures into a public page).
 */

/** True when the service exists and is published. */
export async function isPublishedService(db: Kysely<Database>, serviceId: number): Promise<boolean> {
  const rows = await sql<{ published: boolean }>`
    SELECT published FROM online_services WHERE id = ${serviceId}`.execute(db);
  return rows.rows[0]?.published === true;
}

/**
 * The published services among `ids`, or of all services when `ids` is empty; null when every
 * service is published (then no filter is needed and the roll-ups over all services answer).
 */
export async function publishedServiceIds(db: Kysely<Database>, ids: number[]): Promise<number[] | null> {
  const hidden = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM online_services WHERE NOT published`.execute(db);
  if ((hidden.rows[0]?.n ?? 0) === 0) return null;
  const rows = await sql<{ id: number }>`
    SELECT id FROM online_services
    WHERE published ${ids.length > 0 ? sql`AND id = ANY(${ids}::int[])` : sql``}
    ORDER BY id`.execute(db);
  return rows.rows.map((r) => r.id);
}
