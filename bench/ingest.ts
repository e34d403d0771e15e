/**
 * npm run bench:ingest [-- --rows N --batch N --rounds N --engine all|pglite|postgres]
 *
 * Pushes N counts (default 1,000,000) through the HTTP delivery API in batches (default 10,000) and
 * loads the same number of rows with a raw COPY into the counts table as the baseline, in the same run
 * and on the same engine: PGlite always, PostgreSQL when DATABASE_URL is set (a fresh database is
 * created on that server for each side and dropped afterwards). Prints counts/s and the ratio
 * API / COPY for each round (default 3) and the median ratio, since single runs on a shared machine
 * spread widely. Within a round both sides alternate service by service (see runRound()), and a round
 * starts after a CHECKPOINT, so it does not inherit the previous round's dirty buffers.
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
    rounds: { type: 'string', default: '3' },
  },
});
if (!['all', 'pglite', 'postgres'].includes(values.engine))
  throw new Error('--engine must be all, pglite or postgres');
const TOTAL = Number(values.rows);
const BATCH = Number(values.batch);
const ROUNDS = Number(values.rounds);

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

type Service = { serviceId: number; rows: Row[] };

/** The API side of a round: a server on its own database; deliver() times one service's requests. */
async function apiPhase(db: Db) {
  const config = { ...loadConfig({}), demo: false, logLevel: 'warn', dataDir: 'memory://' };
  const app = await buildApp({ config, db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    services: await plan(db, 'API'),
    async deliver({ serviceId, rows }: Service): Promise<number> {
      const started = performance.now();
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
      return performance.now() - started;
    },
    close: () => app.close(),
  };
}

/** The baseline side of a round: plain COPY of the same rows into counts of its own database. */
async function copyPhase(db: Db) {
  const services = await plan(db, 'COPY');
  const client = db.pglite ? null : await db.pool.connect();
  return {
    services,
    async deliver({ serviceId, rows }: Service): Promise<number> {
      const started = performance.now();
      if (db.pglite) {
        // The node-postgres adapter does not carry COPY; PGlite's own COPY reads from a blob.
        const text = rows.map((r) => `${serviceId}\t${r.month}-01\t${r.ars}\t${r.count}\n`).join('');
        await db.pglite.query(`COPY counts (service_id, month, ars, count) FROM '/dev/blob'`, [], {
          blob: new Blob([text]),
        });
      } else {
        const lines = rows.map((r) => `${serviceId}\t${r.month}-01\t${r.ars}\t${r.count}\n`);
        await pipeline(
          Readable.from(chunk(lines, 5_000).map((c) => c.join(''))),
          client!.query(copyFrom('COPY counts (service_id, month, ars, count) FROM STDIN')),
        );
      }
      return performance.now() - started;
    },
    close: () => Promise.resolve(client?.release()),
  };
}

/**
 * One round: COPY and API each into a fresh database, interleaved service by service (about
 * 120,000 counts each, the order swapped every service), so load from other processes on the
 * machine falls on both sides alike instead of on whichever phase it happened to meet.
 */
async function runRound(engine: 'pglite' | 'postgres'): Promise<{ copyMs: number; apiMs: number }> {
  return withFreshDatabase(engine, (copyDb) =>
    withFreshDatabase(engine, async (apiDb) => {
      const copy = await copyPhase(copyDb);
      const api = await apiPhase(apiDb);
      try {
        await checkpoint(copyDb);
        await checkpoint(apiDb);
        let copyMs = 0;
        let apiMs = 0;
        for (let i = 0; i < copy.services.length; i++) {
          if (i % 2 === 0) {
            copyMs += await copy.deliver(copy.services[i]!);
            apiMs += await api.deliver(api.services[i]!);
          } else {
            apiMs += await api.deliver(api.services[i]!);
            copyMs += await copy.deliver(copy.services[i]!);
          }
        }
        return { copyMs, apiMs };
      } finally {
        await api.close();
        await copy.close();
      }
    }),
  );
}

let checkpointRefused = false;

/** Needs superuser or pg_checkpoint on PostgreSQL; without, rounds run without it (and say so). */
async function checkpoint(db: Db): Promise<void> {
  if (checkpointRefused) return;
  try {
    await db.pool.query('CHECKPOINT');
  } catch (e) {
    checkpointRefused = true;
    console.warn(`CHECKPOINT refused (${(e as Error).message}): rounds run without it`);
  }
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
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
for (const engine of engines) {
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const { copyMs, apiMs } = await runRound(engine);
    ratios.push(copyMs / apiMs);
    console.log(
      `${engine.padEnd(8)} round ${round}  raw COPY ${fmt.format(rate(copyMs)).padStart(9)} counts/s (${(copyMs / 1000).toFixed(1)} s)` +
        `   HTTP API ${fmt.format(rate(apiMs)).padStart(9)} counts/s (${(apiMs / 1000).toFixed(1)} s)` +
        `   API/COPY ${((copyMs / apiMs) * 100).toFixed(0)} %`,
    );
  }
  console.log(
    `${engine.padEnd(8)} median API/COPY ${(median(ratios) * 100).toFixed(0)} % over ${ROUNDS} round(s)` +
      ` (${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')})`,
  );
}
