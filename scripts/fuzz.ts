/**
 * npm run fuzz: generated hostile requests against a fresh ZSK on loopback (delivery API, forms of the
 * pages, uploads), bounded in count and time. Prints the status histogram per area and fails on any 5xx
 * or on a rejected atomic delivery that changed stored counts.
 *
 *   npm run fuzz -- [--requests 10000] [--seed 42] [--minutes 20]
 *
 * Runs on an in-memory PGlite; with DATABASE_URL on a database of its own on that server (dropped after).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openMigratedDatabase, type Db } from '../src/db/database.js';
import { createSession, SESSION_COOKIE } from '../src/http/sessions.js';
import { ensureShippedRegions } from '../src/features/regions/repository.js';
import { createAccessToken } from '../src/features/tokens/tokens.js';
import { admin, databaseUrlFor } from '../bench/server.js';
import { createPortal, createService } from '../test/helpers/factories.js';
import { createUser, grantPortal, grantService } from '../test/helpers/auth.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    minutes: { type: 'string', default: '20' },
  },
});
const total = Number(args.requests);
const seed = Number(args.seed);
const deadline = Date.now() + Number(args.minutes) * 60_000;

interface Fuzzed {
  area: 'api' | 'form' | 'upload';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | FormData;
  /** An atomic delivery: when refused, stored counts must not change. */
  atomic: boolean;
}

// ---- set-up: a fresh database, one manager, two services in a portal, tokens ----
let dbName: string | null = null;
let databaseUrl: string | null = null;
if (process.env.DATABASE_URL) {
  dbName = `zsk_fuzz_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${dbName}`);
  databaseUrl = databaseUrlFor(dbName);
}
const db: Db = await openMigratedDatabase({ databaseUrl, dataDir: 'memory://' });
await ensureShippedRegions(db.kysely);
const config = {
  ...loadConfig({}),
  databaseUrl,
  dataDir: 'memory://',
  demo: false,
  apiRateLimit: 1_000_000,
  loginRateLimit: 1_000_000,
  bodyLimitBytes: 2 * 1024 * 1024,
};
const app = await buildApp({ config, db });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

const land = await createService(db.kysely, { name: 'Fuzz Land', granularity: 'land' });
const bund = await createService(db.kysely, { name: 'Fuzz Bund', granularity: 'bund' });
const portal = await createPortal(db.kysely, [land, bund], 'Fuzz-Portal');
const userId = await createUser(db.kysely, { name: 'Fuzz Manager' });
await grantService(db.kysely, userId, land);
await grantPortal(db.kysely, userId, portal);
const serviceToken = (await createAccessToken(db.kysely, { serviceId: land, label: 'fuzz' })).token;
const portalToken = (await createAccessToken(db.kysely, { portalId: portal, label: 'fuzz' })).token;
const { cookieValue, session } = await createSession(db.kysely, userId, config);
const cookie = `${SESSION_COOKIE}=${cookieValue}`;

// ---- generators ----
/** Percent-encodes like a browser, and a lone surrogate as the broken UTF-8 a hostile client sends. */
const enc = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return `%ED%A0%80${encodeURIComponent(text.replace(/\p{Cs}/gu, ''))}`;
  }
};
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '\r\n=1+1', '2024-13', '0000-01', '1e1', '0x1', '-1', '١٢'),
  fc.string({ unit: 'grapheme', minLength: 500, maxLength: 3000 }),
);
const month = fc.oneof(
  fc.constantFrom('2024-01', '2024-12', '2025-06'),
  fc
    .tuple(fc.integer({ min: -1, max: 10_000 }), fc.integer({ min: -1, max: 14 }))
    .map(([y, m]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`),
  hostileText,
);
const ars = fc.oneof(fc.constantFrom('000000000000', '06', '060000000000', '6000000000', '99'), hostileText);
const count = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.constantFrom(-1, 1.5, 2 ** 53, 1e308, null, true, '12', 'zwölf', [], {}),
);
const record = fc.record(
  {
    month,
    ars,
    count,
    serviceId: fc.oneof(fc.constantFrom(land, bund, 999_999, -1, '1'), hostileText),
    extra: hostileText,
  },
  { requiredKeys: [] },
);
const csvLine = fc.oneof(
  fc
    .tuple(month, ars, count)
    .map((cells) => cells.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join(';')),
  hostileText,
);
const csvHeader = fc.constantFrom(
  'month;ars;count',
  'monat;ars;anzahl',
  'serviceId;month;ars;count',
  '',
  'x',
);
const csvBody = fc
  .tuple(csvHeader, fc.array(csvLine, { maxLength: 30 }), fc.integer({ min: 0, max: 3 }))
  .map(([header, lines, blanks]) => [header, ...lines, ...Array<string>(blanks * 1000).fill('')].join('\n'));

const bearer = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(`Bearer ${serviceToken}`, `Bearer ${portalToken}`) },
  fc.constantFrom(`Bearer ${serviceToken}`, `Bearer  ${serviceToken} `, `bearer ${portalToken}`),
  fc.constantFrom('', 'Bearer', `Bearer ${serviceToken.slice(0, -1)}x`, 'Basic YTpi'),
  // Header values are bytes: only what a client can put on the wire.
  hostileText.map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, '')}`),
);
const idSegment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(String(land), String(portal)) },
  fc.constantFrom(String(bund), '0', '01', '1.5', '0x1', '1e1', '2147483648'),
  fc.constantFrom('9223372036854775807', '%00', 'abc', '-1'),
);

