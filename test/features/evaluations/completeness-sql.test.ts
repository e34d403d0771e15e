import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { deleteCounts, lockServices } from '../../../src/db/counts.js';
import type { ServiceType } from '../../../src/db/schema.js';
import { assessCompleteness, summarise } from '../../../src/domain/completeness.js';
import { monthRange } from '../../../src/domain/months.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import {
  COMPLETENESS_FILTERS,
  listCompletenessPage,
} from '../../../src/features/evaluations/completeness-queries.js';
import {
  loadCompletenessReport,
  priorityGroup,
  PRIORITY_GROUPS,
} from '../../../src/features/evaluations/service.js';
import { createTestDb, ENGINE, type TestDb } from '../../helpers/db.js';
import { createService } from '../../helpers/factories.js';

/**
 * The completeness figures are counted in SQL (rollup_completeness, kept by triggers) and the listed
 * services filtered in SQL; the definitions live in assessCompleteness. Here both judge the same
 * generated month patterns, as of several dates, and must agree on every figure and every list.
 */

const DELIVERED_AT = new Date('2026-11-20T10:00:00Z');
// Dates to judge at: after the grace days, within them, and a month later (the running month of
// DELIVERED_AT then is the last closed month). No stored month lies after the running month of any.
const AS_OF = [
  new Date('2026-11-20T10:00:00Z'),
  new Date('2026-11-10T10:00:00Z'),
  new Date('2026-12-16T10:00:00Z'),
  new Date('2027-03-01T10:00:00Z'),
];
const MONTHS = monthRange('2025-06', '2026-11');
const TYPES: ServiceType[] = ['1', '2/3', '4', '5'];

let db: TestDb;
const delivered = new Map<number, Set<string>>();

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
      type: TYPES[i % 4],
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
    if (months.length === 0) continue;
    const summary = await ingestDelivery(db.kysely, {
      channel: 'api',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId: id },
      rows: months.map((month) => ({ month, ars: '000000000000', count: Math.floor(rnd() * 3) })),
      now: DELIVERED_AT,
    });
    expect(summary.status).toBe('accepted');
  }
  // Retractions (the DELETE path of the roll-ups) and a change of type and Fokus (the trigger on
  // online_services) after the deliveries.
  const ids = [...delivered.keys()];
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

  it('pages the table by name and says how many services the filter selects', async () => {
    const now = AS_OF[0]!;
    const page2 = await loadCompletenessReport(db.kysely, now, { filter: 'alle', page: 2 });
    expect(page2.listed).toBe(48);
    expect(page2.pageCount).toBe(1);
    expect(page2.page).toBe(1); // clamped to the last page
    expect(page2.services.map((s) => s.name)).toEqual([...page2.services.map((s) => s.name)].sort());
  });

  it('keeps rollup_completeness equal to a rebuild', async () => {
    const snapshot = async () =>
      (
        await sql<{ r: string }>`
          SELECT row(grp, first_month, last_month, contiguous, before_last, services)::text AS r
          FROM rollup_completeness ORDER BY 1`.execute(db.kysely)
      ).rows.map((r) => r.r);
    const maintained = await snapshot();
    await sql`SELECT rebuild_rollup_completeness()`.execute(db.kysely);
    expect(await snapshot()).toEqual(maintained);
  });
});
