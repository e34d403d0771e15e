import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashToken } from '../../http/secrets.js';
import { writeAudit, type Actor } from '../../db/audit.js';
import type { Database } from '../../db/schema.js';
import { canManagePortal, canManageService } from '../../http/authz.js';
import type { SessionUser } from '../../http/sessions.js';

/**
 * What a valid token may do: deliver for one service; deliver for and manage every service of one
 * portal; or (a personal token) act for whatever its account manages at the time of the request.
 */
export type TokenScope =
  | { tokenId: number; kind: 'service'; serviceId: number }
  | { tokenId: number; kind: 'portal'; portalId: number }
  | { tokenId: number; kind: 'personal'; user: SessionUser };

export interface CreateTokenInput {
  serviceId?: number;
  portalId?: number;
  /** A personal token of this account. */
  userId?: number;
  label: string;
  expiresInDays?: number;
  createdBy?: number | null;
}

const TOKEN_PREFIX = 'zsk_';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Creates a token and returns it once; afterwards only its hash and prefix exist. */
export async function createAccessToken(
  db: Kysely<Database>,
  input: CreateTokenInput,
): Promise<{ id: number; token: string }> {
  if ([input.serviceId, input.portalId, input.userId].filter((v) => v !== undefined).length !== 1) {
    throw new Error('Ein Zugangsschlüssel gilt für einen Onlinedienst, ein Portal oder eine Person.');
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const expiresAt =
    input.expiresInDays === undefined ? null : new Date(Date.now() + input.expiresInDays * DAY_MS);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('access_tokens')
      .values({
        token_hash: hashToken(token),
        prefix: token.slice(0, 12),
        label: input.label,
        service_id: input.serviceId ?? null,
        portal_id: input.portalId ?? null,
        user_id: input.userId ?? null,
        created_by: input.createdBy ?? null,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(
      trx,
      { userId: input.createdBy ?? null, tokenId: null },
      {
        action: 'token.create',
        entity: 'access_token',
        entityId: row.id,
        newValue: {
          label: input.label,
          serviceId: input.serviceId ?? null,
          portalId: input.portalId ?? null,
          ...(input.userId !== undefined && { userId: input.userId }),
          prefix: token.slice(0, 12),
          expiresAt: expiresAt?.toISOString() ?? null,
        },
      },
    );
    return { id: row.id, token };
  });
}

/** The scope of a valid bearer token, or null for unknown, revoked or expired tokens. */
export async function authenticateToken(db: Kysely<Database>, bearer: string): Promise<TokenScope | null> {
  if (!bearer.startsWith(TOKEN_PREFIX)) return null;
  const hash = hashToken(bearer);
  const row = await db
    .selectFrom('access_tokens')
    .select(['id', 'token_hash', 'service_id', 'portal_id', 'user_id', 'expires_at', 'revoked_at'])
    .where('token_hash', '=', hash)
    .executeTakeFirst();
  // The lookup is by index; the constant-time comparison keeps the final check free of timing hints.
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  if (row.revoked_at) return null;
  if (row.expires_at && new Date(row.expires_at).getTime() <= Date.now()) return null;
  // At most one write a minute per token: a busy client must not turn every request into an update.
  await db
    .updateTable('access_tokens')
    .set({ last_used_at: new Date() })
    .where('id', '=', row.id)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(Date.now() - 60_000))]),
    )
    .execute();
  if (row.service_id !== null) return { tokenId: row.id, kind: 'service', serviceId: row.service_id };
  if (row.portal_id !== null) return { tokenId: row.id, kind: 'portal', portalId: row.portal_id };
  // A personal token is only as good as its account: a disabled or rejected account ends it.
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'is_admin'])
    .where('id', '=', row.user_id!)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!user) return null;
  return {
    tokenId: row.id,
    kind: 'personal',
    user: { id: user.id, email: user.email, name: user.name, isAdmin: user.is_admin },
  };
}

/** Revokes a token for good; returns false when it does not exist or was revoked already. */
export async function revokeAccessToken(db: Kysely<Database>, id: number, actor: Actor): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('access_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await writeAudit(trx, actor, { action: 'token.revoke', entity: 'access_token', entityId: id });
    return true;
  });
}

/** Whether a token may act for a service: its own service, or a service of its portal. */
export async function scopeCovers(
  db: Kysely<Database>,
  scope: TokenScope,
  serviceId: number,
): Promise<boolean> {
  if (scope.kind === 'service') return scope.serviceId === serviceId;
  if (scope.kind === 'personal') return canManageService(db, scope.user, serviceId);
  const row = await db
    .selectFrom('portal_services')
    .select('service_id')
    .where('portal_id', '=', scope.portalId)
    .where('service_id', '=', serviceId)
    .executeTakeFirst();
  return row !== undefined;
}

/** German description of a scope, for 403 messages. */
export function describeScope(scope: TokenScope): string {
  if (scope.kind === 'service') return `Onlinedienst ${scope.serviceId}`;
  if (scope.kind === 'portal') return `Portal ${scope.portalId} und seine Onlinedienste`;
  // No name: an API client logs the answer, and the token may sit in a job that others look after.
  return 'die Onlinedienste und Portale, die die Person dieses Zugangsschlüssels verwaltet';
}

/** Whether a token may act for a whole portal: its own portal, or one its person manages. */
export async function scopeCoversPortal(
  db: Kysely<Database>,
  scope: TokenScope,
  portalId: number,
): Promise<boolean> {
  if (scope.kind === 'portal') return scope.portalId === portalId;
  if (scope.kind === 'personal') return canManagePortal(db, scope.user, portalId);
  return false;
}
