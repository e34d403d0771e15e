import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, testConfig, type TestApp } from '../helpers/app.js';
import { grantPortal, grantService, signIn, type SignedIn } from '../helpers/auth.js';
import { createPortal, createService } from '../helpers/factories.js';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import { ingestDelivery } from '../../src/features/deliveries/ingest.js';

/**
 * Every route × every kind of visitor -> the expected status. A route without an entry fails the
 * test, so a new route cannot go live without someone deciding who may call it.
 */
const WHO = ['anonymous', 'viewer', 'otherManager', 'serviceManager', 'portalManager', 'admin'] as const;
type Who = (typeof WHO)[number];
type Statuses = Record<Who, number>;

interface Fixture {
  service: number;
  otherService: number;
  portal: number;
  /** A CSV delivery of `service` with its file. */
  delivery: number;
}

interface Entry {
  /** The concrete path to call, built from the fixture's ids. */
  path: (f: Fixture) => string;
  /** Form fields of POST requests (the CSRF token is added). */
  form?: Record<string, string>;
  expect: Statuses;
  /** The request ends the session (sign-out): it gets a session of its own. */
  endsSession?: true;
}

const all = (status: number): Statuses => ({
  anonymous: status,
  viewer: status,
  otherManager: status,
  serviceManager: status,
  portalManager: status,
  admin: status,
});
/** Pages for every signed-in user; signed-out browsers are sent to the sign-in page. */
const signedIn = (ok = 200): Statuses => ({ ...all(ok), anonymous: 303 });
/** Forms for every signed-in user; signed-out requests are refused (401). */
const signedInForm = (ok: number): Statuses => ({ ...all(ok), anonymous: 401 });
const admin = (ok = 200, anonymous = 303): Statuses => ({ ...all(403), anonymous, admin: ok });
/** Administrators, the service's managers and the managers of its portal. */
const manageService = (ok = 200, anonymous = 303): Statuses => ({
  anonymous,
  viewer: 403,
  otherManager: 403,
  serviceManager: ok,
  portalManager: ok,
  admin: ok,
});
const managePortal = (ok = 200, anonymous = 303): Statuses => ({
  anonymous,
  viewer: 403,
  otherManager: 403,
  serviceManager: 403,
  portalManager: ok,
  admin: ok,
});
/** The delivery API takes bearer tokens only: a browser session opens nothing there. */
const tokenOnly = all(401);

const fixed = (path: string) => () => path;
/** The open data (issue 15): everyone while the public part is on (ZSK_PUBLIC, default). */
const open = (ok = 200): Statuses => all(ok);

