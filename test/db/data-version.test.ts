import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import { ingestDelivery } from '../../src/features/deliveries/ingest.js';
import pg from 'pg';
import { createTestDb, TEST_DATABASE_URL, type TestDb } from '../helpers/db.js';
import { createService } from '../helpers/factories.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

const version = async () =>
  (await db.kysely.selectFrom('data_version').select(['version', 'changed_at']).executeTakeFirstOrThrow())
    .version;

it('changes with a new service, a delivery, a retraction-like delete and a master-data edit, not on reads', async () => {
  const before = await version();
  const serviceId = await createService(db.kysely);
  const afterCreate = await version();
  expect(afterCreate).toBeGreaterThan(before);

  const summary = await ingestDelivery(db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows: [{ month: '2026-01', ars: '060000000000', count: 5 }],
    now: new Date('2026-02-03T10:00:00Z'),
  });
  expect(summary.status).toBe('accepted');
  const afterDelivery = await version();
  expect(afterDelivery).toBeGreaterThan(afterCreate);

  await db.kysely.selectFrom('counts').selectAll().execute();
  expect(await version()).toBe(afterDelivery);

  await db.kysely
    .updateTable('online_services')
    .set({ published: false })
    .where('id', '=', serviceId)
    .execute();
  const afterUnpublish = await version();
  expect(afterUnpublish).toBeGreaterThan(afterDelivery);

  await db.kysely.deleteFrom('counts').where('service_id', '=', serviceId).execute();
  expect(await version()).toBeGreaterThan(afterUnpublish);
});

// Two connections are needed; the embedded engine has one.
it.skipIf(!TEST_DATABASE_URL)(
  'lets concurrent writers pass each other instead of waiting for one shared row',
  async () => {
    const open = async () => {
      const client = new pg.Client({ connectionString: db.url! });
      await client.connect();
      return client;
    };
    const [a, b] = [await open(), await open()];
    try {
      await a.query('BEGIN');
      const slotOf = async (c: pg.Client) =>
        Number((await c.query<{ slot: string }>('SELECT txid_current() % 16 AS slot')).rows[0]!.slot);
      const slotA = await slotOf(a);
      await a.query(`INSERT INTO authorities (name) VALUES ('Schreibt zuerst')`);
      // Transaction ids are the server's, shared with other databases: pick one for b in another slot.
      for (let attempt = 0; ; attempt++) {
        await b.query('BEGIN');
        if ((await slotOf(b)) !== slotA || attempt === 5) break;
        await b.query('ROLLBACK');
      }
      await b.query(`SET LOCAL lock_timeout = '2s'`);
      // With one shared row this waited for a's commit and failed after 2 s.
      await b.query(`INSERT INTO authorities (name) VALUES ('Schreibt daneben')`);
      await b.query('COMMIT');
      const between = await version();
      await a.query('COMMIT');
      expect(await version()).toBe(between + 1);
    } finally {
      await a.end();
      await b.end();
    }
  },
);
