import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import { deleteCounts, lockServices, upsertCounts } from '../../src/db/rollups/index.js';
import { createTestDb, ENGINE, type TestDb } from '../helpers/db.js';
import { createService } from '../helpers/factories.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

async function newDelivery(serviceId: number): Promise<number> {
  const row = await db.kysely
    .insertInto('deliveries')
    .values({
      service_id: serviceId,
      channel: 'api',
      status: 'accepted',
      errors: '[]',
      portal_id: null,
      user_id: null,
      token_id: null,
      first_month: null,
      last_month: null,
      idempotency_key: null,
      request_hash: null,
      response: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function store(serviceId: number, rows: [string, string, number][]) {
  const deliveryId = await newDelivery(serviceId);
  return db.kysely.transaction().execute(async (trx) => {
    await lockServices(trx, [serviceId]);
    return upsertCounts(
      trx,
      rows.map(([month, ars, count]) => ({ serviceId, month, ars, count })),
      deliveryId,
      SYSTEM_ACTOR,
    );
  });
}

/** The roll-ups must always equal a full recomputation from the base table. */
async function expectRollupsConsistent() {
  const byMonth = `SELECT service_id, month, sum(count)::bigint AS total, count(*)::int AS regions FROM counts GROUP BY 1, 2`;
  const byLand = `SELECT service_id, left(ars, 2) AS land, month, sum(count)::bigint AS total, count(*)::int AS regions
                  FROM counts GROUP BY 1, 2, 3`;
  const byService = `SELECT service_id, min(month) AS first_month, max(month) AS last_month,
                            count(DISTINCT month)::int AS months, sum(count)::bigint AS total FROM counts GROUP BY 1`;
  for (const [recomputed, table] of [
    [byMonth, 'SELECT service_id, month, total, regions FROM rollup_service_month'],
    [byService, 'SELECT service_id, first_month, last_month, months, total FROM rollup_service'],
    [byLand, 'SELECT service_id, land, month, total, regions FROM rollup_service_land_month'],
  ]) {
    const diff = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ((${sql.raw(recomputed!)} EXCEPT ${sql.raw(table!)})
                                      UNION ALL (${sql.raw(table!)} EXCEPT ${sql.raw(recomputed!)})) d`.execute(
      db.kysely,
    );
    expect(diff.rows[0]!.n).toBe(0);
  }
}

describe(`counts store (${ENGINE})`, () => {
  it('classifies created, updated and unchanged values and audits each change', async () => {
    const serviceId = await createService(db.kysely);
    expect(
      await store(serviceId, [
        ['2024-01-01', '060000000000', 10],
        ['2024-01-01', '070000000000', 0],
      ]),
    ).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(
      await store(serviceId, [
        ['2024-01-01', '060000000000', 12],
        ['2024-01-01', '070000000000', 0],
        ['2024-02-01', '060000000000', 5],
      ]),
    ).toEqual({ created: 1, updated: 1, unchanged: 1 });

    const audit = await db.kysely
      .selectFrom('audit_log')
      .select(['action', 'entity_id', 'old_value', 'new_value'])
      .where('entity', '=', 'count')
      .where('entity_id', 'like', `${serviceId}/%`)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'count.update',
      entity_id: `${serviceId}/2024-01/060000000000`,
      old_value: { count: 10 },
      new_value: { count: 12 },
    });
    await expectRollupsConsistent();
  });

  it('stores new months and changes of stored months in one call, auditing only the changes', async () => {
    const serviceId = await createService(db.kysely);
    await store(serviceId, [['2024-05-01', '060000000000', 10]]);
    // A changed value, a new region of a stored month, and a month without stored counts.
    expect(
      await store(serviceId, [
        ['2024-05-01', '060000000000', 11],
        ['2024-05-01', '070000000000', 4],
        ['2024-06-01', '060000000000', 3],
        ['2024-06-01', '070000000000', 0],
      ]),
    ).toEqual({ created: 3, updated: 1, unchanged: 0 });
    const audit = await db.kysely
      .selectFrom('audit_log')
      .select(['entity_id', 'old_value', 'new_value'])
      .where('entity', '=', 'count')
      .where('entity_id', 'like', `${serviceId}/%`)
      .execute();
    expect(audit).toEqual([
      {
        entity_id: `${serviceId}/2024-05/060000000000`,
        old_value: expect.objectContaining({ count: 10 }) as unknown,
        new_value: { count: 11 },
      },
    ]);
    const stored = await db.kysely
      .selectFrom('counts')
      .select(['month', 'ars', 'count'])
      .where('service_id', '=', serviceId)
      .orderBy('month')
      .orderBy('ars')
      .execute();
    expect(stored.map((r) => [r.month, r.ars, r.count])).toEqual([
      ['2024-05-01', '060000000000', 11],
      ['2024-05-01', '070000000000', 4],
      ['2024-06-01', '060000000000', 3],
      ['2024-06-01', '070000000000', 0],
    ]);
    await expectRollupsConsistent();
  });

  it('refuses to replace a count that its roll-up does not know of instead of storing it unaudited', async () => {
    const serviceId = await createService(db.kysely);
    // Only a broken roll-up can look like this: months without a roll-up row skip the old-value probe.
    await sql`INSERT INTO counts (service_id, month, ars, count) VALUES (${serviceId}, '2024-07-01', '060000000000', 1)`.execute(
      db.kysely,
    );
    await expect(store(serviceId, [['2024-07-01', '060000000000', 2]])).rejects.toThrow(/duplicate key/i);
    const stored = await db.kysely
      .selectFrom('counts')
      .select('count')
      .where('service_id', '=', serviceId)
      .execute();
    expect(stored).toEqual([{ count: 1 }]);
    await sql`DELETE FROM counts WHERE service_id = ${serviceId}`.execute(db.kysely);
  });

  it('keeps a delivered zero apart from a gap and makes a retracted month a gap again', async () => {
    const serviceId = await createService(db.kysely);
    await store(serviceId, [
      ['2024-03-01', '060000000000', 0],
      ['2024-04-01', '060000000000', 7],
    ]);
    let months = await db.kysely
      .selectFrom('rollup_service_month')
      .select(['month', 'total'])
      .where('service_id', '=', serviceId)
      .orderBy('month')
      .execute();
    expect(months).toEqual([
      { month: '2024-03-01', total: 0 },
      { month: '2024-04-01', total: 7 },
    ]);
    const deleted = await db.kysely.transaction().execute(async (trx) => {
      await lockServices(trx, [serviceId]);
      return deleteCounts(trx, [{ serviceId, month: '2024-04-01', ars: '060000000000' }], null, SYSTEM_ACTOR);
    });
    expect(deleted).toBe(1);
    months = await db.kysely
      .selectFrom('rollup_service_month')
      .select(['month', 'total'])
      .where('service_id', '=', serviceId)
      .execute();
    expect(months).toEqual([{ month: '2024-03-01', total: 0 }]);
    const audit = await db.kysely
      .selectFrom('audit_log')
      .select(['action', 'old_value', 'new_value'])
      .where('action', '=', 'count.delete')
      .where('entity_id', '=', `${serviceId}/2024-04/060000000000`)
      .executeTakeFirstOrThrow();
    expect(audit.old_value).toMatchObject({ count: 7 });
    expect(audit.new_value).toBeNull();
    await expectRollupsConsistent();
  });

  it('refuses what the schema forbids: negative counts, unknown regions, days other than the 1st', async () => {
    const serviceId = await createService(db.kysely);
    await expect(store(serviceId, [['2024-01-01', '060000000000', -1]])).rejects.toThrow(/check/i);
    await expect(store(serviceId, [['2024-01-01', '069990000000', 1]])).rejects.toThrow(/foreign key/i);
    await expect(store(serviceId, [['2024-01-15', '060000000000', 1]])).rejects.toThrow(/check/i);
    const stored = await db.kysely
      .selectFrom('counts')
      .select('ars')
      .where('service_id', '=', serviceId)
      .execute();
    expect(stored).toEqual([]);
  });
});
