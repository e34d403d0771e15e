import type { FastifyInstance } from 'fastify';
import { writeAudit } from '../../db/audit.js';
import { passwordProblem } from '../../domain/passwords.js';
import type { FieldErrors } from '../../web/form.js';
import { organisationLoginMail, passwordChangedMail, resetPasswordMail } from './mails.js';
import { consumeOneTimeToken, HOUR_MS, inspectOneTimeToken, issueOneTimeToken } from './one-time-tokens.js';
import { hashPassword } from './passwords.js';
import { clearLoginFailures } from './login.js';
import { endAllSessions } from '../../http/sessions.js';

export const RESET_TTL_MS = HOUR_MS;

/**
 * Mails a reset link to an active account with that address, and does nothing otherwise. The caller
 * answers the same in both cases, and the mail goes out after the answer, so not even the response
 * time tells whether the address has an account.
 */
export async function requestPasswordReset(app: FastifyInstance, email: string): Promise<void> {
  const db = app.db.kysely;
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'password_hash', 'oidc_subject'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!user) return;
  if (signsInOnlyWithOrganisation(user)) {
    // A password set here would be a second way in beside the authority's login (and its checks).
    void app.mailer
      .send(organisationLoginMail(user.email, user.name, `${app.config.publicUrl}/anmelden`))
      .catch((err: unknown) =>
        app.log.error({ err }, 'Hinweis zur Anmeldung mit dem Behördenkonto nicht versendet'),
      );
    return;
  }
  const now = new Date();
  const token = await db.transaction().execute(async (trx) => {
    // Only the newest link works: an older one lying in the mailbox is void.
    await trx
      .updateTable('one_time_tokens')
      .set({ used_at: now })
      .where('purpose', '=', 'reset_password')
      .where('user_id', '=', user.id)
      .where('used_at', 'is', null)
      .execute();
    return issueOneTimeToken(
      trx,
      {
        purpose: 'reset_password',
        userId: user.id,
        email: user.email,
        ttlMs: RESET_TTL_MS,
      },
      now,
    );
  });
  const link = `${app.config.publicUrl}/passwort-neu?token=${token}`;
  void app.mailer
    .send(resetPasswordMail(user.email, user.name, link))
    .catch((err: unknown) => app.log.error({ err }, 'Mail zum Zurücksetzen des Passworts nicht versendet'));
}

/** An account created by the authority's login (OIDC) that never had a ZSK password. */
const signsInOnlyWithOrganisation = (user: { password_hash: string | null; oidc_subject: string | null }) =>
  user.oidc_subject !== null && user.password_hash === null;

export type ResetResult =
  { ok: true } | { ok: false; state: 'expired' | 'used' | 'unknown' } | { ok: false; errors: FieldErrors };

/** The e-mail address behind a valid reset link, for the password rules; null when the link is not valid. */
export async function resetTarget(app: FastifyInstance, token: unknown) {
  const state = await inspectOneTimeToken(app.db.kysely, token, 'reset_password');
  if (state.state !== 'valid' || state.userId === null) {
    return { state: state.state === 'valid' ? ('unknown' as const) : state.state } as const;
  }
  const user = await app.db.kysely
    .selectFrom('users')
    .select(['id', 'email', 'name', 'password_hash', 'oidc_subject'])
    .where('id', '=', state.userId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!user || signsInOnlyWithOrganisation(user)) return { state: 'unknown' } as const;
  return {
    state: 'valid',
    tokenHash: state.tokenHash,
    user: { id: user.id, email: user.email, name: user.name },
  } as const;
}

/** Sets the new password, ends every session of the account and lifts a lock. */
export async function resetPassword(
  app: FastifyInstance,
  token: unknown,
  password: string,
  confirm: string,
): Promise<ResetResult> {
  const target = await resetTarget(app, token);
  if (target.state !== 'valid') return { ok: false, state: target.state };
  const { user } = target;
  const problem = password ? passwordProblem(password, user.email) : 'Bitte wählen Sie ein neues Passwort.';
  if (problem) return { ok: false, errors: { password: problem } };
  if (password !== confirm) {
    return {
      ok: false,
      errors: {
        passwordConfirm: 'Die beiden Passwörter stimmen nicht überein. Bitte wiederholen Sie das Passwort.',
      },
    };
  }
  const passwordHash = await hashPassword(password);
  const done = await app.db.kysely.transaction().execute(async (trx) => {
    if (!(await consumeOneTimeToken(trx, target.tokenHash))) return false;
    await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, failed_logins: 0, locked_until: null, updated_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    await endAllSessions(trx, user.id);
    // The owner is never locked out by a stranger's guesses: a new password ends the wait.
    await clearLoginFailures(trx, user.email);
    await writeAudit(
      trx,
      { userId: user.id, tokenId: null },
      {
        action: 'user.password_reset',
        entity: 'user',
        entityId: user.id,
        newValue: { sessionsEnded: true },
      },
    );
    return true;
  });
  if (!done) return { ok: false, state: 'used' };
  await app.mailer.send(
    passwordChangedMail(user.email, user.name, `${app.config.publicUrl}/passwort-vergessen`),
  );
  return { ok: true };
}
