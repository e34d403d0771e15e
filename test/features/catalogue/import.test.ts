import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCatalogue } from '../../../src/features/catalogue/import.js';
import { parseCatalogue } from '../../../src/features/catalogue/format.js';
import { SAMPLE_CATALOGUE_FILE } from '../../../src/features/catalogue/sample.js';
import { OZG_THEMENFELDER } from '../../../src/domain/catalogue.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { createService } from '../../helpers/factories.js';

const SAMPLE_CSV = path.join(path.dirname(SAMPLE_CATALOGUE_FILE), 'ozg-katalog.csv');

const HEADER =
  'ozg_id;ozg_bezeichnung;themenfeld;lebenslage;ozg_synonyme;leika_schluessel;leika_bezeichnung;typisierung';
const csv = (...lines: string[]) => [HEADER, ...lines].join('\n');
const ELTERNGELD =
  '900;Elterngeld;Familie & Kind;Geburt;ElterngeldPlus;99000000001000;Elterngeld Bewilligung;2/3';
const ELTERNGELD_PLUS = '900;Elterngeld;Familie & Kind;Geburt;;99000000002000;ElterngeldPlus Bewilligung;2/3';
const WOHNGELD = '901;Wohngeld;Bauen & Wohnen;Wohnen;;99000000003000;Wohngeld Bewilligung;2/3';

describe('catalogue files', () => {
  it('reads the shipped JSON sample: 14 Themenfelder, OZG services with their LeiKa keys', async () => {
    const { catalogue, errors } = parseCatalogue(await fs.readFile(SAMPLE_CATALOGUE_FILE, 'utf8'));
    expect(errors).toEqual([]);
    expect(catalogue.dataAsOf).toBe('2025-06-30');
    expect(catalogue.ozg.size).toBeGreaterThanOrEqual(60);
    expect(catalogue.ozg.size).toBeLessThanOrEqual(150);
    expect(new Set([...catalogue.ozg.values()].map((o) => o.themenfeld))).toEqual(new Set(OZG_THEMENFELDER));
    const bafoeg = [...catalogue.ozg.values()].find((o) => o.name === 'BAföG')!;
    expect(bafoeg.keywords).toContain('Ausbildungsförderung');
    expect(bafoeg.leikaKeys.length).toBeGreaterThan(0);
    for (const key of bafoeg.leikaKeys) expect(key).toMatch(/^[0-9]{14}$/);
  });

  it('reads the shipped CSV (semicolons, BOM) to the same catalogue as the JSON', async () => {
    const fromJson = parseCatalogue(await fs.readFile(SAMPLE_CATALOGUE_FILE, 'utf8')).catalogue;
    const csvText = await fs.readFile(SAMPLE_CSV, 'utf8');
    expect(csvText.startsWith('\uFEFF')).toBe(true);
    const fromCsv = parseCatalogue(csvText);
    expect(fromCsv.errors).toEqual([]);
    expect([...fromCsv.catalogue.ozg.values()]).toEqual([...fromJson.ozg.values()]);
    expect([...fromCsv.catalogue.leika.values()]).toEqual([...fromJson.leika.values()]);
  });

  it('accepts commas, no BOM, quoted fields and "und" for "&" in a Themenfeld', () => {
    const text = [
      'ozg_id,ozg_bezeichnung,themenfeld,leika_schluessel,leika_bezeichnung',
      '900,"Elterngeld, Elterngeld Plus",Familie und Kind,99000000001000,Elterngeld Bewilligung',
    ].join('\r\n');
    const { catalogue, errors } = parseCatalogue(text);
    expect(errors).toEqual([]);
    expect(catalogue.ozg.get('900')).toMatchObject({
      name: 'Elterngeld, Elterngeld Plus',
      themenfeld: 'Familie & Kind',
      leikaKeys: ['99000000001000'],
    });
  });

  it('names every bad field with its line, in CSV', () => {
    const { errors } = parseCatalogue(
      csv(
        ELTERNGELD,
        '',
        '900;Elterngeld;Gesundheit;Geburt;;99000000002000;x;2/3',
        '901;Wohngeld;Wohnen;;;9900000000300;;7',
        '902;Kindergeld;Familie & Kind;;;99000000001000;Anderer Name;1',
      ),
    );
    expect(errors).toEqual([
      expect.objectContaining({ location: 'Zeile 4', field: 'ozg_id', value: '900' }),
      expect.objectContaining({ location: 'Zeile 5', field: 'themenfeld', value: 'Wohnen' }),
      expect.objectContaining({ location: 'Zeile 5', field: 'leika_schluessel', value: '9900000000300' }),
      expect.objectContaining({
        location: 'Zeile 5',
        field: 'leika_bezeichnung',
        message: 'leika_bezeichnung fehlt.',
      }),
      expect.objectContaining({ location: 'Zeile 5', field: 'typisierung', value: '7' }),
      expect.objectContaining({ location: 'Zeile 6', field: 'leika_schluessel', value: '99000000001000' }),
    ]);
    expect(errors[0]!.message).toContain('Zeile 2');
  });

  it('names unknown and missing columns', () => {
    const { errors } = parseCatalogue('ozg_id;name\n1;x');
    expect(errors.map((e) => [e.location, e.field])).toEqual([
      ['Zeile 1', 'name'],
      ['Zeile 1', 'leika_schluessel'],
      ['Zeile 1', 'leika_bezeichnung'],
    ]);
  });

  it('names bad JSON entries by their path', () => {
    const { errors } = parseCatalogue(
      JSON.stringify({
        stand: '2025-13-01',
        leistungen: [
          { ozgId: '1', bezeichnung: 'A', leikaLeistungen: [{ leikaSchluessel: 'x', bezeichnung: 'B' }] },
          { bezeichnung: 'C', synonyme: 'nicht als Liste', leikaLeistungen: 'nein' },
        ],
      }),
    );
    expect(errors.map((e) => [e.location, e.field])).toEqual([
      ['Datei', 'stand'],
      ['leistungen[0].leikaLeistungen[0]', 'leikaSchluessel'],
      ['leistungen[1]', 'ozgId'],
      ['leistungen[1]', 'leikaLeistungen'],
    ]);
    expect(parseCatalogue('{ kaputt').errors[0]).toMatchObject({ location: 'Datei' });
  });
});

