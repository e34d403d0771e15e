import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Kysely } from 'kysely';
import type { OidcConfig } from '../../config.js';
import { SYSTEM_ACTOR, writeAudit } from '../../db/audit.js';
import type { Database } from '../../db/schema.js';
import { oidcClient } from './oidc.js';

/**
 * OpenID Connect Back-Channel Logout 1.0: when a person's session at Keycloak ends (sign-out there or
 * in another application, an administrator ending it), Keycloak posts a signed logout token to the
 * ZSK, which ends the sessions signed in with that provider session (`sid`) or, without one, every
 * session of that person (`sub`).
 */

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Who is to be signed out; at least one of the two is set. */
export interface LogoutRequest {
  sid: string | null;
  sub: string | null;
}

const keySets = new WeakMap<OidcConfig, { uri: string; keys: JWTVerifyGetKey }>();

/** The provider's signing keys from its jwks_uri, fetched once and again when a new key id turns up. */
async function providerKeys(settings: OidcConfig): Promise<{ issuer: string; keys: JWTVerifyGetKey }> {
  const metadata = (await oidcClient(settings).discover()).serverMetadata();
  if (!metadata.jwks_uri) throw new Error('Der Anmeldedienst nennt keine jwks_uri');
  let found = keySets.get(settings);
  if (!found || found.uri !== metadata.jwks_uri) {
    found = { uri: metadata.jwks_uri, keys: createRemoteJWKSet(new URL(metadata.jwks_uri)) };
    keySets.set(settings, found);
  }
  return { issuer: metadata.issuer, keys: found.keys };
}

/**
 * Checks a logout token as section 2.6 of the specification asks: signature by the provider's keys,
 * issuer, audience (this client), issued at most five minutes ago, the back-channel logout event, no
 * nonce, and a `sid` or `sub`. Returns null for a token that fails any of these.
 */
export async function verifyLogoutToken(settings: OidcConfig, token: string): Promise<LogoutRequest | null> {
  const { issuer, keys } = await providerKeys(settings);
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer,
      audience: settings.clientId,
      maxTokenAge: '5 minutes',
      requiredClaims: ['iat', 'jti'],
    });
    const events = payload.events as Record<string, unknown> | undefined;
    if (!events || typeof events !== 'object' || !(BACKCHANNEL_EVENT in events)) return null;
    if ('nonce' in payload) return null;
    const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : null;
    const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
    return sid || sub ? { sid, sub } : null;
  } catch {
    return null;
  }
}

/** Ends the sessions the logout names and audits it; returns how many ended. */
export async function endProviderSessions(db: Kysely<Database>, logout: LogoutRequest): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ended = await trx
      .deleteFrom('sessions')
      .where((eb) =>
        logout.sid
          ? eb('oidc_sid', '=', logout.sid)
          : eb('user_id', 'in', eb.selectFrom('users').select('id').where('oidc_subject', '=', logout.sub)),
      )
      .returning('user_id')
      .execute();
    for (const userId of new Set(ended.map((r) => r.user_id))) {
      await writeAudit(trx, SYSTEM_ACTOR, {
        action: 'session.logout',
        entity: 'user',
        entityId: userId,
        newValue: {
          method: 'oidc-backchannel',
          sessions: ended.filter((r) => r.user_id === userId).length,
        },
      });
    }
    return ended.length;
  });
}
