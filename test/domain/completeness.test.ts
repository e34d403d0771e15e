import { describe, expect, it } from 'vitest';
import {
  assessCompleteness,
  dueMonth,
  summarise,
  type ServiceCompleteness,
} from '../../src/domain/completeness.js';
import { monthRange } from '../../src/domain/months.js';

// Current month 2024-05, last closed month 2024-04, the default grace period of 15 days is over.
const NOW = new Date('2024-05-20T12:00:00Z');

describe('assessCompleteness', () => {
  it.each<[string, string[], Partial<ServiceCompleteness>]>([
    [
      'gap-free up to the last closed month',
      ['2024-01', '2024-02', '2024-03', '2024-04'],
      {
        firstMonth: '2024-01',
        lastMonth: '2024-04',
        deliveredMonths: 4,
        expectedMonths: 4,
        gaps: [],
        monthly: true,
        gapFree: true,
        overdue: false,
      },
    ],
    [
      'gap-free with the running month already delivered',
      ['2024-03', '2024-04', '2024-05'],
      {
        lastMonth: '2024-05',
        deliveredMonths: 3,
        expectedMonths: 2,
        gaps: [],
        gapFree: true,
        overdue: false,
      },
    ],
    [
      'one gap',
      ['2024-01', '2024-03', '2024-04'],
      { expectedMonths: 4, gaps: ['2024-02'], monthly: true, gapFree: false, overdue: false },
    ],
    [
      'last closed month missing after the grace period',
      ['2024-01', '2024-02', '2024-03'],
      { lastMonth: '2024-03', gaps: ['2024-04'], gapFree: false, overdue: true },
    ],
    [
      'only the running month',
      ['2024-05'],
      {
        firstMonth: '2024-05',
        lastMonth: '2024-05',
        deliveredMonths: 1,
        expectedMonths: 0,
        gaps: [],
        monthly: true,
        gapFree: true,
        overdue: false,
      },
    ],
    [
      'only the last closed month',
      ['2024-04'],
      { expectedMonths: 1, gaps: [], gapFree: true, overdue: false },
    ],
    [
      'long gap across a year',
      ['2023-01', '2024-04'],
      {
        expectedMonths: 16,
        gaps: [
          '2023-02',
          '2023-03',
          '2023-04',
          '2023-05',
          '2023-06',
          '2023-07',
          '2023-08',
          '2023-09',
          '2023-10',
          '2023-11',
          '2023-12',
          '2024-01',
          '2024-02',
          '2024-03',
        ],
        gapFree: false,
        overdue: false,
      },
    ],
    [
      'unsorted input with repetitions',
      ['2024-03', '2024-01', '2024-03', '2024-04', '2024-02', '2024-01'],
      { firstMonth: '2024-01', lastMonth: '2024-04', deliveredMonths: 4, gapFree: true },
    ],
    [
      'nothing delivered',
      [],
      {
        firstMonth: null,
        lastMonth: null,
        deliveredMonths: 0,
        expectedMonths: 0,
        gaps: [],
        monthly: false,
        gapFree: false,
        overdue: true,
        overdueSince: null,
      },
    ],
  ])('%s', (_name, months, expected) => {
    expect(assessCompleteness(months, NOW)).toMatchObject(expected);
  });

  describe('grace period for the last closed month', () => {
    const months = ['2024-02', '2024-03'];

    it.each([
      ['2024-05-01T00:00:00Z', false],
      ['2024-05-15T23:59:59Z', false],
      ['2024-05-16T00:00:00Z', true],
      ['2024-05-31T23:59:59Z', true],
    ])('at %s overdue is %s', (now, overdue) => {
      const result = assessCompleteness(months, new Date(now));
      expect(result.overdue).toBe(overdue);
      // The missing month is a gap either way; the grace period only delays the reminder.
      expect(result.gaps).toEqual(['2024-04']);
    });

    it('takes graceDays from the options', () => {
      expect(assessCompleteness(months, new Date('2024-05-06T00:00:00Z'), { graceDays: 5 }).overdue).toBe(
        true,
      );
      expect(assessCompleteness(months, new Date('2024-05-05T00:00:00Z'), { graceDays: 5 }).overdue).toBe(
        false,
      );
      expect(assessCompleteness(months, new Date('2024-05-01T00:00:00Z'), { graceDays: 0 }).overdue).toBe(
        true,
      );
    });

    it('is not overdue once the last closed month is in, whatever the day', () => {
      expect(assessCompleteness([...months, '2024-04'], new Date('2024-05-31T00:00:00Z')).overdue).toBe(
        false,
      );
    });

    it('counts a service without any delivery as overdue even within the grace period', () => {
      expect(assessCompleteness([], new Date('2024-05-01T00:00:00Z')).overdue).toBe(true);
    });
  });

  describe('overdue for the latest month whose deadline has passed (issue 13)', () => {
    // On 5 December L = 11/2026 is still in its grace days, so the due month is 10/2026; on
    // 16 December it is 11/2026. Expected: the month the service is overdue since, or null.
    const WITHIN = new Date('2026-12-05T10:00:00Z');
    const AFTER = new Date('2026-12-16T10:00:00Z');
    const upTo = (from: string, to: string) => monthRange(from, to);

    it.each<[string, string[], string | null, string | null]>([
      [
        'stopped after 08/2026 (Gewerbeanmeldung in the demo)',
        upTo('2025-01', '2026-08'),
        '2026-09',
        '2026-09',
      ],
      [
        'stopped after 07/2026 (Kinderzuschlag in the demo)',
        upTo('2025-01', '2026-07'),
        '2026-08',
        '2026-08',
      ],
      ['stopped after 12/2022', upTo('2021-01', '2022-12'), '2023-01', '2023-01'],
      ['delivered up to the due month within the grace days', upTo('2026-01', '2026-10'), null, '2026-11'],
      ['delivered up to L', upTo('2026-01', '2026-11'), null, null],
      ['delivered up to the running month', upTo('2026-01', '2026-12'), null, null],
      ['the due month missing, L delivered', ['2026-08', '2026-09', '2026-11'], '2026-10', null],
      [
        'two months missing, the running month delivered',
        ['2026-08', '2026-09', '2026-12'],
        '2026-10',
        '2026-10',
      ],
      [
        'an older gap, delivered since',
        ['2026-01', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'],
        null,
        '2026-11',
      ],
      ['started with L', ['2026-11'], null, null],
      ['started with the running month', ['2026-12'], null, null],
      ['only the due month of the grace days', ['2026-10'], null, '2026-11'],
    ])('%s', (_name, months, sinceWithin, sinceAfter) => {
      for (const [now, since] of [
        [WITHIN, sinceWithin],
        [AFTER, sinceAfter],
      ] as const) {
        const { overdue, overdueSince } = assessCompleteness(months, now);
        expect({ now, overdue, overdueSince }).toEqual({ now, overdue: since !== null, overdueSince: since });
      }
    });

    it('names the due month, across the turn of the year', () => {
      expect(dueMonth(new Date('2027-01-15T23:59:59Z'))).toBe('2026-11');
      expect(dueMonth(new Date('2027-01-16T00:00:00Z'))).toBe('2026-12');
      expect(dueMonth(new Date('2027-02-05T00:00:00Z'))).toBe('2026-12');
      expect(dueMonth(new Date('2027-01-06T00:00:00Z'), 5)).toBe('2026-12');
    });

    it('judges the due month across the turn of the year', () => {
      const now = new Date('2027-01-05T00:00:00Z');
      expect(assessCompleteness(upTo('2026-06', '2026-11'), now).overdue).toBe(false);
      expect(assessCompleteness(upTo('2026-06', '2026-10'), now)).toMatchObject({
        overdue: true,
        overdueSince: '2026-11',
      });
    });
  });

  it('handles the turn of the year', () => {
    const result = assessCompleteness(['2023-11', '2023-12'], new Date('2024-01-20T00:00:00Z'));
    expect(result).toMatchObject({ expectedMonths: 2, gaps: [], gapFree: true, overdue: false });
  });

  it('accepts any iterable', () => {
    function* months(): Generator<string> {
      yield '2024-03';
      yield '2024-04';
    }
    expect(assessCompleteness(months(), NOW).gapFree).toBe(true);
    expect(assessCompleteness(new Set(['2024-04']), NOW).gapFree).toBe(true);
  });

  it('throws on a malformed month instead of counting a gap', () => {
    expect(() => assessCompleteness(['2024-4'], NOW)).toThrow(RangeError);
  });
});

describe('summarise', () => {
  it('counts connected, monthly, gap-free and overdue services', () => {
    const items = [
      assessCompleteness(['2024-01', '2024-02', '2024-03', '2024-04'], NOW), // monthly, gap-free
      assessCompleteness(['2024-01', '2024-03', '2024-04'], NOW), // monthly, one gap
      assessCompleteness(['2024-01', '2024-02', '2024-03'], NOW), // monthly, overdue
      assessCompleteness(['2024-05'], NOW), // just started: monthly and gap-free
      assessCompleteness([], NOW), // connected, nothing delivered
    ];
    expect(summarise(items)).toEqual({ connected: 5, monthly: 4, gapFree: 2, overdue: 2 });
  });

  it('is all zero for no services', () => {
    expect(summarise([])).toEqual({ connected: 0, monthly: 0, gapFree: 0, overdue: 0 });
  });
});
