/**
 * How completely a service delivers, in the terms of the ZSK reports ("168 services connected, 147
 * deliver monthly, 100 without gaps").
 *
 * Definitions, with L = the last closed month (the month before the current month of `now`, UTC):
 * - monthly: at least one month was delivered. ZSK counts are always per month, so any delivery
 *   shows that the service delivers monthly data.
 * - deliveredMonths: distinct months delivered, the current month included, so it can exceed
 *   expectedMonths by one.
 * - expectedMonths: the number of months from the first delivered month to L, both included
 *   (0 when the first delivery is for the current month).
 * - gaps: the months in that span without any delivery. A delivered 0 is a delivery, not a gap; the
 *   caller passes every month that has at least one row. The current month never counts, as it is
 *   still running.
 * - gapFree: monthly and no gaps.
 * - due month: the latest month whose delivery deadline has passed: L once the grace period is over
 *   (the UTC day of the month of `now` is after `graceDays`, default 15), before that the month
 *   before L, whose deadline passed a month ago. Judging only L during the grace days would let a
 *   service that stopped long ago look fine on the 1st to the 15th of every month.
 * - overdue: nothing was ever delivered; or the due month was expected (the first delivery is not
 *   after it) and is missing. A service that started after the due month is not overdue.
 * - overdueSince: the first month of the run of missing months that ends with the due month, i.e.
 *   the month after the last delivery up to the due month; null when not overdue or never delivered.
 */
import { addMonths, lastClosedMonth, monthIndex, monthRange } from './months.js';

export interface ServiceCompleteness {
  firstMonth: string | null;
  lastMonth: string | null;
  deliveredMonths: number;
  expectedMonths: number;
  gaps: string[];
  monthly: boolean;
  gapFree: boolean;
  overdue: boolean;
  overdueSince: string | null;
}

export interface CompletenessSummary {
  connected: number;
  monthly: number;
  gapFree: number;
  overdue: number;
}

export const DEFAULT_GRACE_DAYS = 15;

/** The latest month whose delivery deadline has passed as of `now` (see the definitions above). */
export function dueMonth(now: Date, graceDays: number = DEFAULT_GRACE_DAYS): string {
  const closed = lastClosedMonth(now);
  return now.getUTCDate() > graceDays ? closed : addMonths(closed, -1);
}

export function assessCompleteness(
  deliveredMonths: Iterable<string>,
  now: Date,
  options: { graceDays?: number } = {},
): ServiceCompleteness {
  const graceDays = options.graceDays ?? DEFAULT_GRACE_DAYS;
  const delivered = new Set<string>();
  for (const month of deliveredMonths) {
    monthIndex(month); // throws on malformed input rather than silently counting it as a gap
    delivered.add(month);
  }
  const sorted = [...delivered].sort();
  const firstMonth = sorted[0] ?? null;
  const lastMonth = sorted.at(-1) ?? null;
  const closed = lastClosedMonth(now);
  const due = dueMonth(now, graceDays);

  if (firstMonth === null) {
    return {
      firstMonth,
      lastMonth,
      deliveredMonths: 0,
      expectedMonths: 0,
      gaps: [],
      monthly: false,
      gapFree: false,
      overdue: true,
      overdueSince: null,
    };
  }

  const expected = monthRange(firstMonth, closed);
  const gaps = expected.filter((m) => !delivered.has(m));
  const overdue = firstMonth <= due && !delivered.has(due);
  // The first month is not after the due month here, so some delivery precedes the missing run.
  const lastBeforeDue = overdue ? sorted.filter((m) => m < due).at(-1) : undefined;
  return {
    firstMonth,
    lastMonth,
    deliveredMonths: delivered.size,
    expectedMonths: expected.length,
    gaps,
    monthly: true,
    gapFree: gaps.length === 0,
    overdue,
    overdueSince: lastBeforeDue === undefined ? null : addMonths(lastBeforeDue, 1),
  };
}

export function summarise(items: ServiceCompleteness[]): CompletenessSummary {
  return {
    connected: items.length,
    monthly: items.filter((i) => i.monthly).length,
    gapFree: items.filter((i) => i.gapFree).length,
    overdue: items.filter((i) => i.overdue).length,
  };
}
