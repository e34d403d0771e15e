import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateToken, createAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { grantPortal, grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';

let t: TestApp;
let manager: SignedIn;
let service: number;
let otherService: number;

beforeAll(async () => {
  t = await createTestApp({ publicUrl: 'https://zsk.example.de' });
  service = await createService(t.db.kysely, { name: 'Elterngeld Digital' });
  otherService = await createService(t.db.kysely, { name: 'Anderer Dienst' });
  manager = await signIn(t, { name: 'Tom Token' });
  await grantService(t.db.kysely, manager.userId, service);
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, who: SignedIn) =>
  t.app.inject({ url, headers: { cookie: who.cookie, accept: 'text/html' } });
const post = (url: string, who: SignedIn, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, accept: 'text/html' },
    payload: { _csrf: who.csrfToken, ...fields },
  });

describe('access tokens in the UI', () => {
  it('creates a token, shows it once with a curl example, and lists only its prefix afterwards', async () => {
    const res = await post(`/dienste/${service}/schluessel`, manager, { label: 'Fachverfahren', days: '90' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const token = /<code class="zsk-secret" id="neuer-schluessel">(zsk_[A-Za-z0-9_-]+)<\/code>/.exec(
      res.body,
    )?.[1];
    expect(token).toBeDefined();
    expect(res.body).toContain('Kopieren Sie den Schlüssel jetzt');
    expect(res.body).toContain(`curl -X PUT https://zsk.example.de/api/v1/services/${service}/counts`);
    expect(res.body).toContain(`Authorization: Bearer ${token}`);

    const scope = await authenticateToken(t.db.kysely, token!);
    expect(scope).toMatchObject({ kind: 'service', serviceId: service });
    const row = await t.db.kysely
      .selectFrom('access_tokens')
      .selectAll()
      .where('id', '=', scope!.tokenId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      label: 'Fachverfahren',
      created_by: manager.userId,
      prefix: token!.slice(0, 12),
    });
    const days = (new Date(row.expires_at!).getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(90);
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'token.create')
      .where('entity_id', '=', String(row.id))
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBe(manager.userId);

    const later = await get(`/dienste/${service}/schluessel`, manager);
    expect(later.body).not.toContain(token!);
    expect(later.body).toContain(`${token!.slice(0, 12)}…`);
    expect(later.body).toContain('Fachverfahren');
    expect(later.body).toContain('Tom Token');
    expect(later.body).toContain('aktiv');
  });

  it('creates tokens without expiry, and refuses a missing label or a wrong number of days', async () => {
    const res = await post(`/dienste/${service}/schluessel`, manager, { label: 'Dauerhaft', days: '' });
    expect(res.statusCode).toBe(200);
    const row = await t.db.kysely
      .selectFrom('access_tokens')
      .selectAll()
      .where('label', '=', 'Dauerhaft')
      .executeTakeFirstOrThrow();
    expect(row.expires_at).toBeNull();
    expect((await get(`/dienste/${service}/schluessel`, manager)).body).toContain('unbegrenzt');

    const bad = await post(`/dienste/${service}/schluessel`, manager, { label: '', days: '0' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Bitte geben Sie eine Bezeichnung ein.');
    expect(bad.body).toContain('ganze Zahl von 1 bis 3650');
    expect(bad.body).not.toContain('zsk-secret');
  });

  it('revokes a token after confirmation, audited; a token of another service cannot be revoked here', async () => {
    const { id, token } = await createAccessToken(t.db.kysely, { serviceId: service, label: 'Alt' });
    const foreign = await createAccessToken(t.db.kysely, { serviceId: otherService, label: 'Fremd' });

    const ask = await post(`/dienste/${service}/schluessel/widerrufen`, manager, { schluessel: String(id) });
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Zugangsschlüssel widerrufen?');
    expect(await authenticateToken(t.db.kysely, token)).not.toBeNull();

    const done = await post(`/dienste/${service}/schluessel/widerrufen`, manager, {
      schluessel: String(id),
      bestaetigt: 'ja',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/dienste/${service}/schluessel?erledigt=widerrufen`);
    expect(await authenticateToken(t.db.kysely, token)).toBeNull();
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'token.revoke')
      .where('entity_id', '=', String(id))
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBe(manager.userId);
    const page = await get(done.headers.location as string, manager);
    expect(page.body).toContain('Der Zugangsschlüssel wurde widerrufen');
    expect(page.body).toContain('widerrufen am');

    const wrong = await post(`/dienste/${service}/schluessel/widerrufen`, manager, {
      schluessel: String(foreign.id),
      bestaetigt: 'ja',
    });
    expect(wrong.body).toContain('Diesen Zugangsschlüssel gibt es beim Onlinedienst');
    expect(await authenticateToken(t.db.kysely, foreign.token)).not.toBeNull();
  });

  it('issues portal tokens to portal managers, valid for the portal', async () => {
    const portal = await createPortal(t.db.kysely, [service], 'Portal mit Schlüssel');
    const pm = await signIn(t, { name: 'Pia Portal' });
    await grantPortal(t.db.kysely, pm.userId, portal);
    const res = await post(`/portale/${portal}/schluessel`, pm, { label: 'Portal-Lieferung' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`/api/v1/portals/${portal}/counts`);
    const token = /id="neuer-schluessel">(zsk_[A-Za-z0-9_-]+)</.exec(res.body)![1]!;
    expect(await authenticateToken(t.db.kysely, token)).toMatchObject({ kind: 'portal', portalId: portal });
    // The portal manager also manages the service's own tokens.
    expect((await get(`/dienste/${service}/schluessel`, pm)).statusCode).toBe(200);
  });

  it('creates a personal token under Meine Dienste: shown once, hashed, audited, revocable', async () => {
    const person = await signIn(t, { name: 'Petra Persönlich' });
    await grantService(t.db.kysely, person.userId, otherService);
    const page = await get('/meine-dienste', person);
    expect(page.body).toContain('href="/meine-dienste/schluessel"');
    const empty = await post('/meine-dienste/schluessel', person, { label: '' });
    expect(empty.statusCode).toBe(422);
    const res = await post('/meine-dienste/schluessel', person, { label: 'Skript' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const token = /<code class="zsk-secret" id="neuer-schluessel">(zsk_[A-Za-z0-9_-]+)<\/code>/.exec(
      res.body,
    )?.[1];
    expect(token).toBeDefined();
    expect(res.body).toContain(`curl -X PATCH https://zsk.example.de/api/v1/services/${otherService}`);
    const scope = await authenticateToken(t.db.kysely, token!);
    expect(scope).toMatchObject({ kind: 'personal', user: { id: person.userId } });
    const row = await t.db.kysely
      .selectFrom('access_tokens')
      .selectAll()
      .where('id', '=', scope!.tokenId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: person.userId, service_id: null, portal_id: null });
    expect(row.token_hash).not.toContain(token!.slice(4));
    const audit = await t.db.kysely
      .selectFrom('audit_log')
      .select(['actor_user_id', 'new_value'])
      .where('action', '=', 'token.create')
      .where('entity_id', '=', String(scope!.tokenId))
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_user_id: person.userId, new_value: { userId: person.userId } });

    const list = await get('/meine-dienste/schluessel', person);
    expect(list.body).toContain(token!.slice(0, 12));
    expect(list.body).not.toContain(token!);
    // Another person's personal tokens are not theirs to revoke.
    const other = await signIn(t, { name: 'Otto Anders' });
    const foreign = await post('/meine-dienste/schluessel/widerrufen', other, {
      schluessel: String(scope!.tokenId),
      bestaetigt: 'ja',
    });
    expect(foreign.body).toContain('gibt es bei Ihren persönlichen Schlüsseln nicht');
    expect(await authenticateToken(t.db.kysely, token!)).not.toBeNull();
    const confirm = await post('/meine-dienste/schluessel/widerrufen', person, {
      schluessel: String(scope!.tokenId),
    });
    expect(confirm.body).toContain('Ja, widerrufen');
    const revoked = await post('/meine-dienste/schluessel/widerrufen', person, {
      schluessel: String(scope!.tokenId),
      bestaetigt: 'ja',
    });
    expect(revoked.statusCode).toBe(303);
    expect(await authenticateToken(t.db.kysely, token!)).toBeNull();
  });
});
