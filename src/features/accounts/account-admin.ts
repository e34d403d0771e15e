import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { writeAudit, type Actor } from '../../db/audit.js';
import type { Database, UserStatus } from '../../db/schema.js';
import { accountDisabledMail } from './mails.js';
import { endAllSessions } from '../../http/sessions.js';

export interface AccountRow {
  id: number;
  name: string;
  email: string;
  authority: string | null;
  status: UserStatus;
  isAdmin: boolean;
  lastLoginAt: Date | null;
}

export async function listAccounts(db: Kysely<Database>): Promise<AccountRow[]> {
  const rows = await db
    .selectFrom('users')
    .leftJoin('authorities', 'authorities.id', 'users.authority_id')
    .select([
      'users.id',
      'users.name',
      'users.email',
      'users.status',
      'users.is_admin',
      'users.last_login_at',
      'authorities.name as authority',
    ])
    .orderBy('users.name')
    .orderBy('users.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    authority: r.authority,
    status: r.status,
    isAdmin: r.is_admin,
    lastLoginAt: r.last_login_at ? new Date(r.last_login_at) : null,
  }));
}

export type SwitchResult = 'done' | 'not_found' | 'self';

/**
 * Disables an active account (and ends its sessions at once, not at their expiry) or enables a
 * disabled one. Administrators cannot disable themselves, so the last one cannot lock everyone out.
 */
export async function setAccountEnabled(
  app: FastifyInstance,
  userId: number,
  enabled: boolean,
  actor: Actor,
): Promise<SwitchResult> {
  if (!enabled && actor.userId === userId) return 'self';
  const from: UserStatus = enabled ? 'disabled' : 'active';
  const to: UserStatus = enabled ? 'active' : 'disabled';
  const user = await app.db.kysely.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('users')
      .set({ status: to, status_reason: null, updated_at: new Date() })
      .where('id', '=', userId)
      .where('status', '=', from)
      .returning(['id', 'email', 'name'])
      .executeTakeFirst();
    if (!row) return null;
    if (!enabled) await endAllSessions(trx, userId);
    await writeAudit(trx, actor, {
      action: enabled ? 'user.enable' : 'user.disable',
      entity: 'user',
      entityId: userId,
      oldValue: { status: from },
      newValue: { status: to },
    });
    return row;
  });
  if (!user) return 'not_found';
  if (!enabled) await app.mailer.send(accountDisabledMail(user.email, user.name));
  return 'done';
}