describe('catalogue import', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  const leika = () =>
    db.kysely.selectFrom('leika_services').select(['key', 'name', 'withdrawn_at']).orderBy('key').execute();

  it('imports new entries, records the import with its reference date and an audit entry', async () => {
    const report = await importCatalogue(db.kysely, csv(ELTERNGELD, ELTERNGELD_PLUS, WOHNGELD), {
      source: 'katalog.csv',
      dataAsOf: '2025-01-31',
      now: new Date('2025-02-01T10:00:00Z'),
    });
    expect(report.errors).toEqual([]);
    expect(report.diff).toEqual({
      leika: {
        new: ['99000000001000', '99000000002000', '99000000003000'],
        changed: [],
        withdrawn: [],
        unchanged: 0,
      },
      ozg: { new: ['900', '901'], changed: [], withdrawn: [], unchanged: 0 },
    });
    const stored = await db.kysely
      .selectFrom('master_data_imports')
      .selectAll()
      .where('id', '=', report.importId!)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ kind: 'catalogue', source: 'katalog.csv', data_as_of: '2025-01-31' });
    expect(stored.summary).toMatchObject({
      leika: { counts: { new: 3, changed: 0, withdrawn: 0, unchanged: 0 } },
      ozg: { counts: { new: 2 }, keys: { new: ['900', '901'] } },
    });
    const links = await db.kysely.selectFrom('ozg_service_leika').selectAll().orderBy('leika_key').execute();
    expect(links).toEqual([
      { ozg_id: '900', leika_key: '99000000001000' },
      { ozg_id: '900', leika_key: '99000000002000' },
      { ozg_id: '901', leika_key: '99000000003000' },
    ]);
    const audit = await db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'catalogue.import')
      .executeTakeFirstOrThrow();
    expect(audit.entity_id).toBe(String(report.importId));
  });

  it('withdraws what is missing without deleting it, keeps services linked, reinstates what returns', async () => {
    const serviceId = await createService(db.kysely);
    await db.kysely
      .insertInto('online_service_leika')
      .values({ service_id: serviceId, leika_key: '99000000003000' })
      .execute();
    await db.kysely
      .insertInto('online_service_ozg')
      .values({ service_id: serviceId, ozg_id: '901' })
      .execute();

    const second = await importCatalogue(
      db.kysely,
      csv(ELTERNGELD.replace('Elterngeld Bewilligung', 'Elterngeld Bewilligung (Basis)'), ELTERNGELD_PLUS),
      { source: 'katalog-2.csv', now: new Date('2025-03-01T10:00:00Z') },
    );
    expect(second.errors).toEqual([]);
    expect(second.diff).toEqual({
      leika: { new: [], changed: ['99000000001000'], withdrawn: ['99000000003000'], unchanged: 1 },
      ozg: { new: [], changed: [], withdrawn: ['901'], unchanged: 1 },
    });
    const rows = await leika();
    expect(rows.map((r) => [r.key, r.name, r.withdrawn_at?.toISOString() ?? null])).toEqual([
      ['99000000001000', 'Elterngeld Bewilligung (Basis)', null],
      ['99000000002000', 'ElterngeldPlus Bewilligung', null],
      ['99000000003000', 'Wohngeld Bewilligung', '2025-03-01T10:00:00.000Z'],
    ]);
    const link = await db.kysely
      .selectFrom('online_service_leika')
      .selectAll()
      .where('service_id', '=', serviceId)
      .execute();
    expect(link).toHaveLength(1);

    const third = await importCatalogue(db.kysely, csv(ELTERNGELD, WOHNGELD), { source: 'katalog-3.csv' });
    expect(third.diff).toEqual({
      leika: {
        new: [],
        changed: ['99000000001000', '99000000003000'],
        withdrawn: ['99000000002000'],
        unchanged: 0,
      },
      ozg: { new: [], changed: ['900', '901'], withdrawn: [], unchanged: 0 },
    });
    const ozg = await db.kysely
      .selectFrom('ozg_services')
      .select(['id', 'withdrawn_at'])
      .orderBy('id')
      .execute();
    expect(ozg.every((o) => o.withdrawn_at === null)).toBe(true);
    const links = await db.kysely
      .selectFrom('ozg_service_leika')
      .selectAll()
      .where('ozg_id', '=', '900')
      .execute();
    expect(links).toEqual([{ ozg_id: '900', leika_key: '99000000001000' }]);
  });

  it('changes nothing when the file has an error, and refuses an empty catalogue', async () => {
    const before = await leika();
    const imports = await db.kysely.selectFrom('master_data_imports').select('id').execute();
    const report = await importCatalogue(db.kysely, csv(ELTERNGELD, '902;Neu;Bildung;;;123;Neu;1'), {
      source: 'kaputt.csv',
    });
    expect(report.importId).toBeNull();
    expect(report.errors).toEqual([
      expect.objectContaining({ location: 'Zeile 3', field: 'leika_schluessel' }),
    ]);
    const empty = await importCatalogue(db.kysely, JSON.stringify({ leistungen: [] }), {
      source: 'leer.json',
    });
    expect(empty.errors).toEqual([expect.objectContaining({ location: 'Datei' })]);
    expect(await leika()).toEqual(before);
    expect(await db.kysely.selectFrom('master_data_imports').select('id').execute()).toEqual(imports);
  });

  it('reports without writing on a dry run', async () => {
    const report = await importCatalogue(db.kysely, csv(ELTERNGELD), { source: 'probe.csv', dryRun: true });
    expect(report.importId).toBeNull();
    expect(report.diff.leika.withdrawn).toEqual(['99000000003000']);
    expect((await leika()).find((r) => r.key === '99000000003000')!.withdrawn_at).toBeNull();
  });
});
