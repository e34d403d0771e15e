import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import * as client from 'openid-client';
import { writeAudit } from '../../db/audit.js';
import { notFound } from '../../http/errors.js';
import { endProviderSessions, verifyLogoutToken } from './oidc-backchannel.js';
import { sendPage } from '../../web/render.js';
import {
  accountForIdentity,
  beginLogin,
  callbackUrl,
  identityFromClaims,
  OIDC_COOKIE,
  OIDC_COOKIE_PATH,
  OIDC_SCOPE,
  oidcClient,
  PENDING_MINUTES,
  refusalMessage,
  takeLogin,
} from './oidc.js';
import { safeNext, throttled } from './routes.js';
import { cookieOptions, startSession } from '../../http/sessions.js';
import { ErrorPage } from './views.js';

const UNREACHABLE =
  'Der Anmeldedienst ist derzeit nicht erreichbar. Bitte versuchen Sie es später erneut oder melden Sie sich mit einem lokalen Konto an.';
const RESTART =
  'Die Anmeldung ist abgelaufen oder wurde nicht in diesem Browser begonnen. Bitte melden Sie sich erneut an.';
const FAILED = 'Die Anmeldung über den Anmeldedienst ist fehlgeschlagen. Bitte melden Sie sich erneut an.';

const failure = (reply: FastifyReply, status: number, message: string) =>
  sendPage(reply, <ErrorPage status={status} message={message} />, status);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Errors of the provider's answer (as opposed to the provider being unreachable). */
const isProtocolError = (error: unknown): boolean =>
  error instanceof client.ClientError ||
  error instanceof client.AuthorizationResponseError ||
  error instanceof client.ResponseBodyError;

/**
 * Sign-in over OpenID Connect. The routes exist whether or not OIDC is configured (they answer 404
 * without it), so the authorization matrix covers them in every configuration.
 */
export async function oidcRoutes(app: FastifyInstance): Promise<void> {
  const settings = app.config.oidc;
  const oidc = settings ? oidcClient(settings) : null;

  // Rate-limited like the other sign-in routes: every call stores a pending sign-in.
  await throttled(app, (child) => {
    child.get<{ Querystring: { weiter?: string } }>(
      '/anmelden/oidc',
      { config: { access: 'public' } },
      async (request, reply) => {
        if (!oidc) throw notFound();
        let configuration: client.Configuration;
        try {
          configuration = await oidc.discover();
        } catch (error) {
          request.log.error({ err: error }, 'OIDC: Discovery fehlgeschlagen');
          return failure(reply, 502, UNREACHABLE);
        }
        const { cookieValue, pending } = await beginLogin(app.db.kysely, safeNext(request.query.weiter));
        reply.setCookie(OIDC_COOKIE, cookieValue, {
          ...cookieOptions(request),
          path: OIDC_COOKIE_PATH,
          maxAge: PENDING_MINUTES * 60,
        });
        const url = client.buildAuthorizationUrl(configuration, {
          redirect_uri: callbackUrl(app.config),
          scope: OIDC_SCOPE,
          state: pending.state,
          nonce: pending.nonce,
          code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
          code_challenge_method: 'S256',
        });
        return reply.redirect(url.href, 303);
      },
    );
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/anmelden/oidc/callback',
    { config: { access: 'public' } },
    async (request, reply) => {
      if (!oidc || !settings) throw notFound();
      const cookieValue = request.cookies[OIDC_COOKIE];
      reply.clearCookie(OIDC_COOKIE, { ...cookieOptions(request), path: OIDC_COOKIE_PATH });
      const pending = cookieValue ? await takeLogin(app.db.kysely, cookieValue) : null;
      const state = request.query.state;
      if (!pending || typeof state !== 'string' || !sameText(state, pending.state)) {
        request.log.warn('OIDC: Rückkehr ohne passenden state abgewiesen');
        return failure(reply, 400, RESTART);
      }

      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        const configuration = await oidc.discover();
        const queryStart = request.url.indexOf('?');
        const query = queryStart === -1 ? '' : request.url.slice(queryStart);
        tokens = await client.authorizationCodeGrant(
          configuration,
          new URL(callbackUrl(app.config) + query),
          {
            pkceCodeVerifier: pending.codeVerifier,
            expectedState: pending.state,
            expectedNonce: pending.nonce,
            idTokenExpected: true,
          },
        );
      } catch (error) {
        if (error instanceof client.AuthorizationResponseError) {
          request.log.info({ err: error }, 'OIDC: Anmeldung vom Anmeldedienst abgebrochen');
          return failure(reply, 400, FAILED);
        }
        if (isProtocolError(error)) {
          request.log.warn({ err: error }, 'OIDC: Antwort des Anmeldedienstes abgewiesen');
          return failure(reply, 400, FAILED);
        }
        request.log.error({ err: error }, 'OIDC: Anmeldedienst nicht erreichbar');
        return failure(reply, 502, UNREACHABLE);
      }

      const claims = tokens.claims();
      if (!claims || !tokens.id_token) return failure(reply, 400, FAILED);
      const identity = identityFromClaims(claims, settings);
      if (!identity.hasRolesClaim) {
        request.log.warn(
          `OIDC: Das ID-Token enthält den Claim ${settings.rolesClaim} nicht; ohne ihn ist niemand Administrator`,
        );
      }
      const result = await accountForIdentity(app.db.kysely, identity);
      if (!result.ok) return failure(reply, 403, refusalMessage(result.reason));

      await startSession(request, reply, result.userId, {
        idToken: tokens.id_token,
        sid: typeof claims.sid === 'string' ? claims.sid : null,
      });
      await writeAudit(
        app.db.kysely,
        { userId: result.userId, tokenId: null },
        { action: 'session.login', entity: 'user', entityId: result.userId, newValue: { method: 'oidc' } },
      );
      return reply.redirect(safeNext(pending.next) ?? '/', 303);
    },
  );

  // Back-channel logout: Keycloak posts a signed logout token server to server. The signature by the
  // provider's keys authenticates it, so there is no CSRF token to check (csrf: 'manual').
  app.post<{ Body: Record<string, unknown> | undefined }>(
    '/anmelden/oidc/backchannel-logout',
    { config: { access: 'public', csrf: 'manual' } },
    async (request, reply) => {
      if (!settings) throw notFound();
      reply.header('cache-control', 'no-store');
      const token = request.body?.logout_token;
      const logout = typeof token === 'string' ? await verifyLogoutToken(settings, token) : null;
      if (!logout) {
        request.log.warn('OIDC: Logout-Token des Anmeldedienstes abgewiesen');
        return reply.code(400).send({ error: 'invalid_request' });
      }
      const ended = await endProviderSessions(app.db.kysely, logout);
      request.log.info({ ended }, 'OIDC: Sitzungen auf Anweisung des Anmeldedienstes beendet');
      return reply.code(200).send();
    },
  );
}
