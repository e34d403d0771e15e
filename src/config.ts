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
  /** Outgoing mail server (smtp://user:pass@host:port); unset writes mails to <dataDir>/outbox. */
  smtpUrl: string | null;
  mailFrom: string;
  /** Absolute lifetime of a sign-in session in hours, and its idle timeout in minutes. */
  sessionHours: number;
  sessionIdleMinutes: number;
  /** Sign-in attempts per minute and client address (login, registration, password reset). */
  loginRateLimit: number;
  /** OpenID Connect (Keycloak) sign-in; all three set enable it. */
  oidc: OidcConfig | null;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claim holding the roles, e.g. realm_access.roles (dots walk into objects). */
  rolesClaim: string;
  /** The role value that makes a user an administrator. */
  adminRole: string;
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
    smtpUrl: env.SMTP_URL || null,
    mailFrom: env.ZSK_MAIL_FROM ?? 'ZSK <noreply@zsk.example>',
    sessionHours: integer('ZSK_SESSION_HOURS', env.ZSK_SESSION_HOURS, 12),
    sessionIdleMinutes: integer('ZSK_SESSION_IDLE_MINUTES', env.ZSK_SESSION_IDLE_MINUTES, 120),
    loginRateLimit: integer('ZSK_LOGIN_RATE_LIMIT', env.ZSK_LOGIN_RATE_LIMIT, 10),
    oidc:
      env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET
        ? {
            issuer: env.OIDC_ISSUER,
            clientId: env.OIDC_CLIENT_ID,
            clientSecret: env.OIDC_CLIENT_SECRET,
            rolesClaim: env.OIDC_ROLES_CLAIM ?? 'realm_access.roles',
            adminRole: env.OIDC_ADMIN_ROLE ?? 'zsk-admin',
          }
        : null,
  };
}
