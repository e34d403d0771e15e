import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import {
  deleteCounts,
  lockServices,
  rebuildRollups,
  regroupServices,
  servicePeriodSums,
  servicePeriodTotals,
  servicesByTotal,
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
      UNION ALL SELECT 'running', row(service_id, first_month_no, totals, months)::text FROM rollup_service_running
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
    // Running sums per month from the first to the last delivered one, starting at month number
    // year * 12 + month - 1; d's gap (2024-02) carries the sums of 2024-01 forward.
    expect(maintained.filter((r) => r.t === 'running').map((r) => r.r)).toEqual([
      `(${a},24288,"{16,16}","{1,2}")`,
      `(${b},24287,{1},{1})`,
      `(${d},24288,"{4,4,10}","{1,1,2}")`,
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
        // The totals the rankings read, and the ranking itself (ties by name, then id).
        const totals = await sql<{ r: string }>`
          SELECT row(service_id, total)::text AS r FROM (${servicePeriodTotals({ from, to })}) p
          WHERE total > 0 ORDER BY 1`.execute(db.kysely);
        const directTotals = await sql<{ r: string }>`
          SELECT row(service_id, sum(total))::text AS r FROM rollup_service_month
          WHERE month BETWEEN ${f}::date AND ${t}::date GROUP BY service_id HAVING sum(total) > 0 ORDER BY 1`.execute(
          db.kysely,
        );
        expect(totals.rows, `${from} to ${to}`).toEqual(directTotals.rows);
        for (const direction of ['asc', 'desc'] as const) {
          const ranked = await servicesByTotal(
            db.kysely,
            { from, to },
            { direction, limit: 2, offset: 1, hideUnpublished: false },
          );
          const directRanked = await sql<{ id: number }>`
            SELECT m.service_id AS id FROM rollup_service_month m JOIN online_services s ON s.id = m.service_id
            WHERE m.month BETWEEN ${f}::date AND ${t}::date GROUP BY m.service_id, s.sort_name HAVING sum(m.total) > 0
            ORDER BY sum(m.total) ${direction === 'asc' ? sql`ASC` : sql`DESC`}, s.sort_name, m.service_id
            LIMIT 2 OFFSET 1`.execute(db.kysely);
          expect(
            ranked.map((r) => r.id),
            `${from} to ${to} ${direction}`,
          ).toEqual(directRanked.rows.map((r) => r.id));
        }
      }
    await sql`DELETE FROM rollup_service_month`.execute(db.kysely);
    await sql`DELETE FROM rollup_service_land_month`.execute(db.kysely);
    await sql`DELETE FROM rollup_service`.execute(db.kysely);
    await sql`DELETE FROM rollup_service_year`.execute(db.kysely);
    await sql`DELETE FROM rollup_service_running`.execute(db.kysely);
    await rebuildRollups(db.kysely, Math.min(a, b, c, d), Math.max(a, b, c, d), { replace: false });
    expect(await snapshot()).toEqual(maintained);
    // Replacing is idempotent.
    await rebuildRollups(db.kysely, Math.min(a, b, c, d), Math.max(a, b, c, d));
    expect(await snapshot()).toEqual(maintained);
  });
  it('carries the running sums across gaps of several months and a year boundary', async () => {
    const e = await createService(db.kysely, { granularity: 'land' });
    await store(e, [
      ['2023-11', '060000000000', 2],
      ['2024-03', '060000000000', 5],
      ['2024-04', '060000000000', 1],
    ]);
    const running = () =>
      sql<{ r: string }>`SELECT row(service_id, first_month_no, totals, months)::text AS r
                         FROM rollup_service_running WHERE service_id = ${e}`.execute(db.kysely);
    // 2023-11 is month number 2023 * 12 + 10; 2023-12 to 2024-02 carry the sums of 2023-11 forward.
    const expected = [{ r: `(${e},24286,"{2,2,2,2,7,8}","{1,1,1,1,2,3}")` }];
    expect((await running()).rows).toEqual(expected);
    await sql`DELETE FROM rollup_service_running WHERE service_id = ${e}`.execute(db.kysely);
    await rebuildRollups(db.kysely, e, e);
    expect((await running()).rows).toEqual(expected);
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

describe(`services ranked by total (${ENGINE})`, () => {
  it('orders ties by name across the window’s ends, for every kind of period', async () => {
    // Made in an order that is not the names' order; only they have data in 2019.
    const names = ['Cäsar', 'Berta', 'Anton', 'Dora', 'Emil'];
    const ids: Record<string, number> = {};
    for (const name of names) ids[name] = await createService(db.kysely, { name: `Rangdienst ${name}` });
    const totals: Record<string, number> = {
      Cäsar: 50_000,
      Berta: 50_000,
      Anton: 50_000,
      Dora: 90_000,
      Emil: 10_000,
    };
    for (const name of names) {
      // One month inside and one outside the short period, so that each kind of period sums differently.
      await store(ids[name]!, [
        ['2019-02', '060000000000', totals[name]!],
        ['2019-06', '060000000000', 1],
      ]);
    }
    const rank = async (
      period: { from: string | null; to: string | null },
      direction: 'asc' | 'desc',
      limit: number,
      offset: number,
      hideUnpublished = false,
    ) =>
      (await servicesByTotal(db.kysely, period, { direction, limit, offset, hideUnpublished })).map((r) =>
        r.name.replace('Rangdienst ', ''),
      );
    const periods = [
      { from: '2019-01', to: '2019-03' }, // running sums
      { from: '2019-01', to: '2019-12' }, // one calendar year
      { from: null, to: null }, // all months
    ];
    for (const period of periods) {
      const label = `${period.from} to ${period.to}`;
      expect(await rank(period, 'desc', 2, 0), label).toEqual(['Dora', 'Anton']);
      expect(await rank(period, 'desc', 2, 2), label).toEqual(['Berta', 'Cäsar']);
      expect(await rank(period, 'desc', 3, 1), label).toEqual(['Anton', 'Berta', 'Cäsar']);
    }
    expect(await rank(periods[0]!, 'asc', 2, 0)).toEqual(['Emil', 'Anton']);
    expect(await rank(periods[0]!, 'asc', 10, 3)).toEqual(['Cäsar', 'Dora']);
    await db.kysely
      .updateTable('online_services')
      .set({ published: false })
      .where('id', '=', ids.Anton!)
      .execute();
    expect(await rank(periods[0]!, 'desc', 2, 0, true)).toEqual(['Dora', 'Berta']);
    expect(await rank(periods[0]!, 'desc', 2, 0)).toEqual(['Dora', 'Anton']);
  });
});
