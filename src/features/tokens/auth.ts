import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import { authenticateToken, describeScope, scopeCovers, type TokenScope } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireToken on the delivery API. */
    tokenScope?: TokenScope;
  }
}

/**
 * onRequest hook of the delivery API: runs before the body is read, so requests without a valid
 * token never make the server parse megabytes of counts.
 */
export async function requireToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const scope = match ? await authenticateToken(request.server.db.kysely, match[1]!) : null;
  if (!scope) {
    reply.header('WWW-Authenticate', 'Bearer realm="zsk"');
    throw new AppError(
      401,
      'unauthorized',
      match
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
