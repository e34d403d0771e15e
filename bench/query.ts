/**
 * npm run bench:query [-- --services N --kreis-services N --runs N --base-runs N --budget S --keep --reuse
 *                        --skip-base]
 *
 * Times the dashboard queries of the app on PostgreSQL at scale: from the roll-ups (the code the app
 * runs) and the same question written against the base table counts, in one run. Data: N services
 * (default 100,000) × 16 Länder × 36 months plus K services (default 167) × 400 Kreise × 36 months,
 * i.e. 57,600,000 + 2,404,800 = 60,004,800 counts by default; generated inside PostgreSQL with
 * INSERT … SELECT generate_series (nothing streams through Node), roll-ups built with the same GROUP BY
 * the delivery path maintains incrementally (src/db/rollups.ts), then VACUUM ANALYZE.
 *
 * Server: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres. A fresh database
 * zsk_bench_query is created there and dropped at the end unless --keep; --reuse measures a kept one
 * again (after migrating it to the latest schema) without generating anything. --database NAME picks
 * another name, so that a quick run cannot drop the database of a long one.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { openMigratedDatabase, type Db } from '../src/db/database.js';
import { admin, databaseUrlFor } from './server.js';
import { ensureRecentWindowIndex, rebuildGroupRollups, rebuildRollups } from '../src/db/rollups/index.js';
import { addMonths, lastClosedMonth } from '../src/domain/months.js';
import { ensureShippedRegions } from '../src/features/regions/repository.js';
import { listServiceLandTotals, listServiceMonthTotals } from '../src/features/evaluations/queries.js';
import { loadCompletenessReport } from '../src/features/evaluations/service.js';
import { loadExploration } from '../src/features/explorer/service.js';
import type { Dimension } from '../src/features/explorer/params.js';
import {
  listPortalReport,
  listServiceReport,
  listServiceReportPage,
  type Period,
} from '../src/features/reports/queries.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '100000' },
    'kreis-services': { type: 'string' },
    runs: { type: 'string', default: '50' },
    'base-runs': { type: 'string', default: '3' },
    'base-timeout': { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    'skip-base': { type: 'boolean', default: false },
    budget: { type: 'string', default: '60' },
    database: { type: 'string', default: 'zsk_bench_query' },
  },
});
const LAND_SERVICES = Number(values.services);
// The Kreis sample scales with --services: 167 per 100,000 keeps the total at about 60 million.
const KREIS_SERVICES = Number(
  values['kreis-services'] ?? Math.max(1, Math.round((LAND_SERVICES * 167) / 100_000)),
);
const RUNS = Number(values.runs);
const BASE_RUNS = Number(values['base-runs']);
const BASE_TIMEOUT_S = Number(values['base-timeout']);
// A slow query stops repeating after this many seconds (but runs at least three times).
const BUDGET_MS = Number(values.budget) * 1000;
const MONTHS = 36;
if (!/^[a-z_][a-z0-9_]*$/.test(values.database))
  throw new Error('--database must be a plain lower-case name');
const DB_NAME = values.database;
const TARGET_P95_MS = 50;
const CHUNK = 5_000;

const benchUrl = databaseUrlFor(DB_NAME);

const now = new Date();
const lastMonth = lastClosedMonth(now);
const firstMonth = addMonths(lastMonth, -(MONTHS - 1));
const yearFrom = addMonths(lastMonth, -11);

function log(message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  log(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Runs the chunks two at a time (the machine has two cores; INSERT … SELECT is not parallel). */
async function inParallel(pool: pg.Pool, statements: string[], setup: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    const client = await pool.connect();
    try {
      for (const s of setup) await client.query(s);
      while (next < statements.length) {
        const statement = statements[next++]!;
        await client.query(statement);
      }
    } finally {
      client.release();
    }
  };
  await Promise.all([worker(), worker()]);
}

function ranges(from: number, to: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = from; a <= to; a += size) out.push([a, Math.min(to, a + size - 1)]);
  return out;
}

// Bulk-load settings: FK triggers off for the load (session_replication_role = replica, the data is
// generated consistent), primary keys dropped and rebuilt once with a large maintenance_work_mem.
const BULK_SETUP = [
  "SET session_replication_role = 'replica'",
  "SET work_mem = '256MB'",
  "SET maintenance_work_mem = '1GB'",
  'SET synchronous_commit = off',
];

