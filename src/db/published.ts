import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';

/**
 * The published restriction of the open pages (issue 15): an unpublished service appears in no public
 * output, also not in sums. Services are published by default, so the restriction is decided once per
 * request: without an unpublished service (the partial index online_services_unpublished_idx answers
 * that from an empty index) every query runs unrestricted, exactly as fast as before.
 */

/** Who looks: signed-in people see every service, everyone else the published ones (audienceOf). */
export type Viewers = 'all' | 'published';

/** Whether any service is unpublished. */
export async function anyUnpublished(db: Kysely<Database>): Promise<boolean> {
  const rows = await sql<{ found: boolean }>`
    SELECT EXISTS (SELECT 1 FROM online_services WHERE NOT published) AS found`.execute(db);
  return rows.rows[0]?.found === true;
}

/** True when the figures for these viewers must leave unpublished services out. */
export async function mustHideUnpublished(db: Kysely<Database>, viewers: Viewers): Promise<boolean> {
  return viewers === 'published' && (await anyUnpublished(db));
}

/** A condition on a service id column: only published services (few rows: the partial index). */
export function publishedService(column: RawBuilder<unknown> = sql.ref('service_id')): RawBuilder<unknown> {
  return sql`${column} NOT IN (SELECT id FROM online_services WHERE NOT published)`;
}

/** A condition on a service id column: only unpublished services, whose figures are subtracted. */
export function unpublishedService(column: RawBuilder<unknown> = sql.ref('service_id')): RawBuilder<unknown> {
  return sql`${column} IN (SELECT id FROM online_services WHERE NOT published)`;
}
