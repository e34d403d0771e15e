import { containsPattern, escapeLike } from '../../db/like.js';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';

/** One LeiKa service as offered by the search, with the OZG service it belongs to (if any). */
export interface CatalogueHit {
  leikaKey: string;
  leikaName: string;
  typisierung: string | null;
  ozgId: string | null;
  ozgName: string | null;
  themenfeld: string | null;
  lebenslage: string | null;
  score: number;
}

export const SEARCH_MIN_LENGTH = 2;
export const SEARCH_MAX_LENGTH = 100;
export const SEARCH_DEFAULT_LIMIT = 25;

/** The query as searched: trimmed, inner whitespace folded, cut to SEARCH_MAX_LENGTH. */
export function normaliseQuery(q: string | undefined): string {
  return (q ?? '').trim().replace(/\s+/g, ' ').slice(0, SEARCH_MAX_LENGTH);
}

/** Names taken per source in the first stage (at least twice the page size). */
export const SEARCH_CANDIDATES_PER_SOURCE = 50;

/**
 * Typo-tolerant search over the active catalogue: names and synonyms of LeiKa and OZG services by
 * trigram word similarity (pg_trgm), names also by substring, and LeiKa keys and OZG ids by prefix
 * when the query is a number. Ranked by the best word similarity; a key prefix ranks above any name,
 * and key hits come in key order.
 *
 * Two stages, so that the work is bounded whatever the query: (1) per source the best few dozen
 * entries in index order – `ORDER BY q <<-> name LIMIT n` walks the GiST trigram index (0014) from the
 * most similar name on and stops after n, where a filter (`q <% name`) would have to compute the
 * similarity of every name sharing trigrams with the query (thousands for "Antrag" or "Ge"); (2) the
 * precise ranking of the page over these few hundred candidates, with the conditions of the
 * single-query search this replaced (`bench/catalogue-search.ts` keeps it as the baseline). The
 * result is the same unless more than n entries of one source tie for the page's last score; a second
 * list by plain similarity keeps the closest names among such ties.
 */
export async function searchCatalogue(
  db: Kysely<Database>,
  query: string,
  limit = SEARCH_DEFAULT_LIMIT,
): Promise<CatalogueHit[]> {
  const q = normaliseQuery(query);
  if (q.length < SEARCH_MIN_LENGTH) return [];
  const digits = q.replace(/[\s.]/g, '');
  const isKey = /^[0-9]+$/.test(digits);
  const n = Math.max(SEARCH_CANDIDATES_PER_SOURCE, 2 * limit);
  const prefix = `${escapeLike(digits)}%`;
  const contains = containsPattern(q);
  // The query goes in as a parameter at every use, not as a CTE column: only a constant operand lets
  // the planner answer `<<->`, `<%` and ILIKE from the trigram index.
  const t = sql`${q}::text`;
  // Trigrams need three characters; a shorter substring would read the whole index.
  const bySubstring = !isKey && q.length >= 3;
  const k = Math.max(limit, 10);
  const leikaMatches = sql`(${t} <% l.name OR (${bySubstring} AND l.name ILIKE ${contains}))`;
  const ozgMatches = sql`(${t} <% o.name OR ${t} <% o.keywords OR (${bySubstring} AND o.name ILIKE ${contains}))`;
  // Stage 1: per source its best entries with the source's word similarity (v), the similarity of
  // the name (s, the page's second order) and whether the entry meets the conditions of a hit at all
  // (m). Each list is an index scan that stops after n (OZG: k) rows.
  const lsim = sql`similarity(${t}, l.name)`;
  const osim = sql`similarity(${t}, o.name)`;
  const leikaHits = isKey
    ? sql`
      SELECT l.key, 2::real AS v, 0::real AS s, true AS m FROM leika_services l
        WHERE l.key LIKE ${prefix} AND l.withdrawn_at IS NULL ORDER BY l.key USING ~<~ LIMIT ${n}`
    : sql`
      (SELECT l.key, 1 - (${t} <<-> l.name), ${lsim}, ${leikaMatches} FROM leika_services l
        WHERE l.withdrawn_at IS NULL ORDER BY ${t} <<-> l.name LIMIT ${n})
      UNION ALL
      (SELECT l.key, word_similarity(${t}, l.name), 1 - (${t} <-> l.name), ${leikaMatches} FROM leika_services l
        WHERE l.withdrawn_at IS NULL ORDER BY ${t} <-> l.name LIMIT ${n})
      UNION ALL
      (SELECT l.key, word_similarity(${t}, l.name), ${lsim}, true FROM leika_services l
        WHERE ${bySubstring} AND l.name ILIKE ${contains} AND l.withdrawn_at IS NULL LIMIT ${n})
      UNION ALL
      (SELECT l.key, 1 - (${t} <<-> l.keywords), ${lsim}, ${t} <% l.keywords FROM leika_services l
        WHERE l.withdrawn_at IS NULL ORDER BY ${t} <<-> l.keywords LIMIT ${n})`;
  const ozgHits = isKey
    ? sql`
      SELECT o.id, 2::real AS v, 0::real AS s, true AS m FROM ozg_services o
        WHERE o.id LIKE ${prefix} ORDER BY o.id USING ~<~ LIMIT ${k}`
    : sql`
      (SELECT o.id, 1 - (${t} <<-> o.name), ${osim}, ${ozgMatches} FROM ozg_services o
        ORDER BY ${t} <<-> o.name LIMIT ${k})
      UNION ALL
      (SELECT o.id, 1 - (${t} <<-> o.keywords), ${osim}, ${ozgMatches} FROM ozg_services o
        ORDER BY ${t} <<-> o.keywords LIMIT ${k})
      UNION ALL
      (SELECT o.id, word_similarity(${t}, o.name), ${osim}, true FROM ozg_services o
        WHERE ${bySubstring} AND o.name ILIKE ${contains} LIMIT ${k})`;
  // The joins below read a few hundred rows by key. As plain joins the planner, not knowing how few
  // rows the lists hold, hashes the whole tables (~20 ms on PGlite); OFFSET 0 keeps each lateral
  // subquery a lookup per row.
  const linksOf = (on: RawBuilder<unknown>) =>
    sql`SELECT x.ozg_id, x.leika_key FROM ozg_service_leika x WHERE ${on} OFFSET 0`;
  // Stage 2: a hit is a LeiKa service with one OZG service it belongs to; its score is the best of
  // its sources, so the page is among the best few dozen pairs by the stage-1 values, and only these
  // get the precise score and order of the page.
  const rows = await sql<CatalogueHit>`
    WITH leika_hits (key, v, s, m) AS (${leikaHits}),
    ozg_hits (id, v, s, m) AS (${ozgHits}),
    pairs AS (
      SELECT key, ozg_id FROM (
        SELECT h.key, ol.ozg_id, h.v, h.s, h.m FROM leika_hits h
          LEFT JOIN LATERAL (${linksOf(sql`x.leika_key = h.key`)}) ol ON true
        UNION ALL
        SELECT ol.leika_key, h.id, h.v,
               -- the LeiKa names of a matching OZG service decide among its equally scored hits
               CASE WHEN h.m THEN greatest(h.s, (
                 SELECT similarity(${t}, z.name) FROM leika_services z WHERE z.key = ol.leika_key))
               ELSE h.s END,
               h.m
        FROM ozg_hits h CROSS JOIN LATERAL (${linksOf(sql`x.ozg_id = h.id`)}) ol
      ) p
      GROUP BY key, ozg_id HAVING bool_or(m)
      ORDER BY max(v) DESC, max(s) DESC, key LIMIT ${4 * limit}
    )
    SELECT l.key AS "leikaKey", l.name AS "leikaName", l.typisierung,
           o.id AS "ozgId", o.name AS "ozgName", o.themenfeld, o.lebenslage,
           greatest(
             CASE WHEN ${isKey} AND (l.key LIKE ${prefix} OR o.id LIKE ${prefix}) THEN 2 ELSE 0 END,
             word_similarity(${t}, l.name), word_similarity(${t}, l.keywords),
             coalesce(word_similarity(${t}, o.name), 0), coalesce(word_similarity(${t}, o.keywords), 0)
           )::float8 AS score
    FROM pairs p
    CROSS JOIN LATERAL (
      SELECT * FROM leika_services l WHERE l.key = p.key AND l.withdrawn_at IS NULL OFFSET 0) l
    LEFT JOIN LATERAL (
      SELECT * FROM ozg_services o WHERE o.id = p.ozg_id AND o.withdrawn_at IS NULL OFFSET 0) o ON true
    ORDER BY score DESC, CASE WHEN ${isKey} THEN l.key END,
             greatest(similarity(${t}, l.name), coalesce(similarity(${t}, o.name), 0)) DESC,
             o.name, l.name, l.key
    LIMIT ${limit}`.execute(db);
  return rows.rows;
}

