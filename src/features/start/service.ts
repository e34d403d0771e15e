import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { mustHideUnpublished, type Viewers } from '../../db/published.js';
import {
  addMonths,
  lastClosedMonth,
  latestTwelveMonths,
  monthIndex,
  monthRange,
} from '../../domain/months.js';
import { DEFAULT_GRACE_DAYS, type CompletenessSummary } from '../../domain/completeness.js';
import { countCompleteness } from '../evaluations/completeness-queries.js';
import {
  listLandTotals,
  listMonthTotals,
  listTopServices,
  type LandTotal,
  type TopService,
} from './queries.js';

/** How many months the chart and its table show, ending with the last closed month. */
export const SERIES_MONTHS = 24;
export const TOP_SERVICES = 10;

export interface StartPageData {
  lastClosedMonth: string;
  /** The latest twelve closed months. */
  twelveMonths: { from: string; to: string };
  /** January of the last closed month's year up to that month. */
  yearToDate: { from: string; to: string };
  services: Pick<CompletenessSummary, 'connected' | 'monthly' | 'gapFree'>;
  transactions: { lastMonth: number | null; twelveMonths: number; yearToDate: number };
  /** Closed months only; total null = no transactions reported for any service. */
  series: { month: string; total: number | null }[];
  lands: LandTotal[];
  top: TopService[];
}

/** Everything the start page shows, as of `now`, for everyone or for the public (published only). */
export async function loadStartPage(
  db: Kysely<Database>,
  now: Date,
  viewers: Viewers,
): Promise<StartPageData> {
  const hide = await mustHideUnpublished(db, viewers);
  const closed = lastClosedMonth(now);
  const twelveMonths = latestTwelveMonths(now);
  const yearToDate = { from: `${closed.slice(0, 4)}-01`, to: closed };
  const [groups, months, lands, top] = await Promise.all([
    countCompleteness(db, { now, graceDays: DEFAULT_GRACE_DAYS }, hide),
    listMonthTotals(db, hide),
    listLandTotals(db, twelveMonths, hide),
    listTopServices(db, twelveMonths, TOP_SERVICES, hide),
  ]);
  const services = [...groups.values()].reduce(
    (sum, g) => ({
      connected: sum.connected + g.connected,
      monthly: sum.monthly + g.monthly,
      gapFree: sum.gapFree + g.gapFree,
    }),
    { connected: 0, monthly: 0, gapFree: 0 },
  );
  const byMonth = new Map(months.map((m) => [m.month, m.total]));
  const sumOver = (p: { from: string; to: string }) =>
    monthRange(p.from, p.to).reduce((sum, m) => sum + (byMonth.get(m) ?? 0), 0);
  const firstData = months[0]?.month;
  const seriesStart = addMonths(closed, -(SERIES_MONTHS - 1));
  const start = firstData && monthIndex(firstData) > monthIndex(seriesStart) ? firstData : seriesStart;
  const series =
    firstData && monthIndex(firstData) <= monthIndex(closed)
      ? monthRange(start, closed).map((month) => ({ month, total: byMonth.get(month) ?? null }))
      : [];
  return {
    lastClosedMonth: closed,
    twelveMonths,
    yearToDate,
    services,
    transactions: {
      lastMonth: byMonth.get(closed) ?? null,
      twelveMonths: sumOver(twelveMonths),
      yearToDate: sumOver(yearToDate),
    },
    series,
    lands: lands.filter((l) => l.total > 0),
    top,
  };
}
