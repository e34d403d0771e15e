import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { ENGINE } from '../../helpers/db.js';
import { createService } from '../../helpers/factories.js';
import type { ErrorBody } from '../../../src/http/errors.js';

const LIMIT = 3;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ apiRateLimit: LIMIT });
});
afterAll(async () => {
  await t.close();
});

describe(`delivery API rate limit per token (${ENGINE})`, () => {
  it('counts every spelling of the Authorization header against the same token', async () => {
    const serviceId = await createService(t.db.kysely);
    const { token } = await createAccessToken(t.db.kysely, { serviceId, label: 'Test' });
    const spellings = [
      `Bearer ${token}`,
      `Bearer  ${token}`,
      `bearer ${token}`,
      `BEARER\t${token} `,
      `Bearer ${token}   `,
    ];
    const statuses: number[] = [];
    for (const authorization of spellings) {
      const res = await t.app.inject({
        url: `/api/v1/services/${serviceId}/counts`,
        headers: { authorization },
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(res.json<ErrorBody>().error.code).toBe('rate_limited');
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('gives each token its own budget', async () => {
    const serviceId = await createService(t.db.kysely);
    for (let i = 0; i < 2; i++) {
      const { token } = await createAccessToken(t.db.kysely, { serviceId, label: `Token ${i}` });
      for (let n = 0; n < LIMIT; n++) {
        const res = await t.app.inject({
          url: `/api/v1/services/${serviceId}/counts`,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.statusCode).toBe(200);
      }
    }
  });
});
