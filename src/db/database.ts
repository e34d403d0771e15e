import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';

export type Engine = 'pglite' | 'postgres';

/**
 * One interface over both engines: Kysely on a node-postgres pool. For PGlite the pool talks to the
 * in-process engine through PGlite's node-postgres adapter, so every query, transaction and COPY-free
 * code path is the same SQL on both.
 */
export interface Db {
  engine: Engine;
  kysely: Kysely<Database>;
  pool: pg.Pool;
  /** The embedded engine itself, for what the adapter cannot carry (COPY FROM a blob). */
  pglite: PGlite | null;
  /**
   * How many statements that may have changed data (anything but a read) this process has completed
   * through the pool so far. Caches of what the data look like (src/http/data-stamp.ts) compare it
   * to know that no write of this process came after their read.
   */
  writes(): number;
  close(): Promise<void>;
}

// date as 'YYYY-MM-DD' (months are dates; a JS Date would shift them by the time zone), and
// bigint/numeric sums as numbers: totals stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** Longest wait for a connection, new or from the pool; a reachable server answers in milliseconds. */
const CONNECTION_TIMEOUT_MS = 10_000;

export interface OpenOptions {
  databaseUrl: string | null;
  /** Directory of the embedded database; 'memory://' keeps it in memory (tests). */
  dataDir: string;
  poolSize?: number;
  /** Longest wait for a connection (PostgreSQL); default 10 s. */
  connectionTimeoutMillis?: number;
  /**
   * PGlite only: start from this dumped data directory (`dumpDataDir()`) instead of an empty one.
   * The tests clone a database migrated once per run this way instead of migrating each time.
   */
  loadDataDir?: Blob;
  /**
   * PGlite only: the engine's buffer cache (PostgreSQL's `shared_buffers`, default 128MB). The tests'
   * small databases start in a third of the time with 16MB (docs/benchmarks.md, „Test suite“).
   */
  sharedBuffers?: string;
}

export async function openDatabase(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // Without it a request waits as long as the operating system tries to reach a server that does
      // not answer (minutes); with it the request hears 503 database_unavailable and may come back.
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? CONNECTION_TIMEOUT_MS,
      // No JIT: the dashboard queries over 100,000 services are estimated expensive enough that
      // PostgreSQL compiled them on every call, 400 ms of JIT for a 200 ms query (bench:query,
      // docs/benchmarks.md); none of the app's queries runs long enough to gain from it.
      options: '-c jit=off',
    });
    return wrap('postgres', pool, null, async () => {});
  }
  const dir = options.dataDir === 'memory://' ? undefined : path.join(options.dataDir, 'pglite');
  const unlock = dir ? lockDataDir(options.dataDir) : () => {};
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const lite = await PGlite.create({
    dataDir: dir,
    loadDataDir: options.loadDataDir,
    extensions: { pg_trgm },
    ...(options.sharedBuffers && {
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers}`],
    }),
  });
  // PGlite is one connection; the adapter serialises everything through it.
  const pool = new pg.Pool(createPgConfig(lite));
  return wrap('pglite', pool, lite, async () => {
    await lite.close();
    unlock();
  });
}

export class DatabaseInUseError extends Error {
  constructor(
    message: string,
    /** The process holding the database. */
    readonly holder: number,
  ) {
    super(message);
  }
}

/**
 * The embedded engine belongs to one process: two processes writing the same files would corrupt
 * them. A PID file refuses the second one with a clear message (a stale file of a dead process is
 * taken over).
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'pglite.pid');
  try {
    const holder = Number(fs.readFileSync(file, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new DatabaseInUseError(
        `Die eingebettete Datenbank in ${dataDir} wird bereits von Prozess ${holder} verwendet (läuft npm start oder ein zsk-Befehl?). ` +
          'Beenden Sie ihn zuerst, oder verwenden Sie PostgreSQL (DATABASE_URL).',
        holder,
      );
    }
  } catch (e) {
    if (e instanceof DatabaseInUseError) throw e;
  }
  fs.writeFileSync(file, String(process.pid));
  return () => fs.rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Command tags of statements that change no data. Conservative: anything else counts as a write,
 * including ROLLBACK and COMMIT of a read-only transaction. A `SELECT` of a function that writes is
 * missed: the app's are the roll-up rebuilds (`SELECT rebuild_rollup_…()`), which change no data a
 * cache keys on (data_version moves with counts and master data only).
 */
const READ_ONLY_TAG = /^(SELECT|BEGIN|START TRANSACTION|SHOW|SET|RESET|FETCH|DECLARE|CLOSE|LISTEN|EXPLAIN)\b/;

function wrap(engine: Engine, pool: pg.Pool, pglite: PGlite | null, closeEngine: () => Promise<void>): Db {
  // An idle connection the server ends (restart, failover, a dropped database) emits 'error' on the
  // pool; unhandled, that event would end the whole process. The pool replaces the connection itself.
  pool.on('error', (error) => {
    console.warn(`Datenbankverbindung beendet: ${error.message}`);
  });
  // A connection in use emits 'error' as well when the server ends it, and pg-pool listens only on
  // idle ones: without this listener a database restart under load ended the process. Nothing to log
  // here: the request's next query fails with the error, is logged with the request and answered 503;
  // on release the pool drops the broken connection and opens a new one for the next request.
  let writes = 0;
  pool.on('connect', (client) => {
    client.on('error', () => {});
    // Every statement ends with the server's CommandComplete message, whose tag names the command
    // ("INSERT 0 3", "COMMIT", "SELECT 12"): counting the tags of writes here sees every write of
    // the process, whichever module sends it, COPY and transactions included.
    client.connection.on('commandComplete', (message: { text?: string }) => {
      if (!READ_ONLY_TAG.test(message.text ?? '')) writes += 1;
    });
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    engine,
    kysely,
    pool,
    pglite,
    writes: () => writes,
    async close() {
      await kysely.destroy();
      await closeEngine();
    },
  };
}

export async function openMigratedDatabase(options: OpenOptions): Promise<Db> {
  const db = await openDatabase(options);
  await migrateToLatest(db.kysely);
  return db;
}
