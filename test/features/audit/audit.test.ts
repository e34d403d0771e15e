import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAudit } from '../../../src/db/audit.js';
import { berlinDayEnd, berlinDayStart, diffLines } from '../../../src/features/audit/queries.js';
import { createAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';

describe('audit helpers', () => {
  it('turns Berlin calendar days into instants, in winter and in summer time', () => {
    expect(berlinDayStart('2026-01-15')?.toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(berlinDayStart('2026-07-01')?.toISOString()).toBe('2026-06-30T22:00:00.000Z');
    // The nights of the change-over: the day still starts at local midnight.
    expect(berlinDayStart('2026-03-29')?.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(berlinDayEnd('2026-03-29')?.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(berlinDayStart('2026-10-25')?.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(berlinDayEnd('2026-10-25')?.toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(berlinDayStart('2026-02-30')).toBeNull();
    expect(berlinDayStart('15.01.2026')).toBeNull();
  });

  it('shows old -> new as the keys that changed', () => {
    expect(diffLines({ count: 5, deliveryId: 3 }, { count: 7 })).toEqual([
      { key: 'count', old: '5', new: '7' },
      { key: 'deliveryId', old: '3' },
    ]);
    expect(diffLines(null, { label: 'API', expiresAt: null })).toEqual([
      { key: 'label', new: 'API' },
      { key: 'expiresAt', new: 'null' },
    ]);
    expect(diffLines({ a: 1 }, { a: 1 })).toEqual([]);
    expect(diffLines(null, null)).toEqual([]);
    expect(diffLines(3, 4)).toEqual([{ key: '', old: '3', new: '4' }]);
    expect(diffLines(null, { text: 'x'.repeat(300) })[0]!.new).toHaveLength(161);
  });
});

describe('audit log page', () => {
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signIn(t, { name: 'Ada Admin', isAdmin: true });
    const db = t.db.kysely;
    const { id: tokenId } = await createAccessToken(db, {
      serviceId: await serviceId(t),
      label: 'Fachverfahren',
    });
    await writeAudit(
      db,
      { userId: null, tokenId: null },
      { action: 'regions.import', entity: 'regions', entityId: 'gv100ad' },
    );
    for (let i = 1; i <= 55; i++) {
      await writeAudit(
        db,
        { userId: null, tokenId },
        {
          action: 'count.update',
          entity: 'count',
          entityId: `1/2024-${String((i % 12) + 1).padStart(2, '0')}/060000000000`,
          oldValue: { count: i, deliveryId: null },
          newValue: { count: i + 1 },
        },
      );
    }
    await writeAudit(
      db,
      { userId: admin.userId, tokenId: null },
      { action: 'portal.create', entity: 'portal', entityId: 7, newValue: { name: 'Testportal <b>' } },
    );
    await db
      .updateTable('audit_log')
      .set({ at: new Date('2026-01-10T12:00:00Z') })
      .where('action', '=', 'regions.import')
      .execute();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function serviceId(app: TestApp): Promise<number> {
    const row = await app.db.kysely
      .insertInto('online_services')
      .values({
        name: 'Dienst',
        service_type: '1',
        build_mode: 'own',
        granularity: 'bund',
        url: null,
        authority_id: null,
        description: null,
        created_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  const get = (url: string) => t.app.inject({ url, headers: { cookie: admin.cookie, accept: 'text/html' } });
  const rowsOf = (body: string) => (body.match(/<tr class="kern-table__row">/g) ?? []).length - 1;

  it('shows who, what, entity, when and old -> new, newest first, 50 a page with a link to older ones', async () => {
    const first = await get('/verwaltung/protokoll');
    expect(first.statusCode).toBe(200);
    expect(rowsOf(first.body)).toBe(50);
    expect(first.body).toContain('Ada Admin');
    expect(first.body).toContain('Portal angelegt');
    expect(first.body).toContain('href="/portale/7"');
    expect(first.body).toContain('Testportal &lt;b>');
    expect(first.body).toContain('Zugangsschlüssel „Fachverfahren“');
    expect(first.body).toContain('Zahl geändert');
    expect(first.body).toContain('<a href="/verwaltung/protokoll" aria-current="page">Protokoll</a>');
    const older = /href="(\/verwaltung\/protokoll\?vor=\d+)">Ältere Einträge/.exec(first.body)?.[1];
    expect(older).toBeDefined();

    const second = await get(older!);
    // 55 counts + token.create + regions.import + portal.create = 58 entries.
    expect(rowsOf(second.body)).toBe(8);
    expect(second.body).toContain('System');
    expect(second.body).toContain('Regionen importiert');
    expect(second.body).toContain('Zugangsschlüssel erstellt');
    expect(second.body).not.toContain('Ältere Einträge');
    expect(second.body).toContain('Neueste Einträge');
  });

  it('filters by action, entity, actor and a Berlin date range', async () => {
    const byAction = await get('/verwaltung/protokoll?aktion=portal.create');
    expect(rowsOf(byAction.body)).toBe(1);
    expect(byAction.body).toContain('<option value="portal.create" selected>');

    expect(rowsOf((await get('/verwaltung/protokoll?objekt=regions')).body)).toBe(1);
    expect(rowsOf((await get('/verwaltung/protokoll?akteur=system')).body)).toBe(2);
    expect(rowsOf((await get('/verwaltung/protokoll?akteur=ada')).body)).toBe(1);
    const byToken = await get('/verwaltung/protokoll?akteur=Fachverf&aktion=count.update');
    expect(rowsOf(byToken.body)).toBe(50);
    expect(byToken.body).toContain('aktion=count.update');

    expect(rowsOf((await get('/verwaltung/protokoll?von=2026-01-10&bis=2026-01-10')).body)).toBe(1);
    expect(rowsOf((await get('/verwaltung/protokoll?von=2026-01-11&bis=2026-01-11')).body)).toBe(-1);
    const wrong = await get('/verwaltung/protokoll?von=2026-02-01&bis=2026-01-01');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('Das Enddatum liegt vor dem Anfangsdatum.');
  });
});
