import { describe, expect, it } from 'vitest';
import {
  NATIONWIDE_ARS,
  agsFromArs,
  arsLevel,
  granularityOf,
  isCoarserLevel,
  isCoarserOrEqual,
  landOf,
  mayDenote,
  parentArs,
  parseArs,
  truncateArs,
  type RegionLevel,
} from '../../src/domain/ars.js';
import { GRANULARITIES, type Granularity } from '../../src/domain/vocabulary.js';

describe('parseArs', () => {
  it.each([
    ['0', NATIONWIDE_ARS],
    ['00', NATIONWIDE_ARS],
    ['000', NATIONWIDE_ARS],
    ['000000000000', NATIONWIDE_ARS],
    ['06', '060000000000'],
    ['16', '160000000000'],
    ['01', '010000000000'],
    ['064', '064000000000'],
    ['06411', '064110000000'],
    ['01002', '010020000000'],
    ['064320001', '064320001000'],
    ['064320001001', '064320001001'],
    ['064110000000', '064110000000'],
    ['110000000000', '110000000000'],
    ['  06411  ', '064110000000'],
    ['\t064110000000\n', '064110000000'],
  ])('accepts %j as %s', (input, expected) => {
    expect(parseArs(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'ars_empty'],
    ['   ', 'ars_empty'],
    ['06a', 'ars_not_digits'],
    ['ABCDEFGHIJKL', 'ars_not_digits'],
    ['06 411', 'ars_not_digits'],
    ['0641 10000000', 'ars_not_digits'],
    ['-06', 'ars_not_digits'],
    ['+06', 'ars_not_digits'],
    ['06.411', 'ars_not_digits'],
    ['６', 'ars_not_digits'],
    ['1', 'ars_length'],
    ['6', 'ars_length'],
    ['0641', 'ars_length'],
    ['064110', 'ars_length'],
    ['06411000', 'ars_length'],
    ['0641100000', 'ars_length'],
    ['0641100000000', 'ars_length'],
    ['17', 'ars_unknown_land'],
    ['99', 'ars_unknown_land'],
    ['170000000000', 'ars_unknown_land'],
    ['001', 'ars_inconsistent'],
    ['00411', 'ars_inconsistent'],
    ['000000000001', 'ars_inconsistent'],
    ['060000001000', 'ars_inconsistent'],
    ['064000000001', 'ars_inconsistent'],
  ])('rejects %j with %s', (input, code) => {
    const result = parseArs(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(10);
      expect(result.error.messageEn.length).toBeGreaterThan(10);
    }
  });

  it.each([
    ['64110000000', '064110000000'],
    ['6411', '06411'],
    ['6', '06'],
  ])('names the lost leading zero of %j, as a spreadsheet drops it', (input, meant) => {
    const result = parseArs(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('ars_length');
      expect(result.error.message).toContain('führende Null');
      expect(result.error.message).toContain(`"${meant}"`);
      expect(result.error.messageEn).toContain('leading zero');
    }
  });

  it('names the value and the accepted forms in the German message', () => {
    const result = parseArs('06a');
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({
        message: 'ARS muss aus Ziffern bestehen (2, 3, 5, 9 oder 12 Stellen), erhalten: "06a"',
      }) as unknown,
    });
  });

  it('explains the difference between AGS and ARS for 8 digits', () => {
    const result = parseArs('06411000');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toContain('AGS');
      expect(result.error.message).toContain('Gemeindeverband');
      expect(result.error.message).toContain('"06411000"');
      expect(result.error.messageEn).toContain('AGS');
    }
  });

  it('states the number of digits received for other lengths', () => {
    const result = parseArs('0641100000000');
    expect(!result.ok && result.error.message).toContain('13 Stellen');
  });

  it('names the unknown Land', () => {
    const result = parseArs('17');
    expect(!result.ok && result.error.message).toContain('Land 17');
  });
});

