import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { monthRange } from '../../../src/domain/months.js';
import { ingestDelivery, type IngestRequest } from '../../../src/features/deliveries/ingest.js';
import { createTestDb, ENGINE, type TestDb } from '../../helpers/db.js';
import { createPortal, createService } from '../../helpers/factories.js';

let db: TestDb;
const now = new Date('2026-11-23T10:00:00Z');
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

const deliver = (serviceId: number, rows: IngestRequest['rows'], extra: Partial<IngestRequest> = {}) =>
  ingestDelivery(db.kysely, {
    channel: 'api',
    actor: SYSTEM_ACTOR,
    target: { kind: 'service', serviceId },
    rows,
    now,
    ...extra,
  });

const storedCount = async (serviceId: number) =>
  (await db.kysely.selectFrom('counts').select('ars').where('service_id', '=', serviceId).execute()).length;

describe(`ingestDelivery (${ENGINE})`, () => {
  it('stores a valid delivery, normalises short ARS and counts a repeat as unchanged', async () => {
    const serviceId = await createService(db.kysely, { granularity: 'land' });
    const rows = [
      { month: '2024-04', ars: '06', count: 153 },
      { month: '2024-04', ars: '070000000000', count: '0' },
    ];
    const first = await deliver(serviceId, rows);
    expect(first).toMatchObject({
      status: 'accepted',
      created: 2,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      errors: [],
    });
    const again = await deliver(serviceId, rows);
    expect(again).toMatchObject({ status: 'accepted', created: 0, updated: 0, unchanged: 2 });
    const total = await db.kysely
      .selectFrom('rollup_service_month')
      .select('total')
      .where('service_id', '=', serviceId)
      .executeTakeFirstOrThrow();
    expect(total.total).toBe(153);
  });

  it('rejects the whole delivery when one row is invalid, naming row, field and reason', async () => {
    const serviceId = await createService(db.kysely, { granularity: 'land' });
    const summary = await deliver(serviceId, [
      { month: '2024-04', ars: '06', count: 1 },
      { month: '2024-13', ars: '06', count: 1 },
      { month: '2024-05', ars: '064110000000', count: 1 },
      { month: '2024-06', ars: '06', count: -3 },
      { month: '2024-04', ars: '060000000000', count: 2 },
    ]);
    expect(summary.status).toBe('rejected');
    expect(summary.rejected).toBe(5);
    expect(summary.errors.map((e) => [e.row, e.field, e.code])).toEqual([
      [2, 'month', 'month_invalid'],
      [3, 'ars', 'ars_granularity'],
      [4, 'count', 'count_negative'],
      [5, 'row', 'duplicate_row'],
    ]);
    expect(summary.errors[1]!.message).toMatch(/Land/);
    expect(await storedCount(serviceId)).toBe(0);
    const delivery = await db.kysely
      .selectFrom('deliveries')
      .select(['status', 'rejected'])
      .where('id', '=', summary.deliveryId!)
      .executeTakeFirstOrThrow();
    expect(delivery).toEqual({ status: 'rejected', rejected: 5 });
  });

  it('stores the valid rows with partial and answers a dry run without storing', async () => {
    const serviceId = await createService(db.kysely, { granularity: 'land' });
    const rows = [
      { month: '2024-04', ars: '06', count: 1 },
      { month: '2031-01', ars: '06', count: 1 },
    ];
    const dry = await deliver(serviceId, rows, { partial: true, dryRun: true });
    expect(dry).toMatchObject({ deliveryId: null, status: 'partial', created: 1, rejected: 1 });
    expect(await storedCount(serviceId)).toBe(0);
    const partial = await deliver(serviceId, rows, { partial: true });
    expect(partial).toMatchObject({ status: 'partial', created: 1, rejected: 1 });
    expect(partial.errors[0]).toMatchObject({ row: 2, field: 'month', code: 'month_in_future' });
    expect(await storedCount(serviceId)).toBe(1);
  });

  it('accepts Berlin as a Kreis and a kreisfreie Stadt as a Gemeinde', async () => {
    const kreisService = await createService(db.kysely, { granularity: 'kreis' });
    const gemeindeService = await createService(db.kysely, { granularity: 'gemeinde' });
    expect((await deliver(kreisService, [{ month: '2024-01', ars: '11', count: 4 }])).status).toBe(
      'accepted',
    );
    expect((await deliver(gemeindeService, [{ month: '2024-01', ars: '06411', count: 4 }])).status).toBe(
      'accepted',
    );
  });

  it('lets a portal deliver for its services only', async () => {
    const inPortal = await createService(db.kysely, { granularity: 'bund' });
    const outside = await createService(db.kysely, { granularity: 'bund' });
    const portalId = await createPortal(db.kysely, [inPortal]);
    const summary = await ingestDelivery(db.kysely, {
      channel: 'api',
      actor: SYSTEM_ACTOR,
      target: { kind: 'portal', portalId },
      rows: [
        { serviceId: inPortal, month: '2024-01', ars: '0', count: 1 },
        { serviceId: outside, month: '2024-01', ars: '0', count: 1 },
      ],
      now,
    });
    expect(summary.status).toBe('rejected');
    expect(summary.errors).toMatchObject([{ row: 2, field: 'serviceId', code: 'service_not_in_portal' }]);
    expect(await storedCount(inPortal)).toBe(0);
  });

  it('says exactly what is wrong with a portal row naming a service, and lists the portal ids', async () => {
    const inPortal = await createService(db.kysely, { granularity: 'bund' });
    const other = await createService(db.kysely, { granularity: 'bund' });
    await createPortal(db.kysely, [other]);
    const portalId = await createPortal(db.kysely, [inPortal]);
    const row = (serviceId: unknown) => ({ serviceId, month: '2024-01', ars: '0', count: 1 }) as never;
    const summary = await ingestDelivery(db.kysely, {
      channel: 'api',
      actor: SYSTEM_ACTOR,
      target: { kind: 'portal', portalId },
      rows: [row('abc'), row('1.5'), row(2_000_000_000), row(other), row(String(inPortal))],
      now,
    });
    expect(summary.status).toBe('rejected');
    expect(summary.errors.map((e) => [e.row, e.code])).toEqual([
      [1, 'service_id_invalid'],
      [2, 'service_id_invalid'],
      [3, 'service_unknown'],
      [4, 'service_not_in_portal'],
    ]);
    for (const e of summary.errors)
      expect(e.message).toContain(`die Onlinedienste dieses Portals: ${inPortal}`);
    expect(summary.errors[2]!.message).toContain('Einen Onlinedienst 2000000000 gibt es nicht');
    expect(summary.errors[3]!.message).toContain(`Onlinedienst ${other} gehört nicht zu diesem Portal`);
  });

  it('reports progress after each slice of 10,000 rows, and one failure inside the transaction stores nothing', async () => {
    const kreisService = await createService(db.kysely, { granularity: 'kreis' });
    const kreise = (
      await db.kysely
        .selectFrom('regions')
        .select('ars')
        .where((eb) => eb.or([eb('level', '=', 'kreis'), eb('is_kreis', '=', true)]))
        .orderBy('ars')
        .execute()
    ).map((r) => r.ars);
    const months = monthRange('2020-01', '2022-12');
    const rows = months.flatMap((month) => kreise.map((ars) => ({ month, ars, count: 1 }))).slice(0, 10_500);
    expect(rows).toHaveLength(10_500);

    const failing = await deliver(kreisService, rows, {
      onProgress: () => {},
      alsoInTransaction: () => Promise.reject(new Error('Abbruch nach dem letzten Slice')),
    }).catch((e: Error) => e);
    expect(failing).toBeInstanceOf(Error);
    expect(await storedCount(kreisService)).toBe(0);
    const none = await db.kysely
      .selectFrom('deliveries')
      .select('id')
      .where('service_id', '=', kreisService)
      .execute();
    expect(none).toHaveLength(0);

    const reported: [number, number][] = [];
    let insideWith: number | null = null;
    const summary = await deliver(kreisService, rows, {
      onProgress: (done, total) => reported.push([done, total]),
      alsoInTransaction: async (trx, s) => {
        insideWith = s.deliveryId;
        // Inside the transaction: the delivery is visible to it, the counts are written.
        const n = await trx
          .selectFrom('counts')
          .select('ars')
          .where('service_id', '=', kreisService)
          .execute();
        expect(n).toHaveLength(10_500);
      },
    });
    expect(reported).toEqual([
      [0, 10_500],
      [10_000, 10_500],
      [10_500, 10_500],
    ]);
    expect(insideWith).toBe(summary.deliveryId);
    expect(summary.created).toBe(10_500);
  }, 120_000);
});
