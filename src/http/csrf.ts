import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

/**
 * CSRF protection for every form. Signed in: the synchronizer token of the session (sessions.csrf_token).
 * Signed out (sign-in, registration, password reset): a double-submit cookie, so nobody can sign a
 * visitor into an account of the attacker's choosing either.
 */
export const CSRF_COOKIE = 'zsk_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The token forms of this request's page must carry; see csrfTokenFor. */
    csrfToken?: string;
  }
}

/** The token for the forms of the page being rendered; sets the double-submit cookie when needed. */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
  if (request.session) return request.session.csrfToken;
  let token = request.cookies[CSRF_COOKIE];
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
    token = randomBytes(32).toString('base64url');
    reply.setCookie(CSRF_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
    });
    request.cookies[CSRF_COOKIE] = token;
  }
  return token;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const csrfFailed = () =>
  new AppError(
    403,
    'csrf_failed',
    'Das Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet. Bitte laden Sie die Seite neu und senden Sie es erneut.',
  );

/** Throws unless `given` (or the form field / header of the request) matches the expected token. */
export function verifyCsrf(request: FastifyRequest, given?: string): void {
  const fromBody = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  const header = request.headers[CSRF_HEADER];
  const token = given ?? (typeof fromBody === 'string' ? fromBody : typeof header === 'string' ? header : '');
  const expected = request.session?.csrfToken ?? request.cookies[CSRF_COOKIE] ?? '';
  if (!token || !expected || !sameToken(token, expected)) throw csrfFailed();
}
