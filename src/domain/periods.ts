/**
 * Month, quarter and year: the three resolutions in which the ZSK shows a series or a period (the real
 * ZSK offers "Monat, Quartal, Jahr"). Counts are kept per month only; quarters and years are sums of
 * their months, made here, so a quarter can never disagree with its months. A quarter or year that the
 * data or the calendar do not cover fully is marked, e.g. "Q4/2026, 2 von 3 Monaten".
 */
import { err, ok, type Result } from './result.js';
import { addMonths, formatMonthShortDe, monthIndex, monthRange } from './months.js';

export const RESOLUTIONS = [
  { key: 'monat', label: 'Monat' },
  { key: 'quartal', label: 'Quartal' },
  { key: 'jahr', label: 'Jahr' },
] as const;

export type Resolution = (typeof RESOLUTIONS)[number]['key'];

export const DEFAULT_RESOLUTION: Resolution = 'monat';

/** Months in one period of the resolution. */
export const MONTHS_PER_PERIOD: Record<Resolution, number> = { monat: 1, quartal: 3, jahr: 12 };

/**
 * Reads the query parameter `aufloesung`: absent or empty is the month; anything else unknown is an
 * error naming the parameter (a silent fallback would show months under a link that promised years).
 */
export function parseResolution(raw: unknown): Result<Resolution> {
  const value: unknown = (Array.isArray(raw) ? (raw[0] as unknown) : raw) ?? '';
  const text = typeof value === 'string' ? value.trim() : String(value);
  if (text === '') return ok(DEFAULT_RESOLUTION);
  const found = RESOLUTIONS.find((r) => r.key === text);
  if (found) return ok(found.key);
  const shownText = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return err(
    'resolution_unknown',
    `Auflösung (Parameter aufloesung): „${shownText}“ gibt es nicht; möglich sind monat, quartal, jahr.`,
    `Resolution (parameter aufloesung): "${shownText}" is unknown; possible: monat, quartal, jahr.`,
  );
}

/** '2026-11' → '2026-Q4' */
export function quarterOf(month: string): string {
  const i = monthIndex(month);
  return `${month.slice(0, 4)}-Q${Math.floor((i % 12) / 3) + 1}`;
}

/** '2026-11' → '2026' */
export function yearOf(month: string): string {
  monthIndex(month);
  return month.slice(0, 4);
}

/** The key of the period a month falls in: the month itself, 'YYYY-Qn' or 'YYYY'. */
export function periodKeyOf(month: string, resolution: Resolution): string {
  if (resolution === 'quartal') return quarterOf(month);
  if (resolution === 'jahr') return yearOf(month);
  monthIndex(month);
  return month;
}

/** First and last month of the period a month falls in. */
export function periodBoundsOf(month: string, resolution: Resolution): { from: string; to: string } {
  const i = monthIndex(month);
  const size = MONTHS_PER_PERIOD[resolution];
  const start = addMonths(month, -((i % 12) % size));
  return { from: start, to: addMonths(start, size - 1) };
}

/** '2026-04' → '04/2026', '2026-Q4' → 'Q4/2026', '2026' → '2026' */
export function periodKeyLabel(key: string, resolution: Resolution): string {
  if (resolution === 'quartal') return `${key.slice(5)}/${key.slice(0, 4)}`;
  if (resolution === 'jahr') return key;
  return formatMonthShortDe(key);
}

/** One month, quarter or year of a series, summed from its months. */
export interface PeriodBucket {
  key: string;
  resolution: Resolution;
  /** First and last month of the whole period (also when the series covers only part of it). */
  from: string;
  to: string;
  /** 1, 3 or 12. */
  monthsExpected: number;
  /** Months of the period that the series covers and that are over (not running). */
  monthsPresent: number;
  /** Months with a delivery (a delivered 0 counts). */
  monthsDelivered: number;
  /** Sum of the delivered months; null when no month of the period was delivered. */
  total: number | null;
  /** The period contains the running month. */
  running: boolean;
  /** Every month of the period is covered and over. */
  complete: boolean;
}

export interface MonthPoint {
  month: string;
  /** null = no delivery (a gap), 0 = a delivered zero. */
  total: number | null;
  /** The month of `now`, still running. */
  running?: boolean;
}

/**
 * Sums a monthly series (oldest first, one point per month) into months, quarters or years. A period
 * is incomplete when the series does not cover all its months (it starts or ends inside it) or one of
 * them is still running.
 */
export function bucketMonths(points: readonly MonthPoint[], resolution: Resolution): PeriodBucket[] {
  const buckets: PeriodBucket[] = [];
  const byKey = new Map<string, PeriodBucket>();
  for (const p of points) {
    const key = periodKeyOf(p.month, resolution);
    let b = byKey.get(key);
    if (!b) {
      const bounds = periodBoundsOf(p.month, resolution);
      b = {
        key,
        resolution,
        ...bounds,
        monthsExpected: MONTHS_PER_PERIOD[resolution],
        monthsPresent: 0,
        monthsDelivered: 0,
        total: null,
        running: false,
        complete: false,
      };
      byKey.set(key, b);
      buckets.push(b);
    }
    if (p.running) b.running = true;
    else b.monthsPresent += 1;
    if (p.total !== null) {
      b.monthsDelivered += 1;
      b.total = (b.total ?? 0) + p.total;
    }
  }
  for (const b of buckets) b.complete = b.monthsPresent === b.monthsExpected;
  return buckets;
}

/**
 * The label of a period in tables and charts: 'Q4/2026', and when incomplete 'Q4/2026, 2 von 3
 * Monaten'. A single month needs no count: a running one is marked where it is shown.
 */
