import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { monthRange } from '../../../src/domain/months.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { loadCompletenessReport } from '../../../src/features/evaluations/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';

// Last closed month 2026-10; day 20 is after the 15 days of grace, day 10 within them.
const NOW = new Date('2026-11-20T10:00:00Z');
const WITHIN_GRACE = new Date('2026-11-10T10:00:00Z');

let t: TestApp;
let viewer: SignedIn;
const ids = { a: 0, b: 0, c: 0, d: 0, e: 0, f: 0 };

async function deliver(serviceId: number, months: string[], zeroIn: string[] = []) {
  const summary = await ingestDelivery(t.db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows: months.map((month) => ({ month, ars: '000000000000', count: zeroIn.includes(month) ? 0 : 100 })),
    now: NOW,
  });
  expect(summary.status).toBe('accepted');
}

beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  const db = t.db.kysely;
  const svc = (name: string, type: '1' | '2/3' | '4' | '5', focus = false) =>
    createService(db, { name, type, focus, granularity: 'bund' });
  ids.a = await svc('A lückenlos (Fokus)', '2/3', true);
  ids.b = await svc('B eine Lücke', '1');
  ids.c = await svc('C eingestellt', '1');
  ids.d = await svc('D nie geliefert', '4');
  ids.e = await svc('E mit einer gelieferten 0', '5');
  ids.f = await svc('F erst laufender Monat', '2/3');
  await deliver(ids.a, monthRange('2026-01', '2026-10'));
  await deliver(
    ids.b,
    monthRange('2026-01', '2026-10').filter((m) => m !== '2026-05'),
  );
  await deliver(ids.c, monthRange('2026-01', '2026-08'));
  await deliver(ids.e, monthRange('2026-06', '2026-10'), ['2026-07']);
  await deliver(ids.f, ['2026-11']);
});
afterAll(async () => {
  await t.close();
});

describe('completeness report', () => {
  it('computes the figures of the federal reports', async () => {
    const report = await loadCompletenessReport(t.db.kysely, NOW);
    expect(report.lastClosedMonth).toBe('2026-10');
    expect(report.summary).toEqual({ connected: 6, monthly: 5, gapFree: 3, overdue: 2 });
    expect(report.overdue.map((s) => s.id).sort()).toEqual([ids.c, ids.d].sort());
  });

  it('judges every service', async () => {
    const report = await loadCompletenessReport(t.db.kysely, NOW);
    const by = new Map(report.services.map((s) => [s.id, s]));
    expect(by.get(ids.a)).toMatchObject({
      monthly: true,
      gapFree: true,
      overdue: false,
      gaps: [],
      lastMonth: '2026-10',
    });
    expect(by.get(ids.b)).toMatchObject({ monthly: true, gapFree: false, overdue: false, gaps: ['2026-05'] });
    expect(by.get(ids.c)).toMatchObject({
      gapFree: false,
      overdue: true,
      overdueSince: '2026-09',
      gaps: ['2026-09', '2026-10'],
      lastMonth: '2026-08',
    });
    expect(by.get(ids.d)).toMatchObject({
      monthly: false,
      gapFree: false,
      overdue: true,
      overdueSince: null,
      lastMonth: null,
    });
    // A delivered 0 is a delivery, not a gap.
    expect(by.get(ids.e)).toMatchObject({ monthly: true, gapFree: true, overdue: false, gaps: [] });
    expect(by.get(ids.f)).toMatchObject({ monthly: true, gapFree: true, overdue: false, expectedMonths: 0 });
  });

  it('computes the figures per priority group, each service in exactly one group', async () => {
    const report = await loadCompletenessReport(t.db.kysely, NOW);
    const groups = Object.fromEntries(report.groups.map((g) => [g.key, g.summary]));
    expect(groups).toEqual({
      focus: { connected: 1, monthly: 1, gapFree: 1, overdue: 0 },
      type1: { connected: 2, monthly: 2, gapFree: 0, overdue: 1 },
      type23: { connected: 1, monthly: 1, gapFree: 1, overdue: 0 },
      type45: { connected: 2, monthly: 1, gapFree: 1, overdue: 1 },
    });
  });

  it('judges the month before the last closed one within the grace days', async () => {
    const report = await loadCompletenessReport(t.db.kysely, WITHIN_GRACE);
    expect(report.dueMonth).toBe('2026-09');
    // C stopped after 08/2026: within the grace days of 10/2026 its missing 09/2026 is overdue already.
    expect(report.summary).toEqual({ connected: 6, monthly: 5, gapFree: 3, overdue: 2 });
    expect(report.overdue.map((s) => [s.id, s.overdueSince]).sort()).toEqual(
      [
        [ids.c, '2026-09'],
        [ids.d, null],
      ].sort(),
    );
  });

  it('serves the page in German with the overview sentence, the groups and the overdue list', async () => {
    const res = await t.app.inject({ url: '/vollstaendigkeit', headers: { cookie: viewer.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(
      /6 Onlinedienste angebunden, 5 liefern monatlich, \d+ lückenlos, \d+ überfällig/,
    );
    expect(res.body).toContain('<a href="/vollstaendigkeit" aria-current="page">Vollständigkeit</a>');
    expect(res.body).toContain('<caption id="groups-caption" class="kern-title">');
    expect(res.body).toMatch(
      /data-group="focus"><th scope="row" class="kern-table__cell">Fokusleistungen<\/th>/,
    );
    expect(res.body).toContain(`<a href="/dienste/${ids.d}">D nie geliefert</a> – noch keine Lieferung`);
    // The page judges as of today; C stopped after 08/2026, so from today on it is overdue since 09/2026.
    expect(res.body).toContain(
      `<a href="/dienste/${ids.c}">C eingestellt</a> – überfällig seit 09/2026, zuletzt geliefert: 08/2026`,
    );
    expect(res.body).toMatch(
      new RegExp(`data-service-id="${ids.c}">(?:(?!</tr>).)*<td class="kern-table__cell">seit 09/2026</td>`),
    );
    expect(res.body).toMatch(
      new RegExp(
        `data-service-id="${ids.d}">(?:(?!</tr>).)*<td class="kern-table__cell">ja, noch keine Lieferung</td>`,
      ),
    );
  });

  it('says on the service page since when it is overdue', async () => {
    const page = async (id: number) =>
      (await t.app.inject({ url: `/dienste/${id}`, headers: { cookie: viewer.cookie } })).body;
    const overdue = '<dt class="kern-body kern-body--bold">Überfällig</dt><dd class="kern-body">';
    expect(await page(ids.c)).toContain(`${overdue}seit 09/2026</dd>`);
    expect(await page(ids.d)).toContain(`${overdue}ja, noch keine Lieferung</dd>`);
  });
});
