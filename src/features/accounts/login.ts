import type { Kysely } from 'kysely';
import { writeAudit } from '../../db/audit.js';
import type { Database } from '../../db/schema.js';
import { hashPassword, verifyPassword } from './passwords.js';

/** After this many wrong passwords in a row an account is locked for LOCK_MINUTES. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

export type LoginResult =
  | { ok: true; userId: number }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; until: Date }
  | { ok: false; reason: 'pending_verification' | 'pending_approval' | 'rejected' | 'disabled' };

// Verified against when the address is unknown, so the answer takes as long as for a known one.
let dummyHash: Promise<string> | null = null;

/** Checks e-mail and password of a local account, counting failures and locking after too many. */
export async function authenticateLocal(
  db: Kysely<Database>,
  email: string,
  password: string,
  now = new Date(),
): Promise<LoginResult> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'status', 'failed_logins', 'locked_until'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
  if (!user?.password_hash) {
    dummyHash ??= hashPassword('zsk-dummy-password');
    await verifyPassword(await dummyHash, password);
    return { ok: false, reason: 'invalid' };
  }
  if (user.locked_until && new Date(user.locked_until) > now) {
    return { ok: false, reason: 'locked', until: new Date(user.locked_until) };
  }
  if (!(await verifyPassword(user.password_hash, password))) {
    const failed = user.failed_logins + 1;
    const lock = failed >= MAX_FAILED_LOGINS;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({
          failed_logins: lock ? 0 : failed,
          locked_until: lock ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : null,
        })
        .where('id', '=', user.id)
        .execute();
      if (lock) {
        await writeAudit(
          trx,
          { userId: null, tokenId: null },
          {
            action: 'user.lock',
            entity: 'user',
            entityId: user.id,
            newValue: { reason: `${MAX_FAILED_LOGINS} falsche Passwörter`, minutes: LOCK_MINUTES },
          },
        );
      }
    });
    return lock
      ? { ok: false, reason: 'locked', until: new Date(now.getTime() + LOCK_MINUTES * 60_000) }
      : { ok: false, reason: 'invalid' };
  }
  // The password is right: only now may the status be told, since it reveals that the account exists.
  if (user.status !== 'active') return { ok: false, reason: user.status };
  return { ok: true, userId: user.id };
}

export function loginMessage(result: Exclude<LoginResult, { ok: true }>): string {
  switch (result.reason) {
    case 'invalid':
      return 'E-Mail-Adresse oder Passwort ist falsch.';
    case 'locked':
      return `Zu viele Fehlversuche: Das Konto ist bis ${result.until.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' })} Uhr gesperrt. Sie können Ihr Passwort über „Passwort vergessen“ neu setzen.`;
    case 'pending_verification':
      return 'Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den Link in unserer E-Mail.';
    case 'pending_approval':
      return 'Ihre Registrierung wird noch von der ZSK-Administration geprüft. Sie erhalten eine E-Mail, sobald sie freigegeben ist.';
    case 'rejected':
      return 'Ihre Registrierung wurde abgelehnt. Die Begründung steht in der E-Mail, die Sie erhalten haben.';
    case 'disabled':
      return 'Dieses Konto ist deaktiviert. Bitte wenden Sie sich an die ZSK-Administration.';
  }
}
