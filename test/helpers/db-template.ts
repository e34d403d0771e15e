import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, openMigratedDatabase } from '../../src/db/database.js';
import { ensureShippedRegions } from '../../src/features/regions/repository.js';

/**
 * PostgreSQL server to run the database tests against (CI sets it when a server answers on
 * 127.0.0.1:5432); otherwise every test file gets an in-memory PGlite.
 */
export const TEST_DATABASE_URL = process.env.ZSK_TEST_DATABASE_URL || null;

/** PGlite's buffer cache in tests: 16MB starts an engine in 0.35 s instead of 0.7–1 s (128MB). */
export const TEST_SHARED_BUFFERS = '16MB';

/**
 * The databases migrated once per run (test/global-setup.ts) that createTestDb() copies: on
 * PostgreSQL the names of two template databases, on PGlite two files holding a dumped data
 * directory. `bare` is migrated only, `regions` holds the shipped regions as well.
 */
export interface TestDbTemplates {
  engine: 'pglite' | 'postgres';
  bare: string;
  regions: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    zskTestDbTemplates: TestDbTemplates;
  }
}

export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL! });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Migrates once and keeps the result to copy from; `drop` removes it again. */
export async function buildTestDbTemplates(): Promise<{
  templates: TestDbTemplates;
  drop: () => Promise<void>;
}> {
  return TEST_DATABASE_URL ? buildPostgresTemplates() : buildPgliteTemplates();
}

async function buildPostgresTemplates() {
  // A name of its own per run: CI runs on one server must not copy or drop each other's templates.
  const prefix = `zsk_test_tpl_${randomBytes(6).toString('hex')}`;
  const bare = `${prefix}_bare`;
  const regions = `${prefix}_regions`;
  const drop = async () => {
    for (const name of [bare, regions]) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    await adminQuery(`CREATE DATABASE ${bare}`);
    const db = await openMigratedDatabase({
      databaseUrl: databaseUrl(bare),
      dataDir: 'memory://',
      poolSize: 1,
    });
    await db.close();
    // CREATE DATABASE … TEMPLATE refuses a source anyone is connected to (it waits 5 s for sessions
    // that are just ending, such as the one closed above).
    await adminQuery(`CREATE DATABASE ${regions} TEMPLATE ${bare}`);
    const withRegions = await openDatabase({
      databaseUrl: databaseUrl(regions),
      dataDir: 'memory://',
      poolSize: 1,
    });
    await ensureShippedRegions(withRegions.kysely);
    await withRegions.close();
    // No one may connect to a template from now on, so no stray session can break a copy.
    for (const name of [bare, regions]) await adminQuery(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  } catch (error) {
    await drop();
    throw error;
  }
  return { templates: { engine: 'postgres' as const, bare, regions }, drop };
}

async function buildPgliteTemplates() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zsk-test-db-'));
  const drop = () => fs.rm(dir, { recursive: true, force: true });
  const bare = path.join(dir, 'bare.tar.gz');
  const regions = path.join(dir, 'regions.tar.gz');
  try {
    const db = await openMigratedDatabase({
      databaseUrl: null,
      dataDir: 'memory://',
      sharedBuffers: TEST_SHARED_BUFFERS,
    });
    try {
      // Compressed, 5 MB instead of 42: loading either took the same 3–4 s on the busy machine.
      await fs.writeFile(bare, Buffer.from(await (await db.pglite!.dumpDataDir('gzip')).arrayBuffer()));
      await ensureShippedRegions(db.kysely);
      await fs.writeFile(regions, Buffer.from(await (await db.pglite!.dumpDataDir('gzip')).arrayBuffer()));
    } finally {
      await db.close();
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { templates: { engine: 'pglite' as const, bare, regions }, drop };
}
