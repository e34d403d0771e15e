import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { seedDemo } from '../../../src/demo/seed.js';
import { assessCompleteness } from '../../../src/domain/completeness.js';
import { addMonths, lastClosedMonth } from '../../../src/domain/months.js';
import { loadCompletenessReport } from '../../../src/features/evaluations/service.js';
import { listPortalReport, listServiceReportPage } from '../../../src/features/reports/queries.js';
import { loadStartPage } from '../../../src/features/start/service.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { createAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { openGetPaths, publicText } from './public-output.js';

/**
 * Issue 15: an unpublished service appears in no public output, also not in sums, and signed-in
 * people still see it. The switch is set through the edit page (and the API), audited.
 */
const HIDDEN = 'Prüfdienst im Testbetrieb';
const NOW = new Date();
let t: TestApp;
let hidden: number;
let manager: SignedIn;
let viewer: SignedIn;
/** The hidden service's transactions: all months, the latest twelve closed ones, per month. */
let totals: { all: number; twelve: number; months: string[] };

const sumOf = (rows: { transactions: number }[]) => rows.reduce((s, r) => s + Number(r.transactions), 0);
const sortedJson = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

beforeAll(async () => {
  t = await createTestApp();
  const db = t.db.kysely;
  await seedDemo(db);
  // The busiest service of the demo, renamed so that its name appears nowhere else (OZG names do).
  hidden = (
    await sql<{
      id: number;
    }>`SELECT service_id AS id FROM rollup_service ORDER BY total DESC LIMIT 1`.execute(db)
  ).rows[0]!.id;
  await db.updateTable('online_services').set({ name: HIDDEN }).where('id', '=', hidden).execute();
  const closed = lastClosedMonth(NOW);
  const months = await db
    .selectFrom('rollup_service_month')
    .select([sql<string>`to_char(month, 'YYYY-MM')`.as('month'), 'total'])
    .where('service_id', '=', hidden)
    .execute();
  totals = {
    all: months.reduce((s, m) => s + Number(m.total), 0),
    twelve: months
      .filter((m) => m.month >= addMonths(closed, -11) && m.month <= closed)
      .reduce((s, m) => s + Number(m.total), 0),
    months: months.map((m) => m.month).sort(),
  };
  manager = await signIn(t, { name: 'Verantwortliche' });
  await grantService(db, manager.userId, hidden);
  viewer = await signIn(t, { name: 'Lesende' });
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe('an unpublished service', () => {
  it('computes the public source report from the services exactly as the roll-up does', async () => {
    // While every service is published the per-service path must equal the roll-up's answer.
    for (const period of [
      { from: null, to: null },
      { from: '2025-01', to: '2025-12' },
      { from: addMonths(lastClosedMonth(NOW), -11), to: lastClosedMonth(NOW) },
    ]) {
      const fast = await listPortalReport(t.db.kysely, period);
      const published = await listPortalReport(t.db.kysely, period, true);
      expect(sortedJson(published)).toEqual(sortedJson(fast));
    }
  });

  let before: {
    start: Awaited<ReturnType<typeof loadStartPage>>;
    completeness: Awaited<ReturnType<typeof loadCompletenessReport>>;
    portals: number;
    services: Awaited<ReturnType<typeof listServiceReportPage>>['figures'];
    year: Awaited<ReturnType<typeof listServiceReportPage>>['figures'];
  };

  it('is published by default and public everywhere', async () => {
    const db = t.db.kysely;
    before = {
      start: await loadStartPage(db, NOW, 'published'),
      completeness: await loadCompletenessReport(db, NOW, { viewers: 'published' }),
      portals: sumOf(await listPortalReport(db, { from: null, to: null }, false)),
      services: (
        await listServiceReportPage(db, { from: null, to: null }, 'transactions', 'desc', {
          size: 50,
          number: 1,
        })
      ).figures,
      year: (
        await listServiceReportPage(db, { from: '2025-01', to: '2025-12' }, 'service', 'asc', {
          size: 50,
          number: 1,
        })
      ).figures,
    };
    expect((await publicText(t.app, `/dienste/${hidden}`)).status).toBe(200);
    expect((await publicText(t.app, '/')).text).toContain(HIDDEN);
  });

  it('is switched off by its manager on the edit page, with an audit record', async () => {
    const page = await t.app.inject({
      url: `/dienste/${hidden}/bearbeiten`,
      headers: { cookie: manager.cookie },
    });
    expect(page.body).toContain('Veröffentlichung');
    expect(page.body).toContain(`action="/dienste/${hidden}/veroeffentlichung"`);
    const res = await t.app.inject({
      method: 'POST',
      url: `/dienste/${hidden}/veroeffentlichung`,
      headers: { cookie: manager.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(manager.csrfToken)}&veroeffentlicht=nein`,
    });
    expect(res.statusCode).toBe(303);
    const row = await t.db.kysely
      .selectFrom('online_services')
      .select('published')
      .where('id', '=', hidden)
      .executeTakeFirstOrThrow();
    expect(row.published).toBe(false);
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('entity', '=', 'online_service')
      .where('entity_id', '=', String(hidden))
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBe(manager.userId);
    expect(
      [audit.old_value, audit.new_value].map((v): unknown =>
        typeof v === 'string' ? (JSON.parse(v) as unknown) : v,
      ),
    ).toEqual([{ published: true }, { published: false }]);
  });

  it('appears in no public page, export or sum', async () => {
    const paths = [
      ...openGetPaths(t.app, hidden),
      '/dienste?seite=2',
      '/dienste?seite=3',
      `/dienste?q=${encodeURIComponent('Prüfdienst')}`,
      '/vollstaendigkeit?zeigen=ueberfaellig',
      '/vollstaendigkeit?zeigen=lueckenlos',
      '/vollstaendigkeit?zeigen=luecken',
      '/berichte/dienste?sort=service&dir=asc',
      '/berichte/dienste?from=2025-01&to=2025-12',
      '/berichte/dienste.csv?from=2025-01&to=2025-12',
    ];
    for (const path of new Set(paths)) {
      const { status, text } = await publicText(t.app, path);
      expect(status, path).toBeLessThan(500);
      expect(text.includes(HIDDEN), `${HIDDEN} in ${path}`).toBe(false);
      expect(text.includes(`/dienste/${hidden}"`), `link to the service in ${path}`).toBe(false);
    }
    expect((await publicText(t.app, `/dienste/${hidden}`)).status).toBe(404);
    expect((await publicText(t.app, `/dienste/${hidden}`, { accept: 'application/json' })).status).toBe(404);
  });

  it('is left out of every public sum, exactly by its own figures', async () => {
    const db = t.db.kysely;
    const start = await loadStartPage(db, NOW, 'published');
    expect(start.services.connected).toBe(before.start.services.connected - 1);
    expect(start.services.monthly).toBe(before.start.services.monthly - 1);
    expect(start.transactions.twelveMonths).toBe(before.start.transactions.twelveMonths - totals.twelve);
    expect(start.top.map((s) => s.id)).not.toContain(hidden);
    const mapped = (s: typeof start) => s.lands.reduce((sum, l) => sum + Number(l.total), 0);
    expect(mapped(start)).toBe(mapped(before.start) - totals.twelve);

    const completeness = await loadCompletenessReport(db, NOW, { viewers: 'published' });
    const judged = assessCompleteness(totals.months, NOW);
    expect(completeness.summary).toEqual({
      connected: before.completeness.summary.connected - 1,
      monthly: before.completeness.summary.monthly - (judged.monthly ? 1 : 0),
      gapFree: before.completeness.summary.gapFree - (judged.gapFree ? 1 : 0),
      overdue: before.completeness.summary.overdue - (judged.overdue ? 1 : 0),
    });

    const services = await listServiceReportPage(
      db,
      { from: null, to: null },
      'transactions',
      'desc',
      { size: 50, number: 1 },
      true,
    );
    expect(services.figures).toEqual({
      services: before.services.services - 1,
      withData: before.services.withData - 1,
      transactions: before.services.transactions - totals.all,
    });
    expect(services.rows.map((r) => r.id)).not.toContain(hidden);
    const portals = await listPortalReport(db, { from: null, to: null }, true);
    const sources = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM service_sources WHERE service_id = ${hidden}`.execute(db);
    expect(sumOf(portals)).toBe(before.portals - sources.rows[0]!.n * totals.all);

    // The CSV export sums to the page's figure.
    const csv = (await publicText(t.app, '/berichte/dienste.csv')).text;
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
      .slice(1);
    const csvTotal = lines.reduce((s, line) => s + Number(line.split(';').at(-1)), 0);
    expect(csvTotal).toBe(before.services.transactions - totals.all);
    expect(lines).toHaveLength(before.services.services - 1);
  });

  it('stays visible, with every figure, to signed-in people', async () => {
    const page = await t.app.inject({ url: `/dienste/${hidden}`, headers: { cookie: viewer.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('nicht veröffentlicht');
    const list = await t.app.inject({
      url: `/dienste?q=${encodeURIComponent('Prüfdienst')}`,
      headers: { cookie: viewer.cookie },
    });
    expect(list.body).toContain(HIDDEN);
    const report = await t.app.inject({ url: '/berichte/dienste.csv', headers: { cookie: viewer.cookie } });
    expect(report.body).toContain(HIDDEN);
    const start = await loadStartPage(t.db.kysely, NOW, 'all');
    expect(start.transactions).toEqual(before.start.transactions);
    expect(start.services).toEqual(before.start.services);
    const completeness = await loadCompletenessReport(t.db.kysely, NOW, { viewers: 'all' });
    expect(completeness.summary).toEqual(before.completeness.summary);
  });

  it('offers visitors no year in which only unpublished services delivered', async () => {
    // A year of the hidden service alone, long before the demo's data.
    await ingestDelivery(t.db.kysely, {
      channel: 'api',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId: hidden },
      rows: [{ month: '2019-06', ars: '06', count: 7 }],
    });
    const yearLink = /<a [^>]*>2019<\/a>/;
    for (const url of ['/berichte', '/berichte/dienste', '/auswertungen']) {
      const visitor = await t.app.inject({ url });
      expect(visitor.statusCode, url).toBe(200);
      expect(visitor.body, url).not.toMatch(yearLink);
      const signedIn = await t.app.inject({ url, headers: { cookie: viewer.cookie } });
      expect(signedIn.body, url).toMatch(yearLink);
    }
  });

  it('is published again through the API, in the same transaction as its audit record', async () => {
    const { token } = await createAccessToken(t.db.kysely, { userId: manager.userId, label: 'Persönlich' });
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/services/${hidden}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: { published: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ changed: ['published'], service: { id: hidden, published: true } });
    const again = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/services/${hidden}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: { published: true },
    });
    expect(again.json()).toMatchObject({ changed: [] });
    const wrong = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/services/${hidden}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: { published: 'vielleicht' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ error: { message: string } }>().error.message).toContain('published');
    const openapi = (await t.app.inject({ url: '/api/docs/json' })).json<{
      components?: unknown;
      paths: unknown;
    }>();
    expect(JSON.stringify(openapi)).toContain('nicht veröffentlichen');
    const page = await loadStartPage(t.db.kysely, NOW, 'published');
    expect(page.transactions).toEqual(before.start.transactions);
    expect((await publicText(t.app, `/dienste/${hidden}`)).status).toBe(200);
  });

  it('refuses the switch to people who do not manage the service', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/dienste/${hidden}/veroeffentlichung`,
      headers: { cookie: viewer.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(viewer.csrfToken)}&veroeffentlicht=nein`,
    });
    expect(res.statusCode).toBe(403);
  });
});
