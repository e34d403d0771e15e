import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { addMonths, lastClosedMonth, monthRange } from '../../../src/domain/months.js';
import { periodBoundsOf, quarterOf } from '../../../src/domain/periods.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';

// The routes read the clock: the data are placed relative to the real last closed month L.
const L = lastClosedMonth(new Date());
// Starts in the middle of a quarter and of a year whatever L is, so the first quarter is incomplete.
const FIRST = (() => {
  let m = addMonths(L, -16);
  while (periodBoundsOf(m, 'quartal').from === m) m = addMonths(m, -1);
  return m;
})();
const MONTHS = monthRange(FIRST, L);
const GAP = MONTHS[5]!;
const ZERO = MONTHS[6]!;

let t: TestApp;
let viewer: SignedIn;
let serviceId: number;
let hiddenId: number;
const delivered = new Map<string, number>();

beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  serviceId = await createService(t.db.kysely, { name: 'Auflösungsdienst', granularity: 'land' });
  hiddenId = await createService(t.db.kysely, { name: 'Unveröffentlichter Dienst', granularity: 'land' });
  const rows: { month: string; ars: string; count: number }[] = [];
  MONTHS.forEach((month, i) => {
    if (month === GAP) return;
    const a = month === ZERO ? 0 : 1000 + i * 37;
    const b = month === ZERO ? 0 : 11 * i;
    rows.push({ month, ars: '060000000000', count: a }, { month, ars: '090000000000', count: b });
    delivered.set(month, a + b);
  });
  for (const [id, r] of [
    [serviceId, rows],
    [hiddenId, rows.map((x) => ({ ...x, count: x.count + 1 }))],
  ] as const) {
    const summary = await ingestDelivery(t.db.kysely, {
      channel: 'api',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId: id },
      rows: r,
    });
    expect(summary.status).toBe('accepted');
  }
  await sql`UPDATE online_services SET published = false WHERE id = ${hiddenId}`.execute(t.db.kysely);
});
afterAll(async () => {
  await t.close();
});

const num = (s: string) => Number(s.replace(/\./g, ''));

/** Rows of the series table: [period key, label, value or null]. */
function periodRows(body: string): [string, string, number | null][] {
  return [
    ...body.matchAll(
      /<tr class="kern-table__row" data-period="([^"]+)"><th scope="row" class="kern-table__cell">([^<]+)<\/th><td[^>]*>[^<]*<\/td><td[^>]*>(?:<em>keine Lieferung<\/em>|([\d.]+))<\/td>/g,
    ),
  ].map((m) => [m[1]!, m[2]!, m[3] === undefined ? null : num(m[3])]);
}

/** Rows of the monthly table: month 'MM/YYYY' → value or null. */
function monthRows(body: string): Map<string, number | null> {
  const table = body.slice(body.indexOf('id="months-caption"'));
  return new Map(
    [
      ...table.matchAll(
        /<th scope="row" class="kern-table__cell">(\d{2})\/(\d{4})[^<]*<\/th><td[^>]*>(?:<em>keine Lieferung<\/em>|([\d.]+))<\/td>/g,
      ),
    ].map((m) => [`${m[2]}-${m[1]}`, m[3] === undefined ? null : num(m[3])]),
  );
}

const get = (url: string, cookie?: string) =>
  t.app.inject({ url, headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });

