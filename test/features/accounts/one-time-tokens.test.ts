import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consumeOneTimeToken,
  HOUR_MS,
  inspectOneTimeToken,
  issueOneTimeToken,
  KEEP_SPENT_TOKENS_MS,
} from '../../../src/features/accounts/one-time-tokens.js';
import { hashToken } from '../../../src/http/secrets.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

const DAY_MS = 24 * HOUR_MS;

describe('one-time tokens', () => {
  it('removes tokens expired or used longer ago than KEEP_SPENT_TOKENS_MS when a new one is issued', async () => {
    const now = new Date('2026-11-20T10:00:00Z');
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const invite = (issuedAt: Date, ttlMs: number) =>
      issueOneTimeToken(
        db.kysely,
        { purpose: 'invitation', userId: null, email: 'jemand@behoerde.example', ttlMs },
        issuedAt,
      );
    // Expired 31 days ago; expired 10 days ago; used 31 days ago; used yesterday; still open.
    const longExpired = await invite(ago(45 * DAY_MS), 14 * DAY_MS);
    const recentlyExpired = await invite(ago(24 * DAY_MS), 14 * DAY_MS);
    const longUsed = await invite(ago(40 * DAY_MS), 30 * DAY_MS);
    expect(await consumeOneTimeToken(db.kysely, hashToken(longUsed), ago(31 * DAY_MS))).toBe(true);
    const recentlyUsed = await invite(ago(2 * DAY_MS), 30 * DAY_MS);
    expect(await consumeOneTimeToken(db.kysely, hashToken(recentlyUsed), ago(DAY_MS))).toBe(true);
    const open = await invite(ago(DAY_MS), 30 * DAY_MS);

    await invite(now, 30 * DAY_MS);

    const state = async (token: string) =>
      (await inspectOneTimeToken(db.kysely, token, 'invitation', now)).state;
    expect(await state(longExpired)).toBe('unknown');
    expect(await state(longUsed)).toBe('unknown');
    // Within KEEP_SPENT_TOKENS_MS a late click still learns what happened to its link.
    expect(await state(recentlyExpired)).toBe('expired');
    expect(await state(recentlyUsed)).toBe('used');
    expect(await state(open)).toBe('valid');
    expect(KEEP_SPENT_TOKENS_MS).toBe(30 * DAY_MS);
  });
});
