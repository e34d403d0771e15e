import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import { addMonths, lastClosedMonth } from '../../src/domain/months.js';
import { ingestDelivery } from '../../src/features/deliveries/ingest.js';
import { CSRF_COOKIE } from '../../src/http/csrf.js';
import { CsrfField } from '../../src/web/csrf-field.js';
import { PublicPageCache } from '../../src/web/page-cache.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { signIn } from '../helpers/auth.js';
import { createService } from '../helpers/factories.js';

/*
 * Public pages are kept per data version, day and address for signed-out visitors
 * (src/web/page-cache.ts): what must hold is that nobody ever sees an outdated figure after a change
 * made through the app, another audience's page, or another visitor's CSRF token.
 */
let t: TestApp;
let serviceId: number;
const month = addMonths(lastClosedMonth(new Date()), -1);

async function deliver(count: number) {
  const summary = await ingestDelivery(t.db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows: [{ month, ars: '060000000000', count }],
  });
  expect(summary.status).toBe('accepted');
}

const anonymous = (url: string) => t.app.inject({ url, headers: { accept: 'text/html' } });

beforeAll(async () => {
  t = await createTestApp();
  serviceId = await createService(t.db.kysely, { name: 'Gecachter Dienst' });
  await deliver(4711);
});
afterAll(async () => {
  await t.close();
});

describe('public pages kept for signed-out visitors', () => {
  for (const url of ['/', '/dienste/:id', '/auswertungen?gruppierung=dienst']) {
    it(`${url}: the same bytes until the data change, then the new figures at once`, async () => {
      const address = url.replace(':id', String(serviceId));
      const first = await anonymous(address);
      expect(first.statusCode).toBe(200);
      expect(first.body).toContain('4.711');
      // No form, no cookie: the page is everybody's.
      expect(first.headers['set-cookie']).toBeUndefined();
      expect((await anonymous(address)).body).toBe(first.body);

      await deliver(4712);
      const changed = await anonymous(address);
      expect(changed.body).toContain('4.712');
      expect(changed.body).not.toContain('4.711');
      await deliver(4711);
    });
  }

  it('never gives a signed-in visitor the page of the public, nor the other way round', async () => {
    const viewer = await signIn(t, { name: 'Angemeldete Person' });
    const address = `/dienste/${serviceId}`;
    await anonymous(address);
    const signedIn = await t.app.inject({
      url: address,
      headers: { accept: 'text/html', cookie: viewer.cookie },
    });
    expect(signedIn.body).toContain('Angemeldet als <strong>Angemeldete Person</strong>');
    const again = await anonymous(address);
    expect(again.body).not.toContain('Angemeldete Person');
    expect(again.body).not.toContain('name="_csrf"');
  });

  it('an unpublished service disappears from the kept pages at once', async () => {
    const before = await anonymous('/auswertungen?gruppierung=dienst');
    expect(before.body).toContain('Gecachter Dienst');
    await t.db.kysely
      .updateTable('online_services')
      .set({ published: false })
      .where('id', '=', serviceId)
      .execute();
    try {
      expect((await anonymous('/auswertungen?gruppierung=dienst')).body).not.toContain('Gecachter Dienst');
      expect((await anonymous(`/dienste/${serviceId}`)).statusCode).toBe(404);
    } finally {
      await t.db.kysely
        .updateTable('online_services')
        .set({ published: true })
        .where('id', '=', serviceId)
        .execute();
    }
  });
});

describe('a page with a form', () => {
  let app: FastifyInstance;
  let builds = 0;
  beforeAll(async () => {
    app = Fastify();
    app.decorateRequest('session', null);
    await app.register(cookie);
    const pages = new PublicPageCache(t.db);
    app.get('/mit-formular', (request, reply) =>
      pages.send(request, reply, () => {
        builds += 1;
        return Promise.resolve({
          node: (
            <form method="post">
              <CsrfField />
            </form>
          ),
        });
      }),
    );
    app.get('/ohne-formular', (request, reply) =>
      pages.send(request, reply, () => {
        builds += 1;
        return Promise.resolve({ node: <p>Für alle gleich</p> });
      }),
    );
  });
  afterAll(async () => {
    await app.close();
  });

  it('is rendered for each visitor with a token of their own; a page without one is rendered once', async () => {
    builds = 0;
    const [a, b] = [await app.inject({ url: '/mit-formular' }), await app.inject({ url: '/mit-formular' })];
    const token = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)![1];
    expect(token(a.body)).not.toBe(token(b.body));
    expect(a.cookies.find((c) => c.name === CSRF_COOKIE)!.value).toBe(token(a.body));
    expect(builds).toBe(2);
    builds = 0;
    await app.inject({ url: '/ohne-formular' });
    await app.inject({ url: '/ohne-formular' });
    expect(builds).toBe(1);
  });
});
