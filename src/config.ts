import path from 'node:path';

/** Every setting the ZSK reads from the environment; README.md documents each one. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; unset means the embedded PGlite database. */
  databaseUrl: string | null;
  dataDir: string;
  demo: boolean;
  adminEmail: string;
  adminPassword: string | null;
  publicUrl: string;
  logLevel: string;
  bodyLimitBytes: number;
  /** Requests per minute and token (or client address) on the delivery API. */
  apiRateLimit: number;
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} muss eine ganze Zahl sein, erhalten: ${value}`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer('PORT', env.PORT, 3000);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || null,
    dataDir: path.resolve(env.ZSK_DATA_DIR ?? 'data'),
    demo: env.ZSK_DEMO !== '0',
    adminEmail: env.ZSK_ADMIN_EMAIL ?? 'admin@zsk.example',
    adminPassword: env.ZSK_ADMIN_PASSWORD || null,
    publicUrl: (env.ZSK_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimitBytes: integer('ZSK_BODY_LIMIT_MB', env.ZSK_BODY_LIMIT_MB, 20) * 1024 * 1024,
    apiRateLimit: integer('ZSK_API_RATE_LIMIT', env.ZSK_API_RATE_LIMIT, 600),
  };
}
