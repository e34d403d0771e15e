import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import type { Actor } from '../../db/audit.js';
import {
  authenticateToken,
  describeScope,
  scopeCovers,
  scopeCoversPortal,
  type TokenScope,
} from './tokens.js';
import { hashToken } from '../../http/secrets.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireToken on the delivery API. */
    tokenScope?: TokenScope;
  }
}

/** The token of `Authorization: Bearer <token>`, however the header is spaced or cased. */
function bearerOf(request: FastifyRequest): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match ? match[1]! : null;
}

/**
 * Rate-limit key of the delivery API: per token, so suppliers behind one proxy do not share a budget.
 * Keyed on the token itself, not the raw header, or each variant of spacing would be a fresh budget;
 * the hash keeps tokens out of memory.
 */
export function apiRateLimitKey(request: FastifyRequest): string {
  const bearer = bearerOf(request);
  return bearer ? `t:${hashToken(bearer)}` : `ip:${request.ip}`;
}

/**
 * onRequest hook of the delivery API: runs before the body is read, so requests without a valid
 * token never make the server parse megabytes of counts.
 */
export async function requireToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const bearer = bearerOf(request);
  const scope = bearer ? await authenticateToken(request.server.db.kysely, bearer) : null;
  if (!scope) {
    reply.header('WWW-Authenticate', 'Bearer realm="zsk"');
    throw new AppError(
      401,
      'unauthorized',
      bearer
        ? 'Der Zugangsschlüssel ist unbekannt, widerrufen oder abgelaufen.'
        : 'Zugangsschlüssel fehlt: Header „Authorization: Bearer <Zugangsschlüssel>“ angeben.',
    );
  }
  request.tokenScope = scope;
}

export function tokenScopeOf(request: FastifyRequest): TokenScope {
  if (!request.tokenScope) throw new Error('requireToken did not run for this route');
  return request.tokenScope;
}

export function forbiddenScope(scope: TokenScope, what: string): AppError {
  return new AppError(
    403,
    'forbidden_scope',
    `Dieser Zugangsschlüssel gilt nur für ${describeScope(scope)}, nicht für ${what}.`,
  );
}

/** The scope of the request's token, after checking it covers the service. */
export async function requireServiceScope(request: FastifyRequest, serviceId: number): Promise<TokenScope> {
  const scope = tokenScopeOf(request);
  if (!(await scopeCovers(request.server.db.kysely, scope, serviceId))) {
    throw forbiddenScope(scope, `Onlinedienst ${serviceId}`);
  }
  return scope;
}

/** Who acts, for the audit log: the token, and with a personal token also its person. */
export function actorOf(request: FastifyRequest): Actor {
  const scope = tokenScopeOf(request);
  return { userId: scope.kind === 'personal' ? scope.user.id : null, tokenId: scope.tokenId };
}

/** The scope, after checking it covers the whole portal (its own portal token or a personal token). */
export async function requirePortalManagement(
  request: FastifyRequest,
  portalId: number,
): Promise<TokenScope> {
  const scope = tokenScopeOf(request);
  if (!(await scopeCoversPortal(request.server.db.kysely, scope, portalId)))
    throw forbiddenScope(scope, `Portal ${portalId}`);
  return scope;
}

/**
 * The scope, after checking it may change the service's master data: a token of a portal holding it,
 * or a personal token of someone who manages it. A service's own token only delivers: it usually sits
 * in a job on some server, and master data are the portal's or a person's business.
 */
export async function requireServiceManagement(
  request: FastifyRequest,
  serviceId: number,
): Promise<TokenScope> {
  const scope = tokenScopeOf(request);
  if (scope.kind === 'service')
    throw new AppError(
      403,
      'forbidden_scope',
      'Der Zugangsschlüssel eines Onlinedienstes darf nur Zahlen liefern; Stammdaten ändern Portal- oder persönliche Zugangsschlüssel.',
    );
  return requireServiceScope(request, serviceId);
}
