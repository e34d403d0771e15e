import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import { ingestDelivery } from '../../src/features/deliveries/ingest.js';
import { createAccessToken } from '../../src/features/tokens/tokens.js';
import { loadConfig } from '../../src/config.js';
import { testConfig, type TestApp } from '../helpers/app.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestDb } from '../helpers/db.js';
import { createPortal, createService } from '../helpers/factories.js';

/**
 * Every route in app.routeAccess, called by an administrator (the visitor who reaches the most code)
 * with hostile values of every parameter it reads: repeated, empty, array-shaped, over-long, non-ASCII,
 * control characters, broken percent-encoding, numbers past bigint, and ids that are no safe positive
 * integers. No answer may be a 5xx. Which query and form fields a route reads is recorded while it
 * answers a plain request, so a parameter added to a route tomorrow is attacked by this test without
 * anyone listing it.
 */

/** Raw, already percent-encoded values: some of them cannot be produced by encodeURIComponent. */
const HOSTILE_VALUES: Record<string, string[]> = {
  empty: [''],
  repeated: ['2024-01', '2024-02'],
  overLong: ['x'.repeat(20_000)],
  nonAscii: [encodeURIComponent('Ä€😀\u{10FFFF}ß')],
  control: ['%00%01%0D%0A%09%1B'],
  brokenEncoding: ['%ED%A0%80', '%FF%FE', '%'],
  // Past bigint: page=10^20 made an offset PostgreSQL could not take (a 500 until the bound).
  hugeNumber: ['99999999999999999999'],
};
/** Array-shaped names as qs-style parsers would read them. */
const ARRAY_SHAPED = (name: string) => `${encodeURIComponent(name)}[]=1&${encodeURIComponent(name)}[0]=2`;

const HOSTILE_IDS = ['1.5', '0x1', '01', '1e1', '-1', '0', '2147483648', '9223372036854775807', '%00', 'abc'];

/** Names the app reads somewhere; sent where a route enumerates its query instead of reading by name. */
const KNOWN_NAMES = [
  'monat',
  'von',
  'bis',
  'seite',
  'zeigen',
  'suche',
  'q',
  'nach',
  'wert',
  'dienst',
  'format',
  'weiter',
  'sortierung',
  'richtung',
  'tabelle',
  'from',
  'to',
  'month',
  'ars',
  'partial',
  'dryRun',
];

interface Fixture {
  service: number;
  portal: number;
  delivery: number;
  userId: number;
}

const read = new Map<string, { query: Set<string>; body: Set<string>; enumerates: boolean }>();

function recording(target: object, names: Set<string>, onEnumerate: () => void): object {
  return new Proxy(target, {
    get(obj, key, receiver) {
      if (typeof key === 'string') names.add(key);
      return Reflect.get(obj, key, receiver) as unknown;
    },
    has(obj, key) {
      if (typeof key === 'string') names.add(key);
      return Reflect.has(obj, key);
    },
    ownKeys(obj) {
      onEnumerate();
      return Reflect.ownKeys(obj);
    },
  });
}

let t: TestApp;
let admin: SignedIn;
let bearer: string;
let fixture: Fixture;

beforeAll(async () => {
  const db = await createTestDb();
  const config = testConfig({
    loginRateLimit: 1_000_000,
    apiRateLimit: 1_000_000,
    openData: { ...loadConfig({}).openData, rateLimit: 1_000_000 },
  });
  const app = await buildApp({ config, db });
  app.addHook('preHandler', (request: FastifyRequest, _reply, done) => {
    const key = `${request.method} ${request.routeOptions.url ?? ''}`;
    const entry = read.get(key) ?? { query: new Set<string>(), body: new Set<string>(), enumerates: false };
    read.set(key, entry);
    const enumerates = () => (entry.enumerates = true);
    if (request.query && typeof request.query === 'object')
      request.query = recording(request.query, entry.query, enumerates);
    if (request.body && typeof request.body === 'object' && !Buffer.isBuffer(request.body))
      request.body = recording(request.body, entry.body, enumerates);
    done();
  });
  await app.ready();
  t = {
    app,
    db,
    config,
    async close() {
      await app.close();
      await db.close();
    },
  };
  const service = await createService(db.kysely, { name: 'Dienst' });
  const portal = await createPortal(db.kysely, [service]);
  const delivery = await ingestDelivery(db.kysely, {
    channel: 'csv',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId: service },
    rows: [{ month: '2024-01', ars: '06', count: 5 }],
    file: { name: 'l.csv', mediaType: 'text/csv', content: Buffer.from('monat;ars;anzahl\n2024-01;06;5\n') },
  });
  admin = await signIn(t, { name: 'Admin', isAdmin: true });
  bearer = (
    await createAccessToken(db.kysely, { serviceId: service, label: 'fuzz', createdBy: admin.userId })
  ).token;
  fixture = { service, portal, delivery: delivery.deliveryId!, userId: admin.userId };
});
afterAll(async () => {
  await t.close();
});

