import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accessOf, notAllowed, signInRedirect, signInRequired } from './access.js';
import { wantsHtml } from './negotiation.js';
import { verifyCsrf } from './csrf.js';
import { notFound } from './errors.js';
import { canManagePortal, canManageService } from './authz.js';
import { loadSession } from './sessions.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ID = /^[1-9][0-9]{0,8}$/;

async function checkAccess(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const access = accessOf(request);
  // The delivery API authenticates bearer tokens itself; a browser session grants nothing there.
  if (access === 'token' || request.url.startsWith('/assets/')) return;
  request.session = await loadSession(request);
  if (access === 'public') return;
  if (access === 'open' && request.server.config.publicData) return;
  const user = request.session?.user;
  if (!user) {
    if (SAFE_METHODS.has(request.method) && wantsHtml(request)) return signInRedirect(request, reply);
    throw signInRequired();
  }
  if (access === 'signed-in' || access === 'open') return;
  if (access === 'admin') {
    if (!user.isAdmin) throw notAllowed('Diese Seite ist der ZSK-Administration vorbehalten.');
    return;
  }
  const raw = (request.params as Record<string, string | undefined>)[access.param] ?? '';
  if (!ID.test(raw)) throw notFound();
  const id = Number(raw);
  const allowed =
    access.manage === 'service'
      ? await canManageService(request.server.db.kysely, user, id)
      : await canManagePortal(request.server.db.kysely, user, id);
  if (!allowed) {
    throw notAllowed(
      access.manage === 'service'
        ? 'Diesen Onlinedienst dürfen nur seine Verantwortlichen und die Administration bearbeiten.'
        : 'Dieses Portal dürfen nur seine Verantwortlichen und die Administration bearbeiten.',
    );
  }
}

/** Sessions, the access rule of every route and CSRF checks of every form, in one place. */
export function installAccessGuard(app: FastifyInstance): void {
  app.decorateRequest('session', null);
  app.addHook('onRequest', checkAccess);
  app.addHook('preHandler', (request, _reply, done) => {
    // No route, no form to protect: a 403 would hide that the address is wrong.
    if (SAFE_METHODS.has(request.method) || request.is404) return done();
    if (accessOf(request) === 'token' || request.routeOptions.config.csrf === 'manual') return done();
    try {
      verifyCsrf(request);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
}
