import { describe, expect, it } from 'vitest';
import {
  bucketRange,
  periodKeyOf,
  periodLabelDe,
  quarterOf,
  yearOf,
  type PeriodKind,
} from '../../src/domain/periods.js';

describe('quarterOf / yearOf / periodKeyOf', () => {
  it.each([
    ['2026-01', '2026-Q1', '2026'],
    ['2026-03', '2026-Q1', '2026'],
    ['2026-04', '2026-Q2', '2026'],
    ['2026-09', '2026-Q3', '2026'],
    ['2026-10', '2026-Q4', '2026'],
    ['2026-12', '2026-Q4', '2026'],
  ])('%s is in %s and %s', (month, quarter, year) => {
    expect(quarterOf(month)).toBe(quarter);
    expect(yearOf(month)).toBe(year);
    expect(periodKeyOf(month, 'monat')).toBe(month);
    expect(periodKeyOf(month, 'quartal')).toBe(quarter);
    expect(periodKeyOf(month, 'jahr')).toBe(year);
  });
});

describe('periodLabelDe', () => {
  it.each([
    ['2026-11', '11/2026'],
    ['2026-Q4', 'Q4/2026'],
    ['2026', '2026'],
  ])('%s reads %s', (key, label) => expect(periodLabelDe(key)).toBe(label));
});

describe('bucketRange: the periods of a range', () => {
  it.each<[string, string, PeriodKind, string[]]>([
    ['2025-11', '2026-02', 'month', ['2025-11', '2025-12', '2026-01', '2026-02']],
    ['2025-11', '2026-02', 'quarter', ['2025-Q4', '2026-Q1']],
    ['2025-03', '2025-04', 'quarter', ['2025-Q1', '2025-Q2']],
    ['2024-12', '2026-01', 'year', ['2024', '2025', '2026']],
  ])('%s to %s by %s', (from, to, kind, keys) =>
    expect(bucketRange([], kind, { from, to }).map((b) => b.period)).toEqual(keys),
  );
});

describe('bucketRange', () => {
  const values = [
    { month: '2025-01', total: 1 },
    { month: '2025-02', total: 2 },
    { month: '2025-03', total: 0 },
    { month: '2025-04', total: 4 },
    { month: '2025-05', total: 5 },
    // Two regions of one month: one month with data.
    { month: '2025-05', total: 10 },
    { month: '2026-01', total: 100 },
  ];

  it.each<[PeriodKind, { from: string; to: string }, [string, number | null, number, boolean][]]>([
    [
      'quarter',
      { from: '2025-01', to: '2025-09' },
      [
        ['2025-Q1', 3, 3, true],
        ['2025-Q2', 19, 2, false],
        ['2025-Q3', null, 0, false],
      ],
    ],
    // Cut by the range: only the months inside count, and the quarter is incomplete.
    [
      'quarter',
      { from: '2025-02', to: '2025-04' },
      [
        ['2025-Q1', 2, 2, false],
        ['2025-Q2', 4, 1, false],
      ],
    ],
    [
      'year',
      { from: '2025-01', to: '2026-12' },
      [
        ['2025', 22, 5, false],
        ['2026', 100, 1, false],
      ],
    ],
    [
      'month',
      { from: '2025-03', to: '2025-06' },
      [
        ['2025-03', 0, 1, true],
        ['2025-04', 4, 1, true],
        ['2025-05', 15, 1, true],
        ['2025-06', null, 0, false],
      ],
    ],
  ])('%s over %o', (kind, range, expected) => {
    const buckets = bucketRange(values, kind, range);
    expect(buckets.map((b) => [b.period, b.total, b.months, b.complete])).toEqual(expected);
    const inRange = values.filter((v) => v.month >= range.from && v.month <= range.to);
    expect(buckets.reduce((s, b) => s + (b.total ?? 0), 0)).toBe(inRange.reduce((s, v) => s + v.total, 0));
  });

  it('knows a complete year', () => {
    const year = Array.from({ length: 12 }, (_, i) => ({
      month: `2024-${String(i + 1).padStart(2, '0')}`,
      total: 1,
    }));
    expect(bucketRange(year, 'year', { from: '2024-01', to: '2024-12' })).toEqual([
      { period: '2024', total: 12, months: 12, monthsInPeriod: 12, complete: true },
    ]);
  });
});
