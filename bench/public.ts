/**
 * npm run bench:public — load test of the public part (issue 15), not a timed test.
 *
 * This process prepares a database with the demo data scaled up (default 2,000 generated services ×
 * 36 months besides the demo services; the embedded engine in a temporary directory, PostgreSQL when
 * DATABASE_URL is set: a database of its own on that server, dropped afterwards), then starts the
 * production server on it as `npm start` does (`node dist/src/main.js`, built first) and, in a second
 * process, a bare Fastify server whose routes answer the very bytes of each target from memory: the
 * app's status, headers and body. It drives both with autocannon at 50 connections, app and bare route
 * alternating for some rounds, and prints the medians of requests/s and p50/p95/p99, the ratio to the
 * bare route and the server process's peak RSS (read from /proc).
 *
 *   npm run bench:public -- --services 2000 --months 36 --duration 5 --rounds 3 --connections 50 \
 *     --pages /,/dienste/:id,/auswertungen [--only 304] [--profile DIR]
 *
 * The server runs with LOG_LEVEL=warn (no log line per request) and the open-data rate limit lifted
 * (ZSK_OPEN_DATA_RATE_LIMIT), so that the figures are the app's and not the logger's or the limit's.
 * Pages answering a redirect (still behind the sign-in) are skipped with a note.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { openMigratedDatabase, type Db } from '../src/db/database.js';
import { rebuildGroupRollups, rebuildRollups } from '../src/db/rollups/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { addMonths, lastClosedMonth } from '../src/domain/months.js';
import { ensureShippedRegions } from '../src/features/regions/repository.js';
import { PROJECT_DIR } from '../src/paths.js';
import { admin, databaseUrlFor } from './server.js';

const { values: args } = parseArgs({
  options: {
    services: { type: 'string', default: '2000' },
    months: { type: 'string', default: '36' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    pages: { type: 'string', default: '/,/dienste/:id,/auswertungen' },
    // Only the targets whose name contains this (e.g. "304").
    only: { type: 'string' },
    // A V8 CPU profile of the server process into this directory.
    profile: { type: 'string' },
    bare: { type: 'boolean', default: false },
  },
});

interface Target {
  name: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent with If-None-Match of the first answer: measures the 304. */
  conditional?: boolean;
  /** The status, headers and body the app answered; the bare server answers the same bytes. */
  status?: number;
  responseHeaders?: Record<string, string>;
  body?: string;
  bytes?: number;
}

// ---------- data ----------

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
    await sql`UPDATE data_version_slots SET version = version + 1, changed_at = now() WHERE slot = 0`.execute(
      conn,
    );
    await sql`ANALYZE`.execute(conn);
  });
}

interface Prepared {
  env: Record<string, string>;
  engine: string;
  services: number;
  counts: number;
  /** Service with the most transactions, for the service page and its counts. */
  service: number;
  cleanUp: () => Promise<void>;
}

/** The database the server will open, filled and closed again before the server starts. */
async function prepare(): Promise<Prepared> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'zsk-bench-public-'));
  const name = process.env.DATABASE_URL ? `zsk_bench_public_${process.pid}` : null;
  if (name) await admin(`CREATE DATABASE ${name}`);
  const url = name ? databaseUrlFor(name) : null;
  const db = await openMigratedDatabase({ databaseUrl: url, dataDir, poolSize: 2 });
  await ensureShippedRegions(db.kysely);
  await seedDemo(db.kysely);
  await generate(db, Number(args.services), Number(args.months));
  const facts = (
    await sql<{ services: number; counts: number; service: number }>`
      SELECT (SELECT count(*) FROM online_services)::int AS services, (SELECT count(*) FROM counts)::int AS counts,
             (SELECT service_id FROM rollup_service ORDER BY total DESC LIMIT 1) AS service`.execute(
      db.kysely,
    )
  ).rows[0]!;
  const engine = db.engine;
  await db.close();
  return {
    env: { ZSK_DATA_DIR: dataDir, ...(url ? { DATABASE_URL: url } : {}) },
    engine,
    ...facts,
    async cleanUp() {
      if (name) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------- servers ----------

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(url: string, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The production server, as `npm start` runs it. */
async function startServer(prepared: Prepared): Promise<{ child: ChildProcess; port: number }> {
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: PROJECT_DIR, stdio: 'inherit' });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : []), 'dist/src/main.js'],
    {
      cwd: PROJECT_DIR,
      env: {
        ...process.env,
        ...prepared.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        ZSK_DEMO: '0',
        LOG_LEVEL: 'warn',
        ZSK_OPEN_DATA_RATE_LIMIT: '1000000000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  await waitFor(`http://127.0.0.1:${port}/readyz`, 120);
  return { child, port };
}

/** Resident memory of a process in bytes (Linux). */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * The headers of the app's answer that the bare route sends as well, so that both put the same bytes
 * on the wire (security headers, CORS, validators, rate-limit counters); those of the connection and
 * the length are the server's own.
 */
function answeredHeaders(headers: Headers): Record<string, string> {
  const own = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!own.has(name)) kept[name] = value;
  });
  return kept;
}

