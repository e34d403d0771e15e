import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { deleteCounts, lockServices } from '../../../src/db/rollups/index.js';
import { assessCompleteness, summarise } from '../../../src/domain/completeness.js';
import { monthRange } from '../../../src/domain/months.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import {
  COMPLETENESS_FILTERS,
  listCompletenessPage,
} from '../../../src/features/evaluations/completeness-queries.js';
import { loadCompletenessReport } from '../../../src/features/evaluations/service.js';
import { createTestDb, ENGINE, type TestDb } from '../../helpers/db.js';
import { createService } from '../../helpers/factories.js';
import { PRIORITY_GROUPS, priorityGroup, SERVICE_TYPES } from '../../../src/domain/vocabulary.js';

/**
 * The completeness figures are counted in SQL (rollup_completeness, kept by triggers) and the listed
 * services filtered in SQL; the definitions live in assessCompleteness. Here both judge the same
 * generated month patterns, as of several dates, and must agree on every figure and every list.
 */

const DELIVERED_AT = new Date('2026-11-20T10:00:00Z');
// Dates to judge at: after the grace days, within them, and a month later within and after them
// (the running month of DELIVERED_AT then is the last closed month). No stored month lies after the
// running month of any.
const AS_OF = [
  new Date('2026-11-20T10:00:00Z'),
  new Date('2026-11-10T10:00:00Z'),
  new Date('2026-12-05T10:00:00Z'),
  new Date('2026-12-16T10:00:00Z'),
  new Date('2027-03-01T10:00:00Z'),
];
/**
 * Fixed patterns with the month each is overdue since (null: not overdue) as of three dates: within
 * the grace days of 10/2026 (due month 09/2026), within those of 11/2026 (due 10/2026) and after them
 * (due 11/2026). The third and fourth share first and last month, count and before_last; only the
 * month two before the last tells them apart while the due month is two before the running one.
 */
const FIXED: [string, string[], Record<string, string | null>][] = [
  [
    'Fest: seit 09/2026 nichts',
    monthRange('2026-01', '2026-08'),
    { '2026-11-10': '2026-09', '2026-12-05': '2026-09', '2026-12-16': '2026-09' },
  ],
  [
    'Fest: seit 2023 nichts',
    monthRange('2022-01', '2022-12'),
    { '2026-11-10': '2023-01', '2026-12-05': '2023-01', '2026-12-16': '2023-01' },
  ],
  [
    'Fest: 09 und 10 fehlen',
    ['2026-06', '2026-07', '2026-08', '2026-11'],
    { '2026-11-10': '2026-09', '2026-12-05': '2026-09', '2026-12-16': null },
  ],
  [
    'Fest: 07 und 10 fehlen',
    ['2026-06', '2026-08', '2026-09', '2026-11'],
    { '2026-11-10': null, '2026-12-05': '2026-10', '2026-12-16': null },
  ],
  [
    'Fest: 09 fehlt',
    ['2026-06', '2026-07', '2026-08', '2026-10', '2026-11'],
    { '2026-11-10': '2026-09', '2026-12-05': null, '2026-12-16': null },
  ],
  [
    'Fest: bis 10/2026',
    monthRange('2026-01', '2026-10'),
    { '2026-11-10': null, '2026-12-05': null, '2026-12-16': '2026-11' },
  ],
];
const MONTHS = monthRange('2025-06', '2026-11');

let db: TestDb;
const delivered = new Map<number, Set<string>>();
const fixedIds = new Map<string, number>();

async function deliver(id: number, months: string[], count: (k: number) => number): Promise<void> {
  const summary = await ingestDelivery(db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId: id },
    rows: months.map((month, k) => ({ month, ars: '000000000000', count: count(k) })),
    now: DELIVERED_AT,
  });
  expect(summary.status).toBe('accepted');
}

