import { sql, type Kysely } from 'kysely';
import { jsonBuildObject } from 'kysely/helpers/postgres';
import type { Database } from '../../db/schema.js';
import type { SessionUser } from '../../http/sessions.js';

/*
 * Open requests of portals to take in a service, as the pages list them. The access pages of a
 * service show those to decide and the portal pages their own; the writes (asking, deciding) stay in
 * portals/requests.ts. Kept here so that access does not import portals, which imports access to grant.
 */

export interface JoinRequest {
  id: number;
  portal: { id: number; name: string };
  service: { id: number; name: string };
  requestedBy: string | null;
  createdAt: Date;
}

/** The open requests with their portal and service, already in the shape of a JoinRequest. */
function requests(db: Kysely<Database>) {
  return db
    .selectFrom('portal_join_requests as r')
    .innerJoin('portals as p', 'p.id', 'r.portal_id')
    .innerJoin('online_services as s', 's.id', 'r.service_id')
    .leftJoin('users as u', 'u.id', 'r.requested_by')
    .select((eb) => [
      'r.id',
      jsonBuildObject({ id: eb.ref('p.id'), name: eb.ref('p.name') }).as('portal'),
      jsonBuildObject({ id: eb.ref('s.id'), name: eb.ref('s.name') }).as('service'),
      'u.name as requestedBy',
      'r.created_at as createdAt',
    ]);
}

/** Open requests to add the service to a portal, oldest first. */
export async function listRequestsForService(
  db: Kysely<Database>,
  serviceId: number,
): Promise<JoinRequest[]> {
  return requests(db).where('r.service_id', '=', serviceId).orderBy('r.created_at').execute();
}

/** Open requests of the portal, oldest first. */
export async function listRequestsForPortal(db: Kysely<Database>, portalId: number): Promise<JoinRequest[]> {
  return requests(db).where('r.portal_id', '=', portalId).orderBy('r.created_at').orderBy('s.name').execute();
}

/** Open requests the user may decide: for services they manage, all of them for administrators. */
export async function listRequestsToDecide(db: Kysely<Database>, user: SessionUser): Promise<JoinRequest[]> {
  let query = requests(db);
  if (!user.isAdmin) {
    query = query.where((eb) =>
      eb.or([
        eb(
          'r.service_id',
          'in',
          eb
            .selectFrom('memberships')
            .select(sql<number>`service_id`.as('service_id'))
            .where('user_id', '=', user.id)
            .where('service_id', 'is not', null),
        ),
        eb(
          'r.service_id',
          'in',
          eb
            .selectFrom('memberships as m')
            .innerJoin('portal_services as ps', 'ps.portal_id', 'm.portal_id')
            .select('ps.service_id')
            .where('m.user_id', '=', user.id),
        ),
      ]),
    );
  }
  return query.orderBy('r.created_at').orderBy('r.id').execute();
}
