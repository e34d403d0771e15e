import { asOneLine, hasControlCharacter } from '../../domain/text.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import type { Config, OidcConfig } from '../../config.js';
import { SYSTEM_ACTOR, writeAudit } from '../../db/audit.js';
import type { Database } from '../../db/schema.js';
import { hashToken } from '../../http/secrets.js';
import { newSecret } from '../../http/secrets.js';

/**
 * OpenID Connect sign-in (Keycloak): authorization code flow with PKCE (S256), state and nonce.
 * The provider decides who may sign in; the ZSK keeps its own account per person (matched by the
 * subject, or once by the verified e-mail address) and takes the admin flag from the roles claim.
 */

export const OIDC_COOKIE = 'zsk_oidc';
export const OIDC_COOKIE_PATH = '/anmelden/oidc';
/** How long a sign-in may take at the provider before its state is forgotten. */
export const PENDING_MINUTES = 10;
export const OIDC_SCOPE = 'openid email profile';

export const callbackUrl = (config: Config): string => `${config.publicUrl}/anmelden/oidc/callback`;
export const postLogoutUrl = (config: Config): string => `${config.publicUrl}/anmelden?abgemeldet=1`;

// Plain http only to a provider on this machine (development, tests); anywhere else TLS is required.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The provider's metadata, discovered once per process on first use; a failed discovery is retried. */
export class OidcClient {
  private configuration: Promise<client.Configuration> | null = null;

  constructor(readonly settings: OidcConfig) {}

  discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      const insecure = issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
      this.configuration = client
        .discovery(
          issuer,
          this.settings.clientId,
          undefined,
          client.ClientSecretBasic(this.settings.clientSecret),
          insecure ? { execute: [client.allowInsecureRequests] } : undefined,
        )
        .catch((error: unknown) => {
          this.configuration = null;
          throw error;
        });
    }
    return this.configuration;
  }
}

const clients = new WeakMap<OidcConfig, OidcClient>();

/** One client (and one discovery) per configuration, shared by sign-in and sign-out. */
export function oidcClient(settings: OidcConfig): OidcClient {
  let found = clients.get(settings);
  if (!found) {
    found = new OidcClient(settings);
    clients.set(settings, found);
  }
  return found;
}

export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string | null;
}

/**
 * Remembers a sign-in that leaves for the provider. Returns the cookie value that binds it to this
 * browser: the callback is only accepted together with the cookie, so nobody can sign a victim into
 * the attacker's account by sending them a callback link.
 */
export async function beginLogin(
  db: Kysely<Database>,
  next: string | undefined,
  now = new Date(),
): Promise<{ cookieValue: string; pending: PendingLogin }> {
  const cookieValue = newSecret();
  const pending: PendingLogin = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
    next: next ?? null,
  };
  await db.deleteFrom('oidc_logins').where('expires_at', '<=', now).execute();
  await db
    .insertInto('oidc_logins')
    .values({
      id_hash: hashToken(cookieValue),
      state: pending.state,
      nonce: pending.nonce,
      code_verifier: pending.codeVerifier,
      next_path: pending.next,
      expires_at: new Date(now.getTime() + PENDING_MINUTES * 60_000),
    })
    .execute();
  return { cookieValue, pending };
}

/** The pending sign-in of the cookie, removed as it is read: every one is good for one callback. */
export async function takeLogin(
  db: Kysely<Database>,
  cookieValue: string,
  now = new Date(),
): Promise<PendingLogin | null> {
  const row = await db
    .deleteFrom('oidc_logins')
    .where('id_hash', '=', hashToken(cookieValue))
    .returningAll()
    .executeTakeFirst();
  if (!row || new Date(row.expires_at) <= now) return null;
  return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, next: row.next_path };
}

/** What the ZSK takes from the ID token. */
export interface OidcIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string;
  isAdmin: boolean;
  /** False when the token carries no roles claim at all (usually a missing mapper in the realm). */
  hasRolesClaim: boolean;
}

/** The value at a dot path such as realm_access.roles. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let value: unknown = claims;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A name claim as one line (every name in the ZSK is; the person cannot correct the provider's here). */
const text = (value: unknown): string | null => (typeof value === 'string' && asOneLine(value)) || null;

/** An address with a control character is no address: the account is then asked for as unverified. */
const address = (value: unknown): string | null =>
  typeof value === 'string' && !hasControlCharacter(value) ? text(value) : null;

