import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { addMonths, lastClosedMonth } from '../../../src/domain/months.js';
import { ingestDelivery, type IncomingRow } from '../../../src/features/deliveries/ingest.js';
import {
  MAP_CLASS_COLOURS,
  MAP_NO_DATA_COLOUR,
  geoLayer,
  mapClasses,
  renderChoroplethSvg,
} from '../../../src/features/evaluations/map.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';

/** fill of each region's path, by ARS. */
function fills(svg: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const m of svg.matchAll(/<path\b[^>]*>/g)) {
    const ars = / data-ars="(\d{12})"/.exec(m[0])?.[1];
    const fill = / fill="([^"]+)"/.exec(m[0])?.[1];
    if (ars && fill) result.set(ars, fill);
  }
  return result;
}

const shade = (colour: string) => MAP_CLASS_COLOURS.indexOf(colour as (typeof MAP_CLASS_COLOURS)[number]);

describe('choropleth geometry', () => {
  it('ships the 16 Länder and the 400 Kreise, keyed by ARS', () => {
    const laender = geoLayer('laender').features.map((f) => f.properties.ars);
    expect(laender).toHaveLength(16);
    expect(laender).toContain('060000000000');
    const kreise = geoLayer('kreise').features.map((f) => f.properties.ars);
    expect(new Set(kreise).size).toBe(400);
    // Reforms applied: Göttingen 2016 (03159), Eisenach into the Wartburgkreis 2021.
    expect(kreise).toContain('031590000000');
    expect(kreise).not.toContain('031520000000');
    expect(kreise).not.toContain('160560000000');
  });
});

describe('mapClasses', () => {
  it('makes round equal intervals with the maximum in the darkest class', () => {
    const classes = mapClasses([10, 1505, 300]);
    expect(classes.map((c) => [c.min, c.max])).toEqual([
      [0, 499],
      [500, 999],
      [1000, 1499],
      [1500, 1999],
    ]);
    expect(classes.at(-1)!.colour).toBe(MAP_CLASS_COLOURS.at(-1));
    expect(classes[0]!.label).toBe('0 bis 499');
  });

  it('copes with small values and all zeros', () => {
    expect(mapClasses([3]).map((c) => c.label)).toEqual(['0', '1', '2', '3']);
    expect(mapClasses([0])).toEqual([{ min: 0, max: 0, colour: MAP_CLASS_COLOURS[0], label: '0' }]);
  });
});

