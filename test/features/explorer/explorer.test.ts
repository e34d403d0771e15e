import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery, type IncomingRow } from '../../../src/features/deliveries/ingest.js';
import {
  defaultForm,
  parseExplorerQuery,
  type Dimension,
  type ExplorerParams,
} from '../../../src/features/explorer/params.js';
import { listServiceOptions } from '../../../src/features/explorer/queries.js';
import { loadExploration } from '../../../src/features/explorer/service.js';
import { currentMonth } from '../../../src/domain/months.js';
import { calendarYear } from '../../../src/web/period-shortcuts.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';

const NOW = new Date('2026-11-20T10:00:00Z');
let t: TestApp;
let viewer: SignedIn;
const ids = { a: 0, b: 0, c: 0 };
const population = new Map<string, number>();

async function deliver(serviceId: number, rows: IncomingRow[]) {
  const summary = await ingestDelivery(t.db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows,
    now: NOW,
  });
  expect(summary.status).toBe('accepted');
}

/*
 * Hand-made data, 01/2026 to 03/2026:
 *   A  Typ 1, Fokus, Behörde X, Portal P, OZG o1 (T1), o2 (T2), o3 (T1): Hessen 100 + 200, Bayern 50 = 350
 *   B  Typ 2/3, Behörde X, Portale P and Q, OZG o1 (T1):                  Bremen 300            = 300
 *   C  Typ 4, nothing linked, bundesweit:                                                       = 1000
 * and one month outside the period (A, 12/2025, Hessen 999) that must not count.
 */
beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  const db = t.db.kysely;
  ids.a = await createService(db, { name: 'A Dienst', type: '1', focus: true, granularity: 'land' });
  ids.b = await createService(db, { name: 'B Dienst', type: '2/3', granularity: 'land' });
  ids.c = await createService(db, { name: 'C <script>alert(1)</script>', type: '4', granularity: 'bund' });
  const x = await db
    .insertInto('authorities')
    .values({ name: 'Behörde X', land: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('online_services')
    .set({ authority_id: x.id })
    .where('id', 'in', [ids.a, ids.b])
    .execute();
  await createPortal(db, [ids.a, ids.b], 'Portal P');
  await createPortal(db, [ids.b], 'Portal Q');
  await db
    .insertInto('ozg_services')
    .values([
      { id: 'o1', name: 'OZG eins', themenfeld: 'T1', lebenslage: null },
      { id: 'o2', name: 'OZG zwei', themenfeld: 'T2', lebenslage: null },
      { id: 'o3', name: 'OZG drei', themenfeld: 'T1', lebenslage: null },
    ])
    .execute();
  await db
    .insertInto('online_service_ozg')
    .values([
      { service_id: ids.a, ozg_id: 'o1' },
      { service_id: ids.a, ozg_id: 'o2' },
      { service_id: ids.a, ozg_id: 'o3' },
      { service_id: ids.b, ozg_id: 'o1' },
    ])
    .execute();
  await deliver(ids.a, [
    { month: '2025-12', ars: '060000000000', count: 999 },
    { month: '2026-01', ars: '060000000000', count: 100 },
    { month: '2026-02', ars: '060000000000', count: 200 },
    { month: '2026-01', ars: '090000000000', count: 50 },
  ]);
  await deliver(ids.b, [{ month: '2026-02', ars: '040000000000', count: 300 }]);
  await deliver(ids.c, [{ month: '2026-03', ars: '000000000000', count: 1000 }]);
  const regions = await db
    .selectFrom('regions')
    .select(['ars', 'population'])
    .where('level', 'in', ['bund', 'land'])
    .execute();
  for (const r of regions) population.set(r.ars.slice(0, 2), r.population ?? 0);
});
afterAll(async () => {
  await t.close();
});

const params = (dimension: Dimension, extra: Partial<ExplorerParams> = {}): ExplorerParams => ({
  dimension,
  from: '2026-01',
  to: '2026-03',
  mode: 'absolut',
  serviceIds: [],
  ...extra,
});

/**
 * Groups over all services (rollup_group_month, no service counts) must equal the groups of a
 * selection of every service (per-service roll-ups, with counts); returns the latter.
 */
