/**
 * npm run bench:ingest [-- --rows N --batch N --engine all|pglite|postgres]
 *
 * Pushes N counts (default 1,000,000) through the HTTP delivery API in batches (default 10,000) and
 * loads the same number of rows with a raw COPY into the counts table as the baseline, in the same run
 * and on the same engine: PGlite always, PostgreSQL when DATABASE_URL is set (a fresh database is
 * created on that server and dropped afterwards). Prints counts/s and the ratio API / COPY.
 */
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openMigratedDatabase, type Db } from '../src/db/database.js';
import { ensureShippedRegions } from '../src/features/regions/repository.js';
import { createAccessToken } from '../src/features/tokens/tokens.js';
import { addMonths, monthRange } from '../src/domain/months.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '10000' },
    engine: { type: 'string', default: 'all' },
  },
});
if (!['all', 'pglite', 'postgres'].includes(values.engine))
  throw new Error('--engine must be all, pglite or postgres');
const TOTAL = Number(values.rows);
const BATCH = Number(values.batch);

interface Row {
  month: string;
  ars: string;
  count: number;
}

/** Kreis-level rows: 400 Kreise x consecutive months, as many services as needed. */
async function plan(db: Db, prefix: string): Promise<{ serviceId: number; rows: Row[] }[]> {
  const kreise = (
    await db.kysely
      .selectFrom('regions')
      .select('ars')
      .where((eb) => eb.or([eb('level', '=', 'kreis'), eb('is_kreis', '=', true)]))
      .orderBy('ars')
      .execute()
  ).map((r) => r.ars);
  const months = monthRange('2000-01', addMonths('2000-01', 299));
  const perService = kreise.length * months.length;
  const services: { serviceId: number; rows: Row[] }[] = [];
  for (let made = 0, i = 0; made < TOTAL; i++) {
    const service = await db.kysely
      .insertInto('online_services')
      .values({
        name: `${prefix} Benchmark ${i}`,
        url: null,
        authority_id: null,
        service_type: '2/3',
        build_mode: 'efa',
        granularity: 'kreis',
        description: null,
        created_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const n = Math.min(perService, TOTAL - made);
    const rows: Row[] = [];
    for (let k = 0; k < n; k++) {
      rows.push({
        month: months[Math.floor(k / kreise.length)]!,
        ars: kreise[k % kreise.length]!,
        count: k % 5000,
      });
    }
    services.push({ serviceId: service.id, rows });
    made += n;
  }
  return services;
}

async function viaApi(db: Db): Promise<number> {
  const config = { ...loadConfig({}), demo: false, logLevel: 'warn', dataDir: 'memory://' };
  const app = await buildApp({ config, db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    const services = await plan(db, 'API');
    const started = performance.now();
    for (const { serviceId, rows } of services) {
      const { token } = await createAccessToken(db.kysely, { serviceId, label: 'bench' });
      for (let i = 0; i < rows.length; i += BATCH) {
        const res = await fetch(`${base}/api/v1/services/${serviceId}/counts`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ counts: rows.slice(i, i + BATCH) }),
        });
        if (res.status !== 200)
          throw new Error(`API answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
      }
    }
    return performance.now() - started;
  } finally {
    await app.close();
  }
}

async function viaCopy(db: Db): Promise<number> {
  const services = await plan(db, 'COPY');
  const started = performance.now();
  if (db.pglite) {
    // The node-postgres adapter does not carry COPY; PGlite's own COPY reads from a blob.
    for (const { serviceId, rows } of services) {
      const text = rows.map((r) => `${serviceId}\t${r.month}-01\t${r.ars}\t${r.count}\n`).join('');
      await db.pglite.query(`COPY counts (service_id, month, ars, count) FROM '/dev/blob'`, [], {
        blob: new Blob([text]),
      });
    }
    return performance.now() - started;
  }
  const client = await db.pool.connect();
  try {
    for (const { serviceId, rows } of services) {
      const lines = rows.map((r) => `${serviceId}\t${r.month}-01\t${r.ars}\t${r.count}\n`);
      await pipeline(
        Readable.from(chunk(lines, 5_000).map((c) => c.join(''))),
        client.query(copyFrom('COPY counts (service_id, month, ars, count) FROM STDIN')),
      );
    }
  } finally {
    client.release();
  }
  return performance.now() - started;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function withFreshDatabase<T>(engine: 'pglite' | 'postgres', run: (db: Db) => Promise<T>): Promise<T> {
  let databaseUrl: string | null = null;
  let drop = async () => {};
  if (engine === 'postgres') {
    const admin = process.env.DATABASE_URL!;
    const name = `zsk_bench_${randomBytes(4).toString('hex')}`;
    const exec = async (q: string) => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(q);
      await c.end();
    };
    await exec(`CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    drop = () => exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  const db = await openMigratedDatabase({ databaseUrl, dataDir: 'memory://' });
  await ensureShippedRegions(db.kysely);
  try {
    return await run(db);
  } finally {
    await db.close();
    await drop();
  }
}

const rate = (ms: number) => Math.round(TOTAL / (ms / 1000));
const fmt = new Intl.NumberFormat('en-US');

console.log(`bench:ingest – ${fmt.format(TOTAL)} counts, API batches of ${fmt.format(BATCH)}`);
const engines = (process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']).filter(
  (e) => values.engine === 'all' || values.engine === e,
) as ('pglite' | 'postgres')[];
for (const engine of engines) {
  const copyMs = await withFreshDatabase(engine, viaCopy);
  const apiMs = await withFreshDatabase(engine, viaApi);
  console.log(
    `${engine.padEnd(8)} raw COPY ${fmt.format(rate(copyMs)).padStart(9)} counts/s (${(copyMs / 1000).toFixed(1)} s)` +
      `   HTTP API ${fmt.format(rate(apiMs)).padStart(9)} counts/s (${(apiMs / 1000).toFixed(1)} s)` +
      `   API/COPY ${((copyMs / apiMs) * 100).toFixed(0)} %`,
  );
}
