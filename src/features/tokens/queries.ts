import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { TargetKind } from '../../http/target.js';

/** Whose tokens: a service's, a portal's, or the personal tokens of an account. */
export interface TokenOwner {
  kind: TargetKind | 'person';
  id: number;
}

const ownerColumn = (owner: TokenOwner) =>
  owner.kind === 'service' ? 'service_id' : owner.kind === 'portal' ? 'portal_id' : 'user_id';

export type TokenStatus = 'active' | 'expired' | 'revoked';

export interface TokenRow {
  id: number;
  label: string;
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  status: TokenStatus;
}

export function tokenStatus(row: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): TokenStatus {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** The tokens of one owner, newest first; active ones before revoked and expired ones. */
export async function listTokens(
  db: Kysely<Database>,
  target: TokenOwner,
  now = new Date(),
): Promise<TokenRow[]> {
  const rows = await db
    .selectFrom('access_tokens as t')
    .leftJoin('users as u', 'u.id', 't.created_by')
    .select([
      't.id',
      't.label',
      't.prefix',
      'u.name as created_by',
      't.created_at',
      't.last_used_at',
      't.expires_at',
      't.revoked_at',
    ])
    .where(`t.${ownerColumn(target)}`, '=', target.id)
    .orderBy('t.id', 'desc')
    .execute();
  const date = (d: Date | string | null) => (d === null ? null : new Date(d));
  const order: Record<TokenStatus, number> = { active: 0, expired: 1, revoked: 2 };
  return rows
    .map((r) => {
      const row = {
        id: r.id,
        label: r.label,
        prefix: r.prefix,
        createdBy: r.created_by,
        createdAt: new Date(r.created_at),
        lastUsedAt: date(r.last_used_at),
        expiresAt: date(r.expires_at),
        revokedAt: date(r.revoked_at),
      };
      return { ...row, status: tokenStatus(row, now) };
    })
    .sort((a, b) => order[a.status] - order[b.status]);
}

/** Whether the token belongs to the owner: managers and persons may only revoke their own tokens. */
export async function tokenBelongsTo(
  db: Kysely<Database>,
  target: TokenOwner,
  tokenId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('access_tokens')
    .select('id')
    .where('id', '=', tokenId)
    .where(ownerColumn(target), '=', target.id)
    .executeTakeFirst();
  return row !== undefined;
}
