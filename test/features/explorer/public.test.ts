import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery, type IncomingRow } from '../../../src/features/deliveries/ingest.js';
import { DIMENSIONS, type Dimension, type ExplorerParams } from '../../../src/features/explorer/params.js';
import { loadExploration } from '../../../src/features/explorer/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';

/*
 * The public explorer (issue 15): visitors without a sign-in see the published services only, also
 * in every sum. A, B published; U unpublished and sharing A's type, Land, authority, portal and OZG
 * service, so that every group over all services has to subtract it.
 */
let t: TestApp;
let viewer: SignedIn;
const ids = { a: 0, b: 0, u: 0 };

async function deliver(serviceId: number, rows: IncomingRow[]) {
  const summary = await ingestDelivery(t.db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows,
  });
  expect(summary.status).toBe('accepted');
}

beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  const db = t.db.kysely;
  ids.a = await createService(db, { name: 'A Dienst', type: '1', focus: true });
  ids.b = await createService(db, { name: 'B Dienst', type: '2/3' });
  ids.u = await createService(db, { name: 'U Unveröffentlicht', type: '1', focus: true });
  const x = await db
    .insertInto('authorities')
    .values({ name: 'Behörde X', land: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('online_services')
    .set({ authority_id: x.id })
    .where('id', 'in', [ids.a, ids.u])
    .execute();
  await createPortal(db, [ids.a, ids.u], 'Portal P');
  await db
    .insertInto('ozg_services')
    .values({ id: 'o1', name: 'OZG eins', themenfeld: 'T1', lebenslage: null })
    .execute();
  await db
    .insertInto('online_service_ozg')
    .values([
      { service_id: ids.a, ozg_id: 'o1' },
      { service_id: ids.u, ozg_id: 'o1' },
    ])
    .execute();
  await deliver(ids.a, [
    { month: '2026-01', ars: '060000000000', count: 100 },
    { month: '2026-02', ars: '090000000000', count: 50 },
  ]);
  await deliver(ids.b, [{ month: '2026-02', ars: '040000000000', count: 300 }]);
  // U alone delivered in March and in Saarland: neither the month nor the Land may show publicly.
  await deliver(ids.u, [
    { month: '2026-01', ars: '060000000000', count: 7000 },
    { month: '2026-03', ars: '100000000000', count: 900 },
  ]);
  await db.updateTable('online_services').set({ published: false }).where('id', '=', ids.u).execute();
});
afterAll(async () => {
  await t.close();
});

const params = (dimension: Dimension, serviceIds: number[] = []): ExplorerParams => ({
  dimension,
  from: '2026-01',
  to: '2026-03',
  mode: 'absolut',
  serviceIds,
});

describe('public explorer', () => {
  it.each(DIMENSIONS.map((d) => d.key))(
    'by %s the public sees what a selection of the published services gives',
    async (dimension) => {
      const shown = await loadExploration(t.db.kysely, params(dimension), 'published');
      const oracle = await loadExploration(t.db.kysely, params(dimension, [ids.a, ids.b]), 'all');
      const totals = (r: typeof shown) => r.groups.map((g) => [g.key, g.total]);
      expect(totals(shown)).toEqual(totals(oracle));
      expect({ total: shown.total, services: shown.services, months: shown.months }).toEqual({
        total: 450,
        services: 2,
        months: 2,
      });
      const all = await loadExploration(t.db.kysely, params(dimension), 'all');
      expect(all.total).toBe(8350);
    },
  );

  it('keeps the unpublished service out of a selection', async () => {
    const r = await loadExploration(t.db.kysely, params('typ', [ids.a, ids.u]), 'published');
    expect(r.groups.map((g) => [g.key, g.total])).toEqual([['1', 150]]);
  });

  it('answers anonymous visitors without the unpublished service or controls needing rights', async () => {
    for (const q of ['nach=dienst', 'nach=typ', `nach=land&dienst=${ids.u}`]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/auswertungen?von=2026-01&bis=2026-03&${q}`,
        headers: { accept: 'text/html' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('Unveröffentlicht');
      expect(res.body).not.toContain('7.100');
      expect(res.body).not.toContain('Abmelden');
    }
    const signedIn = await t.app.inject({
      method: 'GET',
      url: '/auswertungen?von=2026-01&bis=2026-03&nach=dienst',
      headers: { accept: 'text/html', cookie: viewer.cookie },
    });
    expect(signedIn.body).toContain('U Unveröffentlicht');
  });

  it('needs a sign-in when the public part is off', async () => {
    const closed = await createTestApp({ publicData: false });
    try {
      const res = await closed.app.inject({
        method: 'GET',
        url: '/auswertungen',
        headers: { accept: 'text/html' },
      });
      expect(res.statusCode).toBe(303);
      const api = await closed.app.inject({ method: 'GET', url: '/api/open/v1/services' });
      expect(api.statusCode).toBe(401);
    } finally {
      await closed.close();
    }
  });
});
