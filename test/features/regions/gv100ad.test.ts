import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  mergeSharedArs,
  parseGv100ad,
  parseXRepositoryRegions,
  type RegionRecord,
} from '../../../src/features/regions/gv100ad.js';

const root = new URL('../../../', import.meta.url);

// Hand-made with fixed column positions. The Saarland lines equal real GV100AD lines (30.04.2021) apart
// from the date; the Darmstadt and Berlin figures are illustrative.
const fixture = readFileSync(new URL('test/fixtures/gv100ad-sample.txt', root), 'utf8');

function byLevelAndArs(records: RegionRecord[], level: RegionRecord['level'], ars: string): RegionRecord {
  const found = records.find((r) => r.level === level && r.ars === ars);
  if (!found) throw new Error(`no ${level} ${ars}`);
  return found;
}

describe('parseGv100ad', () => {
  const { records, errors, referenceDate } = parseGv100ad(fixture);

  it('reads the reference date and every valid record, skipping Region records', () => {
    expect(referenceDate).toBe('2024-12-31');
    // 17 lines: one blank, one Region record, one malformed.
    expect(records).toHaveLength(14);
    expect(records.every((r) => r.validFrom === '2024-12-31')).toBe(true);
  });

  it('reports the malformed line with its line number, blank lines counted', () => {
    expect(errors).toEqual([{ line: 13, message: expect.stringContaining('nicht numerisch') as unknown }]);
  });

  it('builds ARS, parents and kinds for Land, Regierungsbezirk and Kreise', () => {
    expect(byLevelAndArs(records, 'land', '060000000000')).toMatchObject({
      name: 'Hessen',
      parentArs: '000000000000',
      kind: null,
      population: null,
    });
    expect(byLevelAndArs(records, 'regierungsbezirk', '064000000000')).toMatchObject({
      name: 'Reg.-Bez. Darmstadt',
      parentArs: '060000000000',
    });
    expect(byLevelAndArs(records, 'kreis', '064110000000')).toMatchObject({
      name: 'Darmstadt, Wissenschaftsstadt',
      parentArs: '064000000000',
      kind: 'Kreisfreie Stadt',
    });
    expect(byLevelAndArs(records, 'kreis', '064320000000')).toMatchObject({
      name: 'Darmstadt-Dieburg',
      kind: 'Landkreis',
    });
    // Saarland has no Regierungsbezirke: the Kreis hangs directly below the Land.
    expect(byLevelAndArs(records, 'kreis', '100410000000')).toMatchObject({
      name: 'Regionalverband Saarbrücken',
      parentArs: '100000000000',
      kind: 'Regionalverband',
    });
  });

  it('puts the Gemeindeverband between Kreis and Gemeinde in the ARS', () => {
    expect(byLevelAndArs(records, 'gemeindeverband', '100410100000')).toMatchObject({
      name: 'Saarbrücken, Landeshauptstadt',
      parentArs: '100410000000',
      kind: 'Verbandsfreie Gemeinde',
    });
    expect(byLevelAndArs(records, 'gemeinde', '100410100100')).toEqual({
      ars: '100410100100',
      name: 'Saarbrücken, Landeshauptstadt',
      level: 'gemeinde',
      parentArs: '100410100000',
      kind: 'Stadt',
      population: 180374,
      areaKm2: 167.52,
      validFrom: '2024-12-31',
    });
  });

  it('never makes a record its own parent where keys are shared', () => {
    // Darmstadt: Kreis, Gemeindeverband 0000 and Gemeinde 000 all are 064110000000.
    const darmstadt = records.filter((r) => r.ars === '064110000000');
    expect(darmstadt.map((r) => r.level)).toEqual(['kreis', 'gemeindeverband', 'gemeinde']);
    expect(byLevelAndArs(records, 'gemeinde', '064110000000')).toMatchObject({
      parentArs: '064000000000',
      kind: 'Kreisfreie Stadt',
      population: 162243,
      areaKm2: 122.07,
    });
    // Berlin: the Kreis key equals the Land key.
    expect(byLevelAndArs(records, 'kreis', '110000000000').parentArs).toBe('000000000000');
    expect(records.every((r) => r.parentArs !== r.ars)).toBe(true);
  });

  it('tolerates CRLF line ends and a byte order mark', () => {
    const crlf = parseGv100ad(`\uFEFF${fixture.replace(/\n/g, '\r\n')}`);
    expect(crlf.records).toEqual(records);
    expect(crlf.errors).toEqual(errors);
  });

  it('reports short lines, unknown record types, bad dates and missing names instead of throwing', () => {
    const land = fixture.split('\n')[0] as string;
    const text = [
      '60202412',
      `99${land.slice(2)}`,
      `10${'20241341'}${land.slice(10)}`,
      `${land.slice(0, 22)}${' '.repeat(50)}`,
      `10${land.slice(2, 10)}00${land.slice(12)}`,
    ].join('\n');
    const result = parseGv100ad(text);
    expect(result.records).toEqual([]);
    expect(result.referenceDate).toBeNull();
    expect(result.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
    expect(result.errors[0]?.message).toContain('zu kurz');
    expect(result.errors[1]?.message).toContain('Satzart "99"');
    expect(result.errors[2]?.message).toContain('Gebietsstand');
    expect(result.errors[3]?.message).toContain('Name');
    expect(result.errors[4]?.message).toContain('00');
  });

  it('returns nothing for an empty input', () => {
    expect(parseGv100ad('')).toEqual({ records: [], errors: [], referenceDate: null });
  });
});

describe('mergeSharedArs', () => {
  const merged = mergeSharedArs(parseGv100ad(fixture).records);

  it('keeps one record per ARS with the coarsest level and the Gemeinde figures', () => {
    expect(new Set(merged.map((r) => r.ars)).size).toBe(merged.length);
    expect(merged.find((r) => r.ars === '110000000000')).toMatchObject({
      level: 'land',
      name: 'Berlin',
      parentArs: '000000000000',
      population: 3685265,
      areaKm2: 891.12,
      levels: ['land', 'kreis', 'gemeindeverband', 'gemeinde'],
    });
    expect(merged.find((r) => r.ars === '064110000000')).toMatchObject({
      level: 'kreis',
      kind: 'Kreisfreie Stadt',
      parentArs: '064000000000',
      population: 162243,
      levels: ['kreis', 'gemeindeverband', 'gemeinde'],
    });
    expect(merged.find((r) => r.ars === '060000000000')?.levels).toEqual(['land']);
  });

  it('leaves every parent pointing at a key that is present or nationwide', () => {
    const keys = new Set(merged.map((r) => r.ars));
    expect(merged.every((r) => r.parentArs === '000000000000' || keys.has(r.parentArs))).toBe(true);
  });
});

describe('parseXRepositoryRegions', () => {
  it('reads [code, name, …] rows and ignores extra columns and fields', () => {
    const result = parseXRepositoryRegions({
      metadaten: { kennung: 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs' },
      spalten: [{ spaltennameLang: 'Schlüssel' }, { spaltennameLang: 'Bezeichnung' }],
      daten: [
        ['064110000000', 'Darmstadt, Wissenschaftsstadt', 'extra', null],
        [' 110000000000 ', ' Berlin '],
        ['06', 'Hessen'],
        ['064', 'Regierungsbezirk Darmstadt'],
        ['06432', 'Darmstadt-Dieburg'],
        ['100410100', 'Saarbrücken, Landeshauptstadt (Gemeindeverband)'],
        [100410100100, 'Saarbrücken, Landeshauptstadt'],
        [10010000000, 'Flensburg, Stadt'],
      ],
    });
    expect(result.errors).toEqual([]);
    expect(result.records).toEqual([
      { ars: '064110000000', name: 'Darmstadt, Wissenschaftsstadt' },
      { ars: '110000000000', name: 'Berlin' },
      { ars: '060000000000', name: 'Hessen' },
      { ars: '064000000000', name: 'Regierungsbezirk Darmstadt' },
      { ars: '064320000000', name: 'Darmstadt-Dieburg' },
      { ars: '100410100000', name: 'Saarbrücken, Landeshauptstadt (Gemeindeverband)' },
      { ars: '100410100100', name: 'Saarbrücken, Landeshauptstadt' },
      { ars: '010010000000', name: 'Flensburg, Stadt' },
    ]);
  });

  it('reports bad rows with their index and keeps the good ones', () => {
    const result = parseXRepositoryRegions({
      daten: [
        ['06', 'Hessen'],
        'kaputt',
        ['0641', 'vier Stellen'],
        ['06411000000X', 'Buchstabe'],
        [6, 'zweideutige Zahl'],
        ['06411', ''],
        ['060000000000', 'Hessen doppelt'],
        ['11'],
      ],
    });
    expect(result.records).toEqual([{ ars: '060000000000', name: 'Hessen' }]);
    expect(result.errors).toHaveLength(7);
    expect(result.errors.map((e) => e.split(':')[0])).toEqual([
      'Zeile 1',
      'Zeile 2',
      'Zeile 3',
      'Zeile 4',
      'Zeile 5',
      'Zeile 6',
      'Zeile 7',
    ]);
  });

  it('rejects input without a daten array', () => {
    for (const input of [null, [], 'text', { daten: {} }, {}]) {
      const result = parseXRepositoryRegions(input);
      expect(result.records).toEqual([]);
      expect(result.errors).toHaveLength(1);
    }
  });
});

describe('masterdata/kreise.csv', () => {
  const rows = parse<Record<string, string>>(readFileSync(new URL('masterdata/kreise.csv', root), 'utf8'), {
    delimiter: ';',
    columns: true,
  });
  const laender = parse<Record<string, string>>(
    readFileSync(new URL('masterdata/laender.csv', root), 'utf8'),
    {
      delimiter: ';',
      columns: true,
    },
  );

  it('holds the 400 Kreise and kreisfreie Städte with unique, valid, sorted keys', () => {
    expect(rows).toHaveLength(400);
    expect(Object.keys(rows[0] ?? {})).toEqual(['ars', 'name', 'kind', 'land']);
    const ars = rows.map((r) => r.ars as string);
    expect(new Set(ars).size).toBe(400);
    expect([...ars].sort()).toEqual(ars);
    for (const row of rows) {
      expect(row.ars).toMatch(/^(0[1-9]|1[0-6])\d{3}0{7}$/);
      expect(row.land).toBe(row.ars?.slice(0, 2));
      expect(['Kreisfreie Stadt', 'Stadtkreis', 'Kreis', 'Landkreis', 'Regionalverband']).toContain(row.kind);
      expect(row.name?.trim()).toBe(row.name);
      expect(row.name).not.toBe('');
    }
  });

  it('covers every Land and matches the official split of 294 Landkreise and 106 kreisfreie Städte', () => {
    const lands = new Set(rows.map((r) => r.land));
    expect([...lands].sort()).toEqual(laender.map((l) => l.ars?.slice(0, 2)));
    const urban = rows.filter((r) => r.kind === 'Kreisfreie Stadt' || r.kind === 'Stadtkreis');
    expect(urban).toHaveLength(106);
  });

  it('applies the Kreis reforms and contains known entries', () => {
    const byArs = new Map(rows.map((r) => [r.ars, r]));
    expect(byArs.has('160560000000')).toBe(false); // Eisenach, part of the Wartburgkreis since 2021-07-01
    expect(byArs.get('160630000000')?.name).toBe('Wartburgkreis');
    expect(byArs.has('031520000000')).toBe(false); // old Landkreis Göttingen, merged in 2016
    expect(byArs.has('031560000000')).toBe(false); // Osterode am Harz, merged in 2016
    expect(byArs.get('031590000000')?.name).toBe('Göttingen');
    expect(byArs.get('064110000000')).toEqual({
      ars: '064110000000',
      name: 'Darmstadt, Wissenschaftsstadt',
      kind: 'Kreisfreie Stadt',
      land: '06',
    });
    // City states: the Kreis key is the Land key.
    expect(byArs.get('110000000000')?.kind).toBe('Kreisfreie Stadt');
    expect(byArs.get('020000000000')?.kind).toBe('Kreisfreie Stadt');
    expect(byArs.get('100410000000')?.kind).toBe('Regionalverband');
  });
});