const apiRequest: fc.Arbitrary<Fuzzed> = fc
  .record({
    target: fc.constantFrom('services', 'portals'),
    id: idSegment,
    method: fc.constantFrom('PUT', 'PUT', 'PUT', 'GET', 'DELETE', 'POST', 'PATCH'),
    auth: bearer,
    kind: fc.constantFrom('json', 'csv', 'form', 'none', 'garbage'),
    json: fc.oneof(fc.array(record, { maxLength: 20 }), fc.record({ counts: fc.array(record) }), record),
    csv: csvBody,
    partial: fc.constantFrom('', 'partial=true', 'partial=false', 'partial=ja'),
    dryRun: fc.constantFrom('', 'dryRun=true', 'dryRun=1'),
    from: fc.option(month),
    to: fc.option(month),
  })
  .map((r) => {
    const parts: (string | null)[] = [r.partial, r.dryRun];
    if (r.method === 'GET') parts.push(r.from && `from=${enc(r.from)}`, r.to && `to=${enc(r.to)}`);
    if (r.method === 'DELETE') parts.push(`month=${enc(r.from ?? '')}`, 'ars=06');
    const query = parts.filter(Boolean).join('&');
    const path = `/api/v1/${r.target}/${r.id}/counts${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = { authorization: r.auth };
    const bodies = {
      json: ['application/json', JSON.stringify(r.json)],
      csv: ['text/csv', r.csv],
      form: ['application/x-www-form-urlencoded', 'month=2024-01&ars=06&count=1'],
      garbage: ['application/octet-stream', r.csv],
      none: null,
    } as const;
    const chosen = ['PUT', 'POST', 'PATCH'].includes(r.method) ? bodies[r.kind] : null;
    if (chosen) headers['content-type'] = chosen[0];
    const body = chosen?.[1];
    const atomic = r.method === 'PUT' && r.partial !== 'partial=true';
    return { area: 'api' as const, method: r.method, path, headers, body, atomic };
  });

/** The forms of the pages, with the session's CSRF token (or a wrong one) and hostile fields. */
const FORMS: [string, string[]][] = [
  [
    '/dienste/neu',
    ['name', 'url', 'behoerde', 'typ', 'bauart', 'granularitaet', 'leika', 'ozg', 'beschreibung'],
  ],
  [`/dienste/${land}/bearbeiten`, ['name', 'url', 'behoerde', 'typ', 'granularitaet', 'leika', 'ozg']],
  [`/dienste/${land}/erfassen?monat=2024-01`, ['monat', 'land-06', '06', 'wert', 'zeile']],
  [`/dienste/${land}/zugang`, ['email', 'rolle']],
  [`/dienste/${land}/zugang/entziehen`, ['mitgliedschaft']],
  [`/dienste/${land}/schluessel`, ['label', 'gueltig', 'laufzeit']],
  [`/dienste/${land}/schluessel/widerrufen`, ['schluessel']],
  ['/anmelden', ['email', 'password', 'weiter']],
  ['/registrieren', ['email', 'name', 'authority', 'land', 'purpose', 'password', 'einladung']],
  ['/passwort-vergessen', ['email']],
];
const formRequest: fc.Arbitrary<Fuzzed> = fc
  .record({
    form: fc.constantFrom(...FORMS),
    values: fc.array(hostileText, { minLength: 10, maxLength: 10 }),
    repeat: fc.boolean(),
    csrf: fc.constantFrom(session.csrfToken, session.csrfToken, '', 'falsch'),
  })
  .map(({ form: [path, names], values, repeat, csrf }) => {
    const fields = new URLSearchParams({ _csrf: csrf });
    names.forEach((name, i) => {
      fields.append(name, values[i] ?? '');
      if (repeat) fields.append(name, values[(i + 1) % values.length] ?? '');
    });
    return {
      area: 'form' as const,
      method: 'POST',
      path,
      headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
      atomic: false,
    };
  });

const uploadRequest: fc.Arbitrary<Fuzzed> = fc
  .record({
    target: fc.constantFrom(`/dienste/${land}/hochladen`, `/portale/${portal}/hochladen`),
    name: fc.oneof(
      fc.constantFrom('daten.csv', 'daten.xlsx', 'daten.txt', '', '../../etc/passwd'),
      hostileText,
    ),
    content: fc.oneof(
      csvBody.map((s) => Buffer.from(s)),
      csvBody.map((s) => Buffer.from(`\uFEFF${s}`, 'utf16le')),
      fc.uint8Array({ maxLength: 4000 }).map((a) => Buffer.from(a)),
      fc
        .uint8Array({ maxLength: 400 })
        .map((a) => Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.from(a)])),
    ),
  })
  .map(({ target, name, content }) => {
    const form = new FormData();
    form.append('_csrf', session.csrfToken);
    form.append('datei', new Blob([new Uint8Array(content)]), name.replace(/[\r\n"]/g, '') || 'x');
    return {
      area: 'upload' as const,
      method: 'POST',
      path: target,
      headers: { cookie, accept: 'text/html' },
      body: form,
      atomic: false,
    };
  });

const request = fc.oneof(
  { weight: 5, arbitrary: apiRequest },
  { weight: 3, arbitrary: formRequest },
  { weight: 2, arbitrary: uploadRequest },
);

// ---- run ----
async function storedCounts(): Promise<string> {
  const row = await db.kysely
    .selectFrom('counts')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('count').as('s')])
    .executeTakeFirstOrThrow();
  return `${row.n}/${row.s ?? 0}`;
}

const histogram = new Map<string, Map<number, number>>();
const failures: string[] = [];
let sent = 0;
console.log(`npm run fuzz: ${total} Anfragen, seed ${seed}, ${db.engine}, ${base}`);
const samples = fc.sample(request, { numRuns: total, seed });
for (const r of samples) {
  if (Date.now() > deadline) break;
  const before = r.atomic ? await storedCounts() : '';
  let status: number;
  try {
    const res = await fetch(base + r.path, {
      method: r.method,
      headers: r.headers,
      body: r.body,
      redirect: 'manual',
    });
    await res.arrayBuffer();
    status = res.status;
  } catch (error) {
    status = 599;
    failures.push(`${r.method} ${r.path.slice(0, 100)}: ${(error as Error).message}`);
  }
  sent += 1;
  const byArea = histogram.get(r.area) ?? new Map<number, number>();
  histogram.set(r.area, byArea.set(status, (byArea.get(status) ?? 0) + 1));
  if (status >= 500) failures.push(`${r.method} ${r.path.slice(0, 100)} -> ${status}`);
  if (r.atomic && status >= 400) {
    const after = await storedCounts();
    if (after !== before)
      failures.push(`${r.method} ${r.path.slice(0, 100)} -> ${status} changed counts ${before} -> ${after}`);
  }
  if (sent % 1000 === 0) console.log(`  ${sent} gesendet`);
}

await app.close();
await db.close();
if (dbName) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);

console.log(`\nStatus je Bereich (${sent} Anfragen, seed ${seed}):`);
for (const [area, byStatus] of [...histogram].sort()) {
  const cells = [...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
  console.log(`  ${area.padEnd(7)} ${cells.join('  ')}`);
}
const fivexx = [...histogram.values()].reduce(
  (n, m) => n + [...m].filter(([s]) => s >= 500).reduce((a, [, c]) => a + c, 0),
  0,
);
console.log(
  `5xx: ${fivexx}; Verstöße gegen die Atomarität: ${failures.filter((f) => f.includes('changed counts')).length}`,
);
if (failures.length > 0) {
  console.log(`\nFehler (erste 30 von ${failures.length}):`);
  for (const f of failures.slice(0, 30)) console.log(`  ${f}`);
  process.exit(1);
}
if (sent < total) {
  console.log(`Zeitgrenze erreicht nach ${sent} von ${total} Anfragen.`);
  process.exit(1);
}
