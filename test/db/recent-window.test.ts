import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import {
  ensureRecentWindowIndex,
  nextCheckIn,
  periodForAllServices,
  rankByTotal,
  servicePeriodTotals,
} from '../../src/db/rollups/index.js';
import { addMonths, latestTwelveMonths } from '../../src/domain/months.js';
import { ingestDelivery } from '../../src/features/deliveries/ingest.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ENGINE } from '../helpers/db.js';
import { createService } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const recentIndexes = async () =>
  (
    await sql<{ name: string }>`
      SELECT indexname AS name FROM pg_indexes
      WHERE tablename = 'rollup_service_running' AND indexname LIKE 'rollup_service_running_recent_%'
      ORDER BY 1`.execute(t.db.kysely)
  ).rows.map((r) => r.name);

/** The plan of the ranking query rankByTotal sends for the period, with sequential scans ruled out. */
async function rankingPlan(period: { from: string; to: string }): Promise<string> {
  let plan = '';
  await t.db.kysely.transaction().execute(async (trx) => {
    // On a table this small a scan is cheaper anyway: forbidden, the planner shows whether the index
    // matches the query's expression at all.
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const rows = await sql<{ 'QUERY PLAN': string }>`
      EXPLAIN SELECT p.service_id AS id, p.total FROM (${servicePeriodTotals(period)}) p
      ORDER BY p.total DESC LIMIT 26`.execute(trx);
    plan = rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
  return plan;
}

describe(`the index of the latest twelve months (${ENGINE})`, () => {
  it('is built when the app starts, for the window ending with the last closed month', async () => {
    const window = latestTwelveMonths();
    expect(window.from).toBe(addMonths(window.to, -11));
    expect(await recentIndexes()).toEqual([`rollup_service_running_recent_${window.to.replace('-', '_')}`]);
  });

  it('serves the ranking of that window, not of another period', async () => {
    const window = latestTwelveMonths();
    expect(await rankingPlan(window)).toMatch(/Index Scan.* using rollup_service_running_recent_/);
    const other = { from: addMonths(window.from, -1), to: addMonths(window.to, -1) };
    expect(await rankingPlan(other)).not.toMatch(/rollup_service_running_recent_/);
  });

  it('ranks the window as the running sums do, through deliveries after the index was built', async () => {
    const window = latestTwelveMonths();
    const big = await createService(t.db.kysely, { name: 'Fenster groß', granularity: 'land' });
    const small = await createService(t.db.kysely, { name: 'Fenster klein', granularity: 'land' });
    const outside = await createService(t.db.kysely, { name: 'Fenster davor', granularity: 'land' });
    const deliver = async (serviceId: number, rows: [string, number][]) => {
      const summary = await ingestDelivery(t.db.kysely, {
        channel: 'api',
        actor: SYSTEM_ACTOR,
        target: { kind: 'service', serviceId },
        rows: rows.map(([month, count]) => ({ month, ars: '060000000000', count })),
      });
      expect(summary.status).toBe('accepted');
    };
    await deliver(big, [
      [window.from, 50],
      [window.to, 70],
    ]);
    await deliver(small, [[addMonths(window.to, -3), 30]]);
    // Large, but the month before the window: not in it.
    await deliver(outside, [[addMonths(window.from, -1), 1_000]]);
    const ranked = await rankByTotal(t.db.kysely, window, {
      direction: 'desc',
      limit: 5,
      hideUnpublished: false,
    });
    expect(ranked).toEqual([
      { id: big, total: 120 },
      { id: small, total: 30 },
    ]);
    // A correction moves a service within the index like any other write.
    await deliver(small, [[addMonths(window.to, -3), 500]]);
    const again = await rankByTotal(t.db.kysely, window, {
      direction: 'desc',
      limit: 5,
      hideUnpublished: false,
    });
    expect(again.map((r) => r.id)).toEqual([small, big]);
    // The pages widen a period to whole years only where that gives one calendar year: the window stays
    // the indexed expression although the data end with it.
    expect(await periodForAllServices(t.db.kysely, window)).toEqual(window);
    const ascending = await rankByTotal(t.db.kysely, window, {
      direction: 'asc',
      limit: 5,
      hideUnpublished: false,
    });
    expect(ascending.map((r) => r.id)).toEqual([big, small]);
  });

  it('moves with the month: builds the next window, drops the last, and does nothing twice', async () => {
    const window = latestTwelveMonths();
    const nextMonth = new Date(`${addMonths(window.to, 2)}-01T12:00:00Z`);
    const moved = await ensureRecentWindowIndex(t.db.kysely, nextMonth);
    const next = `rollup_service_running_recent_${addMonths(window.to, 1).replace('-', '_')}`;
    expect(moved).toEqual({
      created: next,
      dropped: [`rollup_service_running_recent_${window.to.replace('-', '_')}`],
    });
    expect(await recentIndexes()).toEqual([next]);
    expect(await ensureRecentWindowIndex(t.db.kysely, nextMonth)).toEqual({ created: null, dropped: [] });
    // Back to today, as the app's next check would find it.
    await ensureRecentWindowIndex(t.db.kysely);
    expect(await recentIndexes()).toHaveLength(1);
  });
});

describe('when the app checks the index next', () => {
  const HOUR = 60 * 60 * 1000;
  it.each([
    ['mid-month: in an hour', '2026-12-15T10:00:00Z', HOUR],
    ['half an hour before a month closes: a second after it', '2026-11-30T23:30:00Z', 30 * 60 * 1000 + 1_000],
    ['the last second of the year', '2026-12-31T23:59:59Z', 2_000],
    ['right at the start of a month: in an hour', '2027-01-01T00:00:00Z', HOUR],
  ])('%s', (_, at, expected) => {
    expect(nextCheckIn(new Date(at))).toBe(expected);
  });
});