export const MATRIX: Record<string, Entry> = {
  'GET /assets/kern/*': { path: fixed('/assets/kern/kern.min.css'), expect: all(200) },
  'GET /assets/*': { path: fixed('/assets/app.css'), expect: all(200) },
  // Fingerprinted assets (src/web/assets.ts); an unknown name is 404 for everyone.
  'GET /assets/f/:file': { path: fixed('/assets/f/zsk.000000000000.css'), expect: all(404) },
  'GET /api/docs': { path: fixed('/api/docs'), expect: all(200) },
  'GET /api/docs/static/index.html': { path: fixed('/api/docs/static/index.html'), expect: all(302) },
  'GET /api/docs/static/swagger-initializer.js': {
    path: fixed('/api/docs/static/swagger-initializer.js'),
    expect: all(200),
  },
  'GET /api/docs/json': { path: fixed('/api/docs/json'), expect: all(200) },
  'GET /api/docs/yaml': { path: fixed('/api/docs/yaml'), expect: all(200) },
  'GET /api/docs/static/*': { path: fixed('/api/docs/static/swagger-ui.css'), expect: all(200) },
  'GET /healthz': { path: fixed('/healthz'), expect: all(200) },
  'GET /readyz': { path: fixed('/readyz'), expect: all(200) },
  'GET /anmelden': { path: fixed('/anmelden'), expect: { ...all(303), anonymous: 200 } },
  // Signed-out visitors have no valid CSRF pair here; the empty form of a signed-in user is incomplete.
  'POST /anmelden': { path: fixed('/anmelden'), expect: { ...all(422), anonymous: 403 } },
  'POST /abmelden': { path: fixed('/abmelden'), expect: { ...all(303), anonymous: 403 }, endsSession: true },
  'PUT /api/v1/services/:serviceId/counts': {
    path: (f) => `/api/v1/services/${f.service}/counts`,
    expect: tokenOnly,
  },
  'PUT /api/v1/portals/:portalId/counts': {
    path: (f) => `/api/v1/portals/${f.portal}/counts`,
    expect: tokenOnly,
  },
  'GET /api/v1/services/:serviceId/counts': {
    path: (f) => `/api/v1/services/${f.service}/counts`,
    expect: tokenOnly,
  },
  'DELETE /api/v1/services/:serviceId/counts': {
    path: (f) => `/api/v1/services/${f.service}/counts?month=2024-01&ars=06`,
    expect: tokenOnly,
  },
  'GET /api/v1/deliveries/:deliveryId': { path: fixed('/api/v1/deliveries/1'), expect: tokenOnly },
  // Service management (issue 13): portal and personal tokens; their scopes are asserted in
  // test/features/services/api.test.ts.
  'GET /api/v1/portals/:portalId/services': {
    path: (f) => `/api/v1/portals/${f.portal}/services`,
    expect: tokenOnly,
  },
  'POST /api/v1/portals/:portalId/services': {
    path: (f) => `/api/v1/portals/${f.portal}/services`,
    expect: tokenOnly,
  },
  'PATCH /api/v1/services/:id': { path: (f) => `/api/v1/services/${f.service}`, expect: tokenOnly },
  'GET /': { path: fixed('/'), expect: open() },
  'GET /dienste': { path: fixed('/dienste'), expect: open() },
  'GET /dienste/:id': { path: (f) => `/dienste/${f.service}`, expect: open() },
  'GET /vollstaendigkeit': { path: fixed('/vollstaendigkeit'), expect: open() },
  // Explorer
  // Open data (issue 15): everyone while ZSK_PUBLIC is on; the public sees published services only.
  'GET /auswertungen': { path: fixed('/auswertungen'), expect: all(200) },
  // Open-data API (issue 15): no token, no sign-in; CORS preflight for every address under it.
  'GET /api/open/v1/services': { path: fixed('/api/open/v1/services'), expect: all(200) },
  'GET /api/open/v1/services.csv': { path: fixed('/api/open/v1/services.csv'), expect: all(200) },
  'GET /api/open/v1/services/:id/counts': {
    path: (f) => `/api/open/v1/services/${f.service}/counts`,
    expect: all(200),
  },
  'GET /api/open/v1/services/:id/counts.csv': {
    path: (f) => `/api/open/v1/services/${f.service}/counts.csv`,
    expect: all(200),
  },
  'GET /api/open/v1/aggregates': { path: fixed('/api/open/v1/aggregates'), expect: all(200) },
  'GET /api/open/v1/aggregates.csv': { path: fixed('/api/open/v1/aggregates.csv'), expect: all(200) },
  'OPTIONS /api/open/v1/*': { path: fixed('/api/open/v1/services'), expect: all(204) },
  // Embeddable charts: open data, for everyone while ZSK_PUBLIC is on (published services only).
  'GET /einbetten/dienste/:id': { path: (f) => `/einbetten/dienste/${f.service}`, expect: all(200) },
  'GET /einbetten/auswertungen': { path: fixed('/einbetten/auswertungen'), expect: all(200) },
  // Catalogue
  'GET /katalog/suche': { path: fixed('/katalog/suche?suche=Elterngeld'), expect: signedIn() },
  'GET /stammdaten': { path: fixed('/stammdaten'), expect: signedIn() },
  // Reports
  'GET /berichte': { path: fixed('/berichte'), expect: open() },
  'GET /berichte/dienste': { path: fixed('/berichte/dienste'), expect: open() },
  'GET /berichte/portale.csv': { path: fixed('/berichte/portale.csv'), expect: open() },
  'GET /berichte/portale.xlsx': { path: fixed('/berichte/portale.xlsx'), expect: open() },
  'GET /berichte/dienste.csv': { path: fixed('/berichte/dienste.csv'), expect: open() },
  'GET /berichte/dienste.xlsx': { path: fixed('/berichte/dienste.xlsx'), expect: open() },
  // Access, tokens, portals and audit log (src/features/access, tokens, portals, audit). Empty forms are
  // incomplete (422) for everyone allowed to send them.
  'GET /meine-dienste': { path: fixed('/meine-dienste'), expect: signedIn() },
  // Personal tokens: every signed-in person may hold them; they open only what the person manages.
  'GET /meine-dienste/schluessel': { path: fixed('/meine-dienste/schluessel'), expect: signedIn() },
  'POST /meine-dienste/schluessel': { path: fixed('/meine-dienste/schluessel'), expect: signedInForm(422) },
  'POST /meine-dienste/schluessel/widerrufen': {
    path: fixed('/meine-dienste/schluessel/widerrufen'),
    expect: signedInForm(422),
  },
  'GET /dienste/:id/zugang': { path: (f) => `/dienste/${f.service}/zugang`, expect: manageService() },
  'POST /dienste/:id/zugang': {
    path: (f) => `/dienste/${f.service}/zugang`,
    expect: manageService(422, 401),
  },
  'POST /dienste/:id/zugang/entziehen': {
    path: (f) => `/dienste/${f.service}/zugang/entziehen`,
    expect: manageService(422, 401),
  },
  'GET /portale/:id/zugang': { path: (f) => `/portale/${f.portal}/zugang`, expect: managePortal() },
  'POST /portale/:id/zugang': { path: (f) => `/portale/${f.portal}/zugang`, expect: managePortal(422, 401) },
  'POST /portale/:id/zugang/entziehen': {
    path: (f) => `/portale/${f.portal}/zugang/entziehen`,
    expect: managePortal(422, 401),
  },
  'GET /dienste/:id/schluessel': { path: (f) => `/dienste/${f.service}/schluessel`, expect: manageService() },
  'POST /dienste/:id/schluessel': {
    path: (f) => `/dienste/${f.service}/schluessel`,
    expect: manageService(422, 401),
  },
  'POST /dienste/:id/schluessel/widerrufen': {
    path: (f) => `/dienste/${f.service}/schluessel/widerrufen`,
    expect: manageService(422, 401),
  },
  'GET /portale/:id/schluessel': { path: (f) => `/portale/${f.portal}/schluessel`, expect: managePortal() },
  'POST /portale/:id/schluessel': {
    path: (f) => `/portale/${f.portal}/schluessel`,
    expect: managePortal(422, 401),
  },
  'POST /portale/:id/schluessel/widerrufen': {
    path: (f) => `/portale/${f.portal}/schluessel/widerrufen`,
    expect: managePortal(422, 401),
  },
  'GET /portale': { path: fixed('/portale'), expect: signedIn() },
  'GET /portale/neu': { path: fixed('/portale/neu'), expect: admin() },
  'POST /portale/neu': { path: fixed('/portale/neu'), expect: admin(422, 401) },
  'GET /portale/:id': { path: (f) => `/portale/${f.portal}`, expect: signedIn() },
  'POST /portale/:id/dienste': {
    path: (f) => `/portale/${f.portal}/dienste`,
    expect: managePortal(422, 401),
  },
  'POST /portale/:id/dienste/liste': {
    path: (f) => `/portale/${f.portal}/dienste/liste`,
    expect: managePortal(422, 401),
  },
  'POST /portale/:id/dienste/entfernen': {
    path: (f) => `/portale/${f.portal}/dienste/entfernen`,
    expect: managePortal(422, 401),
  },
  // Join requests (a portal asks to take in a service its managers do not manage): the portal withdraws,
  // the service's side accepts or declines.
  'POST /portale/:id/anfragen/zurueckziehen': {
    path: (f) => `/portale/${f.portal}/anfragen/zurueckziehen`,
    expect: managePortal(422, 401),
  },
  'POST /dienste/:id/portalanfragen/annehmen': {
    path: (f) => `/dienste/${f.service}/portalanfragen/annehmen`,
    expect: manageService(422, 401),
  },
  'POST /dienste/:id/portalanfragen/ablehnen': {
    path: (f) => `/dienste/${f.service}/portalanfragen/ablehnen`,
    expect: manageService(422, 401),
  },
  'GET /verwaltung/protokoll': { path: fixed('/verwaltung/protokoll'), expect: admin() },
  // Registration, e-mail verification, approval queue, accounts list, password reset (issue #4).
  // Without a token the links are unknown (404); signed-out visitors have no valid CSRF pair (403).
  'GET /registrieren': { path: fixed('/registrieren'), expect: all(200) },
  'POST /registrieren': { path: fixed('/registrieren'), expect: { ...all(422), anonymous: 403 } },
  'GET /registrieren/bestaetigen': { path: fixed('/registrieren/bestaetigen'), expect: all(404) },
  'POST /registrieren/bestaetigen': {
    path: fixed('/registrieren/bestaetigen'),
    expect: { ...all(404), anonymous: 403 },
  },
  'POST /registrieren/neuer-link': {
    path: fixed('/registrieren/neuer-link'),
    expect: { ...all(303), anonymous: 403 },
  },
  'GET /verwaltung/registrierungen': { path: fixed('/verwaltung/registrierungen'), expect: admin() },
  'POST /verwaltung/registrierungen/:userId/freischalten': {
    path: fixed('/verwaltung/registrierungen/999999/freischalten'),
    expect: admin(404, 401),
  },
  'POST /verwaltung/registrierungen/:userId/ablehnen': {
    path: fixed('/verwaltung/registrierungen/999999/ablehnen'),
    form: { reason: 'Zweck nicht nachvollziehbar' },
    expect: admin(404, 401),
  },
  'GET /verwaltung/konten': { path: fixed('/verwaltung/konten'), expect: admin() },
  'POST /verwaltung/konten/:userId/deaktivieren': {
    path: fixed('/verwaltung/konten/999999/deaktivieren'),
    expect: admin(404, 401),
  },
  'POST /verwaltung/konten/:userId/aktivieren': {
    path: fixed('/verwaltung/konten/999999/aktivieren'),
    expect: admin(404, 401),
  },
  'GET /passwort-vergessen': { path: fixed('/passwort-vergessen'), expect: all(200) },
  'POST /passwort-vergessen': { path: fixed('/passwort-vergessen'), expect: { ...all(422), anonymous: 403 } },
  'GET /passwort-neu': { path: fixed('/passwort-neu'), expect: all(404) },
  'POST /passwort-neu': { path: fixed('/passwort-neu'), expect: { ...all(404), anonymous: 403 } },
  // OIDC sign-in: public, registered always and 404 without OIDC configured (as here); with OIDC its
  // rules are asserted in test/features/accounts/oidc.test.ts against a real provider.
  'GET /anmelden/oidc': { path: fixed('/anmelden/oidc'), expect: all(404) },
  'GET /anmelden/oidc/callback': { path: fixed('/anmelden/oidc/callback?code=x&state=y'), expect: all(404) },
  // Server to server from the provider, authenticated by the signed logout token (no CSRF token).
  'POST /anmelden/oidc/backchannel-logout': {
    path: fixed('/anmelden/oidc/backchannel-logout'),
    expect: all(404),
  },
  // Services and deliveries UI (issue 5): master data, manual entry, upload, history.
  'GET /dienste/neu': { path: fixed('/dienste/neu'), expect: signedIn() },
  // The empty form is incomplete: every signed-in user gets it back with errors.
  'POST /dienste/neu': { path: fixed('/dienste/neu'), expect: signedInForm(422) },
  'GET /dienste/:id/bearbeiten': { path: (f) => `/dienste/${f.service}/bearbeiten`, expect: manageService() },
  'POST /dienste/:id/bearbeiten': {
    path: (f) => `/dienste/${f.service}/bearbeiten`,
    expect: manageService(422, 401),
  },
  // The publish switch (issue 15); the empty form is incomplete.
  'POST /dienste/:id/veroeffentlichung': {
    path: (f) => `/dienste/${f.service}/veroeffentlichung`,
    expect: manageService(422, 401),
  },
  'GET /dienste/:id/erfassen': { path: (f) => `/dienste/${f.service}/erfassen`, expect: manageService() },
  // No cell filled: nothing to store, the page says so.
  'POST /dienste/:id/erfassen': {
    path: (f) => `/dienste/${f.service}/erfassen`,
    expect: manageService(200, 401),
  },
  'GET /dienste/:id/hochladen': { path: (f) => `/dienste/${f.service}/hochladen`, expect: manageService() },
  'GET /dienste/:id/hochladen/vorlage': {
    path: (f) => `/dienste/${f.service}/hochladen/vorlage?monat=2024-01`,
    expect: manageService(),
  },
  // A form-encoded body is no file upload.
  'POST /dienste/:id/hochladen': {
    path: (f) => `/dienste/${f.service}/hochladen`,
    expect: manageService(415, 401),
  },
  'GET /dienste/:id/hochladen/:upload': {
    path: (f) => `/dienste/${f.service}/hochladen/unbekannt`,
    expect: manageService(404),
  },
  // Progress of a confirmed upload: the uploader only (an unknown upload is 404 for every manager).
  'GET /dienste/:id/hochladen/:upload/fortschritt': {
    path: (f) => `/dienste/${f.service}/hochladen/unbekannt/fortschritt`,
    expect: manageService(404),
  },
  'POST /dienste/:id/hochladen/:upload': {
    path: (f) => `/dienste/${f.service}/hochladen/unbekannt`,
    expect: manageService(404, 401),
  },
  'GET /portale/:id/hochladen': { path: (f) => `/portale/${f.portal}/hochladen`, expect: managePortal() },
  'GET /portale/:id/hochladen/vorlage': {
    path: (f) => `/portale/${f.portal}/hochladen/vorlage?monat=2024-01&format=xlsx`,
    expect: managePortal(),
  },
  'POST /portale/:id/hochladen': {
    path: (f) => `/portale/${f.portal}/hochladen`,
    expect: managePortal(415, 401),
  },
  'GET /portale/:id/hochladen/:upload': {
    path: (f) => `/portale/${f.portal}/hochladen/unbekannt`,
    expect: managePortal(404),
  },
  // Progress of a confirmed upload: the uploader only (an unknown upload is 404 for every manager).
  'GET /portale/:id/hochladen/:upload/fortschritt': {
    path: (f) => `/portale/${f.portal}/hochladen/unbekannt/fortschritt`,
    expect: managePortal(404),
  },
  'POST /portale/:id/hochladen/:upload': {
    path: (f) => `/portale/${f.portal}/hochladen/unbekannt`,
    expect: managePortal(404, 401),
  },
  // Transparency: every signed-in user reads the history; the original file is for managers.
  'GET /dienste/:id/lieferungen': { path: (f) => `/dienste/${f.service}/lieferungen`, expect: signedIn() },
  'GET /portale/:id/lieferungen': { path: (f) => `/portale/${f.portal}/lieferungen`, expect: signedIn() },
  'GET /lieferungen/:id': { path: (f) => `/lieferungen/${f.delivery}`, expect: signedIn() },
  'GET /lieferungen/:id/datei': { path: (f) => `/lieferungen/${f.delivery}/datei`, expect: manageService() },
  // Open data (downloads, Dashboard export, DCAT-AP.de catalogue): everyone while ZSK_PUBLIC is on.
  'GET /opendata': { path: fixed('/opendata'), expect: all(200) },
  'GET /opendata/:datei': { path: fixed('/opendata/zsk-onlinedienste.csv'), expect: all(200) },
  'GET /opendata/dashboard.json': { path: fixed('/opendata/dashboard.json'), expect: all(200) },
  'GET /opendata/dashboard.csv': { path: fixed('/opendata/dashboard.csv'), expect: all(200) },
  'GET /dcat/catalog.ttl': { path: fixed('/dcat/catalog.ttl'), expect: all(200) },
  'GET /dcat/catalog.jsonld': { path: fixed('/dcat/catalog.jsonld'), expect: all(200) },
  'GET /dcat/catalog.rdf': { path: fixed('/dcat/catalog.rdf'), expect: all(200) },
  // The pages every public website needs (issue 15): public even when ZSK_PUBLIC is off.
  'GET /impressum': { path: fixed('/impressum'), expect: all(200) },
  'GET /datenschutz': { path: fixed('/datenschutz'), expect: all(200) },
  'GET /barrierefreiheit': { path: fixed('/barrierefreiheit'), expect: all(200) },
  'GET /leichte-sprache': { path: fixed('/leichte-sprache'), expect: all(200) },
  'GET /kontakt': { path: fixed('/kontakt'), expect: all(200) },
  // The empty form lacks its message (422); signed-out visitors here have no valid CSRF pair (403).
  'POST /kontakt': { path: fixed('/kontakt'), expect: { ...all(422), anonymous: 403 } },
};

