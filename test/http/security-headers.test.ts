import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/http/security-headers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const CSP =
  "default-src 'self';base-uri 'self';font-src 'self';form-action 'self';frame-ancestors 'none';" +
  "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self'";

/** The headers helmet sets with our policy, computed once (src/http/security-headers.ts). */
const EXPECTED: Record<string, string> = {
  'content-security-policy': CSP,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

describe('security headers on every answer', () => {
  it('are helmet’s with our Content-Security-Policy', () => {
    expect(securityHeaders({ oidc: null })).toEqual(EXPECTED);
    expect(
      securityHeaders({ oidc: { issuer: 'https://login.example/realms/zsk' } } as never)[
        'content-security-policy'
      ],
    ).toContain("form-action 'self' https://login.example;");
  });

  for (const [what, url, accept] of [
    ['a page', '/', 'text/html'],
    ['the sign-in page', '/anmelden', 'text/html'],
    ['an unknown address', '/gibt-es-nicht', 'text/html'],
    ['the API', '/api/v1/services', 'application/json'],
    ['a stylesheet', '/assets/app.css', 'text/css'],
  ] as const) {
    it(`are sent with ${what}`, async () => {
      const res = await t.app.inject({ url, headers: { accept } });
      for (const [name, value] of Object.entries(EXPECTED)) {
        // The open-data API lets other origins read its answers (CORS).
        if (name === 'cross-origin-resource-policy' && url.startsWith('/api/open')) continue;
        expect(res.headers[name], `${url} ${name}`).toBe(value);
      }
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['strict-transport-security']).toBeUndefined();
    });
  }
});
