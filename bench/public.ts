/**
 * npm run bench:public — load test of the public part (issue 15), not a timed test.
 *
 * A child process builds the app (buildApp) over demo data scaled up (default 2,000 generated services
 * × 36 months besides the demo services; PGlite in memory, PostgreSQL when DATABASE_URL is set: a
 * database of its own on that server, dropped afterwards); a second one runs a bare Fastify server
 * whose routes return the very bytes of each target from memory: status, body and the app's headers. This process drives both with
 * autocannon at 50 connections and prints requests/s, p50/p95/p99, the ratio to the bare route and the
 * app process's peak RSS.
 *
 *   npm run bench:public -- --services 2000 --months 36 --duration 5 --rounds 3 --connections 50 \
 *     --pages /,/dienste/:id,/auswertungen [--profile DIR]
 *
 * Pages answering a redirect (still behind the sign-in) are skipped with a note.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openMigratedDatabase, type Db } from '../src/db/database.js';
import { rebuildGroupRollups, rebuildRollups } from '../src/db/rollups/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { addMonths, lastClosedMonth } from '../src/domain/months.js';
import { ensureShippedRegions } from '../src/features/regions/repository.js';
import { admin, databaseUrlFor } from './server.js';

const { values: args } = parseArgs({
  options: {
    services: { type: 'string', default: '2000' },
    months: { type: 'string', default: '36' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    // Only the targets whose name contains this (e.g. "304").
    only: { type: 'string' },
    connections: { type: 'string', default: '50' },
    pages: { type: 'string', default: '/,/dienste/:id,/auswertungen' },
    serve: { type: 'boolean', default: false },
    bare: { type: 'boolean', default: false },
    // A V8 CPU profile of the server process (app and bare server) into this directory.
    profile: { type: 'string' },
  },
});

interface Target {
  name: string;
  path: string;
  headers?: Record<string, string>;
  /** Size of the answer's body. */
  bytes?: number;
  /** Sent with If-None-Match of the first answer: measures the 304. */
  conditional?: boolean;
  /** The status, headers and body the app answered; the bare server answers the same bytes. */
  status?: number;
  contentType?: string;
  responseHeaders?: Record<string, string>;
  body?: string;
}

interface Ready {
  kind: 'ready';
  rss: number;
  port: number;
  targets: Target[];
  skipped: string[];
  engine: string;
  services: number;
  counts: number;
}

// ---------- child: database, app and bare server ----------

/**
 * The headers of the app's answer that the bare route sends as well, so that both put the same bytes
 * on the wire (security headers, CORS, validators, rate-limit counters); those of the connection and
 * the length are the server's own.
 */
function answeredHeaders(headers: Record<string, unknown>): Record<string, string> {
  const own = new Set([
    'date',
    'connection',
    'keep-alive',
    'content-length',
    'transfer-encoding',
    'content-type',
  ]);
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => !own.has(name))
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
  );
}

async function generate(db: Db, services: number, months: number): Promise<void> {
  const last = lastClosedMonth();
  const first = addMonths(last, -(months - 1));
  await db.kysely.connection().execute(async (conn) => {
    // Bulk load as bench:query does: triggers off, the roll-ups built once afterwards.
    await sql`SET session_replication_role = 'replica'`.execute(conn);
    await sql`
      INSERT INTO online_services (name, authority_id, service_type, build_mode, is_focus, granularity)
      SELECT 'Bench-Dienst ' || i, NULL, (ARRAY['1', '2/3', '4', '5'])[1 + i % 4],
             CASE WHEN i % 3 = 0 THEN 'own' ELSE 'efa' END, false, 'land'
      FROM generate_series(1, ${services}::int) i`.execute(conn);
    const range = (
      await sql<{ lo: number; hi: number }>`
        SELECT min(id) AS lo, max(id) AS hi FROM online_services WHERE name LIKE 'Bench-Dienst %'`.execute(
        conn,
      )
    ).rows[0]!;
    await sql`
      INSERT INTO portal_services (portal_id, service_id)
      SELECT (SELECT min(id) FROM portals), s.id FROM online_services s
      WHERE s.id BETWEEN ${range.lo}::int AND ${range.hi}::int AND s.id % 5 < 3`.execute(conn);
    // One or two Länder per service, deterministic counts 0..996.
    await sql`
      INSERT INTO counts (service_id, month, ars, count)
      SELECT s, (${`${first}-01`}::date + make_interval(months => mi))::date,
             lpad((1 + (s + l) % 16)::text, 2, '0') || '0000000000', (s * 131 + l * 17 + mi * 7) % 997
      FROM generate_series(${range.lo}::int, ${range.hi}::int) s, generate_series(0, ${months - 1}::int) mi,
           generate_series(0, 1) l
      WHERE l = 0 OR s % 2 = 0`.execute(conn);
    await rebuildRollups(conn, range.lo, range.hi);
    await rebuildGroupRollups(conn);
    await sql`SET session_replication_role = 'origin'`.execute(conn);
    await sql`UPDATE data_version SET version = version + 1, changed_at = now()`.execute(conn);
    await sql`ANALYZE`.execute(conn);
  });
}

