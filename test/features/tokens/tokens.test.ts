import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import {
  authenticateToken,
  createAccessToken,
  revokeAccessToken,
} from '../../../src/features/tokens/tokens.js';
import { hashToken } from '../../../src/http/secrets.js';
import { createTestDb, ENGINE, type TestDb } from '../../helpers/db.js';
import { createPortal, createService } from '../../helpers/factories.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

describe(`access tokens (${ENGINE})`, () => {
  it('stores only the hash and a prefix, audits the creation and authenticates', async () => {
    const serviceId = await createService(db.kysely);
    const { id, token } = await createAccessToken(db.kysely, { serviceId, label: 'CI' });
    expect(token).toMatch(/^zsk_[A-Za-z0-9_-]{43}$/);
    const row = await db.kysely
      .selectFrom('access_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.prefix).toBe(token.slice(0, 12));
    expect(JSON.stringify(row)).not.toContain(token);
    const audit = await db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'token.create')
      .where('entity_id', '=', String(id))
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.new_value)).not.toContain(token);

    expect(await authenticateToken(db.kysely, token)).toEqual({ tokenId: id, kind: 'service', serviceId });
    const used = await db.kysely
      .selectFrom('access_tokens')
      .select('last_used_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(used.last_used_at).not.toBeNull();
  });

  it('scopes portal tokens to the portal', async () => {
    const portalId = await createPortal(db.kysely, [await createService(db.kysely)]);
    const { id, token } = await createAccessToken(db.kysely, { portalId, label: 'Portal' });
    expect(await authenticateToken(db.kysely, token)).toEqual({ tokenId: id, kind: 'portal', portalId });
  });

  it('rejects unknown, revoked and expired tokens', async () => {
    const serviceId = await createService(db.kysely);
    expect(await authenticateToken(db.kysely, 'zsk_unknown')).toBeNull();
    expect(await authenticateToken(db.kysely, 'something else')).toBeNull();
    const revoked = await createAccessToken(db.kysely, { serviceId, label: 'alt' });
    expect(await revokeAccessToken(db.kysely, revoked.id, SYSTEM_ACTOR)).toBe(true);
    expect(await revokeAccessToken(db.kysely, revoked.id, SYSTEM_ACTOR)).toBe(false);
    expect(await authenticateToken(db.kysely, revoked.token)).toBeNull();
    const expired = await createAccessToken(db.kysely, { serviceId, label: 'kurz', expiresInDays: -1 });
    expect(await authenticateToken(db.kysely, expired.token)).toBeNull();
    const valid = await createAccessToken(db.kysely, { serviceId, label: 'lang', expiresInDays: 30 });
    expect(await authenticateToken(db.kysely, valid.token)).not.toBeNull();
  });

  it('needs exactly one scope', async () => {
    await expect(createAccessToken(db.kysely, { label: 'x' })).rejects.toThrow(/Portal oder eine Person/);
    await expect(createAccessToken(db.kysely, { label: 'x', serviceId: 1, userId: 1 })).rejects.toThrow(
      /Portal oder eine Person/,
    );
  });
});
