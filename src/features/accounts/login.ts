import type { Kysely } from 'kysely';
import { writeAudit } from '../../db/audit.js';
import type { Database } from '../../db/schema.js';
import { hashToken } from '../../http/secrets.js';
import { hashPassword, verifyPassword } from './passwords.js';

/**
 * From this many wrong passwords in a row for one e-mail address, every further attempt has to wait:
 * 1 minute, then 2, 4, 8, at most MAX_WAIT_MINUTES. Slows guessing to a few tries an hour without
 * shutting the owner out: the wait is short, it is said plainly, and a password reset ends it.
 */
export const MAX_FAILED_LOGINS = 5;
export const MAX_WAIT_MINUTES = 15;
/** A row untouched this long is forgotten, and with it the count of its failures. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;

export type LoginResult =
  | { ok: true; userId: number }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; until: Date }
  | { ok: false; reason: 'pending_verification' | 'pending_approval' | 'rejected' | 'disabled' };

// Verified against when the address is unknown, so the answer takes as long as for a known one.
let dummyHash: Promise<string> | null = null;

const normalEmail = (email: string) => email.trim().toLowerCase();
const throttleKey = (email: string) => hashToken(normalEmail(email));

/** Wait after the n-th failure in a row (n >= MAX_FAILED_LOGINS), doubling from one minute. */
export function waitMinutes(failures: number): number {
  return Math.min(MAX_WAIT_MINUTES, 2 ** Math.min(failures - MAX_FAILED_LOGINS, 10));
}

/** Forgets the failures of the address: after a sign-in and after a password reset. */
export async function clearLoginFailures(db: Kysely<Database>, email: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('email_hash', '=', throttleKey(email)).execute();
}

async function recordFailure(
  db: Kysely<Database>,
  email: string,
  now: Date,
): Promise<{ failures: number; until: Date | null }> {
  // Housekeeping where rows are made, so no scheduler is needed for it.
  await db
    .deleteFrom('login_throttle')
    .where('updated_at', '<', new Date(now.getTime() - FORGET_AFTER_MS))
    .execute();
  // One statement, so parallel guesses are each counted.
  const { failures } = await db
    .insertInto('login_throttle')
    .values({ email_hash: throttleKey(email), failures: 1, blocked_until: null, updated_at: now })
    .onConflict((oc) =>
      oc.column('email_hash').doUpdateSet((eb) => ({
        failures: eb('login_throttle.failures', '+', 1),
        updated_at: now,
      })),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  if (failures < MAX_FAILED_LOGINS) return { failures, until: null };
  const until = new Date(now.getTime() + waitMinutes(failures) * 60_000);
  await db
    .updateTable('login_throttle')
    .set({ blocked_until: until })
    .where('email_hash', '=', throttleKey(email))
    .execute();
  return { failures, until };
}

/**
 * Checks e-mail and password of a local account. Wrong passwords are counted per address the same
 * way whether an account has it or not, so neither the answer nor its wait tells that it exists.
 */
export async function authenticateLocal(
  db: Kysely<Database>,
  email: string,
  password: string,
  now = new Date(),
): Promise<LoginResult> {
  const throttle = await db
    .selectFrom('login_throttle')
    .select('blocked_until')
    .where('email_hash', '=', throttleKey(email))
    .executeTakeFirst();
  // While waiting, not even the right password is tried: that is what slows the guessing.
  if (throttle?.blocked_until && new Date(throttle.blocked_until) > now) {
    return { ok: false, reason: 'throttled', until: new Date(throttle.blocked_until) };
  }
  const user = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'status'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', normalEmail(email)))
    .executeTakeFirst();
  let right: boolean;
  if (user?.password_hash) {
    right = await verifyPassword(user.password_hash, password);
  } else {
    dummyHash ??= hashPassword('zsk-dummy-password');
    await verifyPassword(await dummyHash, password);
    right = false;
  }
  if (!right || !user) {
    const { failures, until } = await recordFailure(db, email, now);
    if (failures === MAX_FAILED_LOGINS && user) {
      await writeAudit(
        db,
        { userId: null, tokenId: null },
        {
          action: 'user.lock',
          entity: 'user',
          entityId: user.id,
          newValue: { reason: 'falsche Passwörter in Folge', minutes: waitMinutes(MAX_FAILED_LOGINS) },
        },
      );
    }
    return until ? { ok: false, reason: 'throttled', until } : { ok: false, reason: 'invalid' };
  }
  await clearLoginFailures(db, email);
  // The password is right: only now may the status be told, since it reveals that the account exists.
  if (user.status !== 'active') return { ok: false, reason: user.status };
  return { ok: true, userId: user.id };
}

export function loginMessage(result: Exclude<LoginResult, { ok: true }>): string {
  switch (result.reason) {
    case 'invalid':
      return 'E-Mail-Adresse oder Passwort ist falsch.';
    case 'throttled':
      return `Zu viele Fehlversuche mit dieser E-Mail-Adresse. Bitte versuchen Sie es ab ${result.until.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' })} Uhr erneut oder setzen Sie Ihr Passwort über „Passwort vergessen“ neu.`;
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