let t: TestApp;
let fixture: Fixture;
const sessions = new Map<Who, SignedIn>();

beforeAll(async () => {
  t = await createTestApp({
    loginRateLimit: 10_000,
    site: { ...testConfig().site, feedbackRateLimit: 10_000 },
  });
  const db = t.db.kysely;
  const service = await createService(db, { name: 'Dienst im Portal' });
  const otherService = await createService(db, { name: 'Anderer Dienst' });
  const portal = await createPortal(db, [service]);
  const delivery = await ingestDelivery(db, {
    channel: 'csv',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId: service },
    rows: [{ month: '2024-01', ars: '06', count: 5 }],
    file: {
      name: 'lieferung.csv',
      mediaType: 'text/csv',
      content: Buffer.from('monat;ars;anzahl\n2024-01;06;5\n'),
    },
  });
  fixture = { service, otherService, portal, delivery: delivery.deliveryId! };
  sessions.set('viewer', await signIn(t, { name: 'Viewer' }));
  const other = await signIn(t, { name: 'Other manager' });
  await grantService(db, other.userId, otherService);
  sessions.set('otherManager', other);
  const manager = await signIn(t, { name: 'Service manager' });
  await grantService(db, manager.userId, service);
  sessions.set('serviceManager', manager);
  const portalManager = await signIn(t, { name: 'Portal manager' });
  await grantPortal(db, portalManager.userId, portal);
  sessions.set('portalManager', portalManager);
  sessions.set('admin', await signIn(t, { name: 'Admin', isAdmin: true }));
});
afterAll(async () => {
  await t.close();
});

