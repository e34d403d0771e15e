import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGv100ad } from '../../../src/features/regions/import.js';
import { regionIndex } from '../../../src/features/regions/repository.js';
import { createTestDb, ENGINE, type TestDb } from '../../helpers/db.js';

let db: TestDb;
let fixture: string;
beforeAll(async () => {
  db = await createTestDb();
  fixture = await fs.readFile(new URL('../../fixtures/gv100ad-sample.txt', import.meta.url), 'utf8');
});
afterAll(async () => {
  await db.close();
});

describe(`GV100AD import into the regions table (${ENGINE})`, () => {
  it('writes nothing when the file has a malformed line', async () => {
    const before = await db.kysely.selectFrom('regions').select('ars').execute();
    const report = await importGv100ad(db.kysely, fixture, 'gv100ad-sample.txt');
    expect(report.errors.length).toBeGreaterThan(0);
    expect(await db.kysely.selectFrom('regions').select('ars').execute()).toHaveLength(before.length);
  });

  it('imports Gemeinden under their Kreise and is idempotent', async () => {
    const valid = fixture
      .split('\n')
      .filter((_l, i) => i !== 12)
      .join('\n');
    const first = await importGv100ad(db.kysely, valid, 'gv100ad-sample.txt');
    expect(first.errors).toEqual([]);
    expect(first.created).toBeGreaterThan(0);
    const again = await importGv100ad(db.kysely, valid, 'gv100ad-sample.txt');
    expect(again).toMatchObject({ created: 0, updated: 0 });
    const darmstadt = await db.kysely
      .selectFrom('regions')
      .selectAll()
      .where('ars', '=', '064110000000')
      .executeTakeFirstOrThrow();
    expect(darmstadt).toMatchObject({ level: 'kreis', is_gemeinde: true });
    const sets = await regionIndex.get(db.kysely);
    expect(sets.byGranularity.get('gemeinde')!.has('064110000000')).toBe(true);
    const imports = await db.kysely.selectFrom('master_data_imports').selectAll().execute();
    expect(imports).toHaveLength(2);
  });
});
