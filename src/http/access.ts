import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from './errors.js';
import type { Viewers } from '../db/published.js';

/**
 * Who may call a route. Every route declares it in `config.access`; a route without a declaration
 * refuses to register, so no page is ever public by omission.
 * - public: anyone (sign-in pages, health checks, assets)
 * - open: the open data (published services' aggregates and master data): anyone while the public
 *   part is on (ZSK_PUBLIC), else like signed-in. Handlers ask audienceOf() what the visitor may see.
 * - signed-in: every active account; all signed-in users read all data
 * - admin: the ZSK team
 * - token: the delivery API, which authenticates its own bearer tokens (src/features/tokens/auth.ts)
 * - manage: administrators and managers of the service or portal named by the route parameter;
 *   a portal manager manages every service of the portal
 */
export type Access =
  'public' | 'open' | 'signed-in' | 'admin' | 'token' | { manage: 'service' | 'portal'; param: string };

/**
 * What a visitor of an `open` route may see: signed-in people every service, everyone else only the
 * published ones (online_services.published), also in every sum.
 */
export type Audience = Viewers;

export function audienceOf(request: FastifyRequest): Audience {
  return request.session?.user ? 'all' : 'published';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The route checks the CSRF token itself (multipart bodies are read by the handler). */
    csrf?: 'manual';
  }
  interface FastifyInstance {
    /** Every registered route with its access rule, for the authorization matrix. */
    routeAccess: RouteAccess[];
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

/** Routes added by third-party plugins, which cannot carry our route config: public by nature. */
const PLUGIN_ROUTE_PREFIXES = ['/assets/', '/api/docs'];

export function accessOf(request: FastifyRequest): Access {
  return request.routeOptions.config.access ?? 'public';
}

/** Records and checks the declaration of every route as it is added. Register before any route. */
export function requireAccessDeclarations(app: FastifyInstance): void {
  app.decorate('routeAccess', [] as RouteAccess[]);
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    let access = route.config?.access;
    if (!access) {
      if (!PLUGIN_ROUTE_PREFIXES.some((prefix) => route.url.startsWith(prefix))) {
        throw new Error(`Route ${methods.join(',')} ${route.url} declares no config.access`);
      }
      access = 'public';
      route.config = { ...(route.config as object), access };
    }
    for (const method of methods) app.routeAccess.push({ method, url: route.url, access });
  });
}

export const signInRequired = () => new AppError(401, 'unauthorized', 'Bitte melden Sie sich an.');
export const notAllowed = (message = 'Für diese Seite fehlt Ihnen die Berechtigung.') =>
  new AppError(403, 'forbidden', message);

/** Where a signed-out person is sent, with the way back. */
export function signInRedirect(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const next = request.method === 'GET' ? `?weiter=${encodeURIComponent(request.url)}` : '';
  return reply.redirect(`/anmelden${next}`, 303);
}