async function groups(dimension: Dimension, extra: Partial<ExplorerParams> = {}) {
  const all = await loadExploration(t.db.kysely, params(dimension, extra));
  if (dimension === 'dienst') return all.groups.map((g) => [g.label, g.total, g.services]);
  const selected = await loadExploration(
    t.db.kysely,
    params(dimension, { ...extra, serviceIds: Object.values(ids) }),
  );
  expect(all.groups.map((g) => [g.label, g.total])).toEqual(selected.groups.map((g) => [g.label, g.total]));
  expect(all.groups.map((g) => g.services).filter((n) => n !== null)).toEqual([]);
  return selected.groups.map((g) => [g.label, g.total, g.services]);
}

describe('explorer service', () => {
  it('counts every service once in the total, only within the period', async () => {
    const r = await loadExploration(t.db.kysely, params('portal'));
    expect(r).toMatchObject({ total: 1650, services: 3, months: 3, multiMembership: true });
  });

  it('groups by online service, largest first', async () => {
    expect(await groups('dienst')).toEqual([
      ['C <script>alert(1)</script>', 1000, 1],
      ['A Dienst', 350, 1],
      ['B Dienst', 300, 1],
    ]);
  });

  it('finds the largest services of whole years, parts of years and both as a full selection does', async () => {
    for (const [from, to] of [
      ['2026-01', '2026-12'],
      ['2025-01', '2025-12'],
      ['2025-12', '2026-12'],
      ['2025-06', '2026-02'],
      ['2024-01', '2026-12'],
    ] as const) {
      const top = await loadExploration(t.db.kysely, params('dienst', { from, to }));
      const selected = await loadExploration(
        t.db.kysely,
        params('dienst', { from, to, serviceIds: Object.values(ids) }),
      );
      const figures = (r: typeof top) => r.groups.map((g) => `${g.label}: ${g.total}`).sort();
      expect(figures(top), `${from} to ${to}`).toEqual(figures(selected));
      expect(top.groups.length, `${from} to ${to}`).toBeGreaterThan(0);
    }
  });

  it('groups by type, focus, authority and portal', async () => {
    expect(await groups('typ')).toEqual([
      ['Typ 4', 1000, 1],
      ['Typ 1', 350, 1],
      ['Typ 2/3', 300, 1],
    ]);
    expect(await groups('fokus')).toEqual([
      ['keine Fokusleistung', 1300, 2],
      ['Fokusleistung', 350, 1],
    ]);
    expect(await groups('behoerde')).toEqual([
      ['ohne Behörde', 1000, 1],
      ['Behörde X', 650, 2],
    ]);
    // B belongs to both portals and counts in each.
    expect(await groups('portal')).toEqual([
      ['ohne Portal', 1000, 1],
      ['Portal P', 650, 2],
      ['Portal Q', 300, 1],
    ]);
  });

  it('groups by OZG service and Themenfeld, a service once per Themenfeld', async () => {
    expect(await groups('ozg')).toEqual([
      ['ohne OZG-Leistung', 1000, 1],
      ['OZG eins', 650, 2],
      ['OZG drei', 350, 1],
      ['OZG zwei', 350, 1],
    ]);
    // A has two OZG services in T1 (o1, o3) and still counts 350 there, not 700.
    expect(await groups('themenfeld')).toEqual([
      ['ohne Themenfeld', 1000, 1],
      ['T1', 650, 2],
      ['T2', 350, 1],
    ]);
  });

  it('groups by Land, nationwide counts apart', async () => {
    expect(await groups('land')).toEqual([
      ['bundesweit (ohne Länderaufteilung)', 1000, 1],
      ['Bremen', 300, 1],
      ['Hessen', 300, 1],
      ['Bayern', 50, 1],
    ]);
  });

  it('computes per 1,000 inhabitants of each Land, and orders by that value', async () => {
    const r = await loadExploration(t.db.kysely, params('land', { mode: 'je1000' }));
    const by = new Map(r.groups.map((g) => [g.key, g]));
    expect(by.get('04')!.perThousand).toBeCloseTo((300 / population.get('04')!) * 1000, 10);
    expect(by.get('06')!.perThousand).toBeCloseTo((300 / population.get('06')!) * 1000, 10);
    expect(by.get('00')!.perThousand).toBeCloseTo((1000 / population.get('00')!) * 1000, 10);
    // Bremen is small: the same 300 weigh more there than in Hessen.
    expect(r.groups.map((g) => g.key)).toEqual(['04', '06', '00', '09']);
    expect(r.populationBasis).toBe('land');
  });

  it('relates other dimensions to the population of Germany', async () => {
    const r = await loadExploration(t.db.kysely, params('typ', { mode: 'je1000' }));
    expect(r.populationBasis).toBe('germany');
    expect(r.groups[0]!.perThousand).toBeCloseTo((1000 / population.get('00')!) * 1000, 10);
  });

  it('compares only the chosen services', async () => {
    const r = await loadExploration(t.db.kysely, params('dienst', { serviceIds: [ids.a, ids.b] }));
    expect(r.total).toBe(650);
    expect(r.groups.map((g) => [g.label, g.total])).toEqual([
      ['A Dienst', 350],
      ['B Dienst', 300],
    ]);
    const land = await loadExploration(t.db.kysely, params('land', { serviceIds: [ids.b] }));
    expect(land.groups.map((g) => [g.key, g.total])).toEqual([['04', 300]]);
  });

  it('counts the month before the period only when the period includes it', async () => {
    const r = await loadExploration(t.db.kysely, params('dienst', { from: '2025-12', to: '2025-12' }));
    expect(r.total).toBe(999);
    const empty = await loadExploration(t.db.kysely, params('dienst', { from: '2024-01', to: '2024-12' }));
    expect(empty).toMatchObject({ total: 0, groups: [] });
  });
});