/** Deterministic pseudo-random numbers, so a failure can be reproduced. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

beforeAll(async () => {
  db = await createTestDb();
  const rnd = random(7);
  for (let i = 0; i < 48; i++) {
    const id = await createService(db.kysely, {
      name: `Dienst ${String(i).padStart(2, '0')}`,
      granularity: 'bund',
      type: SERVICE_TYPES[i % 4],
      focus: i % 7 === 0,
    });
    // Patterns: none, contiguous to the running month, to L, stopping early, gaps, only the running
    // month, a gap exactly at L with the running month delivered.
    const kind = i % 8;
    let months: string[] = [];
    const start = Math.floor(rnd() * 12);
    if (kind === 1) months = MONTHS.slice(start);
    else if (kind === 2) months = MONTHS.slice(start, -1);
    else if (kind === 3) months = MONTHS.slice(start, MONTHS.length - 1 - Math.ceil(rnd() * 4));
    else if (kind === 4) months = MONTHS.filter(() => rnd() < 0.7);
    else if (kind === 5) months = ['2026-11'];
    else if (kind === 6) months = [...MONTHS.slice(start, -2), '2026-11'];
    else if (kind === 7) months = MONTHS.slice(start).filter((m) => m !== MONTHS[start + 1]);
    delivered.set(id, new Set(months));
    if (months.length > 0) await deliver(id, months, () => Math.floor(rnd() * 3));
  }
  for (const [name, months] of FIXED) {
    const id = await createService(db.kysely, { name, granularity: 'bund', type: '1' });
    fixedIds.set(name, id);
    await deliver(id, months, (k) => k % 2);
  }
  // Retractions (the DELETE path of the roll-ups) and a change of type and Fokus (the trigger on
  // online_services) after the deliveries.
  const ids = [...delivered.keys()];
  for (const [name, months] of FIXED) delivered.set(fixedIds.get(name)!, new Set(months));
  for (const id of ids.slice(0, 6)) {
    const months = [...delivered.get(id)!].sort();
    const gone = months.filter((_, k) => k % 3 === 1 || (id === ids[1] && true));
    await db.kysely.transaction().execute(async (trx) => {
      await lockServices(trx, [id]);
      await deleteCounts(
        trx,
        gone.map((m) => ({ serviceId: id, month: `${m}-01`, ars: '000000000000' })),
        null,
        SYSTEM_ACTOR,
      );
    });
    for (const m of gone) delivered.get(id)!.delete(m);
  }
  await sql`UPDATE online_services SET service_type = '1', is_focus = NOT is_focus WHERE id = ANY(${ids.slice(8, 14)}::int[])`.execute(
    db.kysely,
  );
});
afterAll(async () => {
  await db.close();
});

async function typesById() {
  const rows = await db.kysely
    .selectFrom('online_services')
    .select(['id', 'service_type', 'is_focus'])
    .execute();
  return new Map(rows.map((r) => [r.id, { serviceType: r.service_type, isFocus: r.is_focus }]));
}

describe(`completeness in SQL agrees with assessCompleteness (${ENGINE})`, () => {
  for (const now of AS_OF) {
    it(`as of ${now.toISOString().slice(0, 10)}`, async () => {
      const types = await typesById();
      const judged = [...delivered].map(([id, months]) => ({
        id,
        group: priorityGroup(types.get(id)!),
        ...assessCompleteness(months, now),
      }));
      const report = await loadCompletenessReport(db.kysely, now);
      expect(report.summary).toEqual(summarise(judged));
      for (const g of PRIORITY_GROUPS) {
        expect(report.groups.find((r) => r.key === g.key)!.summary, g.label).toEqual(
          summarise(judged.filter((j) => j.group === g.key)),
        );
      }
      const expected = {
        alle: judged,
        ueberfaellig: judged.filter((j) => j.overdue),
        luecken: judged.filter((j) => j.monthly && !j.gapFree),
        lueckenlos: judged.filter((j) => j.gapFree),
      };
      for (const f of COMPLETENESS_FILTERS) {
        const listed = await listCompletenessPage(db.kysely, { now, graceDays: 15 }, f.key, {
          limit: 1000,
          offset: 0,
        });
        expect(
          listed.map((l) => l.id).sort((a, b) => a - b),
          f.key,
        ).toEqual(expected[f.key].map((j) => j.id).sort((a, b) => a - b));
      }
    });
  }

  for (const asOf of ['2026-11-10', '2026-12-05', '2026-12-16']) {
    it(`lists the fixed patterns as overdue for the due month as of ${asOf}, with since when`, async () => {
      const now = new Date(`${asOf}T10:00:00Z`);
      const report = await loadCompletenessReport(db.kysely, now, { filter: 'ueberfaellig' });
      expect(report.pageCount).toBe(1);
      const listed = new Map(report.services.map((s) => [s.id, s.overdueSince]));
      for (const [name, , since] of FIXED) {
        const id = fixedIds.get(name)!;
        expect({ name, since: listed.get(id) ?? null, listed: listed.has(id) }).toEqual({
          name,
          since: since[asOf],
          listed: since[asOf] !== null,
        });
      }
    });
  }

  it('pages the table by name and says how many services the filter selects', async () => {
    const now = AS_OF[0]!;
    const page3 = await loadCompletenessReport(db.kysely, now, { filter: 'alle', page: 3 });
    expect(page3.listed).toBe(48 + FIXED.length);
    expect(page3.pageCount).toBe(2);
    expect(page3.page).toBe(2); // clamped to the last page
    expect(page3.services.map((s) => s.name)).toEqual([...page3.services.map((s) => s.name)].sort());
  });

  it('keeps rollup_completeness equal to a rebuild', async () => {
    const snapshot = async () =>
      (
        await sql<{ r: string }>`
          SELECT row(grp, first_month, last_month, contiguous, before_last, two_before_last, services)::text AS r
          FROM rollup_completeness ORDER BY 1`.execute(db.kysely)
      ).rows.map((r) => r.r);
    const maintained = await snapshot();
    await sql`SELECT rebuild_rollup_completeness()`.execute(db.kysely);
    expect(await snapshot()).toEqual(maintained);
  });
});
