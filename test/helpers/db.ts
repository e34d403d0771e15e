import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { inject } from 'vitest';
import { openDatabase, openMigratedDatabase, type Db } from '../../src/db/database.js';
import { ensureShippedRegions } from '../../src/features/regions/repository.js';
import { adminQuery, databaseUrl, TEST_DATABASE_URL, TEST_SHARED_BUFFERS } from './db-template.js';

export { TEST_DATABASE_URL };
export const ENGINE = TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDb extends Db {
  /** The test database's own connection string (PostgreSQL), null for PGlite. */
  url: string | null;
  /** Drops the database (PostgreSQL) or the in-memory engine (PGlite). */
  close(): Promise<void>;
}

/**
 * The dumped data directories, unpacked once per worker: the files of a worker share this module
 * (vitest.config.ts, `isolate: false`), so each file after the first starts without reading or
 * unpacking the file again.
 */
const unpackedTemplates = new Map<string, Promise<ArrayBuffer>>();

function unpacked(file: string): Promise<ArrayBuffer> {
  let bytes = unpackedTemplates.get(file);
  if (!bytes) {
    bytes = fs.readFile(file).then((gz) => {
      const tar = gunzipSync(gz);
      return tar.buffer.slice(tar.byteOffset, tar.byteOffset + tar.byteLength);
    });
    unpackedTemplates.set(file, bytes);
  }
  return bytes;
}

/**
 * Hands bytes already in memory to PGlite, which reads a dump with arrayBuffer(): Node 20 assembles
 * that chunk by chunk from a Blob, 0.3–0.4 s for the 42 MB directory on every file. PGlite only
 * reads the bytes, so every file may be given the same ones.
 */
class HeldBytes extends Blob {
  constructor(private readonly held: ArrayBuffer) {
    super();
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.held);
  }
}

/**
 * A fresh, migrated database with the shipped regions (without them on `regions: false`); each test
 * file gets its own. It is a copy of the database test/global-setup.ts migrated once for the run:
 * CREATE DATABASE … TEMPLATE on PostgreSQL, the dumped data directory loaded into a new in-memory
 * PGlite. Run without that setup (another vitest config), it migrates a new database itself.
 */
export async function createTestDb(
  options: {
    regions?: boolean;
    /** PGlite only: keep the database in this directory (for other processes to open) instead of memory. */
    dataDir?: string;
  } = {},
): Promise<TestDb> {
  const dataDir = options.dataDir ?? 'memory://';
  const templates = inject('zskTestDbTemplates');
  const template = templates ? (options.regions === false ? templates.bare : templates.regions) : null;
  let db: Db;
  let drop = async () => {};
  let url: string | null = null;
  if (TEST_DATABASE_URL) {
    const name = `zsk_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
    url = databaseUrl(name);
    const open = template ? openDatabase : openMigratedDatabase;
    db = await open({ databaseUrl: url, dataDir: 'memory://' });
    drop = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else if (template) {
    const loadDataDir = new HeldBytes(await unpacked(template));
    db = await openDatabase({
      databaseUrl: null,
      dataDir,
      loadDataDir,
      sharedBuffers: TEST_SHARED_BUFFERS,
    });
  } else {
    db = await openMigratedDatabase({
      databaseUrl: null,
      dataDir,
      sharedBuffers: TEST_SHARED_BUFFERS,
    });
  }
  if (!template && options.regions !== false) await ensureShippedRegions(db.kysely);
  const closeEngine = db.close.bind(db);
  return {
    ...db,
    url,
    async close() {
      await closeEngine();
      await drop();
    },
  };
}