describe('explorer parameters', () => {
  it('takes defaults: by Land over the latest twelve closed months', () => {
    const r = parseExplorerQuery({}, NOW);
    expect(r).toMatchObject({
      ok: true,
      params: { dimension: 'land', from: '2025-11', to: '2026-10', mode: 'absolut', serviceIds: [] },
    });
  });

  it('names every wrong parameter in German', () => {
    const r = parseExplorerQuery(
      { nach: 'farbe', von: '2026-13', bis: '03/2026', wert: 'prozent', dienst: ['x'] },
      NOW,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field)).toEqual(['nach', 'wert', 'von', 'bis', 'dienst']);
    expect(r.errors[0]!.message).toContain('Unbekannte Gruppierung „farbe“');
    expect(r.errors[2]!.message).toContain('01 bis 12');
    expect(r.errors[3]!.message).toContain('JJJJ-MM');
  });

  it('rejects a period whose start lies after its end', () => {
    const r = parseExplorerQuery({ von: '2026-05', bis: '2026-02' }, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors[0]!.message).toBe('Der Zeitraum ist leer: „von“ (2026-05) liegt nach „bis“ (2026-02).');
  });
});

describe('GET /auswertungen', () => {
  const url = (q: string) => `/auswertungen?von=2026-01&bis=2026-03&${q}`;

  it('serves the page with the form, the summary, the chart and the table', async () => {
    const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url: url('nach=dienst') });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^<!DOCTYPE html>/);
    expect(res.body).toContain('<a href="/auswertungen" aria-current="page">Auswertungen</a>');
    expect(res.body).toContain('<form class="zsk-explorer-form" method="get" action="/auswertungen"');
    expect(res.body).toContain(
      'Im Zeitraum 01/2026 bis 03/2026 wurden bei 3 Onlinediensten insgesamt 1.650 Transaktionen gezählt.',
    );
    expect(res.body).toMatch(/<div class="zsk-chart__svg" role="img" aria-label="Balkendiagramm[^"]*"><svg /);
    expect(res.body).toContain(
      '<caption id="gruppen-caption" class="kern-title">Transaktionen nach Onlinedienst</caption>',
    );
    expect(res.body).toMatch(new RegExp(`<a href="/dienste/${ids.a}">A Dienst</a></th><td[^>]*>350</td>`));
  });

  it('offers the latest twelve months and each calendar year with data, keeping the rest of the question', async () => {
    // The current year ends at the current month: later months cannot be asked for.
    const thisYear = calendarYear(2026, currentMonth());
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: `/auswertungen?von=${thisYear.from}&bis=${thisYear.to}&nach=typ&dienst=${ids.a}`,
    });
    expect(res.statusCode).toBe(200);
    const nav = res.body.slice(res.body.indexOf('aria-labelledby="zeitraum-schnell"'));
    const links = [...nav.slice(0, nav.indexOf('</nav>')).matchAll(/<a href="([^"]+)"([^>]*)>([^<]+)<\/a>/g)];
    const twelve = defaultForm(new Date());
    expect(links.map((l) => [l[3], l[1]!.replaceAll('&amp;', '&'), l[2]!.includes('aria-current')])).toEqual([
      [
        'Letzte 12 Monate',
        `/auswertungen?nach=typ&von=${twelve.von}&bis=${twelve.bis}&wert=absolut&dienst=${ids.a}`,
        false,
      ],
      ['2026', `/auswertungen?nach=typ&von=2026-01&bis=${thisYear.to}&wert=absolut&dienst=${ids.a}`, true],
      ['2025', `/auswertungen?nach=typ&von=2025-01&bis=2025-12&wert=absolut&dienst=${ids.a}`, false],
    ]);
    // Up to the current month the year reads as the whole calendar year: A's 2026 is 350.
    expect(res.body).toMatch(/>350</);
  });

  it('escapes names in the table, the form and the chart', async () => {
    const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url: url('nach=dienst') });
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain('C &lt;script>alert(1)&lt;/script>');
    const start = res.body.indexOf('<svg width');
    const svg = res.body.slice(start, res.body.indexOf('</svg>', start));
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).not.toMatch(/<style|style="|<script/);
  });

  it('keeps the chosen services checked and compares only those', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: url(`nach=dienst&dienst=${ids.a}&dienst=${ids.b}`),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`value="${ids.a}" checked`);
    expect(res.body).toContain('bei 2 Onlinediensten insgesamt 650 Transaktionen');
  });

  it('answers htmx with the result region only', async () => {
    const res = await t.app.inject({
      url: url('nach=land&wert=je1000'),
      headers: { cookie: viewer.cookie, 'hx-request': 'true' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<html');
    expect(res.body).toMatch(/^<h2 class="kern-heading-medium" id="ergebnis-titel">/);
    expect(res.body).toContain('Den höchsten Wert je 1.000 Einwohner (Gruppierung: Land) hat „Bremen“');
    expect(res.body).toContain('bezogen auf die Bevölkerung des jeweiligen Landes');
    // The page's status line is replaced out of band, so screen readers hear the new summary.
    expect(res.body).toMatch(
      /<p id="ergebnis-status" class="kern-sr-only" role="status" hx-swap-oob="true">Ergebnis aktualisiert\. Im Zeitraum/,
    );
  });

  it.each([
    ['nach=farbe', 'Unbekannte Gruppierung „farbe“'],
    ['von=2026-05&bis=2026-02', 'Der Zeitraum ist leer: „von“ (2026-05) liegt nach „bis“ (2026-02).'],
    ['von=2026-13', 'Zeitraum von: Monat &quot;2026-13&quot; gibt es nicht'],
  ])('answers %s with 400 and a German message on the page', async (query, message) => {
    const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url: `/auswertungen?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Die Auswahl ist ungültig');
    expect(res.body).toContain(message);
    expect(res.body).toContain('aria-invalid="true"');
  });

  it('escapes what people typed into the parameters', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/auswertungen?nach=%3Cimg%20src%3Dx%3E',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('<img src=x>');
    expect(res.body).toContain('&lt;img src=x>');
  });
});

describe('service choice at scale', () => {
  it('lists every service up to 200, beyond only the chosen ones and the found ones', async () => {
    const small = await listServiceOptions(t.db.kysely, { chosen: [], search: '' });
    expect(small.options.map((o) => o.id).sort((a, b) => a - b)).toEqual(
      Object.values(ids).sort((a, b) => a - b),
    );
    await sql`
      INSERT INTO online_services (name, service_type, build_mode, granularity)
      SELECT 'Massendienst ' || i || CASE WHEN i % 50 = 0 THEN ' 100%' ELSE '' END, '1', 'efa', 'land'
      FROM generate_series(1, 250) i`.execute(t.db.kysely);
    const none = await listServiceOptions(t.db.kysely, { chosen: [ids.a], search: '' });
    expect(none.total).toBe(253);
    expect(none.options.map((o) => o.id)).toEqual([ids.a]);
    const found = await listServiceOptions(t.db.kysely, { chosen: [ids.a], search: '100%' });
    // The % is a literal character, not a wildcard: five names contain "100%".
    expect(found.options.map((o) => o.name)).toEqual([
      'A Dienst',
      'Massendienst 100 100%',
      'Massendienst 150 100%',
      'Massendienst 200 100%',
      'Massendienst 250 100%',
      'Massendienst 50 100%',
    ]);
    const page = await t.app.inject({
      url: '/auswertungen?suche=Massendienst%2012',
      headers: { cookie: viewer.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Von 253 Onlinediensten stehen hier');
    expect(page.body.match(/name="dienst"/g)).toHaveLength(11); // 12, 120–129
  });
});
