import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import {
  deleteCounts,
  lockServices,
  rebuildRollups,
  regroupServices,
  servicePeriodSums,
} from '../../src/db/rollups/index.js';
import { ingestDelivery } from '../../src/features/deliveries/ingest.js';
import { importCatalogue } from '../../src/features/catalogue/import.js';
import { addServices, removeService } from '../../src/features/portals/service.js';
import { createUser } from '../helpers/auth.js';
import { createTestDb, ENGINE, type TestDb } from '../helpers/db.js';
import { createPortal, createService } from '../helpers/factories.js';

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
      UNION ALL SELECT 'service', row(service_id, first_month, last_month, months, total, before_last,
                                      two_before_last)::text FROM rollup_service
      UNION ALL SELECT 'year', row(service_id, year, first_month, last_month, months, total)::text FROM rollup_service_year
      UNION ALL SELECT 'cumulative', row(service_id, month, cum_total, cum_months, latest_month, next_month)::text
                FROM rollup_service_cumulative
      ORDER BY 1, 2`.execute(db.kysely)
  ).rows;

describe(`roll-up rebuild (${ENGINE})`, () => {
  it('gives exactly what the delivery path maintains: creates, updates, zeros and retractions', async () => {
    const a = await createService(db.kysely, { granularity: 'kreis' });
    const b = await createService(db.kysely, { granularity: 'land' });
    const c = await createService(db.kysely, { granularity: 'land' });
    const d = await createService(db.kysely, { granularity: 'land' });
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

    // The month two before the last delivered, the one before it not (two_before_last, migration 0020).
    await store(d, [
      ['2024-01', '060000000000', 4],
      ['2024-03', '060000000000', 6],
    ]);

    const maintained = await snapshot();
    expect(maintained.filter((r) => r.t === 'service').map((r) => r.r)).toEqual([
      `(${a},2024-01-01,2024-02-01,2,16,t,f)`,
      `(${b},2023-12-01,2023-12-01,1,1,f,f)`,
      `(${d},2024-01-01,2024-03-01,2,10,f,t)`,
    ]);
    expect(maintained.filter((r) => r.t === 'year').map((r) => r.r)).toEqual([
      `(${a},2024,2024-01-01,2024-02-01,2,16)`,
      `(${b},2023,2023-12-01,2023-12-01,1,1)`,
      `(${d},2024,2024-01-01,2024-03-01,2,10)`,
    ]);
    // Running sums per month from the first to the last delivered one; d's gap (2024-02) carries
    // the sums of 2024-01 forward.
    expect(maintained.filter((r) => r.t === 'cumulative').map((r) => r.r)).toEqual([
      `(${a},2024-01-01,16,1,2024-01-01,2024-02-01)`,
      `(${a},2024-02-01,16,2,2024-02-01,)`,
      `(${b},2023-12-01,1,1,2023-12-01,)`,
      `(${d},2024-01-01,4,1,2024-01-01,2024-03-01)`,
      `(${d},2024-02-01,4,1,2024-01-01,2024-03-01)`,
      `(${d},2024-03-01,10,2,2024-03-01,)`,
    ]);
    // Every period from 2023-11 to 2024-04 (open ends included) summed from the running sums equals
    // the months summed directly.
    const months = ['2023-11', '2023-12', '2024-01', '2024-02', '2024-03', '2024-04'];
    const ends = [null, ...months];
    for (const from of ends)
      for (const to of ends) {
        if (from !== null && to !== null && from > to) continue;
        const f = `${from ?? '0001-01'}-01`;
        const t = `${to ?? '9999-12'}-01`;
        const direct = await sql<{ r: string }>`
          SELECT row(service_id, min(month), max(month), count(*), sum(total))::text AS r
          FROM rollup_service_month WHERE month BETWEEN ${f}::date AND ${t}::date
          GROUP BY service_id ORDER BY 1`.execute(db.kysely);
        const fromSums = await sql<{ r: string }>`
          SELECT row(service_id, first_month, last_month, months, total)::text AS r
          FROM (${servicePeriodSums({ from, to })}) p ORDER BY 1`.execute(db.kysely);
        expect(fromSums.rows, `${from} to ${to}`).toEqual(direct.rows);
      }
    await sql`DELETE FROM rollup_service_month`.execute(db.kysely);
    await sql`DELETE FROM rollup_service_land_month`.execute(db.kysely);
    await sql`DELETE FROM rollup_service`.execute(db.kysely);
    await sql`DELETE FROM rollup_service_year`.execute(db.kysely);
    await sql`DELETE FROM rollup_service_cumulative`.execute(db.kysely);
    await rebuildRollups(db.kysely, Math.min(a, b, c, d), Math.max(a, b, c, d), { replace: false });
    expect(await snapshot()).toEqual(maintained);
    // Replacing is idempotent.
    await rebuildRollups(db.kysely, Math.min(a, b, c, d), Math.max(a, b, c, d));
    expect(await snapshot()).toEqual(maintained);
  });
});

describe(`roll-ups over groups of services (${ENGINE})`, () => {
  const groupSnapshot = async () =>
    (
      await sql<{ r: string }>`
        SELECT row(dimension, group_key, land, month, total, regions)::text AS r FROM rollup_group_month
        WHERE total <> 0 OR regions <> 0 ORDER BY 1`.execute(db.kysely)
    ).rows.map((r) => r.r);
  const recomputed = async () =>
    (
      await sql<{ r: string }>`
        SELECT row(g.dimension, g.group_key, CASE WHEN g.dimension = 'typ' THEN r.land ELSE '' END, r.month,
                   sum(r.total), sum(r.regions))::text AS r
        FROM rollup_service_land_month r JOIN service_groups g ON g.service_id = r.service_id
        GROUP BY g.dimension, g.group_key, CASE WHEN g.dimension = 'typ' THEN r.land ELSE '' END, r.month
        HAVING sum(r.total) <> 0 OR sum(r.regions) <> 0 ORDER BY 1`.execute(db.kysely)
    ).rows.map((r) => r.r);

  it('follow deliveries, retractions and every change of a service’s groups', async () => {
    const admin = await createUser(db.kysely, { isAdmin: true });
    await sql`INSERT INTO ozg_services (id, name, themenfeld) VALUES ('G1', 'Gruppe eins', 'Familie & Kind'),
              ('G2', 'Gruppe zwei', 'Bildung') ON CONFLICT DO NOTHING`.execute(db.kysely);
    const x = await createService(db.kysely, { granularity: 'kreis', type: '1' });
    const y = await createService(db.kysely, { granularity: 'land', type: '4', focus: true });
    const portal = await createPortal(db.kysely, []);
    await addServices(db.kysely, portal, [x], admin);
    await sql`INSERT INTO online_service_ozg (service_id, ozg_id) VALUES (${x}, 'G1'), (${y}, 'G1'), (${y}, 'G2')`.execute(
      db.kysely,
    );
    // The links above went in without moving figures: there were none yet.
    await store(x, [
      ['2024-01', '064110000000', 5],
      ['2024-02', '091620000000', 7],
    ]);
    await store(y, [
      ['2024-01', '060000000000', 3],
      ['2024-02', '050000000000', 4],
    ]);
    await store(x, [['2024-01', '064110000000', 8]]);
    await write(
      (trx) =>
        deleteCounts(trx, [{ serviceId: y, month: '2024-02-01', ars: '050000000000' }], null, SYSTEM_ACTOR),
      y,
    );
    expect(await groupSnapshot()).toEqual(await recomputed());

    await addServices(db.kysely, portal, [y], admin);
    await removeService(db.kysely, portal, x, admin);
    await db.kysely
      .transaction()
      .execute((trx) =>
        regroupServices(trx, [y], () =>
          sql`UPDATE online_services SET service_type = '2/3', is_focus = false WHERE id = ${y}`.execute(trx),
        ),
      );
    // A new catalogue moves G1 to Themenfeld Bildung: both services now share it.
    const leistung = (ozgId: string, bezeichnung: string, key: string) => ({
      ozgId,
      bezeichnung,
      themenfeld: 'Bildung',
      leikaLeistungen: [{ leikaSchluessel: key, bezeichnung, typisierung: '1' }],
    });
    const report = await importCatalogue(
      db.kysely,
      JSON.stringify({
        leistungen: [
          leistung('G1', 'Gruppe eins', '99000000001000'),
          leistung('G2', 'Gruppe zwei', '99000000002000'),
        ],
      }),
      { source: 'test', format: 'json' },
    );
    expect(report.errors).toEqual([]);
    // A new authority and granularity for y (the direct source and the granularity buckets).
    const authority = await db.kysely
      .insertInto('authorities')
      .values({ name: 'Amt Y', land: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await removeService(db.kysely, portal, y, admin);
    await db.kysely
      .transaction()
      .execute((trx) =>
        regroupServices(trx, [y], () =>
          trx
            .updateTable('online_services')
            .set({ authority_id: authority.id, granularity: 'bund' })
            .where('id', '=', y)
            .execute(),
        ),
      );
    await addServices(db.kysely, portal, [x], admin);
    const snapshot = await groupSnapshot();
    expect(snapshot).toEqual(await recomputed());
    for (const [table, rebuild] of [
      ['rollup_source', 'rebuild_rollup_source'],
      ['rollup_completeness', 'rebuild_rollup_completeness'],
    ] as const) {
      const rows = async () =>
        (
          await sql<{ r: string }>`SELECT t::text AS r FROM ${sql.table(table)} t ORDER BY 1`.execute(
            db.kysely,
          )
        ).rows;
      const maintained = await rows();
      await sql`SELECT ${sql.raw(rebuild)}()`.execute(db.kysely);
      expect(await rows(), table).toEqual(maintained);
    }
    await sql`SELECT rebuild_rollup_group_month()`.execute(db.kysely);
    expect(await groupSnapshot(), 'rollup_group_month').toEqual(snapshot);
    // x: 8 (2024-01) and 7 (2024-02); y: 3 (2024-01), its 4 retracted. Summed over the Länder.
    expect(snapshot.filter((r) => r.startsWith('(themenfeld,Bildung,'))).toEqual([
      '(themenfeld,Bildung,"",2024-01-01,11,2)',
      '(themenfeld,Bildung,"",2024-02-01,7,1)',
    ]);
    expect(snapshot.filter((r) => r.startsWith('(themenfeld,"Familie'))).toEqual([]);
    // The data sources: x in the portal, y (no portal) under its new authority (the services of the
    // first test are direct connections without an authority).
    expect(snapshot.filter((r) => r.startsWith('(quelle,') && !r.startsWith('(quelle,direct:,'))).toEqual([
      `(quelle,direct:${authority.id},"",2024-01-01,3,1)`,
      `(quelle,portal:${portal},"",2024-01-01,8,1)`,
      `(quelle,portal:${portal},"",2024-02-01,7,1)`,
    ]);
  });
});
