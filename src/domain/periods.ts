import { monthRange } from './months.js';

/**
 * Quarters and years of a monthly series, for the open-data API (and any other caller that sums
 * months): a quarter or year is complete only when every one of its months has data; otherwise it is
 * marked, e.g. "Q4/2026, 2 von 3 Monaten".
 */
export const PERIOD_KINDS = ['month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** '2026-11' -> '2026-Q4'. */
export function quarterOf(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
}

/** '2026-11' -> '2026'. */
export function yearOf(month: string): string {
  return month.slice(0, 4);
}

/** The key of the month's period: '2026-11', '2026-Q4' or '2026'. */
export function periodKeyOf(month: string, kind: PeriodKind): string {
  return kind === 'month' ? month : kind === 'quarter' ? quarterOf(month) : yearOf(month);
}

/** Months a period of this kind has: 1, 3 or 12. */
export function monthsPerPeriod(kind: PeriodKind): number {
  return kind === 'month' ? 1 : kind === 'quarter' ? 3 : 12;
}

/** German label: '11/2026', 'Q4/2026', '2026'. */
export function periodLabelDe(key: string): string {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(key);
  if (quarter) return `Q${quarter[2]}/${quarter[1]}`;
  const month = /^(\d{4})-(\d{2})$/.exec(key);
  if (month) return `${month[2]}/${month[1]}`;
  return key;
}

/** The keys of every period touching from..to (months 'YYYY-MM', both included), oldest first. */
export function periodKeysBetween(from: string, to: string, kind: PeriodKind): string[] {
  const keys: string[] = [];
  for (const month of monthRange(from, to)) {
    const key = periodKeyOf(month, kind);
    if (keys[keys.length - 1] !== key) keys.push(key);
  }
  return keys;
}

export interface MonthValue {
  month: string;
  total: number;
}

export interface PeriodBucket {
  period: string;
  /** Sum of the months with data; null when none of its months has data (a gap, not a 0). */
  total: number | null;
  /** Months of the period with data. */
  months: number;
  /** Months the period has (1, 3 or 12). */
  monthsInPeriod: number;
  /** Every month of the period has data. */
  complete: boolean;
}

/**
 * Sums monthly values into the periods of from..to, one bucket per period in order, also for periods
 * without any data. Months outside from..to are ignored, so a quarter cut by the range counts only
 * its months inside and is incomplete.
 */
export function bucketMonths(
  values: readonly MonthValue[],
  kind: PeriodKind,
  range: { from: string; to: string },
): PeriodBucket[] {
  const size = monthsPerPeriod(kind);
  const buckets = new Map<string, PeriodBucket>(
    periodKeysBetween(range.from, range.to, kind).map((period) => [
      period,
      { period, total: null, months: 0, monthsInPeriod: size, complete: false },
    ]),
  );
  const seen = new Set<string>();
  for (const { month, total } of values) {
    if (month < range.from || month > range.to) continue;
    const bucket = buckets.get(periodKeyOf(month, kind))!;
    bucket.total = (bucket.total ?? 0) + total;
    // The same month twice (two regions summed by the caller) is still one month with data.
    if (!seen.has(month)) {
      seen.add(month);
      bucket.months += 1;
    }
  }
  for (const bucket of buckets.values()) bucket.complete = bucket.months === size;
  return [...buckets.values()];
}
