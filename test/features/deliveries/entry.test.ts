import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastClosedMonth } from '../../../src/domain/months.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';

let t: TestApp;
let manager: SignedIn;
let serviceId: number;
const MONTH = '2024-03';
beforeAll(async () => {
  t = await createTestApp();
  serviceId = await createService(t.db.kysely, { name: 'Erfassungsdienst', granularity: 'land' });
  manager = await signIn(t, { name: 'Erika Erfasserin' });
  await grantService(t.db.kysely, manager.userId, serviceId);
});
afterAll(async () => {
  await t.close();
});

const page = (month = MONTH) =>
  t.app.inject({
    url: `/dienste/${serviceId}/erfassen?monat=${month}`,
    headers: { cookie: manager.cookie, accept: 'text/html' },
  });
const save = (fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url: `/dienste/${serviceId}/erfassen?monat=${MONTH}`,
    headers: { cookie: manager.cookie, accept: 'text/html' },
    payload: { _csrf: manager.csrfToken, ...fields },
  });
const deliveries = () =>
  t.db.kysely.selectFrom('deliveries').selectAll().where('service_id', '=', serviceId).execute();

describe('manual entry', () => {
  it('shows a grid of 16 Länder x 3 months, each cell labelled by region and month', async () => {
    const res = await page();
    expect(res.statusCode).toBe(200);
    const inputs = res.body.match(/<input class="kern-form-input__input zsk-count-input[^>]*>/g) ?? [];
    expect(inputs).toHaveLength(48);
    expect(inputs[0]).toContain('inputmode="numeric"');
    expect(res.body).toContain(
      '<label class="zsk-visually-hidden" for="feld-z_2024-01_010000000000">Schleswig-Holstein, 01/2024</label>',
    );
    expect(res.body).toContain('for="feld-z_2024-03_160000000000">Thüringen, 03/2024</label>');
  });

  it('defaults to the last closed month', async () => {
    const res = await t.app.inject({
      url: `/dienste/${serviceId}/erfassen`,
      headers: { cookie: manager.cookie, accept: 'text/html' },
    });
    expect(res.body).toContain(`value="${lastClosedMonth()}"`);
  });

  it('refuses the whole form when one cell is wrong: error next to the cell and in the summary, nothing stored', async () => {
    const res = await save({
      'z_2024-03_060000000000': '12',
      'z_2024-02_090000000000': '1.234',
      'z_2024-01_010000000000': '-3',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="feld-z_2024-02_090000000000-fehler"');
    expect(res.body).toContain('aria-invalid="true"');
    expect(res.body).toContain('href="#feld-z_2024-02_090000000000"');
    expect(res.body).toContain('Bayern, 02/2024: Anzahl bitte ohne Tausendertrennzeichen');
    // What was typed stays.
    expect(res.body).toMatch(/id="feld-z_2024-03_060000000000"[^>]*value="12"/);
    expect(await deliveries()).toHaveLength(0);
    const counts = await t.db.kysely
      .selectFrom('counts')
      .selectAll()
      .where('service_id', '=', serviceId)
      .execute();
    expect(counts).toHaveLength(0);
  });

  it('stores the filled cells as one form delivery and prefills them afterwards', async () => {
    const res = await save({
      'z_2024-03_060000000000': '12',
      'z_2024-02_090000000000': '1234',
      'z_2024-01_010000000000': '',
    });
    expect(res.statusCode).toBe(303);
    const list = await deliveries();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      channel: 'form',
      status: 'accepted',
      created: 2,
      user_id: manager.userId,
    });
    expect(res.headers.location).toBe(
      `/dienste/${serviceId}/erfassen?monat=${MONTH}&gespeichert=${list[0]!.id}`,
    );
    const again = await t.app.inject({
      url: res.headers.location as string,
      headers: { cookie: manager.cookie, accept: 'text/html' },
    });
    expect(again.body).toMatch(/id="feld-z_2024-03_060000000000"[^>]*value="12"/);
    expect(again.body.includes('Lieferung ansehen')).toBe(true);
  });

  it('leaves unchanged values out; with no change nothing is stored', async () => {
    const res = await save({ 'z_2024-03_060000000000': '12', 'z_2024-02_090000000000': '1234' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Es wurde keine Zahl geändert');
    expect(await deliveries()).toHaveLength(1);
    const changed = await save({ 'z_2024-03_060000000000': '13', 'z_2024-02_090000000000': '1234' });
    expect(changed.statusCode).toBe(303);
    const list = await deliveries();
    expect(list).toHaveLength(2);
    expect(list.find((d) => d.id !== list[0]!.id || list.length === 1)).toBeDefined();
    const latest = list.sort((a, b) => b.id - a.id)[0]!;
    expect(latest).toMatchObject({ rows_total: 1, updated: 1 });
  });

  it('is for the service managers only', async () => {
    const viewer = await signIn(t, {});
    const res = await t.app.inject({
      url: `/dienste/${serviceId}/erfassen`,
      headers: { cookie: viewer.cookie, accept: 'text/html' },
    });
    expect(res.statusCode).toBe(403);
  });
});
