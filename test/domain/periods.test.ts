import { describe, expect, it } from 'vitest';
import {
  alignPeriod,
  bucketAxisLabel,
  bucketLabel,
  bucketMonths,
  parseResolution,
  periodBoundsOf,
  periodKeyLabel,
  periodKeyOf,
  quarterOf,
  rangeLabel,
  recentQuarters,
  yearOf,
  type Resolution,
} from '../../src/domain/periods.js';

describe('parseResolution', () => {
  it.each([
    [undefined, 'monat'],
    ['', 'monat'],
    ['  ', 'monat'],
    ['monat', 'monat'],
    ['quartal', 'quartal'],
    [' jahr ', 'jahr'],
    [['jahr', 'monat'], 'jahr'],
  ])('reads %j as %s', (raw, expected) => {
    expect(parseResolution(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([['woche'], ['Quartal'], ['1'], ['x'.repeat(500)]])('refuses %j naming the parameter', (raw) => {
    const r = parseResolution(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('resolution_unknown');
    expect(r.error.message).toContain('aufloesung');
    expect(r.error.message.length).toBeLessThan(200);
  });
});

describe('quarterOf, yearOf, periodKeyOf, periodBoundsOf', () => {
  it.each([
    ['2026-01', '2026-Q1', '2026', { from: '2026-01', to: '2026-03' }, { from: '2026-01', to: '2026-12' }],
    ['2026-03', '2026-Q1', '2026', { from: '2026-01', to: '2026-03' }, { from: '2026-01', to: '2026-12' }],
    ['2026-04', '2026-Q2', '2026', { from: '2026-04', to: '2026-06' }, { from: '2026-01', to: '2026-12' }],
    ['2026-09', '2026-Q3', '2026', { from: '2026-07', to: '2026-09' }, { from: '2026-01', to: '2026-12' }],
    ['2026-10', '2026-Q4', '2026', { from: '2026-10', to: '2026-12' }, { from: '2026-01', to: '2026-12' }],
    ['2025-12', '2025-Q4', '2025', { from: '2025-10', to: '2025-12' }, { from: '2025-01', to: '2025-12' }],
  ])('%s', (month, quarter, year, quarterBounds, yearBounds) => {
    expect(quarterOf(month)).toBe(quarter);
    expect(yearOf(month)).toBe(year);
    expect(periodKeyOf(month, 'monat')).toBe(month);
    expect(periodKeyOf(month, 'quartal')).toBe(quarter);
    expect(periodKeyOf(month, 'jahr')).toBe(year);
    expect(periodBoundsOf(month, 'monat')).toEqual({ from: month, to: month });
    expect(periodBoundsOf(month, 'quartal')).toEqual(quarterBounds);
    expect(periodBoundsOf(month, 'jahr')).toEqual(yearBounds);
  });

  it('throws on a malformed month (a programming error)', () => {
    expect(() => quarterOf('2026-13')).toThrow(RangeError);
    expect(() => yearOf('26-01')).toThrow(RangeError);
  });

  it.each([
    ['2026-04', 'monat', '04/2026'],
    ['2026-Q4', 'quartal', 'Q4/2026'],
    ['2025', 'jahr', '2025'],
  ] as const)('labels %s (%s) as %s', (key, resolution, label) => {
    expect(periodKeyLabel(key, resolution)).toBe(label);
  });
});

describe('bucketMonths', () => {
  // Aug 2026 to Dec 2026, December running; September a gap, October a delivered zero.
  const series = [
    { month: '2026-08', total: 10 },
    { month: '2026-09', total: null },
    { month: '2026-10', total: 0 },
    { month: '2026-11', total: 5 },
    { month: '2026-12', total: 7, running: true },
  ];

  it('months stay months', () => {
    const b = bucketMonths(series, 'monat');
    expect(b.map((x) => [x.key, x.total, x.complete, bucketLabel(x)])).toEqual([
      ['2026-08', 10, true, '08/2026'],
      ['2026-09', null, true, '09/2026'],
      ['2026-10', 0, true, '10/2026'],
      ['2026-11', 5, true, '11/2026'],
      ['2026-12', 7, false, '12/2026'],
    ]);
  });

  it.each<[Resolution, [string, number | null, number, number, number, boolean, string, string][]]>([
    [
      'quartal',
      [
        ['2026-Q3', 10, 2, 1, 3, false, 'Q3/2026, 2 von 3 Monaten', 'Q3/2026 (2/3)'],
        ['2026-Q4', 12, 2, 3, 3, false, 'Q4/2026, 2 von 3 Monaten', 'Q4/2026 (2/3)'],
      ],
    ],
    ['jahr', [['2026', 22, 4, 4, 12, false, '2026, 4 von 12 Monaten', '2026 (4/12)']]],
  ])('%s: sums of the months, incomplete periods marked', (resolution, expected) => {
    const b = bucketMonths(series, resolution);
    expect(
      b.map((x) => [
        x.key,
        x.total,
        x.monthsPresent,
        x.monthsDelivered,
        x.monthsExpected,
        x.complete,
        bucketLabel(x),
        bucketAxisLabel(x),
      ]),
    ).toEqual(expected);
    const sum = (xs: { total: number | null }[]) => xs.reduce((s, x) => s + (x.total ?? 0), 0);
    expect(sum(b)).toBe(sum(series));
  });

  it('a complete quarter and year carry no count; a period without any delivery sums to null', () => {
    const year = Array.from({ length: 12 }, (_, i) => ({
      month: `2025-${String(i + 1).padStart(2, '0')}`,
      total: i < 3 ? null : i,
    }));
    const q = bucketMonths(year, 'quartal');
    expect(q.map((x) => [bucketLabel(x), x.total])).toEqual([
      ['Q1/2025', null],
      ['Q2/2025', 3 + 4 + 5],
      ['Q3/2025', 6 + 7 + 8],
      ['Q4/2025', 9 + 10 + 11],
    ]);
    const y = bucketMonths(year, 'jahr');
    expect(y.map((x) => [bucketLabel(x), x.total, x.monthsDelivered])).toEqual([['2025', 63, 9]]);
  });

  it('an empty series gives no periods', () => {
    expect(bucketMonths([], 'jahr')).toEqual([]);
  });
});

describe('alignPeriod', () => {
  it.each<[Resolution, string | null, string | null, string | null, string | null]>([
    ['monat', '2026-02', '2026-05', '2026-02', '2026-05'],
    ['quartal', '2026-02', '2026-05', '2026-01', '2026-06'],
    ['jahr', '2024-02', '2025-05', '2024-01', '2025-12'],
    ['quartal', null, '2026-05', null, '2026-06'],
    ['jahr', '2025-07', null, '2025-01', null],
    // Never beyond the latest month that can be asked for.
    ['quartal', '2026-10', '2026-11', '2026-10', '2026-11'],
    ['jahr', '2026-03', '2026-11', '2026-01', '2026-11'],
  ])('%s %s..%s → %s..%s', (resolution, from, to, alignedFrom, alignedTo) => {
    expect(alignPeriod({ from, to }, resolution, '2026-11')).toEqual({ from: alignedFrom, to: alignedTo });
  });
});

describe('rangeLabel and recentQuarters', () => {
  it.each<[string, string, Resolution, string]>([
    ['2026-01', '2026-06', 'monat', '01/2026 bis 06/2026'],
    ['2026-01', '2026-06', 'quartal', 'Q1/2026 bis Q2/2026'],
    ['2026-10', '2026-12', 'quartal', 'Q4/2026 (unvollständig: Q4/2026: 2 von 3 Monaten)'],
    ['2025-01', '2026-12', 'jahr', '2025 bis 2026 (unvollständig: 2026: 11 von 12 Monaten)'],
    ['2025-01', '2025-12', 'jahr', '2025'],
  ])('%s..%s %s → %s', (from, to, resolution, label) => {
    expect(rangeLabel(from, to, resolution, '2026-11')).toBe(label);
  });

  it('lists the latest quarters, the running one first and cut at the latest month', () => {
    expect(recentQuarters('2026-11', 3)).toEqual([
      { label: 'Q4/2026', from: '2026-10', to: '2026-11' },
      { label: 'Q3/2026', from: '2026-07', to: '2026-09' },
      { label: 'Q2/2026', from: '2026-04', to: '2026-06' },
    ]);
  });
});