export function identityFromClaims(claims: Record<string, unknown>, settings: OidcConfig): OidcIdentity {
  const roles = claimAt(claims, settings.rolesClaim);
  const email = address(claims.email);
  const fullName = [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ');
  return {
    subject: String(claims.sub),
    email,
    // Only a literal true counts: Keycloak sends false until the address is confirmed.
    emailVerified: claims.email_verified === true,
    name:
      text(claims.name) ??
      (fullName || null) ??
      text(claims.preferred_username) ??
      email ??
      String(claims.sub),
    isAdmin: Array.isArray(roles) && roles.includes(settings.adminRole),
    hasRolesClaim: roles !== undefined,
  };
}

export type OidcAccountResult =
  | { ok: true; userId: number }
  | { ok: false; reason: 'unverified' | 'linked_elsewhere' | 'rejected' | 'disabled' };

/**
 * The ZSK account of a person signed in at the provider:
 * 1. the account linked to the subject, else
 * 2. the account with the same e-mail address, if the provider has verified it (the subject is then
 *    linked, so later changes of the address at the provider do not matter), else
 * 3. a new, active account: the realm decides who may sign in, an approval in the ZSK would only
 *    repeat that decision.
 * Accounts the ZSK disabled or rejected stay refused. Pending registrations are activated: the
 * provider has confirmed the person, exactly what verification and approval would establish.
 * The admin flag follows the roles claim on every sign-in. Changes are audited with the system as
 * actor, since the provider made them.
 */
export async function accountForIdentity(
  db: Kysely<Database>,
  identity: OidcIdentity,
): Promise<OidcAccountResult> {
  return db.transaction().execute(async (trx): Promise<OidcAccountResult> => {
    const columns = ['id', 'oidc_subject', 'status', 'is_admin'] as const;
    let user = await trx
      .selectFrom('users')
      .select(columns)
      .where('oidc_subject', '=', identity.subject)
      .executeTakeFirst();
    if (!user) {
      if (!identity.email || !identity.emailVerified) return { ok: false, reason: 'unverified' };
      const email = identity.email;
      user = await trx
        .selectFrom('users')
        .select(columns)
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .executeTakeFirst();
      if (user?.oidc_subject) return { ok: false, reason: 'linked_elsewhere' };
      if (user) {
        await trx
          .updateTable('users')
          .set({ oidc_subject: identity.subject, updated_at: new Date() })
          .where('id', '=', user.id)
          .execute();
        await writeAudit(trx, SYSTEM_ACTOR, {
          action: 'user.oidc_link',
          entity: 'user',
          entityId: user.id,
          newValue: { subject: identity.subject, source: 'oidc' },
        });
      } else {
        const created = await trx
          .insertInto('users')
          .values({
            email,
            name: identity.name,
            status: 'active',
            oidc_subject: identity.subject,
            is_admin: identity.isAdmin,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await writeAudit(trx, SYSTEM_ACTOR, {
          action: 'user.create',
          entity: 'user',
          entityId: created.id,
          newValue: { email, name: identity.name, isAdmin: identity.isAdmin, source: 'oidc' },
        });
        return { ok: true, userId: created.id };
      }
    }
    if (user.status === 'disabled' || user.status === 'rejected') return { ok: false, reason: user.status };
    if (user.status !== 'active') {
      await trx
        .updateTable('users')
        .set({ status: 'active', updated_at: new Date() })
        .where('id', '=', user.id)
        .execute();
      await writeAudit(trx, SYSTEM_ACTOR, {
        action: 'user.activate',
        entity: 'user',
        entityId: user.id,
        oldValue: { status: user.status },
        newValue: { status: 'active', source: 'oidc' },
      });
    }
    if (user.is_admin !== identity.isAdmin) {
      await trx
        .updateTable('users')
        .set({ is_admin: identity.isAdmin, updated_at: new Date() })
        .where('id', '=', user.id)
        .execute();
      await writeAudit(trx, SYSTEM_ACTOR, {
        action: 'user.admin',
        entity: 'user',
        entityId: user.id,
        oldValue: { isAdmin: user.is_admin },
        newValue: { isAdmin: identity.isAdmin, source: 'oidc' },
      });
    }
    return { ok: true, userId: user.id };
  });
}

export function refusalMessage(reason: Exclude<OidcAccountResult, { ok: true }>['reason']): string {
  switch (reason) {
    case 'unverified':
      return 'Ihr Konto beim Anmeldedienst hat keine bestätigte E-Mail-Adresse. Bitte bestätigen Sie sie dort oder wenden Sie sich an die ZSK-Administration.';
    case 'linked_elsewhere':
      return 'Ihre E-Mail-Adresse gehört in der ZSK zu einem Konto, das mit einer anderen Anmeldung beim Anmeldedienst verknüpft ist. Bitte wenden Sie sich an die ZSK-Administration.';
    case 'rejected':
      return 'Ihre Registrierung wurde abgelehnt. Die Begründung steht in der E-Mail, die Sie erhalten haben.';
    case 'disabled':
      return 'Dieses Konto ist deaktiviert. Bitte wenden Sie sich an die ZSK-Administration.';
  }
}

/** The ID token kept with a session signed in over OIDC, or null for a local sign-in. */
export async function sessionIdToken(db: Kysely<Database>, idHash: string): Promise<string | null> {
  const row = await db
    .selectFrom('sessions')
    .select('oidc_id_token')
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
  return row?.oidc_id_token ?? null;
}

/**
 * Where a browser goes to end its session at the provider too (RP-initiated logout), or null when
 * that is not possible: OIDC switched off since, or the provider unreachable or without the endpoint.
 * The local session is gone either way.
 */
export async function providerLogoutUrl(
  config: Config,
  idToken: string,
  log: FastifyBaseLogger,
): Promise<string | null> {
  if (!config.oidc) return null;
  try {
    const configuration = await oidcClient(config.oidc).discover();
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(configuration, {
      id_token_hint: idToken,
      post_logout_redirect_uri: postLogoutUrl(config),
    }).href;
  } catch (error) {
    log.warn({ err: error }, 'OIDC: Abmeldung beim Anmeldedienst nicht möglich');
    return null;
  }
}
