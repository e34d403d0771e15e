import { containsPattern } from '../../db/like.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { assessCompleteness, type ServiceCompleteness } from '../../domain/completeness.js';
import { canonicalThemenfeld } from '../../domain/catalogue.js';
import { SERVICE_TYPES, type Granularity, type ServiceType } from '../../domain/vocabulary.js';
import { renamedParam } from '../../http/renamed-params.js';

/**
 * The list of all online services: filters, name search and pages. Figures come from the roll-up
 * (rollup_service_month), never from counts; completeness per row from src/domain/completeness.ts.
 */

export const PAGE_SIZE = 50;

export interface ServiceFilter {
  q: string;
  type: ServiceType | null;
  ozg: string | null;
  themenfeld: string | null;
  land: string | null;
  authority: number | null;
  portal: number | null;
}

export const NO_FILTER: ServiceFilter = {
  q: '',
  type: null,
  ozg: null,
  themenfeld: null,
  land: null,
  authority: null,
  portal: null,
};

/** The query string of the list page, German parameter names as in the form. */
export interface ServiceListQuery {
  suche?: string;
  /** The former name of suche. */
  q?: string;
  typ?: string;
  ozg?: string;
  themenfeld?: string;
  land?: string;
  behoerde?: string;
  portal?: string;
  seite?: string;
}

const positiveInt = (v: string | undefined): number | null =>
  v !== undefined && /^[1-9][0-9]{0,8}$/.test(v) ? Number(v) : null;

/** Reads the query string; a value that cannot be meant (a typo in a bookmarked URL) is ignored. */
export function parseServiceListQuery(query: ServiceListQuery): { filter: ServiceFilter; page: number } {
  const type = SERVICE_TYPES.find((t) => t === query.typ) ?? null;
  return {
    filter: {
      q: (renamedParam(query, 'suche', 'q') ?? '').trim().replace(/\s+/g, ' ').slice(0, 100),
      type,
      ozg: query.ozg && /^[0-9A-Za-z._-]{1,40}$/.test(query.ozg) ? query.ozg : null,
      themenfeld: query.themenfeld ? canonicalThemenfeld(query.themenfeld) : null,
      land: query.land && /^(0[1-9]|1[0-6])$/.test(query.land) ? query.land : null,
      authority: positiveInt(query.behoerde),
      portal: positiveInt(query.portal),
    },
    page: positiveInt(query.seite) ?? 1,
  };
}

/** The query string for a filter and page, for links that keep the filter (pagination). */
export function serviceListHref(filter: ServiceFilter, page = 1): string {
  const params = new URLSearchParams();
  if (filter.q) params.set('suche', filter.q);
  if (filter.type) params.set('typ', filter.type);
  if (filter.ozg) params.set('ozg', filter.ozg);
  if (filter.themenfeld) params.set('themenfeld', filter.themenfeld);
  if (filter.land) params.set('land', filter.land);
  if (filter.authority) params.set('behoerde', String(filter.authority));
  if (filter.portal) params.set('portal', String(filter.portal));
  if (page > 1) params.set('seite', String(page));
  const s = params.toString();
  return s ? `/dienste?${s}` : '/dienste';
}

export const isFiltered = (f: ServiceFilter): boolean =>
  Object.entries(f).some(([k, v]) => (k === 'q' ? v !== '' : v !== null));

export interface ServiceListRow extends ServiceCompleteness {
  id: number;
  name: string;
  authority: string | null;
  serviceType: ServiceType;
  granularity: Granularity;
  isFocus: boolean;
  ozg: string | null;
  total: number;
}

export interface ServiceListPage {
  filter: ServiceFilter;
  rows: ServiceListRow[];
  page: number;
  pages: number;
  /** Over all pages of the filter. */
  figures: { services: number; delivering: number; transactions: number };
}

function filteredIds(db: Kysely<Database>, f: ServiceFilter, hideUnpublished: boolean) {
  let query = db
    .selectFrom('online_services as s')
    .leftJoin('authorities as a', 'a.id', 's.authority_id')
    .select(['s.id', 's.name']);
  if (hideUnpublished) query = query.where('s.published', '=', true);
  if (f.type) query = query.where('s.service_type', '=', f.type);
  if (f.land) query = query.where('a.land', '=', f.land);
  if (f.authority) query = query.where('s.authority_id', '=', f.authority);
  if (f.ozg) {
    const ozg = f.ozg;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('online_service_ozg as so')
          .select('so.ozg_id')
          .whereRef('so.service_id', '=', 's.id')
          .where('so.ozg_id', '=', ozg),
      ),
    );
  }
  if (f.themenfeld) {
    const themenfeld = f.themenfeld;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('online_service_ozg as so')
          .innerJoin('ozg_services as o', 'o.id', 'so.ozg_id')
          .select('so.ozg_id')
          .whereRef('so.service_id', '=', 's.id')
          .where('o.themenfeld', '=', themenfeld),
      ),
    );
  }
  if (f.portal) {
    const portal = f.portal;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('portal_services as ps')
          .select('ps.portal_id')
          .whereRef('ps.service_id', '=', 's.id')
          .where('ps.portal_id', '=', portal),
      ),
    );
  }
  if (f.q) {
    // Typo-tolerant (trigram word similarity, GIN index on the name) and plain substring alike.
    const contains = containsPattern(f.q);
    query = query.where(sql<boolean>`(${f.q}::text <% s.name OR s.name ILIKE ${contains})`);
  }
  return query;
}

