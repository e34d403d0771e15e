import { isIP } from 'node:net';
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
  /**
   * Whose X-Forwarded-For and X-Forwarded-Proto to believe (fastify's trustProxy): nobody, or the
   * proxies at these addresses and networks.
   */
  trustProxy: TrustProxy;
  /** OpenID Connect (Keycloak) sign-in; all three set enable it. */
  oidc: OidcConfig | null;
  /**
   * The open-data ZSK (ZSK_PUBLIC, default on): routes declared `open` answer everyone, showing the
   * published services only. Off, they need a sign-in like every other page (a closed deployment).
   */
  publicData: boolean;
  /**
   * Who may frame the embeddable charts (/einbetten/...): the CSP frame-ancestors sources of those
   * pages only (ZSK_EMBED_ANCESTORS, space-separated, default '*'); every other page stays 'none'.
   */
  embedAncestors: string;
  /** Downloads and DCAT-AP.de catalogue (src/features/open-data, docs/open-data.md). */
  openData: OpenDataConfig;
  /** The legal pages' texts and the accessibility statement (src/features/site, docs/operations.md). */
  site: SiteConfig;
}

export interface OpenDataConfig {
  /** dcatde:licenseAttributionByText: how users of the data name the source (dl-by-de/2.0). */
  attribution: string;
  /** dcatde:contributorID, an IRI of http://dcat-ap.de/def/contributors/. */
  contributorId: string;
  /** Publisher (dct:publisher foaf:name) and contact (vcard:hasEmail) of the catalogue. */
  publisher: string;
  contactEmail: string;
  /** Downloads are rebuilt once the data have been quiet this long after a change (seconds). */
  quietSeconds: number;
  /** … or at the latest this long after the last build while changes keep coming (seconds). */
  maxWaitSeconds: number;
  /** Cache-Control max-age in seconds of the open-data API (ZSK_OPEN_DATA_MAX_AGE). */
  maxAge: number;
  /** Requests per minute and client address on the open-data API (ZSK_OPEN_DATA_RATE_LIMIT). */
  rateLimit: number;
}

export interface SiteConfig {
  /** Plain-text or simple-HTML files with the operator's own texts; null shows the placeholder. */
  impressumFile: string | null;
  datenschutzFile: string | null;
  /** Replaces the statement's part on compliance and known barriers. */
  barrierefreiheitFile: string | null;
  /** Who runs this installation, named in the accessibility statement and the placeholders. */
  operator: string;
  /** Where people write to (accessibility statement, contact page). */
  contactEmail: string;
  /** Date (YYYY-MM-DD) the accessibility statement was written or last reviewed. */
  statementDate: string;
  /** Contact-form messages per hour and client address. */
  feedbackRateLimit: number;
}

export type TrustProxy = false | string[];

