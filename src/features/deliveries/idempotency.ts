import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';

/** What a delivery answered, stored in deliveries.response to answer a retry the same way. */
export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export const requestHash = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex');

/**
 * The earlier answer for this token and key, or null when the key is new. The same key with another
 * body is a client bug: answering the first response would hide it, so it is refused.
 */
export async function previousResponse(
  db: Kysely<Database>,
  tokenId: number,
  key: string,
  hash: string,
): Promise<StoredResponse | null> {
  const row = await db
    .selectFrom('deliveries')
    .select(['request_hash', 'response'])
    .where('token_id', '=', tokenId)
    .where('user_id', 'is', null)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!row) return null;
  if (row.request_hash !== hash) {
    throw new AppError(
      409,
      'idempotency_key_reused',
      'Dieser Idempotency-Key wurde schon für eine andere Lieferung verwendet; bitte einen neuen Schlüssel wählen.',
    );
  }
  // The answer is stored in the delivery's own transaction; a keyed delivery without one is a bug.
  if (row.response === null) throw new Error(`delivery with Idempotency-Key ${key} has no stored answer`);
  return row.response as StoredResponse;
}

/** PostgreSQL unique_violation of the idempotency index: a concurrent request with the same key won. */
export function isIdempotencyConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string } | null;
  return (
    err?.code === '23505' && (err.constraint === undefined || err.constraint === 'deliveries_idempotency_key')
  );
}