describe('renderChoroplethSvg', () => {
  const values = new Map([
    ['060000000000', 1505],
    ['090000000000', 900],
    ['040000000000', 40],
  ]);
  const svg = renderChoroplethSvg({ layer: 'laender', values });

  it('draws one path per Land, without inline styles', () => {
    const byLand = fills(svg);
    expect(byLand.size).toBe(16);
    expect(svg.match(/ data-ars="/g)).toHaveLength(16);
    expect(svg).not.toMatch(/<style|style="|<script|ecmeta_/);
  });

  it('colours by value: the highest darkest, no data white', () => {
    const byLand = fills(svg);
    expect(byLand.get('060000000000')).toBe(MAP_CLASS_COLOURS.at(-1));
    expect(shade(byLand.get('060000000000')!)).toBeGreaterThan(shade(byLand.get('090000000000')!));
    expect(shade(byLand.get('090000000000')!)).toBeGreaterThan(shade(byLand.get('040000000000')!));
    expect(byLand.get('110000000000')).toBe(MAP_NO_DATA_COLOUR);
  });

  it('shows the classes as a legend in German number format', () => {
    expect(svg).toContain('1.500 bis 1.999');
    expect(svg).toContain('0 bis 499');
  });
});

describe('maps on the service page', () => {
  const L = lastClosedMonth(new Date());
  let t: TestApp;
  let viewer: SignedIn;
  let landService: number;
  let kreisService: number;
  let nationwide: number;

  async function deliver(serviceId: number, rows: IncomingRow[]) {
    const summary = await ingestDelivery(t.db.kysely, {
      channel: 'api',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId },
      rows,
    });
    expect(summary.errors).toEqual([]);
  }

  beforeAll(async () => {
    t = await createTestApp();
    viewer = await signIn(t);
    const db = t.db.kysely;
    // Two Gemeinden of Landkreis Darmstadt-Dieburg, before any delivery reads the region index.
    await db
      .insertInto('regions')
      .values([
        {
          ars: '064320001001',
          name: 'Alsbach-Hähnlein',
          level: 'gemeinde',
          is_gemeinde: true,
          parent_ars: '064320000000',
          kind: null,
          population: null,
          valid_from: null,
          source: 'Test',
        },
        {
          ars: '064320002002',
          name: 'Babenhausen',
          level: 'gemeinde',
          is_gemeinde: true,
          parent_ars: '064320000000',
          kind: null,
          population: null,
          valid_from: null,
          source: 'Test',
        },
      ])
      .onConflict((oc) => oc.doNothing())
      .execute();
    landService = await createService(db, { name: 'Kartendienst Länder', granularity: 'land' });
    kreisService = await createService(db, { name: 'Kartendienst Gemeinden', granularity: 'gemeinde' });
    nationwide = await createService(db, { name: 'Kartendienst bundesweit', granularity: 'bund' });
    await deliver(landService, [
      { month: L, ars: '060000000000', count: 1500 },
      { month: addMonths(L, -1), ars: '060000000000', count: 5 },
      { month: L, ars: '090000000000', count: 900 },
      { month: L, ars: '040000000000', count: 40 },
      // Outside the default period: only a chosen period shows it.
      { month: addMonths(L, -20), ars: '110000000000', count: 7777 },
    ]);
    await deliver(kreisService, [
      { month: L, ars: '064320001001', count: 10 },
      { month: L, ars: '064320002002', count: 15 },
      { month: addMonths(L, -1), ars: '064320002002', count: 5 },
      { month: L, ars: '064110000000', count: 100 },
    ]);
    await deliver(nationwide, [{ month: L, ars: '000000000000', count: 50 }]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the map of Länder beside the table, labelled, with the highest Land darkest', async () => {
    const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url: `/dienste/${landService}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(
      /<figure class="zsk-chart zsk-map"><div class="zsk-chart__svg" role="img" aria-label="Karte Deutschlands, Transaktionen nach Land, [^"]*am meisten in Hessen mit 1\.505/,
    );
    expect(res.body).toContain('© GeoBasis-DE / BKG');
    const byLand = fills(res.body);
    expect(byLand.size).toBe(16);
    expect(byLand.get('060000000000')).toBe(MAP_CLASS_COLOURS.at(-1));
    expect(res.body.slice(res.body.indexOf('lands-caption'))).not.toContain('Berlin');
    // No Kreis section for a service that reports per Land.
    expect(res.body).not.toContain('Transaktionen nach Kreis');
  });

  it('maps a chosen period', async () => {
    const from = addMonths(L, -24);
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: `/dienste/${landService}?von=${from}&bis=${L}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Gewählter Zeitraum');
    expect(res.body).toMatch(/Berlin<\/th><td[^>]*>1<\/td><td[^>]*>7\.777<\/td>/);
    expect(fills(res.body).get('110000000000')).toBe(MAP_CLASS_COLOURS.at(-1));
  });

  it('answers a wrong period with 400 and German messages', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: `/dienste/${landService}?von=2026-05&bis=2026-02`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Der Zeitraum ist leer: „von“ (2026-05) liegt nach „bis“ (2026-02).');
    const bad = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: `/dienste/${landService}?von=%3Cb%3E&bis=2026-02`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('<b>');
  });

  it('sums Gemeinden to their Kreis and maps the Kreise', async () => {
    const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url: `/dienste/${kreisService}` });
    expect(res.statusCode).toBe(200);
    const kreise = res.body.slice(res.body.indexOf('id="kreise"'));
    expect(kreise).toMatch(/Darmstadt-Dieburg<\/th><td[^>]*>2<\/td><td[^>]*>30<\/td>/);
    expect(kreise).toMatch(/Darmstadt, Wissenschaftsstadt<\/th><td[^>]*>1<\/td><td[^>]*>100<\/td>/);
    const byArs = fills(kreise);
    expect(byArs.size).toBe(400);
    expect(byArs.get('064110000000')).toBe(MAP_CLASS_COLOURS.at(-1));
    expect(shade(byArs.get('064320000000')!)).toBeLessThan(shade(byArs.get('064110000000')!));
    expect(byArs.get('091620000000')).toBe(MAP_NO_DATA_COLOUR);
  });

  it('draws no map for nationwide counts and says why', async () => {
    const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url: `/dienste/${nationwide}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('zsk-map');
    expect(res.body).toContain('Bundesweit gemeldete Zahlen lassen sich keinem Land zuordnen');
  });
});
