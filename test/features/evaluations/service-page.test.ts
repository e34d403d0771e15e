import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { addMonths, lastClosedMonth } from '../../../src/domain/months.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { cspSafeSvg } from '../../../src/web/chart.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';

// The route reads the clock; the data are placed relative to the real last closed month.
const L = lastClosedMonth(new Date());
const GAP = addMonths(L, -2);
const ZERO = addMonths(L, -1);

let t: TestApp;
let viewer: SignedIn;
let serviceId: number;
beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  serviceId = await createService(t.db.kysely, { name: 'Beispieldienst Lückentest', granularity: 'land' });
  const rows = [
    { month: addMonths(L, -13), ars: '060000000000', count: 1000 },
    { month: addMonths(L, -12), ars: '060000000000', count: 1000 },
    { month: addMonths(L, -12), ars: '090000000000', count: 234_567 },
    { month: addMonths(L, -3), ars: '060000000000', count: 5 },
    { month: ZERO, ars: '060000000000', count: 0 },
    { month: L, ars: '060000000000', count: 1500 },
  ];
  const summary = await ingestDelivery(t.db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows,
  });
  expect(summary.status).toBe('accepted');
});
afterAll(async () => {
  await t.close();
});

const label = (m: string) => `${m.slice(5, 7)}/${m.slice(0, 4)}`;

describe('service page', () => {
  it('shows master data, every month with gaps and zeros, in German number format', async () => {
    const res = await t.app.inject({ url: `/dienste/${serviceId}`, headers: { cookie: viewer.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const body = res.body;
    expect(body).toContain('<h1 class="kern-heading-large">Beispieldienst Lückentest</h1>');
    expect(body).toContain('Typ 2/3');
    expect(body).toContain('je Land');
    // A gap month reads „keine Lieferung“, a delivered zero reads 0.
    expect(body).toMatch(new RegExp(`${label(GAP)}</th><td[^>]*><em>keine Lieferung</em></td>`));
    expect(body).toMatch(new RegExp(`${label(ZERO)}</th><td[^>]*>0</td>`));
    // 14 months from the first delivery to the last closed month, each with a row.
    expect(
      body.match(/<tr class="kern-table__row"><th scope="row" class="kern-table__cell">\d{2}\/\d{4}/g),
    ).toHaveLength(14);
    // German number format: 235.567 for the month with Hessen + Bayern, total 238.072.
    expect(body).toContain('235.567');
    expect(body).toContain('238.072');
    expect(body).toMatch(/Monate ohne Lieferung/);
  });

  it('renders the chart as inline SVG labelled for assistive technology, without inline styles or scripts', async () => {
    const body = (await t.app.inject({ url: `/dienste/${serviceId}`, headers: { cookie: viewer.cookie } }))
      .body;
    expect(body).toMatch(/<div class="zsk-chart__svg" role="img" aria-label="Liniendiagramm[^"]*"><svg /);
    expect(body).toContain('<figcaption');
    const svg = body.slice(body.indexOf('<svg width'), body.indexOf('</svg>', body.indexOf('<svg width')));
    expect(svg).not.toMatch(/<style|style="|<script/);
    expect(body).not.toMatch(/<script(?![^>]*src=)/);
  });

  it('compares the last closed month with the same month a year earlier', async () => {
    const body = (await t.app.inject({ url: `/dienste/${serviceId}`, headers: { cookie: viewer.cookie } }))
      .body;
    expect(body).toMatch(/1\.500 Transaktionen gegenüber 235\.567 im [^ ]+ \d{4} \(−99,4 %\)/);
  });

  it('sums the latest twelve months per Land', async () => {
    const body = (await t.app.inject({ url: `/dienste/${serviceId}`, headers: { cookie: viewer.cookie } }))
      .body;
    const lands = body.slice(body.indexOf('lands-caption'));
    expect(lands).toMatch(/Hessen<\/th><td[^>]*>3<\/td><td[^>]*>1\.505<\/td>/);
    expect(lands).not.toContain('Bayern');
  });

  it('answers an unknown id with 404 and the error shape, or a German page for browsers', async () => {
    const res = await t.app.inject({ url: '/dienste/999999', headers: { cookie: viewer.cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
    const html = await t.app.inject({
      url: '/dienste/abc',
      headers: { accept: 'text/html', cookie: viewer.cookie },
    });
    expect(html.statusCode).toBe(404);
    expect(html.body).toContain('Einen Onlinedienst „abc“ gibt es nicht.');
  });

  it('links each service in the list to its page', async () => {
    const body = (await t.app.inject({ url: '/dienste', headers: { cookie: viewer.cookie } })).body;
    expect(body).toContain(`<a href="/dienste/${serviceId}">Beispieldienst Lückentest</a>`);
    expect(body).toContain('<a href="/vollstaendigkeit">Vollständigkeit</a>');
  });
});

describe('cspSafeSvg', () => {
  it('turns style attributes into presentation attributes and drops style blocks', () => {
    expect(
      cspSafeSvg(
        '<svg><text style="font-size:12px;font-family:&quot;Fira Sans&quot;;">1</text><style>a{}</style></svg>',
      ),
    ).toBe(`<svg><text font-size="12px" font-family="'Fira Sans'">1</text></svg>`);
  });
});
