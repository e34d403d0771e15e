import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchCatalogue } from '../../../src/features/catalogue/search.js';
import { ensureSampleCatalogue } from '../../../src/features/catalogue/sample.js';
import { importCatalogue } from '../../../src/features/catalogue/import.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
  await ensureSampleCatalogue(db.kysely);
});
afterAll(async () => {
  await db.close();
});

const top = async (q: string) => (await searchCatalogue(db.kysely, q))[0];

describe('catalogue search', () => {
  it('finds Elterngeld despite a typo', async () => {
    const hits = await searchCatalogue(db.kysely, 'Elterngelt');
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]).toMatchObject({ ozgName: 'Elterngeld', themenfeld: 'Familie & Kind' });
    expect(hits[0]!.leikaKey).toMatch(/^[0-9]{14}$/);
  });

  it('finds BAföG in lower case, and by a synonym', async () => {
    expect(await top('bafög')).toMatchObject({ ozgName: 'BAföG', themenfeld: 'Bildung' });
    expect(await top('Ausbildungsförderung')).toMatchObject({ ozgName: 'BAföG' });
    expect(await top('kfz zulassung')).toMatchObject({ ozgName: 'Fahrzeugzulassung' });
    expect(await top('Meldebescheinigung')).toMatchObject({ ozgName: 'Wohnsitzanmeldung' });
    const ummeldung = (await searchCatalogue(db.kysely, 'Ummeldung')).map((h) => h.ozgName);
    expect(ummeldung).toEqual(expect.arrayContaining(['Wohnsitzanmeldung', 'Gewerbeanmeldung']));
  });

  it('finds a key by its prefix, ranked first', async () => {
    const [anyHit] = await searchCatalogue(db.kysely, 'Wohngeld');
    const key = anyHit!.leikaKey;
    const hits = await searchCatalogue(db.kysely, key.slice(0, 10));
    expect(hits.map((h) => h.leikaKey)).toContain(key);
    expect(hits.every((h) => h.leikaKey.startsWith(key.slice(0, 10)))).toBe(true);
    expect((await top(key))!.leikaKey).toBe(key);
  });

  it('finds the LeiKa services of an OZG id', async () => {
    const hits = await searchCatalogue(db.kysely, '10001');
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.ozgId === '10001')).toBe(true);
  });

  it('returns nothing for too short or unrelated queries, and treats LIKE characters as text', async () => {
    expect(await searchCatalogue(db.kysely, 'e')).toEqual([]);
    expect(await searchCatalogue(db.kysely, 'Quantenchromodynamik')).toEqual([]);
    expect(await searchCatalogue(db.kysely, '%%')).toEqual([]);
    expect(await searchCatalogue(db.kysely, '99_')).toEqual([]);
  });

  it('leaves withdrawn services out', async () => {
    const hits = await searchCatalogue(db.kysely, 'Hundesteuer');
    expect(hits.length).toBe(2);
    await importCatalogue(
      db.kysely,
      [
        'leika_schluessel;leika_bezeichnung',
        ...(await db.kysely.selectFrom('leika_services').select(['key', 'name']).execute())
          .filter((l) => l.name !== 'Hundesteuer Abmeldung')
          .map((l) => `${l.key};${l.name}`),
      ].join('\n'),
      { source: 'test' },
    );
    const after = await searchCatalogue(db.kysely, 'Hundesteuer');
    expect(after.map((h) => h.leikaName)).toEqual(['Hundesteuer Anmeldung']);
  });
});
