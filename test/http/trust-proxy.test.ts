import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseTrustProxy } from '../../src/config.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ENGINE } from '../helpers/db.js';

const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

async function app(trustProxy: string | undefined): Promise<TestApp> {
  const t = await createTestApp({ loginRateLimit: 2, trustProxy: parseTrustProxy(trustProxy) });
  apps.push(t);
  return t;
}

/** Sign-in attempts (without a form token: the limit counts them all the same) from a claimed address. */
const attempt = (t: TestApp, forwardedFor: string) =>
  t.app.inject({
    method: 'POST',
    url: '/anmelden',
    headers: { 'x-forwarded-for': forwardedFor },
    payload: { email: 'opfer@behoerde.example', password: 'geraten' },
  });

describe(`ZSK_TRUST_PROXY (${ENGINE})`, () => {
  it.each<[string | undefined, false | string[]]>([
    [undefined, false],
    ['', false],
    ['0', false],
    ['off', false],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 192.168.1.0/24', ['10.0.0.0/8', '192.168.1.0/24']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
    ['loopback', ['loopback']],
  ])('reads %j as %j', (value, expected) => {
    expect(parseTrustProxy(value)).toEqual(expected);
  });

  it.each(['true', '1', '2', 'proxy.example', '10.0.0.0/33', '10.0.0.1,', '300.1.1.1'])(
    'refuses %j naming the setting',
    (value) => {
      expect(() => parseTrustProxy(value)).toThrow(/ZSK_TRUST_PROXY/);
    },
  );

  it('is off unless set', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ ZSK_TRUST_PROXY: '127.0.0.1' }).trustProxy).toEqual(['127.0.0.1']);
  });

  it('by default a rotated X-Forwarded-For does not escape the sign-in limit', async () => {
    const t = await app(undefined);
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push((await attempt(t, `203.0.113.${i}`)).statusCode);
    expect(statuses).toEqual([403, 403, 429, 429]);
  });

  it('behind a named proxy counts per forwarded client address', async () => {
    // app.inject() comes from 127.0.0.1, standing in for the proxy.
    const t = await app('127.0.0.1');
    const statuses = [];
    for (let i = 1; i <= 3; i++) statuses.push((await attempt(t, '203.0.113.7')).statusCode);
    expect(statuses).toEqual([403, 403, 429]);
    expect((await attempt(t, '203.0.113.8')).statusCode).toBe(403);
  });

  it('believes no X-Forwarded-For from an address that is not the named proxy', async () => {
    const t = await app('10.0.0.1');
    const statuses = [];
    for (let i = 1; i <= 3; i++) statuses.push((await attempt(t, `203.0.113.${i}`)).statusCode);
    expect(statuses).toEqual([403, 403, 429]);
  });
});
