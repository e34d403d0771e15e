import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { seedDemo } from '../../../src/demo/seed.js';
import { addMonths, lastClosedMonth } from '../../../src/domain/months.js';
import { loadStartPage } from '../../../src/features/start/service.js';
import { formatInt } from '../../../src/web/format.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn } from '../../helpers/auth.js';

/** The public start page: its figures against the counts themselves (not the roll-ups it reads). */
const NOW = new Date();
let t: TestApp;

const countsBetween = async (from: string, to: string) =>
  Number(
    (
      await sql<{ n: string | null }>`
        SELECT sum(count) AS n FROM counts
        WHERE month BETWEEN ${`${from}-01`}::date AND ${`${to}-01`}::date`.execute(t.db.kysely)
    ).rows[0]!.n ?? 0,
  );

beforeAll(async () => {
  t = await createTestApp();
  await seedDemo(t.db.kysely, NOW);
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe('the start page', () => {
  it('sums the transactions of the last closed month, the latest twelve months and the year so far', async () => {
    const closed = lastClosedMonth(NOW);
    const data = await loadStartPage(t.db.kysely, NOW, 'published');
    expect(data.transactions).toEqual({
      lastMonth: await countsBetween(closed, closed),
      twelveMonths: await countsBetween(addMonths(closed, -11), closed),
      yearToDate: await countsBetween(`${closed.slice(0, 4)}-01`, closed),
    });
    const services = await t.db.kysely.selectFrom('online_services').select('id').execute();
    expect(data.services.connected).toBe(services.length);
    expect(data.services.monthly).toBeGreaterThan(0);
    expect(data.services.gapFree).toBeLessThanOrEqual(data.services.monthly);
    expect(data.series.at(-1)).toEqual({ month: closed, total: await countsBetween(closed, closed) });
    for (const point of data.series.slice(-3)) {
      expect(point.total).toBe(await countsBetween(point.month, point.month));
    }
  });

  it('ranks the top services and sums per Land as the counts do', async () => {
    const closed = lastClosedMonth(NOW);
    const from = `${addMonths(closed, -11)}-01`;
    const to = `${closed}-01`;
    const data = await loadStartPage(t.db.kysely, NOW, 'published');
    const top = await sql<{ id: number; total: string }>`
      SELECT service_id AS id, sum(count) AS total FROM counts
      WHERE month BETWEEN ${from}::date AND ${to}::date
      GROUP BY service_id HAVING sum(count) > 0 ORDER BY sum(count) DESC LIMIT 10`.execute(t.db.kysely);
    expect(data.top.map((s) => Number(s.total))).toEqual(top.rows.map((r) => Number(r.total)));
    const lands = await sql<{ land: string; total: string }>`
      SELECT CASE WHEN ars = '000000000000' THEN '00' ELSE substr(ars, 1, 2) END AS land, sum(count) AS total
      FROM counts WHERE month BETWEEN ${from}::date AND ${to}::date
      GROUP BY 1 HAVING sum(count) > 0 ORDER BY 1`.execute(t.db.kysely);
    expect(data.lands.map((l) => [l.land, Number(l.total)])).toEqual(
      lands.rows.map((r) => [r.land, Number(r.total)]),
    );
  });

  it('is public, in German, with chart, map and tables, and needs no JavaScript', async () => {
    const res = await t.app.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    const body = res.body;
    const data = await loadStartPage(t.db.kysely, NOW, 'published');
    expect(body).toContain(
      '<h1 class="kern-heading-large">Nutzung der Onlinedienste der öffentlichen Verwaltung</h1>',
    );
    expect(body).toContain(`<strong>${formatInt(data.transactions.twelveMonths)}</strong>`);
    expect(body).toContain(`<strong>${formatInt(data.services.connected)}</strong> Onlinedienste angebunden`);
    expect(body).toContain('Transaktionen je Monat über alle Onlinedienste');
    expect(body).toMatch(/role="img" aria-label="Liniendiagramm[^"]*"><svg/);
    expect(body).toMatch(/role="img" aria-label="Karte Deutschlands[^"]*"><svg/);
    expect(body).toContain('data-ars="060000000000"');
    expect(body).toContain(`href="/dienste/${data.top[0]!.id}"`);
    expect(body).toContain('Meistgenutzte Onlinedienste');
    expect(body).not.toMatch(/<script(?![^>]*src=)/);
    // The navigation of anonymous visitors: the public part first, then the way in.
    const nav = /<nav class="kern-container zsk-nav"[\s\S]*?<\/nav>/.exec(body)![0];
    expect([...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)</g)].map((m) => `${m[2]} ${m[1]}`)).toEqual([
      'Start /',
      'Onlinedienste /dienste',
      'Auswertungen /auswertungen',
      'Vollständigkeit /vollstaendigkeit',
      'Berichte /berichte',
      'Open Data /opendata',
      'Anmelden /anmelden',
      'Registrieren /registrieren',
    ]);
    expect(nav).toContain('<a href="/" aria-current="page">Start</a>');
  });

  it('is the start page of signed-in people too, with their navigation', async () => {
    const viewer = await signIn(t, { name: 'Lesende Person' });
    const res = await t.app.inject({ url: '/', headers: { cookie: viewer.cookie, accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Angemeldet als <strong>Lesende Person</strong>');
    expect(res.body).toContain('<a href="/dienste">Onlinedienste</a>');
    expect(res.body).toContain('<a href="/meine-dienste">Meine Dienste</a>');
  });

  it('shows an empty database without errors', async () => {
    const empty = await createTestApp();
    try {
      const res = await empty.app.inject({ url: '/', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Es liegen noch keine Transaktionszahlen vor.');
      expect(res.body).toContain('<strong>0</strong> Onlinedienste angebunden');
    } finally {
      await empty.close();
    }
  });
});