/**
 * The bare server, in a process of its own: the server's process holds the app alone, so that its RSS
 * is the app's, and neither takes CPU time from the other's run.
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

// ---------- drive with autocannon ----------

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

async function answersOf(base: string, service: number): Promise<{ targets: Target[]; skipped: string[] }> {
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
    const first = await fetch(base + target.path, { headers: target.headers, redirect: 'manual' });
    if (target.conditional) target.headers = { 'if-none-match': first.headers.get('etag') ?? '' };
    const res = target.conditional
      ? await fetch(base + target.path, { headers: target.headers, redirect: 'manual' })
      : first;
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status >= 300 && res.status < 400 && res.status !== 304) {
      skipped.push(`${target.path}: ${res.status} (noch hinter der Anmeldung)`);
      continue;
    }
    targets.push({
      ...target,
      status: res.status,
      responseHeaders: answeredHeaders(res.headers),
      body: body.toString('utf8'),
      bytes: body.length,
    });
  }
  return { targets, skipped };
}

async function main(): Promise<void> {
  if (args.bare) return serveBare();
  const started = performance.now();
  const prepared = await prepare();
  const { child, port } = await startServer(prepared);
  let peakRss = rssOf(child.pid!);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(child.pid!))), 250);
  // The server builds the open-data downloads once after its start; measured after that.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const base = `http://127.0.0.1:${port}`;
  const { targets, skipped } = await answersOf(base, prepared.service);
  const rssAtStart = rssOf(child.pid!);

  const bareChild: ChildProcess = fork(process.argv[1]!, ['--bare'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const barePort = await new Promise<number>((resolve) => {
    bareChild.on('message', (m: { kind: string; port: number }) => {
      if (m.kind === 'bare') resolve(m.port);
    });
    bareChild.send(targets);
  });
  console.log(
    `engine ${prepared.engine}, ${prepared.services.toLocaleString('en')} services, ${prepared.counts.toLocaleString('en')} counts, ` +
      `${args.connections} connections, ${args.rounds} rounds of ${args.duration} s per target and server ` +
      `(prepared in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
  for (const note of skipped) console.log(`skipped ${note}`);
  const rows: string[] = [];
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  for (const [i, target] of targets.entries()) {
    if (args.only && !target.name.includes(args.only)) continue;
    // App and bare route alternate, so that a slower moment of the machine hits both alike; the
    // figures are the medians over the rounds.
    const apps: Result[] = [];
    const bares: Result[] = [];
    for (let round = 0; round < Number(args.rounds); round++) {
      apps.push(await drive(base + target.path, target.headers));
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
  clearInterval(sampler);
  console.log('\n| target | status | bytes | req/s | p50 / p95 / p99 ms | bare req/s | ratio |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  console.log(
    `\nserver RSS: ${(rssAtStart / 2 ** 20).toFixed(0)} MB after start and the downloads' build, ` +
      `peak ${(peakRss / 2 ** 20).toFixed(0)} MB`,
  );
  bareChild.send({ kind: 'stop' });
  child.kill('SIGTERM');
  await Promise.all([child, bareChild].map((c) => new Promise((resolve) => c.on('exit', resolve))));
  await prepared.cleanUp();
}

await main();
