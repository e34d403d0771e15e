import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';

/**
 * Unpublished services (online_services.published, migration 0022) appear in no public answer, sums
 * included. They are rare: asking once per request whether there are any (a read of the partial
 * index) lets the usual case keep its fast paths over the group roll-ups unchanged.
 */
export async function hasUnpublishedServices(db: Kysely<Database>): Promise<boolean> {
  const rows = await sql<{ any: boolean }>`
    SELECT EXISTS (SELECT 1 FROM online_services WHERE NOT published) AS any`.execute(db);
  return rows.rows[0]?.any === true;
}

/** The ids of the unpublished services, as a subquery for `IN (…)`. */
export const UNPUBLISHED_IDS: RawBuilder<unknown> = sql`(SELECT id FROM online_services WHERE NOT published)`;

/** A condition on a service id column: the service is published. */
export const isPublished = (column: RawBuilder<unknown>): RawBuilder<unknown> =>
  sql`${column} NOT IN ${UNPUBLISHED_IDS}`;