describe('arsLevel and granularityOf', () => {
  it.each<[string, RegionLevel, Granularity | null]>([
    ['000000000000', 'bund', 'bund'],
    ['060000000000', 'land', 'land'],
    ['110000000000', 'land', 'land'],
    ['064000000000', 'regierungsbezirk', null],
    ['064110000000', 'kreis', 'kreis'],
    ['010020000000', 'kreis', 'kreis'],
    ['064320001000', 'gemeindeverband', null],
    ['064320001001', 'gemeinde', 'gemeinde'],
    ['010515163003', 'gemeinde', 'gemeinde'],
    ['064320000001', 'gemeinde', 'gemeinde'],
  ])('%s is %s', (ars, level, granularity) => {
    expect(arsLevel(ars)).toBe(level);
    expect(granularityOf(ars)).toBe(granularity);
  });

  it.each(['06', '0641100000000', '06411000000a', ''])('throws on a key that is not 12 digits: %j', (ars) => {
    expect(() => arsLevel(ars)).toThrow(RangeError);
  });
});

describe('parentArs', () => {
  it.each<[string, string | null]>([
    ['064320001001', '064320001000'],
    ['064320000001', '064320000000'],
    ['064320001000', '064320000000'],
    ['064110000000', '064000000000'],
    ['010020000000', '010000000000'],
    ['064000000000', '060000000000'],
    ['060000000000', NATIONWIDE_ARS],
    [NATIONWIDE_ARS, null],
  ])('parent of %s is %s', (ars, parent) => {
    expect(parentArs(ars)).toBe(parent);
  });

  it('walks from a Gemeinde up to nationwide', () => {
    const chain: string[] = [];
    for (let ars: string | null = '064320001001'; ars !== null; ars = parentArs(ars)) chain.push(ars);
    expect(chain).toEqual([
      '064320001001',
      '064320001000',
      '064320000000',
      '064000000000',
      '060000000000',
      '000000000000',
    ]);
  });
});

describe('truncateArs', () => {
  it.each<[RegionLevel, string]>([
    ['bund', '000000000000'],
    ['land', '060000000000'],
    ['regierungsbezirk', '064000000000'],
    ['kreis', '064320000000'],
    ['gemeindeverband', '064320001000'],
    ['gemeinde', '064320001001'],
  ])('cuts 064320001001 to %s', (level, expected) => {
    expect(truncateArs('064320001001', level)).toBe(expected);
  });
});

describe('small helpers', () => {
  it('landOf returns the two Land digits', () => {
    expect(landOf('064110000000')).toBe('06');
    expect(landOf(NATIONWIDE_ARS)).toBe('00');
  });

  it('agsFromArs leaves out the Gemeindeverband', () => {
    expect(agsFromArs('064320001001')).toBe('06432001');
    expect(agsFromArs('064110000000')).toBe('06411000');
    expect(agsFromArs('110000000000')).toBe('11000000');
  });

  it('orders granularities from coarse to fine', () => {
    expect(GRANULARITIES).toEqual(['bund', 'land', 'kreis', 'gemeinde']);
  });

  it.each<[Granularity, Granularity, boolean]>([
    ['bund', 'gemeinde', true],
    ['land', 'kreis', true],
    ['kreis', 'kreis', true],
    ['gemeinde', 'kreis', false],
    ['kreis', 'land', false],
    ['land', 'bund', false],
  ])('isCoarserOrEqual(%s, %s) is %s', (a, b, expected) => {
    expect(isCoarserOrEqual(a, b)).toBe(expected);
  });

  it('isCoarserLevel is strict and knows the intermediate levels', () => {
    expect(isCoarserLevel('regierungsbezirk', 'kreis')).toBe(true);
    expect(isCoarserLevel('gemeindeverband', 'kreis')).toBe(false);
    expect(isCoarserLevel('kreis', 'kreis')).toBe(false);
  });
});

describe('mayDenote', () => {
  it.each<[string, Granularity, boolean]>([
    ['064110000000', 'kreis', true],
    ['064110000000', 'gemeinde', true], // kreisfreie Stadt Darmstadt is also a Gemeinde
    ['064110000000', 'land', false],
    ['110000000000', 'land', true],
    ['110000000000', 'kreis', true], // Berlin
    ['020000000000', 'gemeinde', true], // Hamburg
    ['040000000000', 'kreis', false], // Bremen has two Kreise of its own
    ['060000000000', 'gemeinde', false],
    ['000000000000', 'land', false],
    ['064320001000', 'gemeinde', false],
    ['064000000000', 'kreis', false],
    ['064320001001', 'kreis', false],
  ])('%s may denote a %s: %s', (ars, granularity, expected) => {
    expect(mayDenote(ars, granularity)).toBe(expected);
  });
});
