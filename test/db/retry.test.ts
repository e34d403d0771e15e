import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { transactionWithRetry } from '../../src/db/retry.js';
import { createTestDb, ENGINE, type TestDb } from '../helpers/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb({ regions: false });
  await sql`CREATE TABLE retry_probe (attempt integer)`.execute(db.kysely);
});
afterAll(async () => {
  await db.close();
});

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });
const rows = async () =>
  (
    await sql<{ attempt: number }>`SELECT attempt FROM retry_probe ORDER BY attempt`.execute(db.kysely)
  ).rows.map((r) => r.attempt);

describe(`transactionWithRetry (${ENGINE})`, () => {
  it('runs a deadlock victim again, with the first attempt rolled back', async () => {
    let attempt = 0;
    const result = await transactionWithRetry(db.kysely, async (trx) => {
      attempt += 1;
      await sql`INSERT INTO retry_probe VALUES (${attempt})`.execute(trx);
      if (attempt === 1) throw deadlock();
      return 'stored';
    });
    expect(result).toBe('stored');
    expect(await rows()).toEqual([2]);
  });

  it('gives up after three attempts and passes other errors on at once', async () => {
    let calls = 0;
    await expect(
      transactionWithRetry(db.kysely, () => {
        calls += 1;
        return Promise.reject(deadlock());
      }),
    ).rejects.toMatchObject({ code: '40P01' });
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      transactionWithRetry(db.kysely, () => {
        calls += 1;
        return Promise.reject(Object.assign(new Error('unique'), { code: '23505' }));
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });

  it('passes a lost connection on at once: whether its COMMIT took effect is unknown', async () => {
    let calls = 0;
    await expect(
      transactionWithRetry(db.kysely, () => {
        calls += 1;
        return Promise.reject(
          Object.assign(new Error('terminating connection due to administrator command'), {
            code: '57P01',
          }),
        );
      }),
    ).rejects.toMatchObject({ code: '57P01' });
    expect(calls).toBe(1);
  });
});
