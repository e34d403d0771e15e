import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken } from '../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUser, signIn } from '../helpers/auth.js';
import { ENGINE } from '../helpers/db.js';
import { createService } from '../helpers/factories.js';
import type { ErrorBody } from '../../src/http/errors.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe(`unknown addresses answer 404 (${ENGINE})`, () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'] as const)(
    '%s to a route that does not exist is 404, not a CSRF refusal',
    async (method) => {
      const anonymous = await t.app.inject({ method, url: '/gibt-es-nicht', payload: { a: '1' } });
      expect(anonymous.statusCode).toBe(404);
      expect(anonymous.json<ErrorBody>().error.code).toBe('not_found');
      const person = await signIn(t, { userId: await createUser(t.db.kysely) });
      const signedIn = await t.app.inject({
        method,
        url: '/dienste/1/gibt-es-nicht',
        headers: { cookie: person.cookie },
        payload: { a: '1' },
      });
      expect(signedIn.statusCode).toBe(404);
    },
  );

  it('still refuses a form to an existing route without its CSRF token', async () => {
    const person = await signIn(t, { userId: await createUser(t.db.kysely) });
    const res = await t.app.inject({
      method: 'POST',
      url: '/abmelden',
      headers: { cookie: person.cookie },
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json<ErrorBody>().error.code).toBe('csrf_failed');
  });

  it('answers a delivery of another service exactly like a missing one', async () => {
    const serviceId = await createService(t.db.kysely);
    const owner = await createAccessToken(t.db.kysely, { serviceId, label: 'Eigentümer' });
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/services/${serviceId}/counts`,
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ counts: [{ month: '2024-04', ars: '060000000000', count: 1 }] }),
    });
    expect(put.statusCode).toBe(200);
    const { deliveryId } = put.json<{ deliveryId: number }>();
    const stranger = await createAccessToken(t.db.kysely, {
      serviceId: await createService(t.db.kysely),
      label: 'Fremd',
    });
    const read = (id: number) =>
      t.app.inject({
        url: `/api/v1/deliveries/${id}`,
        headers: { authorization: `Bearer ${stranger.token}` },
      });
    const foreign = await read(deliveryId);
    const missing = await read(deliveryId + 100_000);
    expect(foreign.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(foreign.json<ErrorBody>().error.code).toBe('not_found');
    expect(foreign.json<ErrorBody>().error.message).toBe(`Lieferung ${deliveryId} gibt es nicht.`);
    expect(missing.json<ErrorBody>().error.message).toBe(`Lieferung ${deliveryId + 100_000} gibt es nicht.`);
  });
});
