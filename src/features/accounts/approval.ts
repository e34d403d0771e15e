import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { writeAudit, type Actor } from '../../db/audit.js';
import type { Database } from '../../db/schema.js';
import { grantPendingInvitations } from './invitations.js';
import { approvedMail, rejectedMail } from './mails.js';

export interface PendingRegistration {
  id: number;
  name: string;
  email: string;
  purpose: string | null;
  authority: string | null;
  land: string | null;
  createdAt: Date;
  /** What open invitations will grant on approval, e.g. "Onlinedienst Wohngeld". */
  invitations: string[];
}

/** Registrations with a confirmed address, oldest first: the administrators' work queue. */
export async function listPending(db: Kysely<Database>, now = new Date()): Promise<PendingRegistration[]> {
  const rows = await db
    .selectFrom('users')
    .leftJoin('authorities', 'authorities.id', 'users.authority_id')
    .select([
      'users.id',
      'users.name',
      'users.email',
      'users.purpose',
      'users.created_at',
      'authorities.name as authority',
      'authorities.land',
    ])
    .where('users.status', '=', 'pending_approval')
    .orderBy('users.created_at')
    .orderBy('users.id')
    .execute();
  if (rows.length === 0) return [];
  const invitations = await db
    .selectFrom('one_time_tokens as t')
    .leftJoin('online_services as s', (join) =>
      join
        .on((eb) => eb(eb.ref('t.payload', '->>').key('id'), '=', eb.cast(eb.ref('s.id'), 'text')))
        .on((eb) => eb(eb.ref('t.payload', '->>').key('kind'), '=', 'service')),
    )
    .leftJoin('portals as p', (join) =>
      join
        .on((eb) => eb(eb.ref('t.payload', '->>').key('id'), '=', eb.cast(eb.ref('p.id'), 'text')))
        .on((eb) => eb(eb.ref('t.payload', '->>').key('kind'), '=', 'portal')),
    )
    .select((eb) => [
      eb.fn<string>('lower', ['t.email']).as('email'),
      's.name as service',
      'p.name as portal',
    ])
    .where('t.purpose', '=', 'invitation')
    .where('t.used_at', 'is', null)
    .where('t.expires_at', '>', now)
    .where(
      (eb) => eb.fn('lower', ['t.email']),
      'in',
      rows.map((r) => r.email.toLowerCase()),
    )
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    purpose: r.purpose,
    authority: r.authority,
    land: r.land,
    createdAt: new Date(r.created_at),
    invitations: invitations
      .filter((i) => i.email === r.email.toLowerCase())
      .flatMap((i) => (i.service ? [`Onlinedienst ${i.service}`] : i.portal ? [`Portal ${i.portal}`] : [])),
  }));
}

/**
 * Moves a registration out of pending_approval, audited; null if it was not pending (decided already,
 * or by someone else at the same time).
 */
async function decide(
  trx: Kysely<Database>,
  userId: number,
  decision: { status: 'active' } | { status: 'rejected'; reason: string },
  actor: Actor,
): Promise<{ id: number; email: string; name: string } | null> {
  const row = await trx
    .updateTable('users')
    .set({
      status: decision.status,
      status_reason: decision.status === 'rejected' ? decision.reason : null,
      updated_at: new Date(),
    })
    .where('id', '=', userId)
    .where('status', '=', 'pending_approval')
    .returning(['id', 'email', 'name'])
    .executeTakeFirst();
  if (!row) return null;
  await writeAudit(trx, actor, {
    action: decision.status === 'active' ? 'user.approve' : 'user.reject',
    entity: 'user',
    entityId: row.id,
    oldValue: { status: 'pending_approval' },
    newValue: decision,
  });
  return row;
}

/** Activates a confirmed registration and grants what the person was invited to; false if not pending. */
export async function approve(app: FastifyInstance, userId: number, actor: Actor): Promise<boolean> {
  const user = await app.db.kysely.transaction().execute(async (trx) => {
    const row = await decide(trx, userId, { status: 'active' }, actor);
    if (row) await grantPendingInvitations(trx, row.id, row.email, { actor });
    return row;
  });
  if (!user) return false;
  await app.mailer.send(approvedMail(user.email, user.name, `${app.config.publicUrl}/anmelden`));
  return true;
}

export async function reject(
  app: FastifyInstance,
  userId: number,
  reason: string,
  actor: Actor,
): Promise<boolean> {
  const user = await app.db.kysely
    .transaction()
    .execute((trx) => decide(trx, userId, { status: 'rejected', reason }, actor));
  if (!user) return false;
  await app.mailer.send(rejectedMail(user.email, user.name, reason));
  return true;
}