describe('quarters and years are the sums of their months', () => {
  for (const path of ['/dienste', '/einbetten/dienste']) {
    it(`${path}/:id: on this engine, incomplete quarters and years marked`, async () => {
      const monthly = monthRows((await get(`${path}/${serviceId}`, viewer.cookie)).body);
      expect([...monthly.keys()]).toEqual(MONTHS);
      expect(monthly.get(GAP)).toBeNull();
      for (const [m, v] of delivered) expect(monthly.get(m)).toBe(v);

      for (const resolution of ['quartal', 'jahr'] as const) {
        const res = await get(`${path}/${serviceId}?aufloesung=${resolution}`, viewer.cookie);
        expect(res.statusCode).toBe(200);
        const rows = periodRows(res.body);
        const keyOf = (m: string) => (resolution === 'quartal' ? quarterOf(m) : m.slice(0, 4));
        const expected = new Map<string, { sum: number | null; present: number }>();
        for (const [m, v] of monthly) {
          const e = expected.get(keyOf(m)) ?? { sum: null, present: 0 };
          expected.set(keyOf(m), { sum: v === null ? e.sum : (e.sum ?? 0) + v, present: e.present + 1 });
        }
        expect(rows.map((r) => r[0])).toEqual([...expected.keys()]);
        const size = resolution === 'quartal' ? 3 : 12;
        for (const [key, label, value] of rows) {
          const e = expected.get(key)!;
          expect(value, key).toBe(e.sum);
          if (e.present < size) expect(label).toContain(`, ${e.present} von ${size} Monaten`);
          else expect(label).not.toContain(' von ');
        }
        // The first quarter starts in its middle: it is always marked incomplete.
        expect(rows[0]![1]).toMatch(/ von (3|12) Monaten$/);
        expect(rows.reduce((s, r) => s + (r[2] ?? 0), 0)).toBe(
          [...delivered.values()].reduce((a, b) => a + b),
        );
      }
    });
  }

  it('a chosen period is widened to whole quarters and the Länder sum its months', async () => {
    const from = MONTHS[4]!;
    const to = MONTHS[8]!;
    const q = { from: periodBoundsOf(from, 'quartal').from, to: periodBoundsOf(to, 'quartal').to };
    const res = await get(`/dienste/${serviceId}?von=${from}&bis=${to}&aufloesung=quartal`, viewer.cookie);
    expect(res.statusCode).toBe(200);
    const rows = periodRows(res.body);
    const inRange = MONTHS.filter((m) => m >= q.from && m <= q.to);
    expect(rows.reduce((s, r) => s + (r[2] ?? 0), 0)).toBe(
      inRange.reduce((s, m) => s + (delivered.get(m) ?? 0), 0),
    );
    // The fields show the widened period.
    expect(res.body).toContain(`value="${q.from}"`);
    expect(res.body).toContain(`value="${q.to > L ? L : q.to}"`);
    expect(res.body).toMatch(/<option value="quartal" selected/);
  });

  it('the report for a quarter equals the sum of its months', async () => {
    const quarter = periodBoundsOf(MONTHS[9]!, 'quartal');
    const res = await get(
      `/berichte/dienste?from=${MONTHS[9]!}&to=${MONTHS[9]!}&aufloesung=quartal`,
      viewer.cookie,
    );
    expect(res.statusCode).toBe(200);
    const row = res.body.slice(res.body.indexOf('>Auflösungsdienst</a>'));
    const value = num(
      /<td class="kern-table__cell kern-table__cell--numeric zsk-nowrap">([\d.]+)<\/td>/.exec(row)![1]!,
    );
    const months = monthRange(quarter.from, quarter.to > L ? L : quarter.to);
    expect(value).toBe(months.reduce((s, m) => s + (delivered.get(m) ?? 0), 0));
    expect(res.body).toContain(quarterOf(quarter.from).replace(/^(\d{4})-(Q\d)$/, '$2/$1'));
  });

  it('the explorer over a year equals the sum of its months (all services, published or not, signed in)', async () => {
    const year = MONTHS[0]!.slice(0, 4);
    const res = await get(
      `/auswertungen?nach=dienst&von=${year}-03&bis=${year}-03&aufloesung=jahr`,
      viewer.cookie,
    );
    expect(res.statusCode).toBe(200);
    const months = MONTHS.filter((m) => m.startsWith(year));
    const sum = months.reduce((s, m) => s + (delivered.get(m) ?? 0), 0);
    const row = res.body.slice(res.body.indexOf(`data-group="${serviceId}"`));
    expect(num(/kern-table__cell--numeric">([\d.]+)<\/td>/.exec(row)![1]!)).toBe(sum);
    expect(res.body).toContain(`value="${year}-01"`);
  });
});

describe('a wrong resolution is a 400 that names the parameter', () => {
  for (const url of [
    '/dienste/SERVICE?aufloesung=woche',
    '/einbetten/dienste/SERVICE?aufloesung=woche',
    '/auswertungen?aufloesung=woche',
    '/einbetten/auswertungen?aufloesung=woche',
    '/berichte?aufloesung=woche',
    '/berichte/dienste?aufloesung=woche',
  ]) {
    it(url, async () => {
      const res = await get(url.replace('SERVICE', String(serviceId)), viewer.cookie);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Auflösung (Parameter aufloesung): „woche“ gibt es nicht');
    });
  }

  it('in the report exports too, with the error shape', async () => {
    const res = await t.app.inject({
      url: '/berichte/dienste.csv?aufloesung=woche',
      headers: { cookie: viewer.cookie },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'report_query_invalid' } });
    expect(res.json<{ error: { message: string } }>().error.message).toContain('aufloesung');
  });
});

describe('embeds', () => {
  it('show published services only, also to signed-in people', async () => {
    for (const cookie of [undefined, viewer.cookie]) {
      expect((await get(`/einbetten/dienste/${hiddenId}`, cookie)).statusCode).toBe(404);
      expect((await get(`/einbetten/auswertungen?dienst=${hiddenId}`, cookie)).statusCode).toBe(404);
      expect((await get(`/einbetten/dienste/${serviceId}`, cookie)).statusCode).toBe(200);
      const all = await get(`/einbetten/auswertungen?nach=dienst&von=${MONTHS[0]}&bis=${L}`, cookie);
      expect(all.statusCode).toBe(200);
      expect(all.body).toContain('Auflösungsdienst');
      expect(all.body).not.toContain('Unveröffentlichter Dienst');
      const sum = [...delivered.values()].reduce((a, b) => a + b);
      // The grand total counts the published service only.
      expect(all.body).toContain(`insgesamt ${sum.toLocaleString('de-DE')} Transaktionen`);
    }
    expect((await get('/einbetten/dienste/999999')).statusCode).toBe(404);
    expect((await get('/einbetten/dienste/abc')).statusCode).toBe(404);
  });

  it('have no navigation, and the chart and the table', async () => {
    const body = (await get(`/einbetten/dienste/${serviceId}?aufloesung=jahr`)).body;
    expect(body).not.toContain('Hauptnavigation');
    expect(body).toContain('role="img"');
    expect(body).toContain('<svg');
    expect(body).toContain('<table');
    expect(body).toContain('target="_top"');
  });

  it('relax frame-ancestors and drop X-Frame-Options on /einbetten/* only', async () => {
    for (const url of [
      `/einbetten/dienste/${serviceId}`,
      `/einbetten/dienste/${hiddenId}`,
      '/einbetten/auswertungen',
    ]) {
      const res = await get(url);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors \*(;|$)/);
      expect(res.headers['x-frame-options']).toBeUndefined();
    }
    for (const url of [
      `/dienste/${serviceId}`,
      '/auswertungen',
      '/berichte',
      '/anmelden',
      '/einbetten/unbekannt',
    ]) {
      const res = await get(url, viewer.cookie);
      expect(res.headers['content-security-policy'], url).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
    }
  });

  it('need a sign-in when the public part is off (ZSK_PUBLIC=0)', async () => {
    const closed = await createTestApp({ publicData: false });
    try {
      const res = await closed.app.inject({
        url: '/einbetten/auswertungen',
        headers: { accept: 'text/html' },
      });
      expect([303, 401]).toContain(res.statusCode);
    } finally {
      await closed.close();
    }
  });

  it('take the permitted framers from ZSK_EMBED_ANCESTORS', async () => {
    const other = await createTestApp({ embedAncestors: "'self' https://example.org" });
    try {
      const res = await other.app.inject({ url: '/einbetten/auswertungen' });
      expect(res.headers['content-security-policy']).toMatch(
        /frame-ancestors 'self' https:\/\/example.org(;|$)/,
      );
    } finally {
      await other.close();
    }
  });

  it('are offered below the charts of the service page and the explorer as a copyable snippet', async () => {
    const page = (await get(`/dienste/${serviceId}?aufloesung=quartal`, viewer.cookie)).body;
    expect(page).toContain('HTML-Code zum Einbetten');
    expect(page).toContain(
      `&lt;iframe src=&quot;http://localhost:3000/einbetten/dienste/${serviceId}?aufloesung=quartal&quot;`,
    );
    expect(page).toMatch(/<textarea[^>]*readonly/i);
    const explorer = (
      await get(`/auswertungen?nach=typ&von=${MONTHS[0]}&bis=${L}&aufloesung=jahr`, viewer.cookie)
    ).body;
    expect(explorer).toContain('http://localhost:3000/einbetten/auswertungen?nach=typ&amp;von=');
    expect(explorer).toContain('aufloesung=jahr');
  });
});
