/**
 * npm run bench:search [-- pglite|postgres] [--runs N] [--database NAME] [--show]
 *
 * The catalogue search on a catalogue of realistic size: 2,000 OZG services with 10 LeiKa services
 * each (20,000 keys; the real LeiKa holds about that many), names and synonyms built from the sample
 * catalogue. Two databases with the same data: the current schema, and the baseline with the GIN
 * trigram indexes it had before migration 0014. Prints import and unchanged re-import times of both,
 * then p50/p95 per query of the current search and of the baseline (the single-query search before
 * the two-stage ranking, kept below as `baselineSearch`), interleaved in the same run, plus how many
 * of the baseline's hits the current search returns too. The queries include what the editor sends
 * while someone types. --show lists both result pages where they differ.
 *
 * PostgreSQL: DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres); a
 * fresh database (--database, default zsk_search_bench) and one with the suffix _base are created
 * there and dropped at the end.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { openMigratedDatabase } from '../src/db/database.js';
import { escapeLike } from '../src/db/like.js';
import { admin, databaseUrlFor } from './server.js';
import type { Database } from '../src/db/schema.js';
import { importCatalogue } from '../src/features/catalogue/import.js';
import {
  normaliseQuery,
  searchCatalogue,
  SEARCH_DEFAULT_LIMIT,
  SEARCH_MIN_LENGTH,
  type CatalogueHit,
} from '../src/features/catalogue/search.js';
import { SAMPLE_CATALOGUE_FILE } from '../src/features/catalogue/sample.js';
import { OZG_THEMENFELDER } from '../src/domain/catalogue.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '15' },
    database: { type: 'string', default: 'zsk_search_bench' },
    show: { type: 'boolean', default: false },
  },
});
const engine = positionals[0] ?? 'pglite';
if (engine !== 'pglite' && engine !== 'postgres') throw new Error('engine: pglite or postgres');
const RUNS = Number(values.runs);
if (!/^[a-z_][a-z0-9_]*$/.test(values.database) || values.database.startsWith('zsk_bench_'))
  throw new Error('--database must be a plain lower-case name, not zsk_bench_*');

/** A fresh database: the current schema, or for the baseline the GIN indexes it had before 0014. */
async function open(name: string, baselineSchema: boolean) {
  let databaseUrl: string | null = null;
  if (engine === 'postgres') {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${name}`);
    databaseUrl = databaseUrlFor(name);
  }
  const opened = await openMigratedDatabase({ databaseUrl, dataDir: 'memory://' });
  if (baselineSchema) {
    await sql`
      DROP INDEX leika_services_name_gist, leika_services_keywords_gist, ozg_services_name_gist,
                 ozg_services_keywords_gist;
      CREATE INDEX leika_services_name_trgm ON leika_services USING gin (name gin_trgm_ops);
      CREATE INDEX ozg_services_name_trgm ON ozg_services USING gin (name gin_trgm_ops);
      CREATE INDEX leika_services_keywords_trgm ON leika_services USING gin (keywords gin_trgm_ops);
      CREATE INDEX ozg_services_keywords_trgm ON ozg_services USING gin (keywords gin_trgm_ops);
    `.execute(opened.kysely);
  }
  return opened;
}
const baseName = `${values.database}_base`;
const db = await open(values.database, false);
const baseDb = await open(baseName, true);

const verbs = [
  'Antrag',
  'Bescheinigung',
  'Erlaubnis',
  'Genehmigung',
  'Anzeige',
  'Auskunft',
  'Zulassung',
  'Förderung',
  'Registrierung',
  'Befreiung',
];
const base = (
  JSON.parse(fs.readFileSync(SAMPLE_CATALOGUE_FILE, 'utf8')) as {
    leistungen: { bezeichnung: string; synonyme?: string[] }[];
  }
).leistungen;
const leistungen = Array.from({ length: 2000 }, (_, i) => {
  const name = `${base[i % base.length]!.bezeichnung} ${i}`;
  return {
    ozgId: String(20000 + i),
    bezeichnung: name,
    themenfeld: OZG_THEMENFELDER[i % OZG_THEMENFELDER.length],
    synonyme: base[i % base.length]!.synonyme ?? [],
    leikaLeistungen: verbs.map((verb, j) => ({
      leikaSchluessel: `99${String(100000 + i).padStart(6, '0')}${String(j + 1).padStart(3, '0')}000`,
      bezeichnung: `${name} ${verb}`,
    })),
  };
});
const text = JSON.stringify({ leistungen });
for (const [label, target] of [
  ['baseline (GIN)', baseDb],
  ['current (GiST)', db],
] as const) {
  let start = performance.now();
  await importCatalogue(target.kysely, text, { source: 'bench' });
  console.log(
    `${engine}, ${label}: import of 20,000 LeiKa / 2,000 OZG services: ${(performance.now() - start).toFixed(0)} ms`,
  );
  start = performance.now();
  await importCatalogue(target.kysely, text, { source: 'bench' });
  console.log(`${engine}, ${label}: unchanged re-import: ${(performance.now() - start).toFixed(0)} ms`);
  await sql`ANALYZE`.execute(target.kysely);
}

const queries = [
  // typed letter by letter, as the editor sends it
  'El',
  'Elt',
  'Elter',
  'Eltern',
  'Elterngel',
  'Elterngelt',
  'Ge',
  'Gew',
  'Gewerbe',
  'Gewerbeanmeldung',
  // typos, synonyms, words found in thousands of names, two words
  'bafög',
  'Ausbildungsfördrung',
  'Meldebescheinigung',
  'Antrag',
  'Genehmigung',
  'Fahrzeugzulassung Genehmigung',
  'kfz zulassung',
  // keys: LeiKa key prefix, full key, OZG id
  '9910100',
  '99100042004000',
  '20042',
];

/** The search before the two-stage ranking (one query, seven UNION branches), as the baseline. */
async function baselineSearch(
  db: Kysely<Database>,
  query: string,
  limit = SEARCH_DEFAULT_LIMIT,
): Promise<CatalogueHit[]> {
  const q = normaliseQuery(query);
  if (q.length < SEARCH_MIN_LENGTH) return [];
  const digits = q.replace(/[\s.]/g, '');
  const isKey = /^[0-9]+$/.test(digits);
  const prefix = `${escapeLike(digits)}%`;
  const contains = `%${escapeLike(q)}%`;
  const t = sql`${q}::text`;
  const byName = !isKey;
  const bySubstring = byName && q.length >= 3;
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const rows = await sql<CatalogueHit>`
    WITH candidates AS (
      SELECT l.key FROM leika_services l WHERE ${isKey} AND l.key LIKE ${prefix}
      UNION
      SELECT ol.leika_key FROM ozg_services o JOIN ozg_service_leika ol ON ol.ozg_id = o.id
        WHERE ${isKey} AND o.id LIKE ${prefix}
      UNION
      SELECT l.key FROM leika_services l WHERE ${byName} AND ${t} <% l.name
      UNION
      SELECT l.key FROM leika_services l WHERE ${bySubstring} AND l.name ILIKE ${contains}
      UNION
      SELECT l.key FROM leika_services l WHERE ${byName} AND ${t} <% l.keywords
      UNION
      SELECT ol.leika_key FROM ozg_services o JOIN ozg_service_leika ol ON ol.ozg_id = o.id
        WHERE ${byName} AND (${t} <% o.name OR ${t} <% o.keywords)
      UNION
      SELECT ol.leika_key FROM ozg_services o JOIN ozg_service_leika ol ON ol.ozg_id = o.id
        WHERE ${bySubstring} AND o.name ILIKE ${contains}
    )
    SELECT l.key AS "leikaKey", l.name AS "leikaName", l.typisierung,
           o.id AS "ozgId", o.name AS "ozgName", o.themenfeld, o.lebenslage,
           greatest(
             CASE WHEN ${isKey} AND (l.key LIKE ${prefix} OR o.id LIKE ${prefix}) THEN 2 ELSE 0 END,
             word_similarity(${t}, l.name), word_similarity(${t}, l.keywords),
             coalesce(word_similarity(${t}, o.name), 0), coalesce(word_similarity(${t}, o.keywords), 0)
           )::float8 AS score
    FROM candidates c
    JOIN leika_services l ON l.key = c.key
    LEFT JOIN ozg_service_leika ol ON ol.leika_key = l.key
    LEFT JOIN ozg_services o ON o.id = ol.ozg_id AND o.withdrawn_at IS NULL
    WHERE l.withdrawn_at IS NULL
    ORDER BY score DESC,
             greatest(similarity(${t}, l.name), coalesce(similarity(${t}, o.name), 0)) DESC,
             o.name, l.name, l.key
    LIMIT ${limit}`.execute(trx);
    return rows.rows;
  });
}

const impls = {
  baseline: (q: string) => baselineSearch(baseDb.kysely, q),
  current: (q: string) => searchCatalogue(db.kysely, q),
};
type Impl = keyof typeof impls;
const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
const all: Record<Impl, number[]> = { baseline: [], current: [] };

console.log(`${engine}: ${RUNS} runs per query and search, interleaved; times in ms`);
console.log(
  'query | baseline p50 | p95 | current p50 | p95 | hits base/current | same hits | same scores | same top 1',
);
for (const q of queries) {
  const times: Record<Impl, number[]> = { baseline: [], current: [] };
  const hits: Partial<Record<Impl, CatalogueHit[]>> = {};
  // one warm-up each, then alternate so that load from elsewhere hits both alike
  for (const impl of Object.keys(impls) as Impl[]) hits[impl] = await impls[impl](q);
  for (let k = 0; k < RUNS; k++) {
    for (const impl of k % 2 ? (['current', 'baseline'] as const) : (['baseline', 'current'] as const)) {
      const s = performance.now();
      await impls[impl](q);
      times[impl].push(performance.now() - s);
    }
  }
  const cells: string[] = [JSON.stringify(q)];
  for (const impl of Object.keys(impls) as Impl[]) {
    all[impl].push(...times[impl]);
    const sorted = times[impl].sort((a, b) => a - b);
    cells.push(fmt(quantile(sorted, 0.5)), fmt(quantile(sorted, 0.95)));
  }
  const b = hits.baseline!;
  const c = hits.current!;
  const keys = new Set(c.map((h) => `${h.leikaKey}/${h.ozgId}`));
  const same = b.filter((h) => keys.has(`${h.leikaKey}/${h.ozgId}`)).length;
  cells.push(
    `${b.length}/${c.length}`,
    `${same}/${b.length}`,
    // the same score at every rank: what differs is only which of equally scored hits are shown
    b.length === c.length && b.every((h, i) => Math.abs(h.score - c[i]!.score) < 1e-6) ? 'yes' : 'no',
    b[0]?.leikaKey === c[0]?.leikaKey ? 'yes' : 'no',
  );
  console.log(cells.join(' | '));
  if (values.show && same < b.length) {
    const line = (h: CatalogueHit | undefined) =>
      h ? `${h.score.toFixed(3)} ${h.leikaKey} ${h.leikaName} / ${h.ozgName ?? '–'}` : '';
    for (let i = 0; i < Math.max(b.length, c.length); i++)
      console.log(`    ${line(b[i]).padEnd(70)} | ${line(c[i])}`);
  }
}
const summary = (impl: Impl) => {
  const sorted = all[impl].sort((a, b) => a - b);
  return `p50 ${fmt(quantile(sorted, 0.5))}, p95 ${fmt(quantile(sorted, 0.95))}, max ${fmt(sorted.at(-1)!)}`;
};
console.log(`${engine}: all queries, baseline: ${summary('baseline')}`);
console.log(`${engine}: all queries, current:  ${summary('current')}`);
await db.close();
await baseDb.close();
if (engine === 'postgres') {
  await admin(`DROP DATABASE IF EXISTS ${values.database} WITH (FORCE)`);
  await admin(`DROP DATABASE IF EXISTS ${baseName} WITH (FORCE)`);
}
