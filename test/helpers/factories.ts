import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type { Granularity, ServiceType } from '../../src/domain/vocabulary.js';

let sequence = 0;

export async function createService(
  db: Kysely<Database>,
  fields: { name?: string; granularity?: Granularity; type?: ServiceType; focus?: boolean } = {},
): Promise<number> {
  sequence += 1;
  const row = await db
    .insertInto('online_services')
    .values({
      name: fields.name ?? `Testdienst ${sequence}`,
      url: `https://dienst-${sequence}.example.de`,
      authority_id: null,
      service_type: fields.type ?? '2/3',
      build_mode: 'efa',
      is_focus: fields.focus ?? false,
      granularity: fields.granularity ?? 'land',
      description: null,
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function createPortal(
  db: Kysely<Database>,
  serviceIds: number[],
  name?: string,
): Promise<number> {
  sequence += 1;
  const portal = await db
    .insertInto('portals')
    .values({ name: name ?? `Testportal ${sequence}`, url: null, authority_id: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const serviceId of serviceIds) {
    await db.insertInto('portal_services').values({ portal_id: portal.id, service_id: serviceId }).execute();
  }
  return portal.id;
}