/** A concrete path for a route pattern, with `id` standing for whatever id the route reads. */
function concrete(url: string, f: Fixture, id?: string): string {
  return url
    .replace('*', url.startsWith('/assets/kern/') ? 'kern.min.css' : 'app.css')
    .replace(/:(\w+)/g, (_, name: string) => {
      if (id !== undefined) return id;
      if (name === 'upload') return 'unbekannt';
      if (name === 'userId') return String(f.userId);
      if (name === 'deliveryId' || url.startsWith('/lieferungen')) return String(f.delivery);
      if (name === 'portalId' || url.startsWith('/portale')) return String(f.portal);
      return String(f.service);
    });
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

async function call(method: Method, url: string, form?: string) {
  const api = url.startsWith('/api/v1/');
  // Signing out ends the session: that route gets a fresh one for every request.
  if (url.startsWith('/abmelden')) admin = await signIn(t, { userId: admin.userId });
  return t.app.inject({
    method,
    url,
    headers: {
      accept: api ? 'application/json' : 'text/html',
      ...(api ? { authorization: `Bearer ${bearer}` } : { cookie: admin.cookie }),
      ...(form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(form !== undefined ? { payload: form } : {}),
  });
}

function withQuery(path: string, query: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

describe('hostile input on every route', () => {
  it('never answers 5xx', async () => {
    const routes = t.app.routeAccess.filter(
      (r) => !r.url.startsWith('/api/docs') && r.url !== '/anmelden/oidc/backchannel-logout',
    );
    const csrf = () => `_csrf=${encodeURIComponent(admin.csrfToken)}`;
    const failures: string[] = [];
    const expectNo5xx = async (method: Method, url: string, form?: string) => {
      const res = await call(method, url, form);
      if (
        res.statusCode === 303 &&
        !url.startsWith('/abmelden') &&
        res.headers.location?.toString().startsWith('/anmelden')
      )
        failures.push(`${method} ${url.slice(0, 120)}: signed out, the route was not reached`);
      if (res.statusCode >= 500)
        failures.push(`${method} ${url.slice(0, 120)} ${form?.slice(0, 80) ?? ''} -> ${res.statusCode}`);
    };
    let requests = 0;
    for (const route of routes) {
      const method = route.method as Method;
      const key = `${method} ${route.url}`;
      const path = concrete(route.url, fixture);
      const sendsForm = method !== 'GET' && !route.url.startsWith('/api/v1/');
      // A plain request first: records which parameters the route reads.
      await expectNo5xx(method, path, sendsForm ? csrf() : undefined);
      requests += 1;
      const names = read.get(key);
      const queryNames = new Set([...(names?.query ?? []), ...(names?.enumerates ? KNOWN_NAMES : [])]);
      const bodyNames = new Set([...(names?.body ?? [])].filter((n) => n !== '_csrf'));
      for (const [kind, values] of Object.entries(HOSTILE_VALUES)) {
        for (const name of queryNames) {
          const query = values.map((v) => `${encodeURIComponent(name)}=${v}`).join('&');
          await expectNo5xx(method, withQuery(path, query), sendsForm ? csrf() : undefined);
          requests += 1;
          if (kind === 'repeated') {
            await expectNo5xx(method, withQuery(path, ARRAY_SHAPED(name)), sendsForm ? csrf() : undefined);
            requests += 1;
          }
        }
        for (const name of bodyNames) {
          const form = values.map((v) => `${encodeURIComponent(name)}=${v}`).join('&');
          await expectNo5xx(method, path, `${csrf()}&${form}`);
          requests += 1;
          if (kind === 'repeated') {
            await expectNo5xx(method, path, `${csrf()}&${ARRAY_SHAPED(name)}`);
            requests += 1;
          }
        }
      }
      if (/:\w+/.test(route.url)) {
        for (const id of HOSTILE_IDS) {
          await expectNo5xx(method, concrete(route.url, fixture, id), sendsForm ? csrf() : undefined);
          requests += 1;
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(routes.length * 5);
  }, 900_000);

  it('refuses ids that are no plain positive integers instead of reading them as numbers', async () => {
    for (const id of ['1.5', '0x1', '01', '1e1', ` ${fixture.service}`]) {
      const page = await call('GET', `/dienste/${encodeURIComponent(id)}`);
      expect(page.statusCode, id).toBe(404);
      const api = await call('GET', `/api/v1/services/${encodeURIComponent(id)}/counts`);
      expect([400, 404], id).toContain(api.statusCode);
    }
  });

  it('answers a form-encoded delivery with 415, impossible months with 400', async () => {
    const form = await call(
      'PUT',
      `/api/v1/services/${fixture.service}/counts`,
      'month=2024-01&ars=06&count=1',
    );
    expect(form.statusCode).toBe(415);
    for (const month of ['2024-13', '2024-00', '0000-01']) {
      const res = await call('GET', `/api/v1/services/${fixture.service}/counts?from=${month}`);
      expect(res.statusCode, month).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message).toContain('from');
    }
  });
});