export function bucketLabel(
  b: Pick<PeriodBucket, 'key' | 'resolution' | 'complete' | 'monthsPresent' | 'monthsExpected'>,
): string {
  const label = periodKeyLabel(b.key, b.resolution);
  if (b.resolution === 'monat' || b.complete) return label;
  return `${label}, ${b.monthsPresent} von ${b.monthsExpected} ${b.monthsPresent === 1 && b.monthsExpected === 1 ? 'Monat' : 'Monaten'}`;
}

/** A shorter label for the axis of a chart, where room is scarce: 'Q4/2026 (2/3)'. */
export function bucketAxisLabel(
  b: Pick<PeriodBucket, 'key' | 'resolution' | 'complete' | 'monthsPresent' | 'monthsExpected'>,
): string {
  const label = periodKeyLabel(b.key, b.resolution);
  if (b.resolution === 'monat' || b.complete) return label;
  return `${label} (${b.monthsPresent}/${b.monthsExpected})`;
}

/**
 * Widens a period to whole quarters or years: `from` to the start of its period, `to` to the end of
 * its period but not beyond `latest` (the latest month that can be asked for). Open ends stay open.
 */
export function alignPeriod<P extends { from: string | null; to: string | null }>(
  period: P,
  resolution: Resolution,
  latest: string,
): P {
  const from = period.from ? periodBoundsOf(period.from, resolution).from : null;
  let to = period.to ? periodBoundsOf(period.to, resolution).to : null;
  if (to && to > latest) to = latest;
  return { ...period, from, to };
}

/**
 * The periods a closed period of months spans, each with how many of its months lie inside it and
 * are over (up to `lastClosed`): the marking of a report or explorer period such as 'Q2/2026, 2 von 3
 * Monaten'.
 */
export function periodsOfRange(
  from: string,
  to: string,
  resolution: Resolution,
  lastClosed: string,
): PeriodBucket[] {
  return bucketMonths(
    monthRange(from, to).map((month) => ({ month, total: null, running: month > lastClosed })),
    resolution,
  );
}

/** 'Q1/2026 bis Q2/2026 (Q2/2026: 2 von 3 Monaten)': a period in the words of its resolution. */
export function rangeLabel(from: string, to: string, resolution: Resolution, lastClosed: string): string {
  const periods = periodsOfRange(from, to, resolution, lastClosed);
  const first = periods[0];
  const last = periods.at(-1);
  if (!first || !last) return '';
  const name = (b: PeriodBucket) => periodKeyLabel(b.key, b.resolution);
  const span = first === last ? name(first) : `${name(first)} bis ${name(last)}`;
  if (resolution === 'monat') return span;
  const partial = periods
    .filter((b) => !b.complete)
    .map((b) => `${name(b)}: ${b.monthsPresent} von ${b.monthsExpected} Monaten`);
  return partial.length > 0 ? `${span} (unvollständig: ${partial.join('; ')})` : span;
}

/** The most recent quarters up to `latest`, newest first, as periods of months. */
export function recentQuarters(latest: string, count: number): { label: string; from: string; to: string }[] {
  const out: { label: string; from: string; to: string }[] = [];
  let { from, to } = periodBoundsOf(latest, 'quartal');
  for (let n = 0; n < count; n++) {
    out.push({ label: periodKeyLabel(quarterOf(from), 'quartal'), from, to: to > latest ? latest : to });
    to = addMonths(from, -1);
    from = addMonths(from, -3);
  }
  return out;
}

/*
 * The open-data API names the resolutions in English (period=month|quarter|year) and answers a bucket
 * for every period of the asked range, also one without data. The sums are bucketMonths' own, so an
 * API quarter and a page quarter cannot differ; only "complete" means more there: every month of the
 * period has data (a machine reader cannot see gaps otherwise).
 */
export const PERIOD_KINDS = ['month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export const RESOLUTION_OF_KIND: Record<PeriodKind, Resolution> = {
  month: 'monat',
  quarter: 'quartal',
  year: 'jahr',
};

export interface MonthValue {
  month: string;
  total: number;
}

export interface RangeBucket {
  period: string;
  /** Sum of the months with data; null when none of its months has data (a gap, not a 0). */
  total: number | null;
  /** Months of the period with data (inside the range). */
  months: number;
  /** Months the period has (1, 3 or 12). */
  monthsInPeriod: number;
  /** Every month of the period has data. */
  complete: boolean;
}

/**
 * Sums monthly values (several per month allowed, e.g. regions) into the periods of from..to, in order.
 * Months outside the range are ignored, so a quarter cut by the range is incomplete.
 */
export function bucketRange(
  values: readonly MonthValue[],
  kind: PeriodKind,
  range: { from: string; to: string },
): RangeBucket[] {
  const sums = new Map<string, number>();
  for (const { month, total } of values) {
    if (month >= range.from && month <= range.to) sums.set(month, (sums.get(month) ?? 0) + total);
  }
  const points = monthRange(range.from, range.to).map((month) => ({ month, total: sums.get(month) ?? null }));
  return bucketMonths(points, RESOLUTION_OF_KIND[kind]).map((b) => ({
    period: b.key,
    total: b.total,
    months: b.monthsDelivered,
    monthsInPeriod: b.monthsExpected,
    complete: b.monthsDelivered === b.monthsExpected,
  }));
}

/** German label of a period key of any resolution: '11/2026', 'Q4/2026', '2026'. */
export function periodLabelDe(key: string): string {
  if (/^\d{4}-Q[1-4]$/.test(key)) return periodKeyLabel(key, 'quartal');
  if (/^\d{4}-\d{2}$/.test(key)) return periodKeyLabel(key, 'monat');
  return key;
}
