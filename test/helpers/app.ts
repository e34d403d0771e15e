import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createTestDb, type TestDb } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  db: TestDb;
  config: Config;
  close(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({}),
    dataDir: 'memory://',
    demo: false,
    publicUrl: 'http://localhost:3000',
    ...overrides,
  };
}

/** The real app over a real database, spoken to with app.inject() (or app.listen() for browsers). */
export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const db = await createTestDb();
  const config = testConfig(overrides);
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({ config, db });
    await app.ready();
  } catch (error) {
    // A test of a refused configuration: its database copy must not outlive it (on PostgreSQL the
    // copy is a database of its own).
    await db.close();
    throw error;
  }
  return {
    app,
    db,
    config,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
