import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openMigratedDatabase, type Db } from '../../src/db/database.js';
import { ensureShippedRegions } from '../../src/features/regions/repository.js';

/**
 * PostgreSQL server to run the database tests against (CI sets it when a server answers on
 * 127.0.0.1:5432); otherwise every test file gets an in-memory PGlite.
 */
export const TEST_DATABASE_URL = process.env.ZSK_TEST_DATABASE_URL || null;
export const ENGINE = TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDb extends Db {
  /** The test database's own connection string (PostgreSQL), null for PGlite. */
  url: string | null;
  /** Drops the database (PostgreSQL) or the in-memory engine (PGlite). */
  close(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL! });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database with the shipped regions; each test file gets its own. */
export async function createTestDb(options: { regions?: boolean } = {}): Promise<TestDb> {
  let db: Db;
  let drop = async () => {};
  let url: URL | null = null;
  if (TEST_DATABASE_URL) {
    const name = `zsk_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    db = await openMigratedDatabase({ databaseUrl: url.toString(), dataDir: 'memory://' });
    drop = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    db = await openMigratedDatabase({ databaseUrl: null, dataDir: 'memory://' });
  }
  if (options.regions !== false) await ensureShippedRegions(db.kysely);
  const closeEngine = db.close.bind(db);
  return {
    ...db,
    url: url?.toString() ?? null,
    async close() {
      await closeEngine();
      await drop();
    },
  };
}
