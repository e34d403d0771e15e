import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Actor {
  userId: number | null;
  tokenId: number | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, tokenId: null };

export interface AuditEntry {
  action: string;
  entity: string;
  entityId: string | number;
  oldValue?: unknown;
  newValue?: unknown;
  deliveryId?: number | null;
}

/** Call inside the transaction that makes the change, so the change and its record commit together. */
export async function writeAudit(trx: Kysely<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      actor_user_id: actor.userId,
      actor_token_id: actor.tokenId,
      action: entry.action,
      entity: entry.entity,
      entity_id: String(entry.entityId),
      old_value: entry.oldValue === undefined ? null : JSON.stringify(entry.oldValue),
      new_value: entry.newValue === undefined ? null : JSON.stringify(entry.newValue),
      delivery_id: entry.deliveryId ?? null,
    })
    .execute();
}