/** Demo data and the generated services, with their roll-ups. */
async function prepare(db: Db): Promise<void> {
  await ensureShippedRegions(db.kysely);
  await seedDemo(db.kysely);
  await generate(db, Number(args.services), Number(args.months));
}

/**
 * On PostgreSQL the data are generated by the driving process before the server starts, so that the
 * server's RSS is what serving takes; the embedded engine lives in the server's process and is
 * prepared there.
 */
async function prepareOnPostgres(): Promise<string | null> {
  if (!process.env.DATABASE_URL) return null;
  const name = `zsk_bench_public_${process.pid}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = databaseUrlFor(name);
  const db = await openMigratedDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 2 });
  await prepare(db);
  await db.close();
  return name;
}

async function serve(): Promise<void> {
  const started = performance.now();
  const name = process.env.BENCH_DATABASE ?? null;
  const url = name ? databaseUrlFor(name) : null;
  const db = await openMigratedDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 10 });
  if (!url) await prepare(db);
  const stats = (
    await sql<{ services: number; counts: number }>`
      SELECT (SELECT count(*) FROM online_services)::int AS services, (SELECT count(*) FROM counts)::int AS counts`.execute(
      db.kysely,
    )
  ).rows[0]!;
  const config = {
    ...loadConfig({ ...process.env, ZSK_DEMO: '0' }),
    dataDir: 'memory://',
    openData: { ...loadConfig({}).openData, rateLimit: 1_000_000_000 },
  };
  const app = await buildApp({ config, db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;

  const service = (
    await sql<{
      id: number;
    }>`SELECT service_id AS id FROM rollup_service ORDER BY total DESC LIMIT 1`.execute(db.kysely)
  ).rows[0]!.id;
  const last = lastClosedMonth();
  const aggregates = `/api/open/v1/aggregates?by=land&from=${addMonths(last, -11)}&to=${last}&period=quarter`;
  const candidates: Target[] = [
    { name: 'API aggregates (by=land, quarters)', path: aggregates },
    { name: 'API service counts (months)', path: `/api/open/v1/services/${service}/counts` },
    { name: 'API aggregates, 304', path: aggregates, conditional: true },
    ...args.pages
      .split(',')
      .filter(Boolean)
      .map((p) => ({
        name: `page ${p}`,
        path: p.replace(':id', String(service)),
        headers: { accept: 'text/html' },
      })),
  ];
  const targets: Target[] = [];
  const skipped: string[] = [];
  for (const target of candidates) {
    const first = await app.inject({ method: 'GET', url: target.path, headers: target.headers });
    if (target.conditional) target.headers = { 'if-none-match': String(first.headers.etag) };
    const res = target.conditional
      ? await app.inject({ method: 'GET', url: target.path, headers: target.headers })
      : first;
    if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304) {
      skipped.push(`${target.path}: ${res.statusCode} (noch hinter der Anmeldung)`);
      continue;
    }
    targets.push({
      ...target,
      status: res.statusCode,
      contentType: String(res.headers['content-type'] ?? ''),
      responseHeaders: answeredHeaders(res.headers),
      body: res.body,
      bytes: res.rawPayload.length,
    });
  }

  setInterval(() => process.send!({ kind: 'rss', rss: process.memoryUsage().rss }), 250).unref();
  process.on('message', (message: { kind: string }) => void stopOn(message));
  async function stopOn(message: { kind: string }) {
    if (message.kind !== 'stop') return;
    await app.close();
    await db.close();
    process.exit(0);
  }
  console.error(`prepared in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.send!({
    kind: 'ready',
    rss: process.memoryUsage().rss,
    port,
    targets,
    skipped,
    engine: db.engine,
    ...stats,
  } satisfies Ready);
}

/**
 * The bare server, in a process of its own: the app's process holds the app alone, so that its RSS
 * is the app's, and neither server takes CPU time from the other's run.
 */
