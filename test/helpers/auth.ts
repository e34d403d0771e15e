import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { createSession, SESSION_COOKIE } from '../../src/http/sessions.js';
import { hashPassword } from '../../src/features/accounts/passwords.js';
import type { TestApp } from './app.js';

let sequence = 0;

export interface UserFields {
  email?: string;
  name?: string;
  isAdmin?: boolean;
  status?: 'pending_verification' | 'pending_approval' | 'active' | 'rejected' | 'disabled';
  password?: string;
}

export async function createUser(db: Kysely<Database>, fields: UserFields = {}): Promise<number> {
  sequence += 1;
  const row = await db
    .insertInto('users')
    .values({
      email: fields.email ?? `person-${sequence}-${Date.now()}@behoerde.example`,
      name: fields.name ?? `Person ${sequence}`,
      is_admin: fields.isAdmin ?? false,
      status: fields.status ?? 'active',
      password_hash: fields.password ? await hashPassword(fields.password) : null,
      authority_id: null,
      purpose: null,
      oidc_subject: null,
      status_reason: null,
      locked_until: null,
      last_login_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function grantService(db: Kysely<Database>, userId: number, serviceId: number): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ user_id: userId, service_id: serviceId, role: 'service_manager' })
    .execute();
}

export async function grantPortal(db: Kysely<Database>, userId: number, portalId: number): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ user_id: userId, portal_id: portalId, role: 'portal_manager' })
    .execute();
}

export interface SignedIn {
  userId: number;
  /** The Cookie header value for app.inject or a browser context. */
  cookie: string;
  /** The session's CSRF token, for forms sent with app.inject. */
  csrfToken: string;
}

/** A real session of a (new or given) user, as the sign-in would create it. */
export async function signIn(t: TestApp, user: UserFields | { userId: number } = {}): Promise<SignedIn> {
  const userId = 'userId' in user ? user.userId : await createUser(t.db.kysely, user);
  const { cookieValue, session } = await createSession(t.db.kysely, userId, t.config);
  return { userId, cookie: `${SESSION_COOKIE}=${cookieValue}`, csrfToken: session.csrfToken };
}
