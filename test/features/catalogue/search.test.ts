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

describe('catalogue search on the sample catalogue: typing, typos and keys', () => {
  let sample: TestDb;
  beforeAll(async () => {
    sample = await createTestDb();
    await ensureSampleCatalogue(sample.kysely);
  });
  afterAll(async () => {
    await sample.close();
  });

  it('finds Elterngeld while the name is being typed and with typos', async () => {
    for (const q of ['Elter', 'Eltern', 'Elterngeld', 'Eltrngeld', 'elterngelt']) {
      const [first] = await searchCatalogue(sample.kysely, q);
      expect(first, q).toMatchObject({ ozgName: 'Elterngeld' });
    }
  });

  it('finds an OZG service by a synonym with a typo', async () => {
    const [first] = await searchCatalogue(sample.kysely, 'Ausbildungsfördrung');
    expect(first).toMatchObject({ ozgName: 'BAföG' });
  });

  it('finds a full LeiKa key written with spaces or dots, and lists key prefixes in key order', async () => {
    const [anyHit] = await searchCatalogue(sample.kysely, 'Wohngeld');
    const key = anyHit!.leikaKey;
    const spaced = `${key.slice(0, 2)} ${key.slice(2, 5)} ${key.slice(5, 8)}.${key.slice(8)}`;
    expect((await searchCatalogue(sample.kysely, spaced)).map((h) => h.leikaKey)).toEqual([key]);
    const hits = await searchCatalogue(sample.kysely, '990');
    expect(hits.length).toBe(25);
    const keys = hits.map((h) => h.leikaKey);
    expect(keys.every((k) => k.startsWith('990'))).toBe(true);
    expect(keys).toEqual([...keys].sort());
  });

  it('ranks by score, best first, and fills a page', async () => {
    const hits = await searchCatalogue(sample.kysely, 'Antrag');
    expect(hits.length).toBeGreaterThan(0);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(await searchCatalogue(sample.kysely, 'Antrag', 5)).toHaveLength(Math.min(5, hits.length));
  });
});

describe('catalogue search with hundreds of equally good names', () => {
  let big: TestDb;
  beforeAll(async () => {
    big = await createTestDb({ regions: false });
    // 150 OZG services × 3 LeiKa services whose names all contain "Genehmigung" (word similarity 1),
    // more than the first stage takes per source, and one LeiKa service named exactly so.
    const leistungen = Array.from({ length: 150 }, (_, i) => ({
      ozgId: String(30000 + i),
      bezeichnung: `Sammelleistung ${i}`,
      leikaLeistungen: ['Erteilung', 'Verlängerung', 'Änderung'].map((verb, j) => ({
        leikaSchluessel: `98${String(100000 + i).padStart(6, '0')}${String(j + 1).padStart(3, '0')}000`,
        bezeichnung: `Genehmigung für Vorhaben der Sammelleistung ${i} ${verb}`,
      })),
    }));
    leistungen.push({
      ozgId: '39999',
      bezeichnung: 'Allgemeine Verwaltung',
      leikaLeistungen: [{ leikaSchluessel: '98199999001000', bezeichnung: 'Genehmigung' }],
    });
    const report = await importCatalogue(big.kysely, JSON.stringify({ leistungen }), { source: 'test' });
    expect(report.errors).toEqual([]);
  });
  afterAll(async () => {
    await big.close();
  });

  it('puts the exact name first', async () => {
    const hits = await searchCatalogue(big.kysely, 'Genehmigung');
    expect(hits).toHaveLength(25);
    expect(hits[0]).toMatchObject({ leikaKey: '98199999001000', leikaName: 'Genehmigung', score: 1 });
    expect(hits.every((h) => h.score === 1)).toBe(true);
  });

  it('finds a name by its number among the many, and a typo of the common word', async () => {
    const hits = await searchCatalogue(big.kysely, 'Sammelleistung 117');
    expect(hits.slice(0, 3).map((h) => h.ozgId)).toEqual(['30117', '30117', '30117']);
    expect((await searchCatalogue(big.kysely, 'Genehmigumg'))[0]).toMatchObject({ leikaName: 'Genehmigung' });
  });
});
