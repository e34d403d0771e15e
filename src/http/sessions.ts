import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { hashToken, newSecret } from './secrets.js';

/** The signed-in person as every request sees it. */
export interface SessionUser {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
}

export interface Session {
  idHash: string;
  csrfToken: string;
  user: SessionUser;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every page and form route; null when nobody is signed in. */
    session: Session | null;
  }
}

export const SESSION_COOKIE = 'zsk_session';
const MINUTE_MS = 60_000;
/** last_seen_at is written at most this often, so reading pages does not write on every request. */
const TOUCH_INTERVAL_MS = MINUTE_MS;

/**
 * Secure follows the scheme the browser used (behind a proxy named in ZSK_TRUST_PROXY, its
 * X-Forwarded-Proto), not ZSK_PUBLIC_URL: a cookie set over https must never travel over http, and
 * one set over http would not come back if it were Secure.
 */
export function cookieOptions(request: FastifyRequest) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: request.protocol === 'https',
  };
}

/**
 * Creates a session in the database and returns the cookie value. Only its hash is stored, so a
 * database dump does not hand out sessions.
 */
export async function createSession(
  db: Kysely<Database>,
  userId: number,
  config: Config,
  now = new Date(),
  oidc: { idToken: string; sid: string | null } | null = null,
): Promise<{ cookieValue: string; session: Omit<Session, 'user'> }> {
  const cookieValue = newSecret();
  const session = { idHash: hashToken(cookieValue), csrfToken: newSecret() };
  // Housekeeping where sessions are made, so no scheduler is needed for it.
  await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
  await db
    .insertInto('sessions')
    .values({
      id_hash: session.idHash,
      user_id: userId,
      csrf_token: session.csrfToken,
      expires_at: new Date(now.getTime() + config.sessionHours * 60 * MINUTE_MS),
      oidc_id_token: oidc?.idToken ?? null,
      oidc_sid: oidc?.sid ?? null,
    })
    .execute();
  return { cookieValue, session };
}

/**
 * Signs a person in: a fresh session id on every sign-in (the old one, if any, is deleted), so an id
 * planted before the sign-in is worthless afterwards. `oidc`: the ID token of an OIDC sign-in, kept for
 * the provider's logout, and its `sid`, by which the provider's back-channel logout names the session.
 */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  userId: number,
  oidc: { idToken: string; sid: string | null } | null = null,
): Promise<void> {
  const { db, config } = request.server;
  await endSession(request, reply);
  const { cookieValue } = await createSession(db.kysely, userId, config, new Date(), oidc);
  await db.kysely
    .updateTable('users')
    .set({ last_login_at: new Date(), failed_logins: 0, locked_until: null })
    .where('id', '=', userId)
    .execute();
  reply.setCookie(SESSION_COOKIE, cookieValue, {
    ...cookieOptions(request),
    maxAge: config.sessionHours * 60 * 60,
  });
}

export async function endSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const cookieValue = request.cookies[SESSION_COOKIE];
  if (!cookieValue) return;
  await request.server.db.kysely
    .deleteFrom('sessions')
    .where('id_hash', '=', hashToken(cookieValue))
    .execute();
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
  request.session = null;
}

/** The session of the request's cookie, if it is valid: not expired, not idle too long, account active. */
export async function loadSession(request: FastifyRequest, now = new Date()): Promise<Session | null> {
  const cookieValue = request.cookies[SESSION_COOKIE];
  if (!cookieValue) return null;
  const { db, config } = request.server;
  const idHash = hashToken(cookieValue);
  const row = await db.kysely
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.csrf_token',
      'sessions.last_seen_at',
      'users.id',
      'users.email',
      'users.name',
      'users.is_admin',
    ])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', now)
    .where('sessions.last_seen_at', '>', new Date(now.getTime() - config.sessionIdleMinutes * MINUTE_MS))
    .where('users.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return null;
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_INTERVAL_MS) {
    await db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('id_hash', '=', idHash)
      .execute();
  }
  return {
    idHash,
    csrfToken: row.csrf_token,
    user: { id: row.id, email: row.email, name: row.name, isAdmin: row.is_admin },
  };
}

/** Ends every session of an account, e.g. after a password reset or when it is disabled. */
export async function endAllSessions(db: Kysely<Database>, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}
