import type { Config } from './config.js';
import { openMigratedDatabase, type Db } from './db/database.js';
import { ensureShippedRegions } from './features/regions/repository.js';
import { ensureAdmin } from './features/accounts/bootstrap.js';
import { seedDemo } from './demo/seed.js';

export interface BootstrapReport {
  regionsLoaded: number;
  admin: { email: string; generatedPassword: string | null } | null;
  demo: { services: number; counts: number } | null;
}

/** Brings a database to a usable state: schema, shipped regions, first administrator, demo data. */
export async function bootstrap(config: Config): Promise<{ db: Db; report: BootstrapReport }> {
  const db = await openMigratedDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const regionsLoaded = await ensureShippedRegions(db.kysely);
  const admin = await ensureAdmin(db.kysely, config.adminEmail, config.adminPassword);
  let demo: BootstrapReport['demo'] = null;
  if (config.demo) {
    const any = await db.kysely.selectFrom('online_services').select('id').limit(1).executeTakeFirst();
    if (!any) demo = await seedDemo(db.kysely);
  }
  return { db, report: { regionsLoaded, admin, demo } };
}