describe('authorization matrix', () => {
  it('has an entry for every route, and no entry for a route that does not exist', () => {
    const routes = t.app.routeAccess.map((r) => `${r.method} ${r.url}`);
    expect(
      routes.filter((r) => !(r in MATRIX)),
      'routes without a matrix entry',
    ).toEqual([]);
    expect(
      Object.keys(MATRIX).filter((k) => !routes.includes(k)),
      'matrix entries without a route',
    ).toEqual([]);
  });

  it('answers every route for every kind of visitor as the matrix says', async () => {
    const mismatches: string[] = [];
    for (const [key, entry] of Object.entries(MATRIX)) {
      const method = key.slice(0, key.indexOf(' ')) as
        'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
      const url = entry.path(fixture);
      for (const who of WHO) {
        const known = sessions.get(who);
        const session = known && entry.endsSession ? await signIn(t, { userId: known.userId }) : known;
        const res = await t.app.inject({
          method,
          url,
          headers: { accept: 'text/html', ...(session ? { cookie: session.cookie } : {}) },
          ...(method === 'POST'
            ? { payload: { ...entry.form, ...(session ? { _csrf: session.csrfToken } : {}) } }
            : {}),
        });
        if (res.statusCode !== entry.expect[who]) {
          mismatches.push(`${key} (${url}) as ${who}: expected ${entry.expect[who]}, got ${res.statusCode}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Hundreds of requests: on a busy shared machine (PostgreSQL) the default minute is not enough.
  }, 300_000);
});
