import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import { deleteCounts, lockServices } from '../../src/db/counts.js';
import { ingestDelivery } from '../../src/features/deliveries/ingest.js';
import { rebuildRollups } from '../../src/db/rollups.js';
import { createTestDb, ENGINE, type TestDb } from '../helpers/db.js';
import { createService } from '../helpers/factories.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

async function write(run: (trx: Parameters<typeof deleteCounts>[0]) => Promise<unknown>, serviceId: number) {
  await db.kysely.transaction().execute(async (trx) => {
    await lockServices(trx, [serviceId]);
    await run(trx);
  });
}

async function store(serviceId: number, rows: [string, string, number][]) {
  const summary = await ingestDelivery(db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows: rows.map(([month, ars, count]) => ({ month, ars, count })),
    now: new Date('2024-11-20T10:00:00Z'),
  });
  expect(summary.status).toBe('accepted');
}

const snapshot = async () =>
  (
    await sql<{ t: string; r: string }>`
      SELECT 'month' AS t, row(service_id, month, total, regions)::text AS r FROM rollup_service_month
      UNION ALL SELECT 'land', row(service_id, land, month, total, regions)::text FROM rollup_service_land_month
      UNION ALL SELECT 'service', row(service_id, first_month, last_month, months, total)::text FROM rollup_service
      ORDER BY 1, 2`.execute(db.kysely)
  ).rows;

describe(`roll-up rebuild (${ENGINE})`, () => {
  it('gives exactly what the delivery path maintains: creates, updates, zeros and retractions', async () => {
    const a = await createService(db.kysely, { granularity: 'kreis' });
    const b = await createService(db.kysely, { granularity: 'land' });
    const c = await createService(db.kysely, { granularity: 'land' });
    await store(a, [
      ['2024-01', '064110000000', 5],
      ['2024-01', '064120000000', 7],
      ['2024-02', '064110000000', 0],
    ]);
    await store(a, [['2024-01', '064110000000', 9]]);
    await store(b, [
      ['2023-12', '060000000000', 1],
      ['2024-03', '090000000000', 2],
    ]);
    await write(
      (trx) =>
        deleteCounts(trx, [{ serviceId: b, month: '2024-03-01', ars: '090000000000' }], null, SYSTEM_ACTOR),
      b,
    );
    // Every count of c retracted: c has no data again, so no summary row either.
    await store(c, [['2024-05', '060000000000', 3]]);
    await write(
      (trx) =>
        deleteCounts(trx, [{ serviceId: c, month: '2024-05-01', ars: '060000000000' }], null, SYSTEM_ACTOR),
      c,
    );

    const maintained = await snapshot();
    expect(maintained.filter((r) => r.t === 'service').map((r) => r.r)).toEqual([
      `(${a},2024-01-01,2024-02-01,2,16)`,
      `(${b},2023-12-01,2023-12-01,1,1)`,
    ]);
    await sql`DELETE FROM rollup_service_month`.execute(db.kysely);
    await sql`DELETE FROM rollup_service_land_month`.execute(db.kysely);
    await sql`DELETE FROM rollup_service`.execute(db.kysely);
    await rebuildRollups(db.kysely, Math.min(a, b, c), Math.max(a, b, c), { replace: false });
    expect(await snapshot()).toEqual(maintained);
    // Replacing is idempotent.
    await rebuildRollups(db.kysely, Math.min(a, b, c), Math.max(a, b, c));
    expect(await snapshot()).toEqual(maintained);
  });
});
