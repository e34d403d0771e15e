import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { writeAudit, SYSTEM_ACTOR } from '../../db/audit.js';
import type { Database } from '../../db/schema.js';
import { LAENDER } from '../../domain/laender.js';
import { passwordProblem } from '../../domain/passwords.js';
import type { FieldErrors } from '../../web/form.js';
import { hashPassword } from './passwords.js';
import { invitedEmail } from './invitations.js';
import { alreadyRegisteredMail, newRegistrationMail, underReviewMail, verifyEmailMail } from './mails.js';
import { consumeOneTimeToken, HOUR_MS, inspectOneTimeToken, issueOneTimeToken } from './one-time-tokens.js';
import { hasControlCharacter, singleLineProblem } from '../../domain/text.js';

export const VERIFY_TTL_MS = 24 * HOUR_MS;

/** The registration form as sent; every value is kept to show the form again on errors. */
export interface RegistrationInput {
  authority: string;
  land: string;
  name: string;
  email: string;
  purpose: string;
  password: string;
  passwordConfirm: string;
  consent: boolean;
  invitation: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function readRegistration(body: Record<string, string | undefined>): RegistrationInput {
  const text = (key: string) => (body[key] ?? '').trim();
  return {
    authority: text('authority').replace(/\s+/g, ' '),
    land: text('land'),
    name: text('name'),
    email: text('email'),
    purpose: text('purpose'),
    password: body.password ?? '',
    passwordConfirm: body.passwordConfirm ?? '',
    consent: body.consent === 'ja',
    invitation: text('einladung'),
  };
}

/** Field errors in the order of the form. */
export function validateRegistration(input: RegistrationInput): FieldErrors {
  const errors: FieldErrors = {};
  if (!input.authority) errors.authority = 'Bitte geben Sie Ihre Behörde an.';
  else if (input.authority.length > 200)
    errors.authority = 'Der Name der Behörde darf höchstens 200 Zeichen lang sein.';
  else if (hasControlCharacter(input.authority))
    errors.authority = singleLineProblem(input.authority, 'Der Name der Behörde')!;
  if (input.land && !(input.land in LAENDER)) errors.land = 'Bitte wählen Sie ein Land aus der Liste.';
  if (!input.name) errors.name = 'Bitte geben Sie Ihren Namen an.';
  else if (input.name.length > 200) errors.name = 'Der Name darf höchstens 200 Zeichen lang sein.';
  else if (hasControlCharacter(input.name)) errors.name = singleLineProblem(input.name, 'Der Name')!;
  if (!input.email) errors.email = 'Bitte geben Sie Ihre E-Mail-Adresse an.';
  else if (!EMAIL.test(input.email) || input.email.length > 254) {
    errors.email = 'Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@behoerde.de.';
  }
  if (!input.purpose) errors.purpose = 'Bitte beschreiben Sie, wofür Sie den Zugang benötigen.';
  else if (input.purpose.length > 2000)
    errors.purpose = 'Die Beschreibung darf höchstens 2.000 Zeichen lang sein.';
  const problem = input.password
    ? passwordProblem(input.password, input.email)
    : 'Bitte wählen Sie ein Passwort.';
  if (problem) errors.password = problem;
  else if (input.password !== input.passwordConfirm) {
    errors.passwordConfirm =
      'Die beiden Passwörter stimmen nicht überein. Bitte wiederholen Sie das Passwort.';
  }
  if (!input.consent) errors.consent = 'Bitte willigen Sie in die Verarbeitung Ihrer Kontodaten ein.';
  return errors;
}

export async function authorityNames(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('authorities').select('name').orderBy('name').execute();
  return rows.map((r) => r.name);
}

/** The authority of that name (case-insensitive), created with the given Land when it is new. */
async function authorityId(trx: Kysely<Database>, name: string, land: string | null): Promise<number> {
  const find = () =>
    trx
      .selectFrom('authorities')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
      .executeTakeFirst();
  const existing = await find();
  if (existing) return existing.id;
  const created = await trx
    .insertInto('authorities')
    .values({ name, land })
    .returning('id')
    .executeTakeFirstOrThrow();
  await writeAudit(trx, SYSTEM_ACTOR, {
    action: 'authority.create',
    entity: 'authority',
    entityId: created.id,
    newValue: { name, land, via: 'registration' },
  });
  return created.id;
}

const verifyLink = (app: FastifyInstance, token: string) =>
  `${app.config.publicUrl}/registrieren/bestaetigen?token=${token}`;

/**
 * Creates a `pending_verification` account and mails the confirmation link. An address that already
 * has an account gets a notice mail instead, and the caller shows the same page either way, so the
 * form cannot be used to find out who has an account.
 */
export async function register(app: FastifyInstance, input: RegistrationInput): Promise<void> {
  // Hashed in both cases, so a known address does not answer measurably faster.
  const passwordHash = await hashPassword(input.password);
  const invited = await invitedEmail(app.db.kysely, input.invitation);
  try {
    await registerOnce(app, input, passwordHash, invited);
  } catch (error) {
    // Two registrations of the same address (or new authority) at once: the unique index stopped the
    // second; a second attempt sees the first one's row and takes the path for a known address.
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await registerOnce(app, input, passwordHash, invited);
  }
}

const UNIQUE_VIOLATION = '23505';

async function registerOnce(
  app: FastifyInstance,
  input: RegistrationInput,
  passwordHash: string,
  invited: string | null,
): Promise<void> {
  const db = app.db.kysely;
  const email = invited ?? input.email;
  const existing = await db
    .selectFrom('users')
    .select(['id', 'email', 'status'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  if (existing) {
    const link =
      existing.status === 'pending_verification'
        ? verifyLink(
            app,
            await issueOneTimeToken(db, {
              purpose: 'verify_email',
              userId: existing.id,
              email: existing.email,
              ttlMs: VERIFY_TTL_MS,
            }),
          )
        : existing.status === 'active'
          ? `${app.config.publicUrl}/passwort-vergessen`
          : null;
    await app.mailer.send(alreadyRegisteredMail(existing.email, existing.status, link));
    return;
  }
  const token = await db.transaction().execute(async (trx) => {
    const user = await trx
      .insertInto('users')
      .values({
        email,
        name: input.name,
        authority_id: await authorityId(trx, input.authority, input.land || null),
        purpose: input.purpose,
        password_hash: passwordHash,
        oidc_subject: null,
        status: 'pending_verification',
        status_reason: null,
        locked_until: null,
        last_login_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(
      trx,
      { userId: user.id, tokenId: null },
      {
        action: 'user.register',
        entity: 'user',
        entityId: user.id,
        // The consent is part of the record: who agreed to the processing of their account data, and when.
        newValue: {
          email,
          name: input.name,
          authority: input.authority,
          consent: true,
          invited: invited !== null,
        },
      },
    );
    return issueOneTimeToken(trx, {
      purpose: 'verify_email',
      userId: user.id,
      email,
      ttlMs: VERIFY_TTL_MS,
    });
  });
  await app.mailer.send(verifyEmailMail(email, input.name, verifyLink(app, token)));
}

export type VerifyResult = 'verified' | 'expired' | 'used' | 'unknown';

/** Confirms the address of a verification link and hands the registration to the administrators. */
export async function verifyEmail(app: FastifyInstance, token: unknown): Promise<VerifyResult> {
  const db = app.db.kysely;
  const state = await inspectOneTimeToken(db, token, 'verify_email');
  if (state.state !== 'valid') return state.state;
  const user = await db.transaction().execute(async (trx) => {
    if (!(await consumeOneTimeToken(trx, state.tokenHash))) return null;
    const row = await trx
      .updateTable('users')
      .set({ status: 'pending_approval', updated_at: new Date() })
      .where('id', '=', state.userId!)
      .where('status', '=', 'pending_verification')
      .returning(['id', 'email', 'name', 'authority_id'])
      .executeTakeFirst();
    if (row) {
      await writeAudit(
        trx,
        { userId: row.id, tokenId: null },
        {
          action: 'user.verify_email',
          entity: 'user',
          entityId: row.id,
          newValue: { status: 'pending_approval' },
        },
      );
    }
    return row ?? null;
  });
  if (!user) return 'used';
  await app.mailer.send(underReviewMail(user.email, user.name));
  await notifyAdministrators(app, user);
  return 'verified';
}

async function notifyAdministrators(
  app: FastifyInstance,
  user: { email: string; name: string; authority_id: number | null },
): Promise<void> {
  const db = app.db.kysely;
  const authority = user.authority_id
    ? await db.selectFrom('authorities').select('name').where('id', '=', user.authority_id).executeTakeFirst()
    : undefined;
  const admins = await db
    .selectFrom('users')
    .select('email')
    .where('is_admin', '=', true)
    .where('status', '=', 'active')
    .execute();
  const queue = `${app.config.publicUrl}/verwaltung/registrierungen`;
  // The registration is safely in the queue; a failing notice must not turn the person's success into an error.
  const results = await Promise.allSettled(
    admins.map((a) =>
      app.mailer.send(
        newRegistrationMail(
          a.email,
          { name: user.name, email: user.email, authority: authority?.name ?? null },
          queue,
        ),
      ),
    ),
  );
  for (const r of results) {
    if (r.status === 'rejected')
      app.log.error({ err: r.reason }, 'Hinweis an die Administration nicht versendet');
  }
}

/**
 * A new link for an expired one. Knowing the old link shows the person had the mailbox; the account
 * must still wait for its confirmation.
 */
export async function resendVerification(app: FastifyInstance, token: unknown): Promise<void> {
  const db = app.db.kysely;
  const state = await inspectOneTimeToken(db, token, 'verify_email');
  if (state.state !== 'expired' || state.userId === null) return;
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('id', '=', state.userId)
    .where('status', '=', 'pending_verification')
    .executeTakeFirst();
  if (!user) return;
  const fresh = await issueOneTimeToken(db, {
    purpose: 'verify_email',
    userId: user.id,
    email: user.email,
    ttlMs: VERIFY_TTL_MS,
  });
  await app.mailer.send(verifyEmailMail(user.email, user.name, verifyLink(app, fresh)));
}
