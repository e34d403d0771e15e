import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/demo/seed.js';
import {
  loadServiceList,
  NO_FILTER,
  parseServiceListQuery,
  serviceListHref,
} from '../../../src/features/services/list.js';
import { pageWindow } from '../../../src/web/pagination.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';

const NOW = new Date('2026-11-23T10:00:00Z');
let t: TestApp;
let viewer: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  await seedDemo(t.db.kysely, NOW);
});
afterAll(async () => {
  await t.close();
});

const names = async (query: Record<string, string>) => {
  const { filter, page } = parseServiceListQuery(query);
  return (await loadServiceList(t.db.kysely, filter, page, NOW)).rows.map((r) => r.name);
};

describe('service list filters', () => {
  it('searches names with typos', async () => {
    expect(await names({ q: 'Elterngelt' })).toEqual(['Elterngeld Digital']);
    expect(await names({ q: 'bafög' })).toEqual(
      expect.arrayContaining(['BAföG Digital', 'BAföG-Darlehensrückzahlung']),
    );
    expect(await names({ q: 'führungszeugnis' })).toEqual(['Führungszeugnis online beantragen']);
  });

  it('reads the search as suche, and as q (its former name) when suche is absent; links write suche', async () => {
    expect(await names({ suche: 'Elterngelt' })).toEqual(['Elterngeld Digital']);
    expect(await names({ suche: 'Elterngelt', q: 'bafög' })).toEqual(['Elterngeld Digital']);
    expect(await names({ suche: '', q: 'Elterngelt' })).toEqual(['Elterngeld Digital']);
    expect(serviceListHref({ ...NO_FILTER, q: 'Kinder', type: '1' }, 2)).toBe(
      '/dienste?suche=Kinder&typ=1&seite=2',
    );
  });

  it('filters by type, Themenfeld, OZG service, Land, authority and portal', async () => {
    expect(await names({ typ: '5' })).toEqual(['Hundesteuer-Anmeldung']);
    expect(await names({ themenfeld: 'Bildung' })).toEqual(['BAföG Digital', 'BAföG-Darlehensrückzahlung']);
    const ozg = await t.db.kysely
      .selectFrom('ozg_services')
      .select('id')
      .where('name', '=', 'Wohngeld')
      .executeTakeFirstOrThrow();
    expect(await names({ ozg: ozg.id })).toEqual(['Wohngeld-Antrag online']);
    expect(await names({ land: '06' })).toEqual([
      'Briefwahlantrag (Wahlscheinantrag)',
      'Hundesteuer-Anmeldung',
    ]);
    const bfj = await t.db.kysely
      .selectFrom('authorities')
      .select('id')
      .where('name', '=', 'Bundesamt für Justiz')
      .executeTakeFirstOrThrow();
    expect(await names({ behoerde: String(bfj.id) })).toHaveLength(2);
    expect(await names({ portal: '1' })).toHaveLength(12);
    expect(await names({ portal: '1', typ: '1', q: 'Kinder' })).toEqual([
      'Kindergeld beantragen',
      'Kinderzuschlag beantragen',
    ]);
  });

  it('ignores values that cannot be meant', () => {
    expect(
      parseServiceListQuery({
        typ: '7',
        land: '17',
        behoerde: 'x',
        seite: '-1',
        themenfeld: 'Bauen und Wohnen',
      }),
    ).toEqual({
      filter: { ...NO_FILTER, themenfeld: 'Bauen & Wohnen' },
      page: 1,
    });
  });

  it('shows last delivered month, gaps and overdue per service from the roll-up', async () => {
    const { rows } = await loadServiceList(t.db.kysely, NO_FILTER, 1, NOW);
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('Elterngeld Digital')).toMatchObject({ lastMonth: '2026-10', overdue: false });
    expect(byName.get('Elterngeld Digital')!.gaps).toHaveLength(2);
    expect(byName.get('Gewerbeanmeldung')).toMatchObject({ lastMonth: '2026-07', overdue: true });
    expect(byName.get('Gewerbeanmeldung')!.gaps).toEqual(['2026-08', '2026-09', '2026-10']);
    expect(byName.get('Führerscheinantrag online')).toMatchObject({
      lastMonth: null,
      monthly: false,
      overdue: true,
    });
  });

  it('shows services that stopped long ago as overdue within the grace days, with since when', async () => {
    // Within the grace days of 11/2026 the due month is 10/2026 (issue 13: these were „nein“).
    const { rows } = await loadServiceList(t.db.kysely, NO_FILTER, 1, new Date('2026-12-05T10:00:00Z'));
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('Gewerbeanmeldung')).toMatchObject({ overdue: true, overdueSince: '2026-08' });
    expect(byName.get('Elterngeld Digital')).toMatchObject({ lastMonth: '2026-10', overdue: false });
    const body = (await t.app.inject({ url: '/dienste', headers: { cookie: viewer.cookie } })).body;
    expect(body).toContain('<span class="zsk-status-overdue">seit 08/2026</span>');
  });

  it('pages through 50 services a page, keeping the filter in the links', async () => {
    for (let i = 0; i < 60; i++)
      await createService(t.db.kysely, { name: `Zusatzdienst ${String(i).padStart(2, '0')}`, type: '4' });
    const first = await t.app.inject({ headers: { cookie: viewer.cookie }, url: '/dienste?typ=4' });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Seite 1 von 2');
    expect((first.body.match(/<tr class="kern-table__row"/g) ?? []).length).toBe(51);
    expect(first.body).toContain('<nav class="zsk-pagination" aria-label="Seiten der Liste">');
    expect(first.body).toContain('href="/dienste?typ=4&amp;seite=2"');
    expect(first.body).toMatch(/<a href="\/dienste\?typ=4" aria-current="page">/);
    const second = await t.app.inject({ headers: { cookie: viewer.cookie }, url: '/dienste?typ=4&seite=2' });
    expect((second.body.match(/<tr class="kern-table__row"/g) ?? []).length).toBe(12);
    expect(second.body).toContain('Zusatzdienst 59');
    expect(second.body).toContain('<strong>61</strong> Onlinedienste gefunden');
    const beyond = await t.app.inject({ headers: { cookie: viewer.cookie }, url: '/dienste?typ=4&seite=99' });
    expect(beyond.body).toContain('Seite 2 von 2');
  });

  it('keeps the chosen filters selected in the form and says when nothing matches', async () => {
    for (const search of ['suche', 'q']) {
      const res = await t.app.inject({
        headers: { cookie: viewer.cookie },
        url: `/dienste?themenfeld=Umwelt&${search}=xyz`,
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<option value="Umwelt" selected>Umwelt</option>');
      expect(res.body).toMatch(/name="suche" value="xyz"/);
      expect(res.body).toContain('Keine Onlinedienste für diese Auswahl.');
    }
    const arrays = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/dienste?q=a&q=b&typ=1&typ=4',
    });
    expect(arrays.statusCode).toBe(200);
  });

  it('computes a window of page numbers', () => {
    expect(pageWindow(1, 1)).toEqual([1]);
    expect(pageWindow(1, 10)).toEqual([1, 2, 3, null, 10]);
    expect(pageWindow(6, 10)).toEqual([1, null, 4, 5, 6, 7, 8, null, 10]);
  });
});