// Names proxy-addr (behind fastify's trustProxy) knows for the private ranges.
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrNetwork(entry: string): boolean {
  if (PROXY_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  // proxy-addr also takes an IPv4 netmask after the slash.
  if (family === 4 && isIP(prefix) === 4) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * ZSK_TRUST_PROXY. Off by default: otherwise any client chooses its own address by sending
 * X-Forwarded-For and so escapes every per-address rate limit. "true" (believe every sender) is
 * refused for the same reason, and so is a hop count: fastify 5 ignores one, since a count cannot
 * tell the proxy from a client that reaches the app directly.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? '').trim();
  if (text === '' || ['0', 'off', 'false', 'nein'].includes(text.toLowerCase())) return false;
  if (/^\d+$/.test(text) || text.toLowerCase() === 'true') {
    throw new Error(
      `ZSK_TRUST_PROXY: Bitte die Adressen oder Netze (CIDR) der Proxys angeben, nicht „${text}“ – sonst kann jeder Client X-Forwarded-For selbst setzen.`,
    );
  }
  const entries = text.split(',').map((entry) => entry.trim());
  const wrong = entries.filter((entry) => !isAddressOrNetwork(entry));
  if (wrong.length > 0) {
    throw new Error(
      `ZSK_TRUST_PROXY muss leer oder eine Liste von IP-Adressen und Netzen (CIDR) sein; ungültig: ${wrong.join(', ')}`,
    );
  }
  return entries;
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

/**
 * ZSK_EMBED_ANCESTORS: CSP source expressions ('*', 'self', https://example.org, *.example.org).
 * Anything else is refused at start-up, since the value goes into a response header verbatim.
 */
export function parseEmbedAncestors(value: string | undefined): string {
  const sources = (value ?? '').trim().split(/\s+/).filter(Boolean);
  if (sources.length === 0) return '*';
  for (const source of sources) {
    if (
      !/^(\*|'self'|'none'|[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*:\/\/)?(\*\.)?[a-z0-9.-]+(:(\d{1,5}|\*))?)$/i.test(
        source,
      )
    ) {
      throw new Error(
        `ZSK_EMBED_ANCESTORS: "${source}" is no CSP source (e.g. *, 'self', https://example.org, *.example.org)`,
      );
    }
  }
  return sources.join(' ');
}

function isoDate(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  const date = new Date(`${value}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== value
  )
    throw new Error(`${name} muss ein Datum JJJJ-MM-TT sein, erhalten: ${value}`);
  return value;
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
    trustProxy: parseTrustProxy(env.ZSK_TRUST_PROXY),
    publicData: !['0', 'off', 'false', 'nein'].includes((env.ZSK_PUBLIC ?? '').trim().toLowerCase()),
    embedAncestors: parseEmbedAncestors(env.ZSK_EMBED_ANCESTORS),
    openData: {
      attribution:
        env.ZSK_OPEN_DATA_ATTRIBUTION ||
        'Zentrale Statistik-Komponente (ZSK), Datenlizenz Deutschland – Namensnennung – Version 2.0',
      contributorId:
        env.ZSK_OPEN_DATA_CONTRIBUTOR ||
        'http://dcat-ap.de/def/contributors/bundesministeriumDesInnernUndFuerHeimat',
      publisher: env.ZSK_OPEN_DATA_PUBLISHER || 'Zentrale Statistik-Komponente (ZSK)',
      contactEmail: env.ZSK_OPEN_DATA_CONTACT || 'opendata@zsk.example',
      quietSeconds: integer('ZSK_OPEN_DATA_DELAY', env.ZSK_OPEN_DATA_DELAY, 60),
      maxWaitSeconds: integer('ZSK_OPEN_DATA_MAX_WAIT', env.ZSK_OPEN_DATA_MAX_WAIT, 900),
      maxAge: integer('ZSK_OPEN_DATA_MAX_AGE', env.ZSK_OPEN_DATA_MAX_AGE, 300),
      rateLimit: integer('ZSK_OPEN_DATA_RATE_LIMIT', env.ZSK_OPEN_DATA_RATE_LIMIT, 600),
    },
    site: {
      impressumFile: env.ZSK_IMPRESSUM_FILE || null,
      datenschutzFile: env.ZSK_DATENSCHUTZ_FILE || null,
      barrierefreiheitFile: env.ZSK_BARRIEREFREIHEIT_FILE || null,
      operator: env.ZSK_BETREIBER || 'Betreiber dieser ZSK-Installation',
      // An organisational address, never an account's: it is published on the public pages.
      contactEmail: env.ZSK_KONTAKT_EMAIL || 'kontakt@zsk.example',
      // The day this statement's default text was last checked against the pages.
      statementDate: isoDate('ZSK_BARRIEREFREIHEIT_DATUM', env.ZSK_BARRIEREFREIHEIT_DATUM, '2026-12-05'),
      feedbackRateLimit: integer('ZSK_KONTAKT_RATE_LIMIT', env.ZSK_KONTAKT_RATE_LIMIT, 5),
    },
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
