import { describe, expect, it } from 'vitest';
import {
  MIN_MONTH,
  splitByYears,
  latestTwelveMonths,
  widenToData,
  addMonths,
  currentMonth,
  dateToMonth,
  formatMonthDe,
  formatMonthShortDe,
  lastClosedMonth,
  monthFromIndex,
  monthIndex,
  monthRange,
  monthToDate,
  monthsBetween,
  parseMonth,
} from '../../src/domain/months.js';

const NOW = new Date('2024-05-20T12:00:00Z');

describe('parseMonth', () => {
  it.each([
    ['2024-04', '2024-04'],
    ['2024-05', '2024-05'],
    ['2000-01', '2000-01'],
    ['2023-12', '2023-12'],
    [' 2024-01 ', '2024-01'],
  ])('accepts %j', (input, expected) => {
    expect(parseMonth(input, NOW)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'month_missing'],
    ['  ', 'month_missing'],
    ['2024-13', 'month_invalid'],
    ['2024-00', 'month_invalid'],
    ['24-04', 'month_format'],
    ['2024/04', 'month_format'],
    ['04/2024', 'month_format'],
    ['2024-4', 'month_format'],
    ['2024-04-01', 'month_format'],
    ['202404', 'month_format'],
    ['April 2024', 'month_format'],
    ['2024-O4', 'month_format'],
    ['1999-12', 'month_too_early'],
    ['0000-01', 'month_too_early'],
    ['2024-06', 'month_in_future'],
    ['2025-01', 'month_in_future'],
    ['9999-12', 'month_in_future'],
  ])('rejects %j with %s', (input, code) => {
    const result = parseMonth(input, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('names the expected format and the value received', () => {
    const result = parseMonth('2024/04', NOW);
    expect(!result.ok && result.error.message).toBe(
      'Monat muss im Format JJJJ-MM angegeben werden (z. B. 2024-04), erhalten: "2024/04"',
    );
  });

  it('names the latest possible month for a future month', () => {
    const result = parseMonth('2024-06', NOW);
    expect(!result.ok && result.error.message).toContain('2024-05');
  });

  it('reads "now" in UTC', () => {
    // 23:30 UTC on 31 May is already June in Germany, but not for the ZSK.
    expect(parseMonth('2024-06', new Date('2024-05-31T23:30:00Z')).ok).toBe(false);
    expect(parseMonth('2024-06', new Date('2024-06-01T00:00:00Z')).ok).toBe(true);
  });

  it('defaults "now" to the real clock', () => {
    expect(parseMonth('2000-01').ok).toBe(true);
    expect(parseMonth('9999-12').ok).toBe(false);
  });

  it('has 2000-01 as the earliest month', () => {
    expect(MIN_MONTH).toBe('2000-01');
  });
});

describe('month arithmetic', () => {
  it.each([
    ['2024-01', 2024 * 12],
    ['2024-12', 2024 * 12 + 11],
    ['2000-01', 24000],
  ])('monthIndex(%s) = %i and back', (month, index) => {
    expect(monthIndex(month)).toBe(index);
    expect(monthFromIndex(index)).toBe(month);
  });

  it.each(['2024-13', '2024-00', '2024-4', 'x', ''])('monthIndex throws on %j', (m) => {
    expect(() => monthIndex(m)).toThrow(RangeError);
  });

  it.each([-1, 1.5, Number.NaN, 120_000])('monthFromIndex throws on %d', (i) => {
    expect(() => monthFromIndex(i)).toThrow(RangeError);
  });

  it.each([
    ['2024-01', 1, '2024-02'],
    ['2024-12', 1, '2025-01'],
    ['2024-01', -1, '2023-12'],
    ['2024-03', -15, '2022-12'],
    ['2024-03', 0, '2024-03'],
    ['2023-11', 26, '2026-01'],
  ])('addMonths(%s, %i) = %s', (m, n, expected) => {
    expect(addMonths(m, n)).toBe(expected);
  });

  it('monthRange is inclusive and crosses years', () => {
    expect(monthRange('2023-11', '2024-02')).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    expect(monthRange('2024-04', '2024-04')).toEqual(['2024-04']);
    expect(monthRange('2024-05', '2024-04')).toEqual([]);
  });

  it('monthsBetween is the signed distance', () => {
    expect(monthsBetween('2024-01', '2024-03')).toBe(2);
    expect(monthsBetween('2024-03', '2024-01')).toBe(-2);
    expect(monthsBetween('2023-12', '2024-01')).toBe(1);
    expect(monthsBetween('2024-01', '2024-01')).toBe(0);
  });
});

describe('conversions', () => {
  it('monthToDate gives the first day', () => {
    expect(monthToDate('2024-04')).toBe('2024-04-01');
    expect(() => monthToDate('2024-4')).toThrow(RangeError);
  });

  it.each<[string | Date, string]>([
    ['2024-04-01', '2024-04'],
    ['2024-04-30', '2024-04'],
    ['2024-04', '2024-04'],
    ['2024-04-30T23:30:00+02:00', '2024-04'],
    ['2024-04-30 23:30:00', '2024-04'],
    [new Date('2024-04-30T23:59:59Z'), '2024-04'],
    [new Date('2024-05-01T00:00:00Z'), '2024-05'],
  ])('dateToMonth(%j) = %s', (d, expected) => {
    expect(dateToMonth(d)).toBe(expected);
  });

  it.each<string | Date>(['30.04.2024', '2024-13-01', 'x', new Date('invalid')])(
    'dateToMonth throws on %j',
    (d) => {
      expect(() => dateToMonth(d)).toThrow(RangeError);
    },
  );

  it('currentMonth and lastClosedMonth follow "now" in UTC', () => {
    expect(currentMonth(NOW)).toBe('2024-05');
    expect(lastClosedMonth(NOW)).toBe('2024-04');
    expect(lastClosedMonth(new Date('2024-01-01T00:00:00Z'))).toBe('2023-12');
    expect(currentMonth()).toMatch(/^\d{4}-\d{2}$/);
    expect(lastClosedMonth()).toBe(addMonths(currentMonth(), -1));
  });
});

describe('German formatting', () => {
  it.each([
    ['2024-04', 'April 2024', '04/2024'],
    ['2024-03', 'März 2024', '03/2024'],
    ['2023-12', 'Dezember 2023', '12/2023'],
    ['2000-01', 'Januar 2000', '01/2000'],
  ])('%s', (m, long, short) => {
    expect(formatMonthDe(m)).toBe(long);
    expect(formatMonthShortDe(m)).toBe(short);
  });
});

describe('splitByYears', () => {
  it('reads whole years as years and the months at either end as months', () => {
    expect(splitByYears({ from: '2024-03', to: '2026-12' })).toEqual({
      years: { from: 2025, to: 2026 },
      months: [{ from: '2024-03', to: '2024-12' }],
    });
    expect(splitByYears({ from: '2025-01', to: '2025-12' })).toEqual({
      years: { from: 2025, to: 2025 },
      months: [],
    });
    expect(splitByYears({ from: '2023-11', to: '2026-10' })).toEqual({
      years: { from: 2024, to: 2025 },
      months: [
        { from: '2023-11', to: '2023-12' },
        { from: '2026-01', to: '2026-10' },
      ],
    });
  });

  it('keeps a period without a whole year as months', () => {
    expect(splitByYears({ from: '2024-03', to: '2024-11' })).toEqual({
      years: null,
      months: [{ from: '2024-03', to: '2024-11' }],
    });
    expect(splitByYears({ from: '2024-02', to: '2025-11' })).toEqual({
      years: null,
      months: [{ from: '2024-02', to: '2025-11' }],
    });
  });

  it('treats an open end as every year on that side', () => {
    expect(splitByYears({ from: null, to: '2025-06' })).toEqual({
      years: { from: null, to: 2024 },
      months: [{ from: '2025-01', to: '2025-06' }],
    });
    expect(splitByYears({ from: '2025-06', to: null })).toEqual({
      years: { from: 2026, to: null },
      months: [{ from: '2025-06', to: '2025-12' }],
    });
    expect(splitByYears({ from: null, to: null })).toEqual({ years: { from: null, to: null }, months: [] });
  });
});

describe('latestTwelveMonths', () => {
  it.each([
    ['early in a month', '2026-12-05T21:00:00Z', { from: '2025-12', to: '2026-11' }],
    ['in January', '2027-01-01T00:00:00Z', { from: '2026-01', to: '2026-12' }],
    [
      'the last second of a month (months are read in UTC)',
      '2026-11-30T23:59:59Z',
      { from: '2025-11', to: '2026-10' },
    ],
  ])('%s', (_, at, expected) => {
    expect(latestTwelveMonths(new Date(at))).toEqual(expected);
  });
});

describe('widenToData', () => {
  const data = { first: '2023-11', last: '2026-10' };
  it('widens ends beyond the data to whole years and keeps ends within it', () => {
    expect(widenToData({ from: '2026-01', to: '2026-10' }, data)).toEqual({ from: '2026-01', to: '2026-12' });
    expect(widenToData({ from: '2023-11', to: '2026-11' }, data)).toEqual({ from: '2023-01', to: '2026-12' });
    expect(widenToData({ from: '2024-02', to: '2026-09' }, data)).toEqual({ from: '2024-02', to: '2026-09' });
    expect(widenToData({ from: null, to: null }, data)).toEqual({ from: null, to: null });
    expect(widenToData({ from: '2020-01', to: '2020-05' }, null)).toEqual({ from: '2020-01', to: '2020-05' });
  });
});
