import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { SessionUser } from './sessions.js';

/** Administrators, the service's managers and the managers of any portal that holds the service. */
export async function canManageService(
  db: Kysely<Database>,
  user: SessionUser,
  serviceId: number,
): Promise<boolean> {
  if (user.isAdmin) return true;
  const row = await db
    .selectFrom('memberships as m')
    .select(sql<number>`1`.as('one'))
    .where('m.user_id', '=', user.id)
    .where((eb) =>
      eb.or([
        eb('m.service_id', '=', serviceId),
        eb(
          'm.portal_id',
          'in',
          eb.selectFrom('portal_services').select('portal_id').where('service_id', '=', serviceId),
        ),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function canManagePortal(
  db: Kysely<Database>,
  user: SessionUser,
  portalId: number,
): Promise<boolean> {
  if (user.isAdmin) return true;
  const row = await db
    .selectFrom('memberships')
    .select('id')
    .where('user_id', '=', user.id)
    .where('portal_id', '=', portalId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Which of `serviceIds` the user manages, by the rule of canManageService, in one query. */
export async function manageableServices(
  db: Kysely<Database>,
  user: SessionUser,
  serviceIds: number[],
): Promise<Set<number>> {
  if (user.isAdmin) return new Set(serviceIds);
  if (serviceIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('memberships as m')
    .leftJoin('portal_services as ps', 'ps.portal_id', 'm.portal_id')
    .select(sql<number>`coalesce(m.service_id, ps.service_id)`.as('service_id'))
    .where('m.user_id', '=', user.id)
    .where(sql<number>`coalesce(m.service_id, ps.service_id)`, 'in', serviceIds)
    .execute();
  return new Set(rows.map((r) => r.service_id));
}
