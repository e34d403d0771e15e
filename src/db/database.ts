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
  close(): Promise<void>;
}

// date as 'YYYY-MM-DD' (months are dates; a JS Date would shift them by the time zone), and
// bigint/numeric sums as numbers: totals stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface OpenOptions {
  databaseUrl: string | null;
  /** Directory of the embedded database; 'memory://' keeps it in memory (tests). */
  dataDir: string;
  poolSize?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    return wrap('postgres', pool, null, async () => {});
  }
  const dir = options.dataDir === 'memory://' ? undefined : path.join(options.dataDir, 'pglite');
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const lite = await PGlite.create({ dataDir: dir, extensions: { pg_trgm } });
  // PGlite is one connection; the adapter serialises everything through it.
  const pool = new pg.Pool(createPgConfig(lite));
  return wrap('pglite', pool, lite, () => lite.close());
}

function wrap(engine: Engine, pool: pg.Pool, pglite: PGlite | null, closeEngine: () => Promise<void>): Db {
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    engine,
    kysely,
    pool,
    pglite,
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