export interface CatalogueStatus {
  leikaActive: number;
  leikaWithdrawn: number;
  ozgActive: number;
  ozgWithdrawn: number;
  lastImport: { dataAsOf: string | null; importedAt: Date; source: string } | null;
}

/** Size and age of the catalogue, for the pages that show how current it is. */
export async function loadCatalogueStatus(db: Kysely<Database>): Promise<CatalogueStatus> {
  const counts = await sql<Omit<CatalogueStatus, 'lastImport'>>`
    SELECT (SELECT count(*) FROM leika_services WHERE withdrawn_at IS NULL)::int AS "leikaActive",
           (SELECT count(*) FROM leika_services WHERE withdrawn_at IS NOT NULL)::int AS "leikaWithdrawn",
           (SELECT count(*) FROM ozg_services WHERE withdrawn_at IS NULL)::int AS "ozgActive",
           (SELECT count(*) FROM ozg_services WHERE withdrawn_at IS NOT NULL)::int AS "ozgWithdrawn"`.execute(
    db,
  );
  const last = await db
    .selectFrom('master_data_imports')
    .select(['data_as_of', 'imported_at', 'source'])
    .where('kind', '=', 'catalogue')
    .orderBy('imported_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    ...counts.rows[0]!,
    lastImport: last
      ? { dataAsOf: last.data_as_of, importedAt: last.imported_at, source: last.source }
      : null,
  };
}

export interface ThemenfeldCount {
  themenfeld: string;
  ozg: number;
  leika: number;
}

/** Active OZG and LeiKa services per Themenfeld. */
export async function listThemenfeldCounts(db: Kysely<Database>): Promise<ThemenfeldCount[]> {
  const rows = await sql<ThemenfeldCount>`
    SELECT coalesce(o.themenfeld, 'ohne Themenfeld') AS themenfeld, count(DISTINCT o.id)::int AS ozg,
           count(DISTINCT l.key)::int AS leika
    FROM ozg_services o
    LEFT JOIN ozg_service_leika ol ON ol.ozg_id = o.id
    LEFT JOIN leika_services l ON l.key = ol.leika_key AND l.withdrawn_at IS NULL
    WHERE o.withdrawn_at IS NULL
    GROUP BY 1
    ORDER BY 1`.execute(db);
  return rows.rows;
}
