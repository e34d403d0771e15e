import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { createAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';

let t: TestApp;
let manager: SignedIn;
let viewer: SignedIn;
let serviceId: number;
let portalId: number;
let csvDelivery: number;
let rejectedDelivery: number;
beforeAll(async () => {
  t = await createTestApp();
  const db = t.db.kysely;
  serviceId = await createService(db, { name: 'Historiendienst', granularity: 'land' });
  portalId = await createPortal(db, [serviceId], 'Historienportal');
  manager = await signIn(t, { name: 'Hanna Historie' });
  await grantService(db, manager.userId, serviceId);
  viewer = await signIn(t, { name: 'Vera Viewer' });
  const target = { kind: 'service', serviceId } as const;
  await ingestDelivery(db, {
    channel: 'form',
    actor: { userId: manager.userId, tokenId: null },
    target,
    rows: [{ month: '2024-01', ars: '06', count: 1 }],
  });
  const token = await createAccessToken(db, { label: 'Fachverfahren', serviceId, createdBy: manager.userId });
  await ingestDelivery(db, {
    channel: 'api',
    actor: { userId: null, tokenId: token.id },
    target,
    rows: [{ month: '2024-01', ars: '09', count: 2 }],
  });
  csvDelivery = (
    await ingestDelivery(db, {
      channel: 'csv',
      actor: { userId: manager.userId, tokenId: null },
      target,
      rows: [{ month: '2024-02', ars: '06', count: 3 }],
      file: {
        name: 'Lieferung Februar.csv',
        mediaType: 'text/csv; charset=utf-8',
        content: Buffer.from('monat;ars;anzahl\n2024-02;06;3\n'),
      },
    })
  ).deliveryId!;
  rejectedDelivery = (
    await ingestDelivery(db, {
      channel: 'xlsx',
      actor: { userId: manager.userId, tokenId: null },
      target,
      rows: [{ month: '2024-13', ars: '06', count: 3 }],
      firstRowNumber: 2,
    })
  ).deliveryId!;
  await ingestDelivery(db, {
    channel: 'csv',
    actor: SYSTEM_ACTOR,
    target: { kind: 'portal', portalId },
    rows: [{ serviceId: String(serviceId), month: '2024-03', ars: '06', count: 4 }],
  });
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, who: SignedIn) =>
  t.app.inject({ url, headers: { cookie: who.cookie, accept: 'text/html' } });

describe('delivery history', () => {
  it('lists every delivery of the service with channel, who and result, readable by every signed-in user', async () => {
    const res = await get(`/dienste/${serviceId}/lieferungen`, viewer);
    expect(res.statusCode).toBe(200);
    const rows = res.body.split('<tr class="kern-table__row">').slice(2);
    expect(rows).toHaveLength(5);
    for (const label of ['>Formular<', '>API<', '>CSV<', '>Excel<']) expect(res.body).toContain(label);
    expect(res.body).toContain('Zugangsschlüssel „Fachverfahren“');
    expect(res.body).toContain('Hanna Historie');
    expect(res.body).toContain('Portal Historienportal');
    expect(res.body).toContain('abgelehnt');
    // Viewers get no manage links.
    expect(res.body).not.toContain('/hochladen"');
  });

  it('lists the deliveries of a portal', async () => {
    const res = await get(`/portale/${portalId}/lieferungen`, viewer);
    expect(res.statusCode).toBe(200);
    expect(res.body.split('<tr class="kern-table__row">').slice(2)).toHaveLength(1);
  });

  it('shows the errors of a delivery with their row numbers', async () => {
    const res = await get(`/lieferungen/${rejectedDelivery}`, viewer);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Lieferung ' + rejectedDelivery);
    expect(res.body).toMatch(/<th scope="row"[^>]*>2<\/th>/);
    expect(res.body).toContain('2024-13');
  });

  it('hands the original file to managers only', async () => {
    const page = await get(`/lieferungen/${csvDelivery}`, manager);
    expect(page.body).toContain(`/lieferungen/${csvDelivery}/datei`);
    expect((await get(`/lieferungen/${csvDelivery}`, viewer)).body).not.toContain('/datei');
    const file = await get(`/lieferungen/${csvDelivery}/datei`, manager);
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe('monat;ars;anzahl\n2024-02;06;3\n');
    expect(file.headers['content-disposition']).toContain("filename*=UTF-8''Lieferung%20Februar.csv");
    expect((await get(`/lieferungen/${csvDelivery}/datei`, viewer)).statusCode).toBe(403);
    expect((await get(`/lieferungen/${rejectedDelivery}/datei`, manager)).statusCode).toBe(404);
    expect((await get('/lieferungen/999999', viewer)).statusCode).toBe(404);
  });
});

describe('history pages', () => {
  let pagedService: number;
  beforeAll(async () => {
    pagedService = await createService(t.db.kysely, { name: 'Vielliefernder Dienst', granularity: 'land' });
    // 120 deliveries, rows_total = n and one minute apart: delivery 120 is the newest.
    await sql`
      INSERT INTO deliveries (service_id, channel, status, rows_total, created_at)
      SELECT ${pagedService}, 'api', 'accepted', n, timestamptz '2024-01-01 00:00Z' + n * interval '1 minute'
      FROM generate_series(1, 120) n`.execute(t.db.kysely);
  });

  const rowsOf = (body: string) => body.split('<tr class="kern-table__row">').slice(2);
  const idsOn = async (page: number) => {
    const { rows } = await sql<{ id: number }>`
      SELECT id FROM deliveries WHERE service_id = ${pagedService}
      ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET ${(page - 1) * 50}`.execute(t.db.kysely);
    return rows.map((r) => r.id);
  };

  it('shows 50 deliveries per page with the total, "Seite X von Y" and links to the other pages', async () => {
    const res = await get(`/dienste/${pagedService}/lieferungen`, viewer);
    expect(res.statusCode).toBe(200);
    expect(rowsOf(res.body)).toHaveLength(50);
    expect(res.body).toContain('120 Lieferungen, Seite 1 von 3');
    expect(res.body).toContain('<nav class="zsk-pagination" aria-label="Seiten der Lieferungen">');
    expect(res.body).toContain(`href="/dienste/${pagedService}/lieferungen?seite=2" rel="next"`);
    expect(res.body).not.toContain('rel="prev"');
    expect(res.body).toMatch(
      new RegExp(
        `href="/dienste/${pagedService}/lieferungen" aria-current="page"><span class="kern-sr-only">Seite </span>1</a>`,
      ),
    );
  });

  it('page 2 holds the next 50 deliveries, newest first', async () => {
    const res = await get(`/dienste/${pagedService}/lieferungen?seite=2`, viewer);
    expect(res.statusCode).toBe(200);
    const rows = rowsOf(res.body);
    expect(rows).toHaveLength(50);
    const ids = rows.map((r) => Number(/href="\/lieferungen\/(\d+)"/.exec(r)![1]));
    expect(ids).toEqual(await idsOn(2));
    expect(res.body).toContain('Seite 2 von 3');
    expect(res.body).toContain(`href="/dienste/${pagedService}/lieferungen" rel="prev"`);
    expect(res.body).toContain(`href="/dienste/${pagedService}/lieferungen?seite=3" rel="next"`);
    expect(res.body).toContain('aria-current="page"><span class="kern-sr-only">Seite </span>2</a>');
  });

  it('the last page holds the rest; a page past the end shows the last page', async () => {
    for (const seite of ['3', '99']) {
      const res = await get(`/dienste/${pagedService}/lieferungen?seite=${seite}`, viewer);
      expect(res.statusCode).toBe(200);
      expect(rowsOf(res.body)).toHaveLength(20);
      expect(res.body).toContain('Seite 3 von 3');
      expect(res.body).not.toContain('rel="next"');
    }
  });

  it('refuses a page that is no positive whole number with a clear message', async () => {
    for (const seite of ['0', '-1', 'zwei', '1.5']) {
      const res = await get(`/dienste/${pagedService}/lieferungen?seite=${seite}`, viewer);
      expect(res.statusCode, seite).toBe(400);
      expect(res.body).toContain('Ungültige Seitenzahl');
    }
    // Empty, as a form with an empty field sends it, is page 1 like on every paged list.
    expect((await get(`/dienste/${pagedService}/lieferungen?seite=`, viewer)).statusCode).toBe(200);
  });

  it('a short history has no pager', async () => {
    const res = await get(`/portale/${portalId}/lieferungen`, viewer);
    expect(res.body).toContain('1 Lieferung');
    expect(res.body).not.toContain('zsk-pagination');
  });
});
