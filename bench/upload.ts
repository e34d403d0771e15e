/**
 * npm run bench:upload [-- --rows N]
 *
 * A CSV file of N counts (default 100,000; Kreis granularity, 400 Kreise x consecutive months) goes
 * through the real HTTP routes of the web UI on the embedded database (PGlite), as a signed-in service
 * manager: upload and check (POST /dienste/:id/hochladen), preview page, confirmation; then the same
 * file confirmed as the htmx button does (answer with the progress bar, status polled every second
 * until stored). Baselines in the same run: the same rows through the delivery API (one PUT, JSON)
 * and a raw COPY into counts.
 * Prints the time of each phase, rows/s and the ratios.
 */
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openMigratedDatabase, type Db } from '../src/db/database.js';
import { addMonths, monthRange } from '../src/domain/months.js';
import { createSession, SESSION_COOKIE } from '../src/http/sessions.js';
import { ensureShippedRegions } from '../src/features/regions/repository.js';
import { createAccessToken } from '../src/features/tokens/tokens.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const TOTAL = Number(values.rows);
const fmt = new Intl.NumberFormat('en-US');

interface Row {
  month: string;
  ars: string;
  count: number;
}

async function newService(db: Db, name: string): Promise<number> {
  const s = await db.kysely
    .insertInto('online_services')
    .values({
      name,
      url: null,
      authority_id: null,
      service_type: '2/3',
      build_mode: 'efa',
      granularity: 'kreis',
      description: null,
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return s.id;
}

async function rowsToSend(db: Db): Promise<Row[]> {
  const kreise = (
    await db.kysely
      .selectFrom('regions')
      .select('ars')
      .where((eb) => eb.or([eb('level', '=', 'kreis'), eb('is_kreis', '=', true)]))
      .orderBy('ars')
      .execute()
  ).map((r) => r.ars);
  const months = monthRange('2000-01', addMonths('2000-01', Math.ceil(TOTAL / kreise.length) - 1));
  return Array.from({ length: TOTAL }, (_, k) => ({
    month: months[Math.floor(k / kreise.length)]!,
    ars: kreise[k % kreise.length]!,
    count: k % 5000,
  }));
}

async function time<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

const db = await openMigratedDatabase({ databaseUrl: null, dataDir: 'memory://' });
await ensureShippedRegions(db.kysely);
const config = { ...loadConfig({}), demo: false, logLevel: 'warn', dataDir: 'memory://' };
const app = await buildApp({ config, db, logger: { level: 'error' } });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

try {
  const rows = await rowsToSend(db);
  const csv = `\uFEFFmonat;ars;anzahl\r\n${rows.map((r) => `${r.month};${r.ars};${r.count}`).join('\r\n')}\r\n`;
  const user = await db.kysely
    .insertInto('users')
    .values({
      email: 'bench@zsk.example',
      name: 'Bench',
      status: 'active',
      password_hash: null,
      authority_id: null,
      purpose: null,
      oidc_subject: null,
      status_reason: null,
      locked_until: null,
      last_login_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { cookieValue, session } = await createSession(db.kysely, user.id, config);
  const cookie = `${SESSION_COOKIE}=${cookieValue}`;
  const uiService = await newService(db, 'Upload-Benchmark');
  await db.kysely
    .insertInto('memberships')
    .values({ user_id: user.id, service_id: uiService, role: 'service_manager' })
    .execute();

  console.log(
    `bench:upload – ${fmt.format(TOTAL)} rows, CSV ${(Buffer.byteLength(csv) / 1024 / 1024).toFixed(1)} MiB, PGlite`,
  );

  const [previewUrl, uploadMs] = await time(async () => {
    const form = new FormData();
    form.append('_csrf', session.csrfToken);
    form.append('datei', new Blob([csv], { type: 'text/csv' }), 'benchmark.csv');
    const res = await fetch(`${base}/dienste/${uiService}/hochladen`, {
      method: 'POST',
      headers: { cookie, accept: 'text/html' },
      body: form,
      redirect: 'manual',
    });
    if (res.status !== 303)
      throw new Error(`upload answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
    return res.headers.get('location')!;
  });
  const [, previewMs] = await time(async () => {
    const res = await fetch(`${base}${previewUrl}`, { headers: { cookie, accept: 'text/html' } });
    const html = await res.text();
    if (res.status !== 200 || !html.includes('Lieferung speichern'))
      throw new Error(`preview answered ${res.status}: ${html.slice(0, 500)}`);
  });
  const [, confirmMs] = await time(async () => {
    const res = await fetch(`${base}${previewUrl}`, {
      method: 'POST',
      headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrfToken, aktion: 'speichern' }),
      redirect: 'manual',
    });
    if (res.status !== 303)
      throw new Error(`confirm answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  });
  const stored = await db.kysely
    .selectFrom('deliveries')
    .select(['created', 'channel'])
    .where('service_id', '=', uiService)
    .executeTakeFirstOrThrow();
  if (stored.created !== TOTAL) throw new Error(`expected ${TOTAL} new counts, got ${stored.created}`);

  // The same file confirmed by the htmx button: the answer comes at once with the progress bar,
  // which polls the status every second until the delivery is stored.
  const hxService = await newService(db, 'Upload-Benchmark htmx');
  await db.kysely
    .insertInto('memberships')
    .values({ user_id: user.id, service_id: hxService, role: 'service_manager' })
    .execute();
  const hxPreview = await (async () => {
    const form = new FormData();
    form.append('_csrf', session.csrfToken);
    form.append('datei', new Blob([csv], { type: 'text/csv' }), 'benchmark.csv');
    const res = await fetch(`${base}/dienste/${hxService}/hochladen`, {
      method: 'POST',
      headers: { cookie, accept: 'text/html' },
      body: form,
      redirect: 'manual',
    });
    if (res.status !== 303) throw new Error(`upload answered ${res.status}`);
    return res.headers.get('location')!;
  })();
  const [, hxAnswerMs] = await time(async () => {
    const res = await fetch(`${base}${hxPreview}`, {
      method: 'POST',
      headers: {
        cookie,
        accept: 'text/html',
        'hx-request': 'true',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: session.csrfToken, aktion: 'speichern' }),
    });
    const html = await res.text();
    if (res.status !== 200 || !html.includes('<progress'))
      throw new Error(`htmx confirm answered ${res.status}: ${html.slice(0, 500)}`);
  });
  const [polls, hxDoneMs] = await time(async () => {
    for (let n = 1; ; n++) {
      const res = await fetch(`${base}${hxPreview}/fortschritt`, {
        headers: { cookie, 'hx-request': 'true' },
      });
      const html = await res.text();
      if (!html.includes('hx-trigger')) {
        if (!html.includes('Die Lieferung ist gespeichert.'))
          throw new Error(`status: ${html.slice(0, 500)}`);
        return n;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  });

  const apiService = await newService(db, 'API-Benchmark');
  const { token } = await createAccessToken(db.kysely, { serviceId: apiService, label: 'bench' });
  const [, apiMs] = await time(async () => {
    const res = await fetch(`${base}/api/v1/services/${apiService}/counts`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ counts: rows }),
    });
    if (res.status !== 200)
      throw new Error(`API answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  });

  const copyService = await newService(db, 'COPY-Benchmark');
  const [, copyMs] = await time(async () => {
    const text = rows.map((r) => `${copyService}\t${r.month}-01\t${r.ars}\t${r.count}\n`).join('');
    await db.pglite!.query(`COPY counts (service_id, month, ars, count) FROM '/dev/blob'`, [], {
      blob: new Blob([text]),
    });
  });

  const uiMs = uploadMs + previewMs + confirmMs;
  const rate = (ms: number) => `${fmt.format(Math.round(TOTAL / (ms / 1000))).padStart(7)} rows/s`;
  const line = (label: string, ms: number, withRate = true) =>
    console.log(
      `${label.padEnd(42)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${withRate ? rate(ms) : ''}`.trimEnd(),
    );
  line('UI 1 upload + check (dry run)', uploadMs);
  line('UI 2 preview page', previewMs);
  line('UI 3 confirm (store)', confirmMs);
  line('UI total', uiMs);
  line('UI 3 by htmx: answer with progress bar', hxAnswerMs, false);
  line(`UI 3 by htmx: stored (${polls} polls)`, hxAnswerMs + hxDoneMs);
  line('baseline: delivery API, one PUT', apiMs);
  line('baseline: raw COPY', copyMs);
  console.log(
    `UI / API ${((apiMs / uiMs) * 100).toFixed(0)} %   UI / COPY ${((copyMs / uiMs) * 100).toFixed(0)} %`,
  );
} finally {
  await app.close();
  await db.close();
}
