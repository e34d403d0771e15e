import type { Kysely } from 'kysely';
import { writeAudit, type Actor } from '../../db/audit.js';
import { transactionWithRetry } from '../../db/retry.js';
import type { Database } from '../../db/schema.js';
import { manageableServices } from '../../http/authz.js';
import type { SessionUser } from '../../http/sessions.js';
import type { Mail } from '../mail/mailer.js';
import { addInTransaction, servicesInPortal } from './service.js';

/*
 * A service in a portal is managed by the portal's managers, delivered for by the portal's tokens and
 * its original files are theirs to download. So a portal manager adds only services they manage
 * already; for any other service the portal asks, and the service's managers (or an administrator)
 * decide. Every step writes its audit row in the transaction of the change.
 */

export interface AddOutcome {
  added: number[];
  /** Asked for now: the service's managers decide. */
  requested: number[];
  /** A request of this portal was open already. */
  alreadyRequested: number[];
  alreadyIn: number[];
  /** To those who decide the new requests; sent after the commit. */
  mails: Mail[];
}

export async function addOrRequest(
  db: Kysely<Database>,
  portalId: number,
  serviceIds: number[],
  user: SessionUser,
  publicUrl: string,
): Promise<AddOutcome> {
  const ids = [...new Set(serviceIds)];
  if (ids.length === 0) return { added: [], requested: [], alreadyRequested: [], alreadyIn: [], mails: [] };
  return transactionWithRetry(db, async (trx) => {
    const actor: Actor = { userId: user.id, tokenId: null };
    const present = await servicesInPortal(trx, portalId, ids);
    const missing = ids.filter((id) => !present.has(id));
    const consented = await manageableServices(trx, user, missing);
    const added = await addInTransaction(
      trx,
      portalId,
      missing.filter((id) => consented.has(id)),
      actor,
    );
    const ask = missing.filter((id) => !consented.has(id));
    const requested =
      ask.length === 0
        ? []
        : await trx
            .insertInto('portal_join_requests')
            .values(
              ask.map((serviceId) => ({ portal_id: portalId, service_id: serviceId, requested_by: user.id })),
            )
            .onConflict((oc) => oc.columns(['portal_id', 'service_id']).doNothing())
            .returning('service_id')
            .execute();
    for (const row of requested) {
      await writeAudit(trx, actor, {
        action: 'portal.service_request',
        entity: 'portal',
        entityId: portalId,
        newValue: { serviceId: row.service_id },
      });
    }
    const asked = new Set(requested.map((r) => r.service_id));
    return {
      added,
      requested: [...asked],
      alreadyRequested: ask.filter((id) => !asked.has(id)),
      alreadyIn: [...present],
      mails: await requestMails(trx, portalId, [...asked], user, publicUrl),
    };
  });
}

/**
 * One mail per person who can decide: the services' own managers, and for services nobody manages the
 * administrators, who would otherwise only find the request on „Meine Dienste“.
 */
async function requestMails(
  trx: Kysely<Database>,
  portalId: number,
  serviceIds: number[],
  requester: SessionUser,
  publicUrl: string,
): Promise<Mail[]> {
  if (serviceIds.length === 0) return [];
  const portal = await trx
    .selectFrom('portals')
    .select('name')
    .where('id', '=', portalId)
    .executeTakeFirstOrThrow();
  const services = await trx
    .selectFrom('online_services')
    .select(['id', 'name'])
    .where('id', 'in', serviceIds)
    .orderBy('name')
    .execute();
  const managers = await trx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.service_id', 'u.email', 'u.name'])
    .where('m.service_id', 'in', serviceIds)
    .where('u.status', '=', 'active')
    .execute();
  const orphans = services.filter((s) => !managers.some((m) => m.service_id === s.id));
  const admins =
    orphans.length === 0
      ? []
      : await trx
          .selectFrom('users')
          .select(['email', 'name'])
          .where('is_admin', '=', true)
          .where('status', '=', 'active')
          .execute();
  const byRecipient = new Map<string, { name: string; services: typeof services }>();
  const add = (email: string, name: string, service: (typeof services)[number]) => {
    const entry = byRecipient.get(email) ?? { name, services: [] };
    if (!entry.services.includes(service)) entry.services.push(service);
    byRecipient.set(email, entry);
  };
  for (const s of services) {
    for (const m of managers.filter((m) => m.service_id === s.id)) add(m.email, m.name, s);
  }
  for (const s of orphans) for (const a of admins) add(a.email, a.name, s);
  return [...byRecipient].map(([to, { name, services: theirs }]) => ({
    to,
    subject: `Das Portal „${portal.name}“ möchte ${theirs.length === 1 ? 'einen Onlinedienst' : 'Onlinedienste'} aufnehmen`,
    text: [
      `Guten Tag ${name},`,
      '',
      `${requester.name} möchte in der Zentralen Statistik-Komponente (ZSK) ${theirs.length === 1 ? 'diesen Onlinedienst' : 'diese Onlinedienste'} in das Portal „${portal.name}“ aufnehmen:`,
      '',
      ...theirs.map((s) => `- ${s.name}: ${publicUrl}/dienste/${s.id}/zugang`),
      '',
      'Gehört ein Onlinedienst zum Portal, verwalten die Verantwortlichen des Portals ihn mit – Zugang, ' +
        'Zugangsschlüssel und Lieferungen mit den Originaldateien –, und die Zugangsschlüssel des Portals ' +
        'liefern Zahlen für ihn. Unter den Links oben nehmen Sie die Anfrage an oder lehnen sie ab.',
    ].join('\n'),
  }));
}

