import type { Kysely } from 'kysely';
import { writeAudit, type Actor } from '../../db/audit.js';
import type { Database } from '../../db/schema.js';
import { inspectOneTimeToken } from './one-time-tokens.js';

/**
 * Invitations are one_time_tokens rows (purpose 'invitation') written by the managers' UI: `email` is
 * the invited address, the payload names what the person will manage.
 */
export interface InvitationPayload {
  kind: 'service' | 'portal';
  id: number;
  grantedBy: number | null;
}

function parsePayload(payload: unknown): InvitationPayload | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if ((p.kind !== 'service' && p.kind !== 'portal') || !Number.isInteger(p.id)) return null;
  return {
    kind: p.kind,
    id: p.id as number,
    grantedBy: Number.isInteger(p.grantedBy) ? (p.grantedBy as number) : null,
  };
}

/** The invited address of a valid invitation link, for prefilling the registration form. */
export async function invitedEmail(db: Kysely<Database>, token: unknown): Promise<string | null> {
  const state = await inspectOneTimeToken(db, token, 'invitation');
  return state.state === 'valid' ? state.email : null;
}

/**
 * Turns every unused, unexpired invitation for `email` into a membership of `userId`; called in the
 * approval's transaction, so the account never becomes active without the rights it was invited to.
 * Invitations whose service or portal is gone meanwhile are only marked used. Returns the grants made.
 */
export async function grantPendingInvitations(
  trx: Kysely<Database>,
  userId: number,
  email: string,
  options: { actor?: Actor; now?: Date } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const invitations = await trx
    .selectFrom('one_time_tokens')
    .select(['token_hash', 'payload'])
    .where('purpose', '=', 'invitation')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
    .orderBy('created_at')
    .execute();
  let granted = 0;
  for (const invitation of invitations) {
    await trx
      .updateTable('one_time_tokens')
      .set({ used_at: now, user_id: userId })
      .where('token_hash', '=', invitation.token_hash)
      .execute();
    const payload = parsePayload(invitation.payload);
    if (!payload) continue;
    const target =
      payload.kind === 'service'
        ? await trx.selectFrom('online_services').select('id').where('id', '=', payload.id).executeTakeFirst()
        : await trx.selectFrom('portals').select('id').where('id', '=', payload.id).executeTakeFirst();
    if (!target) continue;
    const column = payload.kind === 'service' ? 'service_id' : 'portal_id';
    const existing = await trx
      .selectFrom('memberships')
      .select('id')
      .where('user_id', '=', userId)
      .where(column, '=', payload.id)
      .executeTakeFirst();
    if (existing) continue;
    const role = payload.kind === 'service' ? 'service_manager' : 'portal_manager';
    const membership = await trx
      .insertInto('memberships')
      .values({
        user_id: userId,
        service_id: payload.kind === 'service' ? payload.id : null,
        portal_id: payload.kind === 'portal' ? payload.id : null,
        role,
        granted_by: payload.grantedBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(trx, options.actor ?? { userId: payload.grantedBy, tokenId: null }, {
      action: 'membership.grant',
      entity: 'membership',
      entityId: membership.id,
      newValue: {
        userId,
        role,
        [payload.kind === 'service' ? 'serviceId' : 'portalId']: payload.id,
        grantedBy: payload.grantedBy,
        via: 'invitation',
      },
    });
    granted += 1;
  }
  return granted;
}