export async function loadServiceList(
  db: Kysely<Database>,
  filter: ServiceFilter,
  requestedPage: number,
  now: Date,
  pageSize = PAGE_SIZE,
  hideUnpublished = false,
): Promise<ServiceListPage> {
  const ids = filteredIds(db, filter, hideUnpublished);
  const figuresRow = await db
    .selectFrom(ids.as('f'))
    .select([
      sql<number>`count(*)::int`.as('services'),
      sql<number>`count(*) FILTER (WHERE EXISTS (SELECT 1 FROM rollup_service_month r WHERE r.service_id = f.id))::int`.as(
        'delivering',
      ),
      sql<number>`coalesce(sum((SELECT sum(r.total) FROM rollup_service_month r WHERE r.service_id = f.id)), 0)::bigint`.as(
        'transactions',
      ),
    ])
    .executeTakeFirstOrThrow();
  const pages = Math.max(1, Math.ceil(figuresRow.services / pageSize));
  const page = Math.min(Math.max(1, requestedPage), pages);

  const ordered = filter.q ? ids.orderBy(sql`word_similarity(${filter.q}::text, s.name)`, 'desc') : ids;
  const pageIds = (
    await ordered
      .orderBy(sql`lower(s.name)`)
      .orderBy('s.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute()
  ).map((r) => r.id);

  const rows: ServiceListRow[] = [];
  if (pageIds.length > 0) {
    const details = await sql<{
      id: number;
      name: string;
      authority: string | null;
      serviceType: ServiceType;
      granularity: Granularity;
      isFocus: boolean;
      ozg: string | null;
      months: string | null;
      total: number;
    }>`
      SELECT s.id, s.name, a.name AS authority, s.service_type AS "serviceType", s.granularity,
             s.is_focus AS "isFocus",
             (SELECT string_agg(o.name, ', ' ORDER BY o.name) FROM online_service_ozg so
                JOIN ozg_services o ON o.id = so.ozg_id WHERE so.service_id = s.id) AS ozg,
             (SELECT string_agg(to_char(r.month, 'YYYY-MM'), ',' ORDER BY r.month)
                FROM rollup_service_month r WHERE r.service_id = s.id) AS months,
             (SELECT coalesce(sum(r.total), 0) FROM rollup_service_month r WHERE r.service_id = s.id)::bigint AS total
      FROM online_services s
      LEFT JOIN authorities a ON a.id = s.authority_id
      WHERE s.id IN (${sql.join(pageIds)})`.execute(db);
    const byId = new Map(details.rows.map((d) => [d.id, d]));
    for (const id of pageIds) {
      const { months, ...d } = byId.get(id)!;
      rows.push({ ...d, ...assessCompleteness(months ? months.split(',') : [], now) });
    }
  }
  return { filter, rows, page, pages, figures: figuresRow };
}

export interface FilterOptions {
  ozg: { id: string; name: string }[];
  laender: { land: string; name: string }[];
  authorities: { id: number; name: string }[];
  portals: { id: number; name: string }[];
}

/**
 * Choices of the filter form: only OZG services that some online service implements; for the public
 * only those of published services, and only authorities operating one (accounts name authorities too).
 */
export async function loadFilterOptions(
  db: Kysely<Database>,
  hideUnpublished = false,
): Promise<FilterOptions> {
  const [ozg, laender, authorities, portals] = await Promise.all([
    sql<{ id: string; name: string }>`
      SELECT DISTINCT o.id, o.name FROM ozg_services o
      JOIN online_service_ozg so ON so.ozg_id = o.id
      ${hideUnpublished ? sql`JOIN online_services s ON s.id = so.service_id AND s.published` : sql``}
      ORDER BY o.name, o.id`.execute(db),
    sql<{ land: string; name: string }>`
      SELECT substr(ars, 1, 2) AS land, name FROM regions WHERE level = 'land' ORDER BY ars`.execute(db),
    db
      .selectFrom('authorities')
      .select(['id', 'name'])
      .$if(hideUnpublished, (q) =>
        q.where(sql<boolean>`EXISTS (SELECT 1 FROM online_services s
                                      WHERE s.authority_id = authorities.id AND s.published)`),
      )
      .orderBy(sql`lower(name)`)
      .execute(),
    db
      .selectFrom('portals')
      .select(['id', 'name'])
      .orderBy(sql`lower(name)`)
      .execute(),
  ]);
  return { ozg: ozg.rows, laender: laender.rows, authorities, portals };
}