/** A decision of the service's side on a portal's open request. */
export interface RequestDecision {
  serviceId: number;
  requestId: number;
  /** The person deciding: a manager of the service or an administrator. */
  actorId: number;
}

/** A decision taken: the mail telling the person who asked (to be sent after the commit). */
export interface DecisionOutcome {
  mails: Mail[];
}

/** The service's side accepts: the service joins the portal. Null when the request is gone. */
export async function acceptRequest(
  db: Kysely<Database>,
  { serviceId, requestId, actorId }: RequestDecision,
  publicUrl: string,
): Promise<DecisionOutcome | null> {
  return transactionWithRetry(db, async (trx) => {
    const request = await trx
      .deleteFrom('portal_join_requests')
      .where('id', '=', requestId)
      .where('service_id', '=', serviceId)
      .returning(['portal_id', 'service_id', 'requested_by'])
      .executeTakeFirst();
    if (!request) return null;
    const actor: Actor = { userId: actorId, tokenId: null };
    await writeAudit(trx, actor, {
      action: 'portal.service_request_accept',
      entity: 'portal',
      entityId: request.portal_id,
      newValue: { serviceId, requestedBy: request.requested_by },
    });
    await addInTransaction(trx, request.portal_id, [serviceId], actor);
    return { mails: await decisionMail(trx, request, 'accepted', publicUrl) };
  });
}

/** The service's side declines (null when the request is gone); the portal may ask again. */
export async function declineRequest(
  db: Kysely<Database>,
  { serviceId, requestId, actorId }: RequestDecision,
  publicUrl: string,
): Promise<DecisionOutcome | null> {
  return db.transaction().execute(async (trx) => {
    const request = await closeRequest(
      trx,
      'portal.service_request_decline',
      requestId,
      { serviceId },
      actorId,
    );
    return request && { mails: await decisionMail(trx, request, 'declined', publicUrl) };
  });
}

interface ClosedRequest {
  portal_id: number;
  service_id: number;
  requested_by: number | null;
}

/**
 * The mail to whoever asked on the portal's behalf: how the service's side decided, and where the
 * portal stands. None when that account is gone or not active.
 */
async function decisionMail(
  trx: Kysely<Database>,
  request: ClosedRequest,
  decision: 'accepted' | 'declined',
  publicUrl: string,
): Promise<Mail[]> {
  if (request.requested_by === null) return [];
  const row = await trx
    .selectFrom('users as u')
    .innerJoin('portals as p', (join) => join.on('p.id', '=', request.portal_id))
    .innerJoin('online_services as s', (join) => join.on('s.id', '=', request.service_id))
    .select(['u.email', 'u.name', 'p.name as portal', 's.name as service'])
    .where('u.id', '=', request.requested_by)
    .where('u.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return [];
  const accepted = decision === 'accepted';
  return [
    {
      to: row.email,
      subject: accepted
        ? `„${row.service}“ gehört jetzt zum Portal „${row.portal}“`
        : `„${row.service}“ wird nicht in das Portal „${row.portal}“ aufgenommen`,
      text: [
        `Guten Tag ${row.name},`,
        '',
        accepted
          ? `die Verantwortlichen des Onlinedienstes „${row.service}“ haben Ihre Anfrage angenommen: Er gehört jetzt zum Portal „${row.portal}“, und die Zugangsschlüssel des Portals liefern Zahlen für ihn.`
          : `die Verantwortlichen des Onlinedienstes „${row.service}“ haben Ihre Anfrage abgelehnt, ihn in das Portal „${row.portal}“ aufzunehmen. Das Portal kann später erneut anfragen.`,
        '',
        `Das Portal: ${publicUrl}/portale/${request.portal_id}`,
      ].join('\n'),
    },
  ];
}

/** The portal's side withdraws its request (false when it is gone). */
export async function withdrawRequest(
  db: Kysely<Database>,
  portalId: number,
  requestId: number,
  actorId: number,
): Promise<boolean> {
  return db
    .transaction()
    .execute(
      async (trx) =>
        (await closeRequest(trx, 'portal.service_request_withdraw', requestId, { portalId }, actorId)) !==
        null,
    );
}

/** Deletes the open request seen from one side, audited; null when it is gone. */
async function closeRequest(
  trx: Kysely<Database>,
  action: string,
  requestId: number,
  scope: { serviceId: number } | { portalId: number },
  actorId: number,
): Promise<ClosedRequest | null> {
  const request = await trx
    .deleteFrom('portal_join_requests')
    .where('id', '=', requestId)
    .where(
      'serviceId' in scope ? 'service_id' : 'portal_id',
      '=',
      'serviceId' in scope ? scope.serviceId : scope.portalId,
    )
    .returning(['portal_id', 'service_id', 'requested_by'])
    .executeTakeFirst();
  if (!request) return null;
  await writeAudit(
    trx,
    { userId: actorId, tokenId: null },
    {
      action,
      entity: 'portal',
      entityId: request.portal_id,
      oldValue: { serviceId: request.service_id, requestedBy: request.requested_by },
    },
  );
  return request;
}
