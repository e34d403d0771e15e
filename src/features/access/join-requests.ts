import { sql, type Kysely } from 'kysely';
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

function requests(db: Kysely<Database>) {
  return db
    .selectFrom('portal_join_requests as r')
    .innerJoin('portals as p', 'p.id', 'r.portal_id')
    .innerJoin('online_services as s', 's.id', 'r.service_id')
    .leftJoin('users as u', 'u.id', 'r.requested_by')
    .select([
      'r.id',
      'p.id as portal_id',
      'p.name as portal_name',
      's.id as service_id',
      's.name as service_name',
      'u.name as requested_by',
      'r.created_at',
    ]);
}

type RequestRow = {
  id: number;
  portal_id: number;
  portal_name: string;
  service_id: number;
  service_name: string;
  requested_by: string | null;
  created_at: Date;
};

const toRequest = (r: RequestRow): JoinRequest => ({
  id: r.id,
  portal: { id: r.portal_id, name: r.portal_name },
  service: { id: r.service_id, name: r.service_name },
  requestedBy: r.requested_by,
  createdAt: new Date(r.created_at),
});

/** Open requests to add the service to a portal, oldest first. */
export async function listRequestsForService(
  db: Kysely<Database>,
  serviceId: number,
): Promise<JoinRequest[]> {
  const rows = await requests(db).where('r.service_id', '=', serviceId).orderBy('r.created_at').execute();
  return rows.map(toRequest);
}

/** Open requests of the portal, oldest first. */
export async function listRequestsForPortal(db: Kysely<Database>, portalId: number): Promise<JoinRequest[]> {
  const rows = await requests(db)
    .where('r.portal_id', '=', portalId)
    .orderBy('r.created_at')
    .orderBy('s.name')
    .execute();
  return rows.map(toRequest);
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
  const rows = await query.orderBy('r.created_at').orderBy('r.id').execute();
  return rows.map(toRequest);
}
