import { describe, expect, it } from 'vitest';
import type { Granularity } from '../../src/domain/vocabulary.js';
import {
  MAX_COUNT,
  parseCount,
  countRowValidator,
  type CountInput,
  type RowError,
  type ValidationContext,
} from '../../src/domain/counts.js';

const NOW = new Date('2024-05-20T12:00:00Z');

const REGIONS = new Set([
  '000000000000',
  '060000000000', // Hessen
  '064110000000', // Darmstadt, kreisfreie Stadt
  '064320000000', // Landkreis Darmstadt-Dieburg
  '064320001001', // Alsbach-Hähnlein
  '064320002002',
  '110000000000', // Berlin
]);

function ctx(granularity: Granularity, extra: Partial<ValidationContext> = {}): ValidationContext {
  return { now: NOW, granularity, regionExists: (ars) => REGIONS.has(ars), ...extra };
}

/** One row against a fresh validator, as ingest checks each row. */
const validateCountRow = (input: CountInput, rowNumber: number, context: ValidationContext) =>
  countRowValidator(context)(input, rowNumber);

function codes(result: { errors: RowError[] } | object): string[] {
  return 'errors' in result ? result.errors.map((e) => e.code) : [];
}

describe('parseCount', () => {
  it.each<[unknown, number]>([
    [0, 0],
    [-0, 0],
    [1, 1],
    [1234, 1234],
    [MAX_COUNT, MAX_COUNT],
    ['0', 0],
    ['42', 42],
    [' 42 ', 42],
    ['007', 7],
    ['2147483647', MAX_COUNT],
  ])('accepts %j', (value, expected) => {
    const result = parseCount(value);
    expect(result).toEqual({ ok: true, value: expected });
    expect(Object.is(result.ok && result.value, -0)).toBe(false);
  });

  it.each<[unknown, string]>([
    [undefined, 'count_missing'],
    [null, 'count_missing'],
    ['', 'count_missing'],
    ['   ', 'count_missing'],
    [-1, 'count_negative'],
    ['-1', 'count_negative'],
    ['-1,5', 'count_negative'],
    [1.5, 'count_not_integer'],
    ['1.5', 'count_not_integer'],
    ['1,5', 'count_not_integer'],
    ['1.234', 'count_not_integer'],
    ['1,234', 'count_not_integer'],
    ['1.234.567', 'count_not_integer'],
    ['1 234', 'count_not_integer'],
    ['1e3', 'count_not_integer'],
    [1e-3, 'count_not_integer'],
    ['0x10', 'count_not_integer'],
    ['+5', 'count_not_integer'],
    ['12abc', 'count_not_integer'],
    ['Infinity', 'count_not_integer'],
    [Number.NaN, 'count_not_integer'],
    [Number.POSITIVE_INFINITY, 'count_not_integer'],
    [Number.NEGATIVE_INFINITY, 'count_not_integer'],
    [true, 'count_not_integer'],
    [false, 'count_not_integer'],
    [{}, 'count_not_integer'],
    [[1], 'count_not_integer'],
    [2147483648, 'count_too_large'],
    ['2147483648', 'count_too_large'],
    ['99999999999999999999999', 'count_too_large'],
  ])('rejects %j with %s', (value, code) => {
    const result = parseCount(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('accepts a bigint in range, as drivers return for int8 columns', () => {
    expect(parseCount(12n)).toEqual({ ok: true, value: 12 });
    const negative = parseCount(-5n);
    expect(!negative.ok && negative.error.code).toBe('count_negative');
    const huge = parseCount(2n ** 40n);
    expect(!huge.ok && huge.error.code).toBe('count_too_large');
  });

  it('explains thousands separators separately', () => {
    const result = parseCount('1.234');
    expect(!result.ok && result.error.message).toContain('Tausendertrennzeichen');
    const decimal = parseCount('1,5');
    expect(!decimal.ok && decimal.error.message).not.toContain('Tausendertrennzeichen');
    expect(!decimal.ok && decimal.error.message).toContain('"1,5"');
  });
});

describe('countRowValidator', () => {
  it('accepts and normalises a good row', () => {
    expect(validateCountRow({ month: ' 2024-04 ', ars: '06411', count: '17' }, 3, ctx('kreis'))).toEqual({
      row: { month: '2024-04', ars: '064110000000', count: 17 },
    });
  });

  it('accepts a delivered zero', () => {
    expect(validateCountRow({ month: '2024-04', ars: '06', count: 0 }, 1, ctx('land'))).toEqual({
      row: { month: '2024-04', ars: '060000000000', count: 0 },
    });
  });

  it('accepts nationwide counts for a nationwide service', () => {
    expect(validateCountRow({ month: '2024-04', ars: '0', count: 5 }, 1, ctx('bund'))).toEqual({
      row: { month: '2024-04', ars: '000000000000', count: 5 },
    });
  });

  it('reports all field errors of a row at once', () => {
    const result = validateCountRow({ month: '2024-13', ars: '06a', count: -1 }, 7, ctx('kreis'));
    expect(result).toEqual({
      errors: [
        expect.objectContaining({ row: 7, field: 'month', value: '2024-13', code: 'month_invalid' }),
        expect.objectContaining({ row: 7, field: 'ars', value: '06a', code: 'ars_not_digits' }),
        expect.objectContaining({ row: 7, field: 'count', value: '-1', code: 'count_negative' }),
      ],
    });
  });

  it.each<[CountInput, Granularity, string[]]>([
    [{ month: '2024-04', ars: '06411000', count: 1 }, 'kreis', ['ars_length']],
    [{ month: '2024-04', ars: '0641100000000', count: 1 }, 'kreis', ['ars_length']],
    [{ month: '2024-04', ars: '17', count: 1 }, 'land', ['ars_unknown_land']],
    [{ month: '2024-04', ars: '000000000001', count: 1 }, 'gemeinde', ['ars_inconsistent']],
    [{ month: '2024-04', ars: '06 411', count: 1 }, 'kreis', ['ars_not_digits']],
    [{ month: '2024-04', ars: '065310000000', count: 1 }, 'kreis', ['ars_unknown']],
    [{ month: '2024-04', ars: '064110000000', count: 1 }, 'land', ['ars_granularity']],
    [{ month: '2024-04', ars: '060000000000', count: 1 }, 'kreis', ['ars_granularity']],
    [{ month: '2024-04', ars: '064320001001', count: 1 }, 'kreis', ['ars_granularity']],
    [{ month: '2024-04', ars: '000000000000', count: 1 }, 'land', ['ars_granularity']],
    [{ month: '2024-04', ars: '064000000000', count: 1 }, 'kreis', ['ars_granularity']],
    [{ month: '2024-04', ars: '064320001000', count: 1 }, 'gemeinde', ['ars_granularity']],
    [{ month: '2024-04', ars: 64110000000, count: 1 }, 'kreis', ['ars_not_string']],
    [{ month: '2024-04', ars: null, count: 1 }, 'kreis', ['ars_empty']],
    [{ month: '2024-04', ars: undefined, count: 1 }, 'kreis', ['ars_empty']],
    [{ month: '2024-04', ars: ['06411'], count: 1 }, 'kreis', ['ars_not_string']],
    [{ month: 202404, ars: '06411', count: 1 }, 'kreis', ['month_not_string']],
    [{ month: new Date('2024-04-01T00:00:00Z'), ars: '06411', count: 1 }, 'kreis', ['month_not_string']],
    [{ month: undefined, ars: '06411', count: 1 }, 'kreis', ['month_missing']],
    [{ month: '2024-00', ars: '06411', count: 1 }, 'kreis', ['month_invalid']],
    [{ month: '24-04', ars: '06411', count: 1 }, 'kreis', ['month_format']],
    [{ month: '2024/04', ars: '06411', count: 1 }, 'kreis', ['month_format']],
    [{ month: '1999-12', ars: '06411', count: 1 }, 'kreis', ['month_too_early']],
    [{ month: '2024-06', ars: '06411', count: 1 }, 'kreis', ['month_in_future']],
    [{ month: '2024-04', ars: '06411', count: '1,5' }, 'kreis', ['count_not_integer']],
    [{ month: '2024-04', ars: '06411', count: '1e3' }, 'kreis', ['count_not_integer']],
    [{ month: '2024-04', ars: '06411', count: '' }, 'kreis', ['count_missing']],
    [{ month: '2024-04', ars: '06411', count: null }, 'kreis', ['count_missing']],
    [{ month: '2024-04', ars: '06411', count: true }, 'kreis', ['count_not_integer']],
    [{ month: '2024-04', ars: '06411', count: 2147483648 }, 'kreis', ['count_too_large']],
  ])('%j at granularity %s fails with %j', (input, granularity, expected) => {
    expect(codes(validateCountRow(input, 1, ctx(granularity)))).toEqual(expected);
  });

  it('names the expected and the actual level on a granularity mismatch', () => {
    const result = validateCountRow({ month: '2024-04', ars: '064110000000', count: 1 }, 1, ctx('land'));
    expect('errors' in result && result.errors[0]?.message).toBe(
      'Dieser Onlinedienst liefert je Land; 064110000000 ist ein Kreis',
    );
    expect('errors' in result && result.errors[0]?.messageEn).toBe(
      'This online service reports per Land; 064110000000 is a Kreis',
    );
  });

  it('warns that numeric ARS lose the leading zero', () => {
    const result = validateCountRow({ month: '2024-04', ars: 64110000000, count: 1 }, 1, ctx('kreis'));
    expect('errors' in result && result.errors[0]).toMatchObject({
      field: 'ars',
      value: '64110000000',
      message: expect.stringContaining('führende Null') as unknown,
    });
  });

  describe('keys that stand for several levels', () => {
    it('accepts Berlin as a Kreis and as a Gemeinde without help', () => {
      for (const granularity of ['kreis', 'gemeinde'] as const) {
        expect(validateCountRow({ month: '2024-04', ars: '11', count: 1 }, 1, ctx(granularity))).toEqual({
          row: { month: '2024-04', ars: '110000000000', count: 1 },
        });
      }
    });

    it('refuses a Kreis key for a Gemeinde service unless the register confirms a kreisfreie Stadt', () => {
      const input = { month: '2024-04', ars: '064110000000', count: 1 };
      expect(codes(validateCountRow(input, 1, ctx('gemeinde')))).toEqual(['ars_granularity']);

      const kreisfreieStaedte = new Set(['064110000000']);
      const withRegister = ctx('gemeinde', {
        regionExistsAt: (ars, g) => g === 'gemeinde' && kreisfreieStaedte.has(ars),
      });
      expect(validateCountRow(input, 1, withRegister)).toEqual({ row: { ...input } });
      expect(
        codes(validateCountRow({ month: '2024-04', ars: '064320000000', count: 1 }, 1, withRegister)),
      ).toEqual(['ars_granularity']);
    });

    it('does not let the register widen a key to a coarser level', () => {
      const lenient = ctx('land', { regionExistsAt: () => true });
      expect(
        codes(validateCountRow({ month: '2024-04', ars: '064110000000', count: 1 }, 1, lenient)),
      ).toEqual(['ars_granularity']);
    });
  });
});
