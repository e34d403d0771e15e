import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, OneTimeTokensTable } from '../../db/schema.js';
import { hashToken } from '../../http/secrets.js';

export type OneTimePurpose = OneTimeTokensTable['purpose'];

export const HOUR_MS = 60 * 60 * 1000;

/** What a mailed link is worth when it comes back. */
export type TokenState =
  | { state: 'valid'; tokenHash: string; userId: number | null; email: string | null; payload: unknown }
  | { state: 'expired'; tokenHash: string; userId: number | null }
  | { state: 'used' | 'unknown' };

/**
 * How long a token stays after it expired or was used: long enough that a late click still hears
 * "expired" or "already used" (with the offer of a new link) instead of "unknown"; after that the
 * row, with the e-mail address of someone who perhaps never registered, goes.
 */
export const KEEP_SPENT_TOKENS_MS = 30 * 24 * HOUR_MS;

/**
 * Stores the hash of a new random token and returns the token itself, which only the mail carries.
 * Removes tokens spent longer than KEEP_SPENT_TOKENS_MS first, as sessions are pruned on sign-in.
 */
export async function issueOneTimeToken(
  db: Kysely<Database>,
  input: {
    purpose: OneTimePurpose;
    userId: number | null;
    email: string | null;
    ttlMs: number;
    payload?: Record<string, unknown>;
  },
  now = new Date(),
): Promise<string> {
  const spentBefore = new Date(now.getTime() - KEEP_SPENT_TOKENS_MS);
  await db
    .deleteFrom('one_time_tokens')
    .where((eb) => eb.or([eb('expires_at', '<', spentBefore), eb('used_at', '<', spentBefore)]))
    .execute();
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('one_time_tokens')
    .values({
      token_hash: hashToken(token),
      purpose: input.purpose,
      user_id: input.userId,
      email: input.email,
      payload: JSON.stringify(input.payload ?? {}),
      expires_at: new Date(now.getTime() + input.ttlMs),
    })
    .execute();
  return token;
}

/** Looks a returned token up without changing anything: GET requests (and mail scanners) use this. */
export async function inspectOneTimeToken(
  db: Kysely<Database>,
  token: unknown,
  purpose: OneTimePurpose,
  now = new Date(),
): Promise<TokenState> {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { state: 'unknown' };
  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom('one_time_tokens')
    .select(['user_id', 'email', 'payload', 'expires_at', 'used_at'])
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  if (!row) return { state: 'unknown' };
  if (row.used_at) return { state: 'used' };
  if (new Date(row.expires_at) <= now) return { state: 'expired', tokenHash, userId: row.user_id };
  return { state: 'valid', tokenHash, userId: row.user_id, email: row.email, payload: row.payload };
}

/**
 * Marks a token used if it still is valid; false when another request was first or it expired. The
 * condition sits in the UPDATE itself, so two clicks on the same link cannot both succeed.
 */
export async function consumeOneTimeToken(
  trx: Kysely<Database>,
  tokenHash: string,
  now = new Date(),
): Promise<boolean> {
  const row = await trx
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('token_hash')
    .executeTakeFirst();
  return row !== undefined;
}