async function generate(db: Db): Promise<Record<string, number>> {
  const phases: Record<string, number> = {};
  const phase = async (name: string, run: () => Promise<void>) => {
    const started = performance.now();
    await timed(name, run);
    phases[name] = (performance.now() - started) / 1000;
  };
  const q = (text: string) => db.pool.query(text);
  await ensureShippedRegions(db.kysely);
  const kreise = Number(
    (
      await db.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM regions WHERE level = 'kreis' OR is_kreis`,
      )
    ).rows[0]?.n,
  );
  log(
    `generating ${LAND_SERVICES.toLocaleString('en')} Land services × 16 × ${MONTHS} + ` +
      `${KREIS_SERVICES.toLocaleString('en')} Kreis services × ${kreise} × ${MONTHS} = ` +
      `${(LAND_SERVICES * 16 * MONTHS + KREIS_SERVICES * kreise * MONTHS).toLocaleString('en')} counts, ` +
      `months ${firstMonth} to ${lastMonth}`,
  );

  await phase('master data', async () => {
    await q(`INSERT INTO authorities (name) SELECT 'Bench-Behörde ' || i FROM generate_series(1, 1000) i`);
    await q(`INSERT INTO portals (name) SELECT 'Bench-Portal ' || i FROM generate_series(1, 20) i`);
    await q(`
      INSERT INTO online_services (name, authority_id, service_type, build_mode, is_focus, granularity)
      SELECT 'Bench-Dienst ' || i, 1 + i % 1000, (ARRAY['1', '2/3', '4', '5'])[1 + i % 4],
             CASE WHEN i % 3 = 0 THEN 'own' ELSE 'efa' END, i % 1000 = 0,
             CASE WHEN i <= ${LAND_SERVICES} THEN 'land' ELSE 'kreis' END
      FROM generate_series(1, ${LAND_SERVICES + KREIS_SERVICES}) i`);
    // Three services in five belong to a portal; the others are connected directly (Einzelanbindung).
    await q(`
      INSERT INTO portal_services (portal_id, service_id)
      SELECT (SELECT min(id) FROM portals) + s.id % 20, s.id FROM online_services s WHERE s.id % 5 < 3`);
  });
  const ids = (await q(`SELECT min(id) AS lo, max(id) AS hi FROM online_services`)).rows[0] as {
    lo: number;
    hi: number;
  };
  const landTo = ids.lo + LAND_SERVICES - 1;

  await q('ALTER TABLE counts DROP CONSTRAINT counts_pkey');
  await q('ALTER TABLE rollup_service_month DROP CONSTRAINT rollup_service_month_pkey');
  await q('ALTER TABLE rollup_service_land_month DROP CONSTRAINT rollup_service_land_month_pkey');

  const month = `(DATE '${firstMonth}-01' + make_interval(months => mi))::date`;
  // Deterministic counts from 0 to 996 (zeros included), differing by service, region and month.
  const value = (region: string) => `((s * 131 + ${region} * 17 + mi * 7) % 997)`;
  await phase('counts (INSERT … SELECT generate_series)', async () => {
    const land = ranges(ids.lo, landTo, CHUNK).map(
      ([a, b]) => `
      INSERT INTO counts (service_id, month, ars, count)
      SELECT s, ${month}, lpad(l::text, 2, '0') || '0000000000', ${value('l')}
      FROM generate_series(${a}, ${b}) s, generate_series(0, ${MONTHS - 1}) mi, generate_series(1, 16) l`,
    );
    const kreis = ranges(landTo + 1, ids.hi, 50).map(
      ([a, b]) => `
      INSERT INTO counts (service_id, month, ars, count)
      SELECT s, ${month}, k.ars, ${value('k.n')}
      FROM generate_series(${a}, ${b}) s, generate_series(0, ${MONTHS - 1}) mi,
           (SELECT ars, row_number() OVER (ORDER BY ars) AS n FROM regions WHERE level = 'kreis' OR is_kreis) k`,
    );
    await inParallel(db.pool, [...land, ...kreis], BULK_SETUP);
  });
  await phase('counts primary key', async () => {
    await inParallel(db.pool, ['ALTER TABLE counts ADD PRIMARY KEY (service_id, month, ars)'], BULK_SETUP);
  });
  await phase('roll-ups (GROUP BY, src/db/rollups.ts)', async () => {
    let next = 0;
    const chunks = ranges(ids.lo, ids.hi, CHUNK);
    const worker = async () => {
      while (next < chunks.length) {
        const [a, b] = chunks[next++]!;
        await db.kysely.connection().execute(async (conn) => {
          for (const s of BULK_SETUP) await sql.raw(s).execute(conn);
          // The roll-up tables start empty here: nothing to delete first.
          await rebuildRollups(conn, a, b, { replace: false });
        });
      }
    };
    await Promise.all([worker(), worker()]);
  });
  await phase('roll-up primary keys', async () => {
    await inParallel(
      db.pool,
      [
        'ALTER TABLE rollup_service_month ADD PRIMARY KEY (service_id, month)',
        'ALTER TABLE rollup_service_land_month ADD PRIMARY KEY (service_id, land, month)',
      ],
      BULK_SETUP,
    );
  });
  // Bulk loads run with triggers off (replica role): the roll-ups over groups of services are built
  // once, from the per-service roll-ups, as migration 0010/0011 would.
  await phase('group roll-ups (rollup_group_month, rollup_completeness, rollup_source)', async () => {
    await rebuildGroupRollups(db.kysely);
  });
  await phase('VACUUM ANALYZE', async () => {
    await inParallel(
      db.pool,
      [
        'VACUUM (ANALYZE) counts',
        'VACUUM (ANALYZE) rollup_service_land_month',
        'VACUUM (ANALYZE) rollup_service_month',
        'VACUUM (ANALYZE) rollup_service_running',
        'VACUUM (ANALYZE) rollup_group_month',
        'VACUUM (ANALYZE) rollup_completeness',
        'VACUUM (ANALYZE) rollup_source',
      ],
      [],
    );
    await q('ANALYZE');
  });
  return phases;
}

interface Stats {
  p50: number;
  p95: number;
  runs: number;
  rows: number;
  timedOut?: boolean;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(
  runs: number,
  warmUp: boolean,
  run: (i: number) => Promise<unknown[]>,
): Promise<Stats> {
  if (warmUp) await run(-1);
  const times: number[] = [];
  let rows = 0;
  const begun = performance.now();
  for (let i = 0; i < runs; i++) {
    if (i >= 3 && performance.now() - begun > BUDGET_MS) break;
    const started = performance.now();
    try {
      rows = (await run(i)).length;
    } catch (error) {
      if ((error as { code?: string }).code === '57014')
        return { p50: NaN, p95: NaN, runs: i, rows, timedOut: true };
      throw error;
    }
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), runs: times.length, rows };
}

/** The same questions against the base table counts (what the roll-ups save). */
function baseQueries(period: Period) {
  const filter = [
    period.from ? `AND month >= DATE '${period.from}-01'` : '',
    period.to ? `AND month <= DATE '${period.to}-01'` : '',
  ].join(' ');
  const perService = `
    SELECT service_id, min(month) AS first_month, max(month) AS last_month,
           count(DISTINCT month) AS months, sum(count) AS total
    FROM counts WHERE true ${filter} GROUP BY service_id`;
  return {
    series: `SELECT to_char(month, 'YYYY-MM') AS month, sum(count)::bigint AS total
             FROM counts WHERE service_id = $1 GROUP BY month ORDER BY month`,
    lands: `SELECT left(c.ars, 2) AS land, g.name, sum(c.count)::bigint AS total, count(DISTINCT c.month)::int AS months
            FROM counts c LEFT JOIN regions g ON g.ars = left(c.ars, 2) || '0000000000'
            WHERE c.service_id = $1 AND c.month BETWEEN DATE '${yearFrom}-01' AND DATE '${lastMonth}-01'
            GROUP BY left(c.ars, 2), g.name ORDER BY 1`,
    completeness: `
      SELECT s.id, s.name, s.service_type, s.is_focus,
             string_agg(DISTINCT to_char(c.month, 'YYYY-MM'), ',' ORDER BY to_char(c.month, 'YYYY-MM')) AS months
      FROM online_services s LEFT JOIN counts c ON c.service_id = s.id
      GROUP BY s.id ORDER BY s.name, s.id`,
    spans: `
      SELECT s.id, s.name, s.service_type, s.is_focus, min(c.month), max(c.month), count(DISTINCT c.month)
      FROM online_services s LEFT JOIN counts c ON c.service_id = s.id GROUP BY s.id`,
    portals: `
      WITH per_service AS (${perService}),
      sources AS (
        SELECT 'portal' AS kind, p.id AS source_id, p.name, ps.service_id
        FROM portals p LEFT JOIN portal_services ps ON ps.portal_id = p.id
        UNION ALL
        SELECT 'direct', a.id, a.name, s.id
        FROM online_services s LEFT JOIN authorities a ON a.id = s.authority_id
        WHERE NOT EXISTS (SELECT 1 FROM portal_services ps WHERE ps.service_id = s.id)
      )
      SELECT src.kind, src.source_id, src.name, count(src.service_id)::int AS services,
             min(r.first_month), max(r.last_month), string_agg(DISTINCT s.granularity, ','),
             coalesce(sum(r.total), 0)::bigint AS transactions
      FROM sources src LEFT JOIN online_services s ON s.id = src.service_id
      LEFT JOIN per_service r ON r.service_id = src.service_id
      GROUP BY src.kind, src.source_id, src.name`,
    services: `
      WITH per_service AS (${perService})
      SELECT s.id, s.name, a.name AS authority, s.granularity, coalesce(pn.names, '[]') AS portals,
             r.first_month, r.last_month, coalesce(r.months, 0)::int, coalesce(r.total, 0)::bigint
      FROM online_services s LEFT JOIN authorities a ON a.id = s.authority_id
      LEFT JOIN (SELECT ps.service_id, json_agg(p.name) AS names
                 FROM portal_services ps JOIN portals p ON p.id = ps.portal_id
                 GROUP BY ps.service_id) pn ON pn.service_id = s.id
      LEFT JOIN per_service r ON r.service_id = s.id`,
    explorer: `
      SELECT left(c.ars, 2) AS land, s.service_type, sum(c.count)::bigint AS total
      FROM counts c JOIN online_services s ON s.id = c.service_id
      WHERE c.month BETWEEN DATE '${yearFrom}-01' AND DATE '${lastMonth}-01'
      GROUP BY left(c.ars, 2), s.service_type ORDER BY 1, 2`,
  };
}

/** The Land × type question of the explorer over all services, from rollup_group_month. */
async function landByTypeFromRollups(db: Db): Promise<unknown[]> {
  const result = await db.pool.query<Record<string, unknown>>(
    `SELECT r.land, r.group_key AS service_type, sum(r.total)::bigint AS total
     FROM rollup_group_month r
     WHERE r.dimension = 'typ' AND r.month BETWEEN $1::date AND $2::date
     GROUP BY r.land, r.group_key ORDER BY 1, 2`,
    [`${yearFrom}-01`, `${lastMonth}-01`],
  );
  return result.rows;
}

async function main(): Promise<void> {
  const started = performance.now();
  let phases: Record<string, number> = {};
  if (!values.reuse) {
    await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${DB_NAME}`);
  }
  const db = await openMigratedDatabase({ databaseUrl: benchUrl, dataDir: 'memory://', poolSize: 3 });
  const basePool = new pg.Pool({
    connectionString: benchUrl,
    max: 1,
    options: `-c statement_timeout=${BASE_TIMEOUT_S * 1000}`,
  });
  try {
    if (!values.reuse) phases = await generate(db);
    // Statistics and visibility maps for tables a migration of a kept database created or filled just
    // now (autovacuum would get there later).
    else await db.pool.query('VACUUM ANALYZE');
    // What the app does when it starts: the index behind the latest twelve months' rankings.
    const recent = await ensureRecentWindowIndex(db.kysely);
    if (recent.created) log(`index of the latest twelve months: ${recent.created}`);
    const sizes = (
      await db.pool.query(`
        SELECT relname AS table, reltuples::bigint AS rows,
               pg_size_pretty(pg_total_relation_size(c.oid)) AS size
        FROM pg_class c WHERE relname IN ('counts', 'rollup_service_month', 'rollup_service_land_month',
                                          'online_services', 'rollup_service', 'rollup_group_month',
                                          'rollup_completeness', 'rollup_source', 'rollup_service_year',
                                          'rollup_service_running')
        ORDER BY pg_total_relation_size(c.oid) DESC`)
    ).rows as { table: string; rows: number; size: string }[];
    const services = (await db.pool.query('SELECT min(id) AS lo, max(id) AS hi FROM online_services'))
      .rows[0] as {
      lo: number;
      hi: number;
    };
    // Deterministic spread of service ids over the whole range, Kreis services included.
    const serviceAt = (i: number) =>
      services.lo + (((i + 1) * 7_919 * 104_729) % (services.hi - services.lo + 1));
    const all: Period = { from: null, to: null };
    const year: Period = { from: yearFrom, to: lastMonth };
    const base = baseQueries(all);
    const baseYear = baseQueries(year);
    const baseRun =
      (text: string, params: (i: number) => unknown[] = () => []) =>
      async (i: number) =>
        (await basePool.query<Record<string, unknown>>(text, params(i))).rows;

    const asOf = new Date(`${addMonths(lastMonth, 1)}-20T12:00:00Z`);
    // The last complete calendar year, and the current one up to the last closed month.
    const calendarYear = Number(lastMonth.slice(0, 4)) - 1;
    const calendar: Period = { from: `${calendarYear}-01`, to: `${calendarYear}-12` };
    const yearToDate: Period = { from: `${calendarYear + 1}-01`, to: lastMonth };
    const baseCalendar = baseQueries(calendar);
    const explore =
      (dimension: Dimension, period: Period = year) =>
      async () =>
        (
          await loadExploration(db.kysely, {
            dimension,
            from: period.from!,
            to: period.to!,
            mode: 'absolut',
            serviceIds: [],
          })
        ).groups;
    const reportPage = (period: Period, sort: string, page: number) => async () =>
      (
        await listServiceReportPage(db.kysely, period, sort, sort === 'service' ? 'asc' : 'desc', {
          size: 100,
          number: page,
        })
      ).rows;

    const cases: {
      name: string;
      rollup: (i: number) => Promise<unknown[]>;
      base?: (i: number) => Promise<unknown[]>;
    }[] = [
      {
        name: 'service page: monthly series',
        rollup: (i) => listServiceMonthTotals(db.kysely, serviceAt(i)),
        base: baseRun(base.series, (i) => [serviceAt(i)]),
      },
      {
        name: 'service page: totals by Land, 12 months',
        rollup: (i) => listServiceLandTotals(db.kysely, serviceAt(i), yearFrom, lastMonth),
        base: baseRun(base.lands, (i) => [serviceAt(i)]),
      },
      {
        // The page as the app loads it: figures per priority group (rollup_completeness), the
        // overdue preview and the first 50 services by name.
        name: 'completeness page (figures, overdue, first page)',
        rollup: async () => (await loadCompletenessReport(db.kysely, asOf)).services,
        base: baseRun(base.completeness),
      },
      {
        name: 'completeness table, all services, page 1000 by name',
        rollup: async () =>
          (await loadCompletenessReport(db.kysely, asOf, { filter: 'alle', page: 1000 })).services,
      },
      {
        name: 'report per portal, all months',
        rollup: () => listPortalReport(db.kysely, all),
        base: baseRun(base.portals),
      },
      {
        name: 'report per portal, 12 months',
        rollup: () => listPortalReport(db.kysely, year),
        base: baseRun(baseYear.portals),
      },
      {
        name: 'report per service, page 1 by transactions, all months',
        rollup: reportPage(all, 'transactions', 1),
        base: baseRun(base.services),
      },
      {
        name: 'report per service, page 500 by name, all months',
        rollup: reportPage(all, 'service', 500),
      },
      {
        name: 'report per service, page 1 by transactions, 12 months',
        rollup: reportPage(year, 'transactions', 1),
        base: baseRun(baseYear.services),
      },
      {
        // Until migration 0024 the first question about a period that is neither all months nor one
        // calendar year built and kept its per-service sums; now every run asks another twelve months.
        name: 'report per service, page 1 by transactions, 12 months, first question (another period each run)',
        rollup: async (i) => {
          const shift = -1 - (Math.max(i, 0) % 10);
          return reportPage(
            { from: addMonths(yearFrom, shift), to: addMonths(lastMonth, shift) },
            'transactions',
            1,
          )();
        },
      },
      {
        name: `report per service, page 1 by transactions, calendar year ${calendarYear}`,
        rollup: reportPage(calendar, 'transactions', 1),
        base: baseRun(baseCalendar.services),
      },
      {
        name: `report per service, page 1 by transactions, ${yearToDate.from} to ${yearToDate.to}`,
        rollup: reportPage(yearToDate, 'transactions', 1),
      },
      {
        name: `report per portal, calendar year ${calendarYear}`,
        rollup: () => listPortalReport(db.kysely, calendar),
        base: baseRun(baseCalendar.portals),
      },
      {
        // What the exports read: every service in one list.
        name: 'report per service, all rows (export), all months',
        rollup: () => listServiceReport(db.kysely, all),
      },
      {
        name: 'explorer: Land × type, 12 months',
        rollup: () => landByTypeFromRollups(db),
        base: baseRun(base.explorer),
      },
      { name: 'explorer: by Land, 12 months (page default)', rollup: explore('land') },
      { name: 'explorer: by type, 12 months', rollup: explore('typ') },
      { name: 'explorer: by authority, 12 months', rollup: explore('behoerde') },
      { name: 'explorer: by portal, 12 months', rollup: explore('portal') },
      { name: 'explorer: top 25 services, 12 months', rollup: explore('dienst') },
      {
        name: `explorer: top 25 services, calendar year ${calendarYear}`,
        rollup: explore('dienst', calendar),
      },
    ];

    const results: { name: string; rollup: Stats; base: Stats | null }[] = [];
    for (const c of cases) {
      const rollup = await measure(RUNS, true, c.rollup);
      log(
        `${c.name}: roll-up p50 ${rollup.p50.toFixed(1)} ms, p95 ${rollup.p95.toFixed(1)} ms (${rollup.rows} rows)`,
      );
      let baseStats: Stats | null = null;
      if (!values['skip-base'] && c.base) {
        baseStats = await measure(BASE_RUNS, false, c.base);
        log(`${c.name}: counts p50 ${baseStats.p50.toFixed(1)} ms, p95 ${baseStats.p95.toFixed(1)} ms`);
      }
      results.push({ name: c.name, rollup, base: baseStats });
    }

    const ms = (n: number) =>
      Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en');
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const version = (await db.pool.query<{ server_version: string }>('SHOW server_version')).rows[0]
      ?.server_version;
    const lines = [
      '',
      `bench:query ${now.toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
        `Node ${process.versions.node}, PostgreSQL ${version}`,
      `services: ${(services.hi - services.lo + 1).toLocaleString('en')} (${LAND_SERVICES.toLocaleString('en')} Land, ` +
        `${KREIS_SERVICES.toLocaleString('en')} Kreis); roll-up runs ${RUNS} after one warm-up, counts runs ${BASE_RUNS}` +
        ` (timeout ${BASE_TIMEOUT_S} s), at most ${BUDGET_MS / 1000} s of repeats per query`,
      '',
      '| table | rows (estimate) | size |',
      '| --- | ---: | ---: |',
      ...sizes.map((s) => `| ${s.table} | ${Number(s.rows).toLocaleString('en')} | ${s.size} |`),
      '',
      ...(Object.keys(phases).length
        ? [
            '| generation phase | seconds |',
            '| --- | ---: |',
            ...Object.entries(phases).map(([k, v]) => `| ${k} | ${v.toFixed(1)} |`),
            '',
          ]
        : []),
      `| query | rows | roll-up runs | roll-up p50 ms | roll-up p95 ms | counts p50 ms | counts p95 ms | counts / roll-up (p50) | p95 ≤ ${TARGET_P95_MS} ms |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...results.map((r) => {
        const b = r.base;
        const factor = b && !b.timedOut ? b.p50 / r.rollup.p50 : null;
        // Below 10 one decimal, so that a roll-up slower than counts shows as 0.5 ×, not 0 ×.
        const ratio =
          factor === null
            ? '–'
            : `${factor < 10 ? factor.toFixed(1) : Math.round(factor).toLocaleString('en')} ×`;
        const baseCells = !b
          ? '– | –'
          : b.timedOut
            ? `> ${BASE_TIMEOUT_S * 1000} | –`
            : `${ms(b.p50)} | ${ms(b.p95)}`;
        return `| ${r.name} | ${r.rollup.rows.toLocaleString('en')} | ${r.rollup.runs} | ${ms(r.rollup.p50)} | ${ms(r.rollup.p95)} | ${baseCells} | ${ratio} | ${r.rollup.p95 <= TARGET_P95_MS ? 'yes' : 'no'} |`;
      }),
      '',
      `total run time ${((performance.now() - started) / 1000).toFixed(0)} s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await basePool.end();
    await db.close();
    if (!values.keep && !values.reuse) await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  }
}

await main();
