import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { seedDemo, DEMO_MONTHS } from '../../src/demo/seed.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
  await seedDemo(db.kysely, new Date('2026-11-23T10:00:00Z'));
});
afterAll(async () => {
  await db.close();
});

describe('demo data', () => {
  it('has three years of monthly counts ending with the last closed month', async () => {
    const range = await sql<{ first: string; last: string }>`
      SELECT to_char(min(month), 'YYYY-MM') AS first, to_char(max(month), 'YYYY-MM') AS last FROM counts`.execute(
      db.kysely,
    );
    expect(range.rows[0]).toEqual({ first: '2023-11', last: '2026-10' });
    expect(DEMO_MONTHS).toBe(36);
  });

  it('has a federal portal with a dozen services, gaps, zeros and a service without data', async () => {
    const portal = await db.kysely
      .selectFrom('portal_services')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(portal.n)).toBe(12);
    const zeros = await sql<{ n: number }>`SELECT count(*)::int AS n FROM counts WHERE count = 0`.execute(
      db.kysely,
    );
    expect(zeros.rows[0]!.n).toBeGreaterThan(0);
    const gaps = await sql<{ name: string }>`
      SELECT s.name FROM online_services s JOIN rollup_service_month r ON r.service_id = s.id
      GROUP BY s.id HAVING count(*) < (extract(year FROM age(max(r.month), min(r.month))) * 12
                                     + extract(month FROM age(max(r.month), min(r.month))) + 1)`.execute(
      db.kysely,
    );
    expect(gaps.rows.map((r) => r.name)).toContain('Elterngeld Digital');
    const empty = await sql<{ name: string }>`
      SELECT name FROM online_services s WHERE NOT EXISTS (SELECT 1 FROM counts c WHERE c.service_id = s.id)`.execute(
      db.kysely,
    );
    expect(empty.rows.map((r) => r.name)).toEqual(['Führerscheinantrag online']);
  });

  it('imports the sample catalogue and links every demo service to an OZG service and its LeiKa keys', async () => {
    const imports = await db.kysely
      .selectFrom('master_data_imports')
      .selectAll()
      .where('kind', '=', 'catalogue')
      .execute();
    expect(imports).toHaveLength(1);
    expect(imports[0]!.data_as_of).toBe('2025-06-30');
    const unlinked = await sql<{ name: string }>`
      SELECT name FROM online_services s
      WHERE NOT EXISTS (SELECT 1 FROM online_service_ozg o WHERE o.service_id = s.id)
         OR NOT EXISTS (SELECT 1 FROM online_service_leika l WHERE l.service_id = s.id)`.execute(db.kysely);
    expect(unlinked.rows).toEqual([]);
    const bafoeg = await sql<{ ozg: string; themenfeld: string }>`
      SELECT o.name AS ozg, o.themenfeld FROM online_services s
      JOIN online_service_ozg so ON so.service_id = s.id JOIN ozg_services o ON o.id = so.ozg_id
      WHERE s.name = 'BAföG Digital'`.execute(db.kysely);
    expect(bafoeg.rows).toEqual([{ ozg: 'BAföG', themenfeld: 'Bildung' }]);
  });
});
