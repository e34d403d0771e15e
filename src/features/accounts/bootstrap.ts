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
  const password = configuredPassword ?? generatePassword();
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const user = await trx
      .insertInto('users')
      .values({
        email,
        name: 'ZSK-Administration',
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
      newValue: { email, isAdmin: true },
    });
  });
  return { email, generatedPassword: configuredPassword ? null : password };
}
