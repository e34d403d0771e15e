import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/db/audit.js';
import { ingestDelivery } from '../../src/features/deliveries/ingest.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
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
