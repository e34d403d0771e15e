/**
 * Months are 'YYYY-MM' strings: they sort and compare correctly as text, serialise unchanged to
 * JSON, CSV and URLs, and carry no time zone. "Now" is read in UTC so that every server agrees.
 */
import { err, ok, type Result } from './result.js';
import { shown } from './shown.js';

export const MIN_MONTH = '2000-01';

const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

const MONTH_NAMES_DE = [
  'Januar',
  'Februar',
  'März',
  'April',
  'Mai',
  'Juni',
  'Juli',
  'August',
  'September',
  'Oktober',
  'November',
  'Dezember',
];

export function parseMonth(input: string, now: Date = new Date()): Result<string> {
  const value = input.trim();
  if (value === '') {
    return err(
      'month_missing',
      'Monat fehlt: bitte im Format JJJJ-MM angeben, z. B. 2024-04.',
      'Month is missing: give it as YYYY-MM, e.g. 2024-04.',
    );
  }
  const match = MONTH_PATTERN.exec(value);
  if (!match) {
    // Strict on purpose: "04/2024", "2024-4" or "24-04" are guesses away from a wrong month.
    return err(
      'month_format',
      `Monat muss im Format JJJJ-MM angegeben werden (z. B. 2024-04), erhalten: "${shown(value)}"`,
      `Month must be given as YYYY-MM (e.g. 2024-04), got: "${shown(value)}"`,
    );
  }
  const month = Number(match[2]);
  if (month < 1 || month > 12) {
    return err(
      'month_invalid',
      `Monat "${value}" gibt es nicht: die Monatszahl muss 01 bis 12 sein.`,
      `Month "${value}" does not exist: the month number must be 01 to 12.`,
    );
  }
  if (value < MIN_MONTH) {
    return err(
      'month_too_early',
      `Monat ${value} liegt vor ${MIN_MONTH}; so frühe Zahlen nimmt die ZSK nicht an.`,
      `Month ${value} is before ${MIN_MONTH}; the ZSK does not accept counts that early.`,
    );
  }
  const current = currentMonth(now);
  if (value > current) {
    return err(
      'month_in_future',
      `Monat ${value} liegt in der Zukunft; spätester möglicher Monat ist ${current}.`,
      `Month ${value} is in the future; the latest possible month is ${current}.`,
    );
  }
  return ok(value);
}

/** Month arithmetic goes through indexes; a malformed month here is a programming error. */
export function monthIndex(m: string): number {
  const match = MONTH_PATTERN.exec(m);
  const month = Number(match?.[2]);
  if (!match || month < 1 || month > 12) throw new RangeError(`Expected a month as YYYY-MM, got "${m}"`);
  return Number(match[1]) * 12 + month - 1;
}

export function monthFromIndex(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 10_000 * 12)
    throw new RangeError(`Month index out of range: ${i}`);
  const year = Math.floor(i / 12);
  const month = (i % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function monthToDate(m: string): string {
  monthIndex(m);
  return `${m}-01`;
}

/**
 * Strings are read as the calendar date they spell, ignoring any time or offset. Date objects are
 * read in UTC: note that node-postgres turns DATE columns into local midnight, which in Germany is
 * the previous day in UTC, so read such columns as text.
 */
export function dateToMonth(d: string | Date): string {
  if (d instanceof Date) {
    if (Number.isNaN(d.getTime())) throw new RangeError('Invalid Date');
    return monthFromIndex(d.getUTCFullYear() * 12 + d.getUTCMonth());
  }
  const match = /^(\d{4}-\d{2})(?:-\d{2}(?:[T ].*)?)?$/.exec(d.trim());
  if (!match?.[1]) throw new RangeError(`Expected a date as YYYY-MM-DD, got "${d}"`);
  monthIndex(match[1]);
  return match[1];
}

export function addMonths(m: string, n: number): string {
  return monthFromIndex(monthIndex(m) + n);
}

/** Inclusive of both ends; empty when `from` is after `to`. */
export function monthRange(from: string, to: string): string[] {
  const start = monthIndex(from);
  const end = monthIndex(to);
  const months: string[] = [];
  for (let i = start; i <= end; i++) months.push(monthFromIndex(i));
  return months;
}

/** Signed distance: '2024-01' to '2024-03' is 2, the other way round -2. */
export function monthsBetween(from: string, to: string): number {
  return monthIndex(to) - monthIndex(from);
}

export function currentMonth(now: Date = new Date()): string {
  return dateToMonth(now);
}

/** The latest month that is over and can therefore be complete. */
export function lastClosedMonth(now: Date = new Date()): string {
  return addMonths(currentMonth(now), -1);
}

/**
 * The latest twelve closed months: the period the start page, the explorer and a service's regional
 * figures open with, and the one the roll-ups keep an index for (src/db/rollups/recent-window.ts).
 */
export function latestTwelveMonths(now: Date = new Date()): { from: string; to: string } {
  const to = lastClosedMonth(now);
  return { from: addMonths(to, -11), to };
}

export function formatMonthDe(m: string): string {
  const i = monthIndex(m);
  return `${MONTH_NAMES_DE[i % 12]} ${Math.floor(i / 12)}`;
}

export function formatMonthShortDe(m: string): string {
  monthIndex(m);
  return `${m.slice(5, 7)}/${m.slice(0, 4)}`;
}

/** A period of months 'YYYY-MM', both ends included; null = open end. */
export interface OpenPeriod {
  from: string | null;
  to: string | null;
}

export interface YearSplit {
  /** The whole calendar years inside the period (null = open end); null if there are none. */
  years: { from: number | null; to: number | null } | null;
  /** The months outside those years: at most one run before and one after them. */
  months: OpenPeriod[];
}

/**
 * Splits a period into whole calendar years and the months left at either end, so that sums over it
 * can read yearly summaries for the years: 2024-03 to 2026-12 is March to December 2024 plus the
 * years 2025 and 2026. A period within one year, or across a turn of the year without a whole year,
 * is months only.
 */
export function splitByYears(period: OpenPeriod): YearSplit {
  const year = (m: string) => Number(m.slice(0, 4));
  const month = (m: string) => Number(m.slice(5, 7));
  const firstYear = period.from === null ? null : year(period.from) + (month(period.from) === 1 ? 0 : 1);
  const lastYear = period.to === null ? null : year(period.to) - (month(period.to) === 12 ? 0 : 1);
  if (firstYear !== null && lastYear !== null && firstYear > lastYear)
    return { years: null, months: [period] };
  const months: OpenPeriod[] = [];
  if (period.from !== null && month(period.from) !== 1)
    months.push({ from: period.from, to: `${year(period.from)}-12` });
  if (period.to !== null && month(period.to) !== 12)
    months.push({ from: `${year(period.to)}-01`, to: period.to });
  return { years: { from: firstYear, to: lastYear }, months };
}

/**
 * The period widened to whole years where it reaches past the delivered data: an end at or after the
 * last month with data becomes the end of that month's year, a start at or before the first such month
 * the start of its year. The sums are the same (there are no counts beyond), and the period then
 * consists of whole years more often: the current year up to today reads as the calendar year.
 */
export function widenToData(period: OpenPeriod, data: { first: string; last: string } | null): OpenPeriod {
  if (data === null) return period;
  return {
    from: period.from !== null && period.from <= data.first ? `${data.first.slice(0, 4)}-01` : period.from,
    to: period.to !== null && period.to >= data.last ? `${data.last.slice(0, 4)}-12` : period.to,
  };
}
