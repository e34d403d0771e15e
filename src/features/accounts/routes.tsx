import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { AppError } from '../../http/errors.js';
import { sendPage } from '../../web/render.js';
import { authenticateLocal, loginMessage } from './login.js';
import { endSession, startSession } from '../../http/sessions.js';
import { writeAudit } from '../../db/audit.js';
import { LoginPage } from './views.js';
import { providerLogoutUrl, sessionIdToken } from './oidc.js';

// Any origin will do: only whether the path stays on it matters.
const SELF = 'http://zsk.invalid';

/**
 * Only paths of this site: `weiter` must never send anyone to another host after signing in.
 * Browsers drop tab, CR and LF inside URLs (`/\t/evil.example` becomes `//evil.example`) and read `\`
 * as `/`, so both are refused outright; CR and LF would also break the Location header. The final
 * check asks the URL parser itself, so no spelling the pattern missed can leave the origin.
 */
export function safeNext(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\/(?!\/)/.test(value)) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  try {
    const url = new URL(value, SELF);
    // The parser's spelling, percent-encoded: a character beyond Latin-1 would make the header throw.
    return url.origin === SELF ? url.pathname + url.search + url.hash : undefined;
  } catch {
    return undefined;
  }
}

type Form = Record<string, string | undefined>;

/**
 * Registers `routes` in a context of its own with a per-address rate limit: the POST routes of
 * sign-in, registration and password reset, which attackers would otherwise try at machine speed.
 */
export async function throttled(app: FastifyInstance, routes: (app: FastifyInstance) => void) {
  await app.register(async (child) => {
    await child.register(rateLimit, {
      max: child.config.loginRateLimit,
      timeWindow: '1 minute',
      keyGenerator: (request) => `ip:${request.ip}`,
      errorResponseBuilder: (_request, context) =>
        new AppError(
          429,
          'rate_limited',
          `Zu viele Versuche von Ihrer Adresse. Bitte warten Sie ${Math.ceil(context.ttl / 1000)} Sekunden.`,
        ),
    });
    routes(child);
  });
}

export async function accountRoutes(app: FastifyInstance): Promise<void> {
  const oidcEnabled = app.config.oidc !== null;

  app.get<{ Querystring: { weiter?: string; abgemeldet?: string } }>(
    '/anmelden',
    { config: { access: 'public' } },
    async (request, reply) => {
      const next = safeNext(request.query.weiter);
      if (request.session) return reply.redirect(next ?? '/', 303);
      const notice = request.query.abgemeldet ? 'Sie sind abgemeldet.' : undefined;
      return sendPage(reply, <LoginPage next={next} notice={notice} oidcEnabled={oidcEnabled} />);
    },
  );

  await throttled(app, (child) => {
    child.post<{ Body: Form }>('/anmelden', { config: { access: 'public' } }, async (request, reply) =>
      login(request, reply, oidcEnabled),
    );
  });

  app.post('/abmelden', { config: { access: 'public' } }, async (request, reply) => {
    const userId = request.session?.user.id ?? null;
    // A session from an OIDC sign-in also ends at the provider, or the next click there signs in again.
    const idToken = request.session ? await sessionIdToken(app.db.kysely, request.session.idHash) : null;
    await endSession(request, reply);
    if (userId !== null) {
      await writeAudit(
        app.db.kysely,
        { userId, tokenId: null },
        { action: 'session.logout', entity: 'user', entityId: userId },
      );
    }
    const providerLogout = idToken ? await providerLogoutUrl(app.config, idToken, request.log) : null;
    return reply.redirect(providerLogout ?? '/anmelden?abgemeldet=1', 303);
  });
}

async function login(request: FastifyRequest<{ Body: Form }>, reply: FastifyReply, oidcEnabled: boolean) {
  const email = (request.body.email ?? '').trim();
  const password = request.body.password ?? '';
  const next = safeNext(request.body.weiter);
  const errors: Record<string, string> = {};
  if (!email) errors.email = 'Bitte geben Sie Ihre E-Mail-Adresse ein.';
  if (!password) errors.password = 'Bitte geben Sie Ihr Passwort ein.';
  if (Object.keys(errors).length === 0) {
    const result = await authenticateLocal(request.server.db.kysely, email, password);
    if (result.ok) {
      await startSession(request, reply, result.userId);
      await writeAudit(
        request.server.db.kysely,
        { userId: result.userId, tokenId: null },
        {
          action: 'session.login',
          entity: 'user',
          entityId: result.userId,
          newValue: { method: 'password' },
        },
      );
      return reply.redirect(next ?? '/', 303);
    }
    errors.email = loginMessage(result);
  }
  return sendPage(
    reply,
    <LoginPage email={email} next={next} errors={errors} oidcEnabled={oidcEnabled} />,
    422,
  );
}
