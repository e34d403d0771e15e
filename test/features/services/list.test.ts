import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/demo/seed.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';

let t: TestApp;
let viewer: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  await seedDemo(t.db.kysely, new Date('2026-11-23T10:00:00Z'));
});
afterAll(async () => {
  await t.close();
});

describe('service list and health', () => {
  it('lists the demo services with first/last month, granularity and total in German', async () => {
    const res = await t.app.inject({ url: '/dienste', headers: { cookie: viewer.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('<html lang="de">');
    expect(res.body).toContain('BAföG Digital');
    expect(res.body).toContain('Elterngeld Digital');
    expect(res.body).toContain('Briefwahlantrag');
    expect(res.body).toMatch(/11\/2023<\/td><td[^>]*>10\/2026/);
    expect(res.body).toContain('je Kreis');
    expect(res.body).toMatch(/\d{1,3}(\.\d{3})+<\/td>/);
  });

  it('escapes what people typed', async () => {
    await t.db.kysely
      .insertInto('online_services')
      .values({
        name: '<script>alert(1)</script>',
        url: null,
        authority_id: null,
        service_type: '4',
        build_mode: 'own',
        granularity: 'land',
        description: null,
        created_by: null,
      })
      .execute();
    const res = await t.app.inject({ url: '/dienste', headers: { cookie: viewer.cookie } });
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('&lt;script>alert(1)&lt;/script>');
  });

  it('sends security headers', async () => {
    const res = await t.app.inject({ url: '/dienste', headers: { cookie: viewer.cookie } });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('answers /healthz and /readyz', async () => {
    expect((await t.app.inject({ url: '/healthz', headers: { cookie: viewer.cookie } })).json()).toEqual({
      status: 'ok',
    });
    const ready = await t.app.inject({ url: '/readyz', headers: { cookie: viewer.cookie } });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok' });
  });

  it('answers unknown paths with the error shape', async () => {
    const res = await t.app.inject({ url: '/gibt-es-nicht', headers: { cookie: viewer.cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
