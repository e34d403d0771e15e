import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** PostgreSQL's code for a transaction chosen as the victim of a deadlock. */
const DEADLOCK_DETECTED = '40P01';

/**
 * Runs a transaction, again (up to `attempts` times) when PostgreSQL ended it as a deadlock victim.
 * Deliveries of different services, service edits and portal membership changes meet on shared
 * roll-up rows (rollup_group_month, the completeness and source buckets); each statement takes them in
 * key order, but a transaction of several statements may take them in another, so two could wait for
 * each other. The victim's work is rolled back entirely, so
 * running it again is safe. Inside an outer transaction nothing is retried: that one is lost anyway.
 * A lost connection is not retried either: had the COMMIT reached the server, the work would be stored
 * twice. The request answers 503 database_unavailable and the client repeats it, deliveries under the
 * same Idempotency-Key (which then hear the stored answer) — see docs/operations.md.
 */
export async function transactionWithRetry<T>(
  db: Kysely<Database>,
  run: (trx: Transaction<Database>) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(run);
    } catch (error) {
      const deadlock = (error as { code?: string }).code === DEADLOCK_DETECTED;
      if (!deadlock || attempt >= attempts || db.isTransaction) throw error;
    }
  }
}