function serveBare(): void {
  process.once('message', (targets: Target[]) => void listen(targets));
  async function listen(targets: Target[]) {
    const bare = Fastify({ logger: false });
    targets.forEach((t, i) => {
      const bytes = Buffer.from(t.body ?? '', 'utf8');
      bare.get(`/bare/${i}`, async (_request, reply) => {
        reply.code(t.status!);
        reply.headers(t.responseHeaders ?? {});
        if (t.contentType) reply.type(t.contentType);
        return t.status === 304 ? reply.send() : reply.send(bytes);
      });
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    process.send!({ kind: 'bare', port: (bare.server.address() as { port: number }).port });
    process.on('message', (message: { kind: string }) => {
      if (message.kind === 'stop') void bare.close().then(() => process.exit(0));
    });
  }
}

// ---------- parent: drive with autocannon ----------

interface Result {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function drive(url: string, headers: Record<string, string> | undefined): Promise<Result> {
  const r = await autocannon({
    url,
    headers,
    connections: Number(args.connections),
    duration: Number(args.duration),
  });
  // p95 is not among autocannon's percentiles; p97_5 is the next one above.
  const latency = r.latency;
  return {
    rps: r.requests.average,
    p50: latency.p50,
    p95: latency.p95 ?? latency.p97_5,
    p99: latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function main(): Promise<void> {
  if (args.serve) return serve();
  if (args.bare) return serveBare();
  const database = await prepareOnPostgres();
  const child: ChildProcess = fork(process.argv[1]!, ['--serve', ...process.argv.slice(2)], {
    env: { ...process.env, ...(database ? { BENCH_DATABASE: database } : {}) },
    execArgv: ['--import', 'tsx', ...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [])],
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  let peakRss = 0;
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (m: { kind: string; rss?: number }) => {
      if (m.kind === 'rss') peakRss = Math.max(peakRss, m.rss!);
      if (m.kind === 'ready') resolve(m as Ready);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const bareChild: ChildProcess = fork(process.argv[1]!, ['--bare'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const barePort = await new Promise<number>((resolve) => {
    bareChild.on('message', (m: { kind: string; port: number }) => {
      if (m.kind === 'bare') resolve(m.port);
    });
    bareChild.send(ready.targets);
  });
  const rssAtStart = ready.rss;
  peakRss = Math.max(peakRss, ready.rss);
  console.log(
    `engine ${ready.engine}, ${ready.services.toLocaleString('en')} services, ${ready.counts.toLocaleString('en')} counts, ` +
      `${args.connections} connections, ${args.rounds} rounds of ${args.duration} s per target and server`,
  );
  for (const note of ready.skipped) console.log(`skipped ${note}`);
  const rows: string[] = [];
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  for (const [i, target] of ready.targets.entries()) {
    if (args.only && !target.name.includes(args.only)) continue;
    // App and bare route alternate, so that a slower moment of the machine hits both alike; the
    // figures are the medians over the rounds.
    const apps: Result[] = [];
    const bares: Result[] = [];
    for (let round = 0; round < Number(args.rounds); round++) {
      apps.push(await drive(`http://127.0.0.1:${ready.port}${target.path}`, target.headers));
      bares.push(await drive(`http://127.0.0.1:${barePort}/bare/${i}`, undefined));
    }
    const app = {
      rps: median(apps.map((r) => r.rps)),
      p50: median(apps.map((r) => r.p50)),
      p95: median(apps.map((r) => r.p95)),
      p99: median(apps.map((r) => r.p99)),
    };
    const bareRps = median(bares.map((r) => r.rps));
    const ratio = median(apps.map((r, k) => r.rps / bares[k]!.rps));
    const note = apps.reduce((sum, r) => sum + r.errors + (target.status === 304 ? 0 : r.non2xx), 0);
    rows.push(
      `| ${target.name} | ${target.status} | ${target.bytes!.toLocaleString('en')} | ${app.rps.toFixed(0)} | ${app.p50} / ${app.p95} / ${app.p99} | ` +
        `${bareRps.toFixed(0)} | ${(ratio * 100).toFixed(0)} % |${note ? ` ${note} errors/non-2xx` : ''}`,
    );
    console.log(rows[rows.length - 1]);
  }
  console.log('\n| target | status | bytes | req/s | p50 / p95 / p99 ms | bare req/s | ratio |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  console.log(
    `\nserver RSS: ${(rssAtStart / 2 ** 20).toFixed(0)} MB after preparing, peak ${(peakRss / 2 ** 20).toFixed(0)} MB`,
  );
  child.send({ kind: 'stop' });
  bareChild.send({ kind: 'stop' });
  await Promise.all([child, bareChild].map((c) => new Promise((resolve) => c.on('exit', resolve))));
  if (database) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}

await main();
