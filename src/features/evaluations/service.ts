import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import {
  assessCompleteness,
  DEFAULT_GRACE_DAYS,
  dueMonth,
  type CompletenessSummary,
  type ServiceCompleteness,
} from '../../domain/completeness.js';
import {
  addMonths,
  currentMonth,
  lastClosedMonth,
  latestTwelveMonths,
  monthRange,
} from '../../domain/months.js';
import {
  getServiceMasterData,
  listServiceKreisTotals,
  listServiceLandTotals,
  listServiceMonthTotals,
  type KreisTotal,
  type LandTotal,
  type ServiceMasterData,
} from './queries.js';
import {
  countCompleteness,
  listCompletenessPage,
  type CompletenessFilter,
  type CompletenessListed,
} from './completeness-queries.js';
import { priorityGroup, PRIORITY_GROUPS, type PriorityGroup } from '../../domain/vocabulary.js';
import { mustHideUnpublished, type Viewers } from '../../db/published.js';

/** One month of the time series; total null = no delivery (a gap), 0 = a delivered zero. */
export interface SeriesPoint {
  month: string;
  total: number | null;
  /** The month of `now`, still running. */
  running: boolean;
}

export interface YearOnYear {
  month: string;
  previousMonth: string;
  total: number | null;
  previousTotal: number | null;
  /** Relative change in percent; null when either month is missing or the previous one is 0. */
  changePercent: number | null;
}

/** Master data with the figures of its delivered months. */
export interface ServiceSummary extends ServiceMasterData {
  firstMonth: string | null;
  lastMonth: string | null;
  monthsDelivered: number;
  total: number;
}

export interface ServicePageData {
  service: ServiceSummary;
  series: SeriesPoint[];
  gaps: string[];
  /** As on the completeness page, with the default grace days. */
  overdue: Pick<ServiceCompleteness, 'overdue' | 'overdueSince'>;
  yearOnYear: YearOnYear;
  lands: LandTotal[];
  /** Per Kreis, only for services reporting per Kreis or Gemeinde; null for the others. */
  kreise: KreisTotal[] | null;
  landPeriod: { from: string; to: string };
  /** True when the period is the default (latest twelve closed months), not one chosen on the page. */
  defaultPeriod: boolean;
}

/**
 * Everything the service page shows. The series runs from the first delivered month to the last
 * closed month of `now` (or the current month, when that was delivered already).
 */
export async function loadServicePage(
  db: Kysely<Database>,
  serviceId: number,
  now: Date,
  period?: { from: string; to: string },
): Promise<ServicePageData | null> {
  const master = await getServiceMasterData(db, serviceId);
  if (!master) return null;
  // The delivered months give the series and the summary figures alike: one read of the roll-up.
  const totals = await listServiceMonthTotals(db, serviceId);
  const service: ServiceSummary = {
    ...master,
    firstMonth: totals[0]?.month ?? null,
    lastMonth: totals.at(-1)?.month ?? null,
    monthsDelivered: totals.length,
    total: totals.reduce((sum, t) => sum + t.total, 0),
  };
  const closed = lastClosedMonth(now);
  const current = currentMonth(now);
  const byMonth = new Map(totals.map((t) => [t.month, t.total]));
  const lastDelivered = service.lastMonth;
  const end = lastDelivered && lastDelivered > closed ? lastDelivered : closed;
  const series: SeriesPoint[] = service.firstMonth
    ? monthRange(service.firstMonth, end).map((month) => ({
        month,
        total: byMonth.get(month) ?? null,
        running: month === current,
      }))
    : [];
  const gaps = series.filter((p) => p.total === null && !p.running).map((p) => p.month);
  const { overdue, overdueSince } = assessCompleteness(
    totals.map((t) => t.month),
    now,
  );

  const previousMonth = addMonths(closed, -12);
  const total = byMonth.get(closed) ?? null;
  const previousTotal = byMonth.get(previousMonth) ?? null;
  const changePercent =
    total !== null && previousTotal !== null && previousTotal > 0
      ? ((total - previousTotal) / previousTotal) * 100
      : null;

  // The period of the regional figures: the latest twelve closed months unless one is chosen.
  const landPeriod = period ?? latestTwelveMonths(now);
  const lands = await listServiceLandTotals(db, serviceId, landPeriod.from, landPeriod.to);
  const kreise =
    master.granularity === 'kreis' || master.granularity === 'gemeinde'
      ? await listServiceKreisTotals(db, serviceId, landPeriod.from, landPeriod.to)
      : null;
  return {
    service,
    series,
    gaps,
    overdue: { overdue, overdueSince },
    yearOnYear: { month: closed, previousMonth, total, previousTotal, changePercent },
    lands,
    kreise,
    landPeriod,
    defaultPeriod: period === undefined,
  };
}

