import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import { dueMonth, type CompletenessSummary } from '../../domain/completeness.js';
import { lastClosedMonth } from '../../domain/months.js';
import type { PriorityGroup, ServiceType } from '../../domain/vocabulary.js';

/**
 * Completeness over all services in the database: the overview figures from rollup_completeness
 * (services counted per group and facts, migration 0011), and one page of services from
 * rollup_service; never a list of every service.
 * The rules are those of assessCompleteness (src/domain/completeness.ts, docs/completeness.md),
 * written as SQL; test/features/evaluations/completeness-sql.test.ts checks that both agree on
 * generated month patterns.
 */

export interface CompletenessAsOf {
  now: Date;
  graceDays: number;
}

/** Which services a page of the completeness table lists (query parameter `zeigen`). */
export const COMPLETENESS_FILTERS = [
  { key: 'alle', label: 'alle' },
  { key: 'ueberfaellig', label: 'überfällige' },
  { key: 'luecken', label: 'mit Lücken' },
  { key: 'lueckenlos', label: 'lückenlose' },
] as const;

export type CompletenessFilter = (typeof COMPLETENESS_FILTERS)[number]['key'];

/** The facts of a service's delivered months that completeness depends on (rollup_completeness). */
interface Facts {
  first: RawBuilder<unknown>;
  last: RawBuilder<unknown>;
  contiguous: RawBuilder<unknown>;
  beforeLast: RawBuilder<unknown>;
  twoBeforeLast: RawBuilder<unknown>;
}

/**
 * Whether `month` is delivered, for a month at most two before the running one. Exact whenever no
 * month after the running one is stored, which validation guarantees (month_in_future): the last
 * month is then at most two after `month`, and the month is there if it is the last, or the months
 * have no gaps (and `month` is not before the first; callers check that), or it is the month before
 * the last (before_last) or two before it (two_before_last) and that one is there.
 */
function delivered(f: Facts, month: RawBuilder<unknown>) {
  return sql`(${f.last} = ${month} OR (${f.last} > ${month} AND (${f.contiguous}
    OR (${f.last} = (${month} + interval '1 month')::date AND ${f.beforeLast})
    OR (${f.last} = (${month} + interval '2 months')::date AND ${f.twoBeforeLast}))))`;
}

/**
 * The rules of assessCompleteness over the facts, as of the last closed month L and the due month
 * (L after the grace days, else the month before L):
 * - monthly: any delivery;
 * - gap-free: the first month is after L (nothing expected yet), or no gaps between first and last
 *   month and the last is L or later;
 * - overdue: no delivery at all, or the due month expected (first ≤ due month) and missing.
 */
function rules(f: Facts, asOf: CompletenessAsOf) {
  const closed = sql`${`${lastClosedMonth(asOf.now)}-01`}::date`;
  const due = sql`${`${dueMonth(asOf.now, asOf.graceDays)}-01`}::date`;
  return {
    monthly: sql`(${f.first} IS NOT NULL)`,
    gapFree: sql`coalesce(${f.first} > ${closed} OR (${f.contiguous} AND ${f.last} >= ${closed}), false)`,
    overdue: sql`(${f.first} IS NULL OR (${f.first} <= ${due} AND NOT coalesce(${delivered(f, due)}, false)))`,
  };
}

/**
 * The four figures per priority group, from rollup_completeness; groups without services are missing.
 * `hideUnpublished` subtracts the unpublished services (few, judged one by one from rollup_service),
 * so the public figures leave them out without a second roll-up.
 */
