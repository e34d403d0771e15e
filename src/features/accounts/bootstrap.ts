import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { writeAudit, SYSTEM_ACTOR } from '../../db/audit.js';
import { generatePassword, hashPassword } from './passwords.js';

/**
 * Creates the first administrator when there is none. Returns the generated password (to be shown
 * once) or null when the password came from the environment or an administrator already exists.
 */
export async function ensureAdmin(
  db: Kysely<Database>,
  email: string,
  configuredPassword: string | null,
): Promise<{ email: string; generatedPassword: string | null } | null> {
  const existing = await db.selectFrom('users').select('id').where('is_admin', '=', true).executeTakeFirst();
  if (existing) return null;
  const { password } = await createAdministrator(db, {
    email,
    name: 'ZSK-Administration',
    password: configuredPassword,
  });
  return { email, generatedPassword: configuredPassword ? null : password };
}

/**
 * An active administrator account, created by the system (start-up or command line) rather than by a
 * person signed in. Without a password a random one is generated; the caller shows it once, since only
 * its argon2id hash is stored.
 */
export async function createAdministrator(
  db: Kysely<Database>,
  input: { email: string; name: string; password: string | null },
): Promise<{ id: number; password: string }> {
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const id = await db.transaction().execute(async (trx) => {
    const user = await trx
      .insertInto('users')
      .values({
        email: input.email,
        name: input.name,
        password_hash: passwordHash,
        is_admin: true,
        status: 'active',
        authority_id: null,
        purpose: null,
        oidc_subject: null,
        status_reason: null,
        locked_until: null,
        last_login_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(trx, SYSTEM_ACTOR, {
      action: 'user.create',
      entity: 'user',
      entityId: user.id,
      newValue: { email: input.email, isAdmin: true },
    });
    return user.id;
  });
  return { id, password };
}