export interface ServiceCompletenessRow extends ServiceCompleteness {
  id: number;
  name: string;
  group: PriorityGroup;
}

export interface CompletenessReport {
  lastClosedMonth: string;
  /** The latest month whose deadline has passed: missing it makes a service overdue. */
  dueMonth: string;
  graceDays: number;
  summary: CompletenessSummary;
  groups: { key: PriorityGroup; label: string; summary: CompletenessSummary }[];
  /** The first overdue services by name; summary.overdue says how many there are. */
  overdue: ServiceCompletenessRow[];
  /** The table: one page of the services the filter selects, by name. */
  filter: CompletenessFilter;
  page: number;
  pageCount: number;
  /** How many services the filter selects. */
  listed: number;
  services: ServiceCompletenessRow[];
}

export const COMPLETENESS_PAGE_SIZE = 50;
export const OVERDUE_PREVIEW = 20;

const EMPTY_SUMMARY: CompletenessSummary = { connected: 0, monthly: 0, gapFree: 0, overdue: 0 };

/**
 * Completeness as of `now` (pass `new Date()` in routes, a fixed date in tests): the figures counted
 * in the database over all services, and the listed services judged by assessCompleteness from their
 * delivered months, which also names their gaps.
 */
export async function loadCompletenessReport(
  db: Kysely<Database>,
  now: Date,
  options: { graceDays?: number; filter?: CompletenessFilter; page?: number; viewers?: Viewers } = {},
): Promise<CompletenessReport> {
  const graceDays = options.graceDays ?? DEFAULT_GRACE_DAYS;
  const filter = options.filter ?? 'alle';
  const asOf = { now, graceDays };
  const hide = await mustHideUnpublished(db, options.viewers ?? 'all');
  const counted = await countCompleteness(db, asOf, hide);
  const groups = PRIORITY_GROUPS.map((g) => ({ ...g, summary: counted.get(g.key) ?? EMPTY_SUMMARY }));
  const summary = groups.reduce<CompletenessSummary>(
    (sum, g) => ({
      connected: sum.connected + g.summary.connected,
      monthly: sum.monthly + g.summary.monthly,
      gapFree: sum.gapFree + g.summary.gapFree,
      overdue: sum.overdue + g.summary.overdue,
    }),
    EMPTY_SUMMARY,
  );
  const listed = {
    alle: summary.connected,
    ueberfaellig: summary.overdue,
    luecken: summary.monthly - summary.gapFree,
    lueckenlos: summary.gapFree,
  }[filter];
  const pageCount = Math.max(1, Math.ceil(listed / COMPLETENESS_PAGE_SIZE));
  const page = Math.min(Math.max(1, options.page ?? 1), pageCount);
  const judge = (s: CompletenessListed): ServiceCompletenessRow => ({
    id: s.id,
    name: s.name,
    group: priorityGroup(s),
    ...assessCompleteness(s.months, now, { graceDays }),
  });
  const [services, overdue] = await Promise.all([
    listed > 0
      ? listCompletenessPage(
          db,
          asOf,
          filter,
          {
            limit: COMPLETENESS_PAGE_SIZE,
            offset: (page - 1) * COMPLETENESS_PAGE_SIZE,
          },
          hide,
        )
      : Promise.resolve([]),
    summary.overdue > 0
      ? listCompletenessPage(db, asOf, 'ueberfaellig', { limit: OVERDUE_PREVIEW, offset: 0 }, hide)
      : Promise.resolve([]),
  ]);
  return {
    lastClosedMonth: lastClosedMonth(now),
    dueMonth: dueMonth(now, graceDays),
    graceDays,
    summary,
    groups,
    overdue: overdue.map(judge),
    filter,
    page,
    pageCount,
    listed,
    services: services.map(judge),
  };
}