export async function countCompleteness(
  db: Kysely<Database>,
  asOf: CompletenessAsOf,
  hideUnpublished = false,
): Promise<Map<PriorityGroup, CompletenessSummary>> {
  const r = rules(
    {
      first: sql.ref('c.first_month'),
      last: sql.ref('c.last_month'),
      contiguous: sql.ref('c.contiguous'),
      beforeLast: sql.ref('c.before_last'),
      twoBeforeLast: sql.ref('c.two_before_last'),
    },
    asOf,
  );
  const rows = await sql<CompletenessSummary & { grp: PriorityGroup }>`
    SELECT c.grp, sum(c.services)::int AS connected,
           coalesce(sum(c.services) FILTER (WHERE ${r.monthly}), 0)::int AS monthly,
           coalesce(sum(c.services) FILTER (WHERE ${r.gapFree}), 0)::int AS "gapFree",
           coalesce(sum(c.services) FILTER (WHERE ${r.overdue}), 0)::int AS overdue
    FROM rollup_completeness c
    GROUP BY c.grp`.execute(db);
  const counted = new Map(rows.rows.map(({ grp, ...summary }) => [grp, summary]));
  if (!hideUnpublished) return counted;
  const u = serviceRules(asOf);
  const hidden = await sql<CompletenessSummary & { grp: PriorityGroup }>`
    SELECT priority_group(s.is_focus, s.service_type) AS grp, count(*)::int AS connected,
           count(*) FILTER (WHERE ${u.monthly})::int AS monthly,
           count(*) FILTER (WHERE ${u.gapFree})::int AS "gapFree",
           count(*) FILTER (WHERE ${u.overdue})::int AS overdue
    FROM online_services s LEFT JOIN rollup_service r ON r.service_id = s.id
    WHERE NOT s.published
    GROUP BY 1`.execute(db);
  for (const { grp, ...minus } of hidden.rows) {
    const before = counted.get(grp);
    if (!before) continue;
    const after = {
      connected: before.connected - minus.connected,
      monthly: before.monthly - minus.monthly,
      gapFree: before.gapFree - minus.gapFree,
      overdue: before.overdue - minus.overdue,
    };
    if (after.connected > 0) counted.set(grp, after);
    else counted.delete(grp);
  }
  return counted;
}

/** Per service: the same rules over its rollup_service row (r, joined to online_services s). */
function serviceRules(asOf: CompletenessAsOf) {
  return rules(
    {
      first: sql.ref('r.first_month'),
      last: sql.ref('r.last_month'),
      contiguous: sql.ref('r.gap_free'),
      beforeLast: sql.ref('r.before_last'),
      twoBeforeLast: sql.ref('r.two_before_last'),
    },
    asOf,
  );
}

function filterSql(filter: CompletenessFilter, asOf: CompletenessAsOf): RawBuilder<unknown> {
  const r = serviceRules(asOf);
  return {
    alle: sql`true`,
    ueberfaellig: r.overdue,
    luecken: sql`${r.monthly} AND NOT ${r.gapFree}`,
    lueckenlos: r.gapFree,
  }[filter];
}

export interface CompletenessListed {
  id: number;
  name: string;
  serviceType: ServiceType;
  isFocus: boolean;
  /** Delivered months 'YYYY-MM', oldest first. */
  months: string[];
}

/** One page of services of the filter, by name, with their delivered months. */
export async function listCompletenessPage(
  db: Kysely<Database>,
  asOf: CompletenessAsOf,
  filter: CompletenessFilter,
  page: { limit: number; offset: number },
  hideUnpublished = false,
): Promise<CompletenessListed[]> {
  const rows = await sql<Omit<CompletenessListed, 'months'> & { months: string | null }>`
    WITH listed AS (
      SELECT s.id, s.sort_name FROM online_services s LEFT JOIN rollup_service r ON r.service_id = s.id
      WHERE ${filterSql(filter, asOf)} ${hideUnpublished ? sql`AND s.published` : sql``}
      ORDER BY s.sort_name, s.id
      LIMIT ${page.limit} OFFSET ${page.offset}
    )
    SELECT s.id, s.name, s.service_type AS "serviceType", s.is_focus AS "isFocus",
           (SELECT string_agg(to_char(m.month, 'YYYY-MM'), ',' ORDER BY m.month)
              FROM rollup_service_month m WHERE m.service_id = s.id) AS months
    FROM listed l JOIN online_services s ON s.id = l.id
    ORDER BY l.sort_name, l.id`.execute(db);
  return rows.rows.map((r) => ({ ...r, months: r.months ? r.months.split(',') : [] }));
}
