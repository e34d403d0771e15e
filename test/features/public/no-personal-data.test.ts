import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/demo/seed.js';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { createAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createUser, grantPortal, grantService } from '../../helpers/auth.js';
import { EMAIL, openGetPaths, publicText, TOKEN } from './public-output.js';

/**
 * Issue 15: nothing about people leaves the ZSK through its public part. Every route anyone may call
 * without signing in is fetched over the demo data plus accounts that manage, deliver and hold tokens;
 * no e-mail address, no name of an account and no token prefix may appear in any answer.
 */
let t: TestApp;
let serviceIds: number[];
let names: string[];
let prefixes: string[];

beforeAll(async () => {
  t = await createTestApp();
  const db = t.db.kysely;
  await seedDemo(db);
  serviceIds = (await db.selectFrom('online_services').select('id').orderBy('id').execute()).map((r) => r.id);
  const portal = (await db.selectFrom('portals').select('id').executeTakeFirstOrThrow()).id;
  const manager = await createUser(db, {
    name: 'Erika Mustermann-Geheim',
    email: 'erika.geheim@behoerde.example',
  });
  const portalManager = await createUser(db, {
    name: 'Jonas Portalverwalter',
    email: 'jonas@portal.example',
  });
  const admin = await createUser(db, {
    name: 'Anna Administratorin',
    email: 'anna@zsk.example',
    isAdmin: true,
  });
  await createUser(db, { name: 'Paul Wartend', email: 'paul@wartet.example', status: 'pending_approval' });
  await grantService(db, manager, serviceIds[0]!);
  await grantPortal(db, portalManager, portal);
  await createAccessToken(db, {
    serviceId: serviceIds[0]!,
    label: 'Schlüssel von Erika',
    createdBy: manager,
  });
  await createAccessToken(db, { userId: admin, label: 'Persönlich', createdBy: admin });
  // A delivery by a person, so that "who delivered" exists in the database.
  await ingestDelivery(db, {
    channel: 'form',
    actor: { ...SYSTEM_ACTOR, userId: manager },
    target: { kind: 'service', serviceId: serviceIds[0]! },
    rows: [{ month: '2024-01', ars: '06', count: 5 }],
  });
  names = (await db.selectFrom('users').select('name').execute()).map((r) => r.name);
  prefixes = (await db.selectFrom('access_tokens').select('prefix').execute()).map((r) => r.prefix);
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe('the public part shows no personal data', () => {
  it('knows people, tokens and services to look for', () => {
    expect(names.length).toBeGreaterThanOrEqual(4);
    expect(prefixes.length).toBe(2);
    expect(openGetPaths(t.app, serviceIds[0]!)).toEqual(
      expect.arrayContaining(['/', '/dienste', `/dienste/${serviceIds[0]}`, '/berichte/dienste.xlsx']),
    );
  });

  it('answers every open and public GET route without an e-mail address, a name or a token', async () => {
    const paths = [
      ...serviceIds.slice(0, 3).flatMap((id) => openGetPaths(t.app, id)),
      '/dienste?seite=2',
      '/vollstaendigkeit?zeigen=ueberfaellig',
      '/berichte/dienste?sort=service&dir=asc',
      '/berichte?from=2025-01&to=2025-12',
    ];
    const checked: string[] = [];
    for (const path of new Set(paths)) {
      for (const accept of ['text/html', 'application/json', 'text/csv']) {
        const { status, text } = await publicText(t.app, path, { accept });
        expect(status, `${path} (${accept})`).toBeLessThan(500);
        // Organisational addresses are published on purpose (the catalogue's contact point, the
        // accessibility contact, the Schlichtungsstelle in the statement); no other address may appear.
        const organisational = [
          t.app.config.openData.contactEmail,
          t.app.config.site.contactEmail,
          'info@schlichtungsstelle-bgg.de',
        ];
        const addresses = [...text.matchAll(new RegExp(EMAIL.source, 'g'))].map((m) => m[0]);
        expect(
          addresses.filter((a) => !organisational.includes(a)),
          `e-mail address in ${path} (${accept})`,
        ).toEqual([]);
        expect(text.match(TOKEN)?.[0], `token in ${path} (${accept})`).toBeUndefined();
        for (const name of names) expect(text.includes(name), `"${name}" in ${path} (${accept})`).toBe(false);
        for (const prefix of prefixes) expect(text.includes(prefix), `token prefix in ${path}`).toBe(false);
        if (status === 200) checked.push(path);
      }
    }
    // The open pages really answered (not only sign-in redirects).
    for (const path of ['/', '/dienste', `/dienste/${serviceIds[0]}`, '/vollstaendigkeit', '/berichte']) {
      expect(checked).toContain(path);
    }
  }, 300_000);

  it('shows anonymous visitors of a service page no link that needs rights', async () => {
    const { text } = await publicText(t.app, `/dienste/${serviceIds[0]}`);
    for (const hidden of [
      '/erfassen',
      '/hochladen',
      '/bearbeiten',
      '/lieferungen',
      '/zugang',
      '/schluessel',
    ]) {
      expect(text, hidden).not.toContain(`/dienste/${serviceIds[0]}${hidden}`);
    }
    expect(text).not.toContain('Abmelden');
    expect(text).toContain('href="/anmelden"');
  });
});
