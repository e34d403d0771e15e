import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../http/errors.js';
import { ConfirmPage } from '../../web/confirm.js';
import { sendPage } from '../../web/render.js';
import { canManagePortal } from '../../http/authz.js';
import { sendMails } from '../mail/mailer.js';
import { field, invalidForm } from '../../http/forms.js';
import { loadTarget } from '../../http/target.js';
import { parseId } from '../../http/ids.js';
import type { PageNotice } from '../../web/notice.js';
import {
  acceptRequest,
  addOrRequest,
  declineRequest,
  withdrawRequest,
  type AddOutcome,
  type RequestDecision,
} from './requests.js';
import { listRequestsForPortal, listRequestsForService } from '../access/join-requests.js';
import {
  candidateServices,
  createPortal,
  listPortals,
  loadPortal,
  removeService,
  resolveServiceList,
  validatePortal,
  type PortalInput,
} from './service.js';
import { NewPortalPage, PortalListPage, PortalPage, type PortalPageProps } from './views.js';

type IdParams = { Params: { id: string } };

const DONE: Record<string, PageNotice> = {
  entfernt: { kind: 'success', text: 'Der Onlinedienst gehört nicht mehr zum Portal.' },
  'anfrage-zurueckgezogen': { kind: 'success', text: 'Die Anfrage wurde zurückgezogen.' },
};

const GONE: PageNotice = { kind: 'info', text: 'Diese Anfrage besteht nicht (mehr).' };

/** What happened to a pasted list; services that were in the portal already come last. */
function listNotice(outcome: AddOutcome, alreadyIn: number): PageNotice {
  const added = outcome.added.length;
  const requested = outcome.requested.length;
  const open = outcome.alreadyRequested.length;
  const parts = [
    added === 0
      ? 'Kein Onlinedienst wurde hinzugefügt.'
      : `${added === 1 ? 'Ein Onlinedienst wurde' : `${added} Onlinedienste wurden`} hinzugefügt.`,
  ];
  if (requested === 1)
    parts.push('Für einen Onlinedienst, den Sie nicht verwalten, wurden seine Verantwortlichen gefragt.');
  else if (requested > 1)
    parts.push(
      `Für ${requested} Onlinedienste, die Sie nicht verwalten, wurden deren Verantwortliche gefragt.`,
    );
  if (open === 1) parts.push('Für einen war bereits eine Anfrage offen.');
  else if (open > 1) parts.push(`Für ${open} waren bereits Anfragen offen.`);
  if (alreadyIn === 1) parts.push('Einer gehörte bereits dazu.');
  else if (alreadyIn > 1) parts.push(`${alreadyIn} gehörten bereits dazu.`);
  return { kind: added > 0 || requested + open === 0 ? 'success' : 'info', text: parts.join(' ') };
}

/** The answer to one service chosen from the select. */
function singleNotice(outcome: AddOutcome, name: string): PageNotice {
  if (outcome.added.length > 0) return { kind: 'success', text: `„${name}“ gehört jetzt zum Portal.` };
  if (outcome.requested.length > 0) {
    return {
      kind: 'info',
      text: `„${name}“ verwalten Sie nicht. Seine Verantwortlichen wurden gefragt; der Onlinedienst gehört zum Portal, sobald sie die Anfrage annehmen.`,
    };
  }
  if (outcome.alreadyRequested.length > 0)
    return { kind: 'info', text: `Für „${name}“ ist bereits eine Anfrage offen.` };
  return { kind: 'info', text: `„${name}“ gehört bereits zum Portal.` };
}

async function showPortalPage(
  request: FastifyRequest<IdParams>,
  reply: FastifyReply,
  extra: Partial<Omit<PortalPageProps, 'portal' | 'canManage' | 'candidates' | 'requests'>> = {},
  status = 200,
) {
  const db = request.server.db.kysely;
  const id = parseId(request.params.id);
  const portal = id === null ? null : await loadPortal(db, id);
  if (!portal) throw notFound(`Ein Portal „${request.params.id}“ gibt es nicht.`);
  const user = request.session!.user;
  const canManage = await canManagePortal(db, user, portal.id);
  const search = extra.search ?? '';
  const candidates = canManage ? await candidateServices(db, portal.id, search) : [];
  const requests = canManage ? await listRequestsForPortal(db, portal.id) : [];
  return sendPage(
    reply,
    <PortalPage
      portal={portal}
      canManage={canManage}
      candidates={candidates}
      requests={requests}
      {...extra}
      search={search}
    />,
    status,
  );
}

/** Admins pass the guard for any id; an unknown portal is a 404, not a foreign-key error. */
async function requirePortalId(request: FastifyRequest<IdParams>): Promise<number> {
  const id = parseId(request.params.id);
  const row =
    id === null
      ? undefined
      : await request.server.db.kysely
          .selectFrom('portals')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst();
  if (!row) throw notFound(`Ein Portal „${request.params.id}“ gibt es nicht.`);
  return row.id;
}

export function portalRoutes(app: FastifyInstance): void {
  const manage = { manage: 'portal', param: 'id' } as const;

  app.get('/portale', { config: { access: 'signed-in' } }, async (_request, reply) => {
    return sendPage(reply, <PortalListPage portals={await listPortals(app.db.kysely)} />);
  });

  app.get('/portale/neu', { config: { access: 'admin' } }, async (_request, reply) =>
    sendPage(reply, <NewPortalPage />),
  );

  app.post('/portale/neu', { config: { access: 'admin' } }, async (request, reply) => {
    const input: PortalInput = {
      name: field(request.body, 'name'),
      url: field(request.body, 'url'),
      authority: field(request.body, 'authority'),
      managers: field(request.body, 'managers'),
    };
    const errors = await validatePortal(app.db.kysely, input);
    if (Object.keys(errors).length > 0)
      return sendPage(reply, <NewPortalPage input={input} errors={errors} />, 422);
    const created = await createPortal(app.db.kysely, input, {
      actor: request.session!.user,
      publicUrl: app.config.publicUrl,
    });
    const failed = await sendMails(request, created.mails);
    return reply.redirect(
      `/portale/${created.id}/zugang?erledigt=${failed.length > 0 ? 'angelegt-mailfehler' : 'angelegt'}`,
      303,
    );
  });

  app.get<IdParams & { Querystring: { suche?: string; erledigt?: string } }>(
    '/portale/:id',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const search = typeof request.query.suche === 'string' ? request.query.suche.trim().slice(0, 200) : '';
      return showPortalPage(request, reply, { search, notice: DONE[request.query.erledigt ?? ''] });
    },
  );

  app.post<IdParams>('/portale/:id/dienste', { config: { access: manage } }, async (request, reply) => {
    const portalId = await requirePortalId(request);
    const search = field(request.body, 'suche');
    const serviceId = parseId(field(request.body, 'dienst'));
    const exists =
      serviceId !== null &&
      (await app.db.kysely
        .selectFrom('online_services')
        .select('name')
        .where('id', '=', serviceId)
        .executeTakeFirst());
    if (!exists) {
      return showPortalPage(
        request,
        reply,
        { search, errors: { dienst: 'Bitte wählen Sie einen Onlinedienst aus.' } },
        422,
      );
    }
    const outcome = await addOrRequest(
      app.db.kysely,
      portalId,
      [serviceId],
      request.session!.user,
      app.config.publicUrl,
    );
    await sendMails(request, outcome.mails);
    return showPortalPage(request, reply, { search, notice: singleNotice(outcome, exists.name) });
  });

  app.post<IdParams>('/portale/:id/dienste/liste', { config: { access: manage } }, async (request, reply) => {
    const portalId = await requirePortalId(request);
    const list =
      typeof (request.body as Record<string, unknown>)?.liste === 'string'
        ? ((request.body as Record<string, string>).liste ?? '')
        : '';
    if (!list.trim()) {
      return showPortalPage(
        request,
        reply,
        { errors: { liste: 'Bitte fügen Sie eine Liste von Onlinediensten ein.' } },
        422,
      );
    }
    const result = await resolveServiceList(app.db.kysely, portalId, list);
    if (!result.ok) {
      return showPortalPage(
        request,
        reply,
        {
          list,
          listErrors: result.errors,
          errors: {
            liste: `Die Liste enthält ${result.errors.length === 1 ? 'einen Fehler' : `${result.errors.length} Fehler`}; es wurde nichts hinzugefügt.`,
          },
        },
        422,
      );
    }
    const outcome = await addOrRequest(
      app.db.kysely,
      portalId,
      result.serviceIds,
      request.session!.user,
      app.config.publicUrl,
    );
    // A failed mail leaves the request standing: it is listed where the service's side decides.
    await sendMails(request, outcome.mails);
    return showPortalPage(request, reply, {
      notice: listNotice(outcome, result.alreadyIn + outcome.alreadyIn.length),
    });
  });

  app.post<IdParams>(
    '/portale/:id/dienste/entfernen',
    { config: { access: manage } },
    async (request, reply) => {
      const portalId = await requirePortalId(request);
      const serviceId = parseId(field(request.body, 'dienst'));
      if (serviceId === null) throw invalidForm('Bitte wählen Sie einen Onlinedienst aus.');
      const portal = await loadPortal(app.db.kysely, portalId);
      if (!portal) throw notFound(`Ein Portal „${request.params.id}“ gibt es nicht.`);
      const service = portal.services.find((s) => s.id === serviceId);
      if (!service) {
        return showPortalPage(request, reply, {
          notice: { kind: 'info', text: 'Dieser Onlinedienst gehört nicht (mehr) zum Portal.' },
        });
      }
      if (field(request.body, 'bestaetigt') !== 'ja') {
        return sendPage(
          reply,
          <ConfirmPage
            title="Onlinedienst aus dem Portal entfernen?"
            question={`„${service.name}“ gehört danach nicht mehr zum Portal „${portal.name}“: Die Verantwortlichen des Portals verwalten ihn nicht mehr, und die Zugangsschlüssel des Portals liefern nicht mehr für ihn. Die Daten des Onlinedienstes bleiben erhalten.`}
            action={`/portale/${portal.id}/dienste/entfernen`}
            fields={{ dienst: String(serviceId) }}
            confirmLabel="Ja, entfernen"
            cancelHref={`/portale/${portal.id}`}
          />,
        );
      }
      await removeService(app.db.kysely, portal.id, serviceId, request.session!.user.id);
      return reply.redirect(`/portale/${portal.id}?erledigt=entfernt`, 303);
    },
  );
  app.post<IdParams>(
    '/portale/:id/anfragen/zurueckziehen',
    { config: { access: manage } },
    async (request, reply) => {
      const portalId = await requirePortalId(request);
      const requestId = parseId(field(request.body, 'anfrage'));
      if (requestId === null) throw invalidForm('Bitte wählen Sie eine Anfrage aus.');
      if (await withdrawRequest(app.db.kysely, portalId, requestId, request.session!.user.id))
        return reply.redirect(`/portale/${portalId}?erledigt=anfrage-zurueckgezogen`, 303);
      return showPortalPage(request, reply, { notice: GONE });
    },
  );

  // The service's side of a request: on the service's access page, for those who manage the service.
  const manageService = { manage: 'service', param: 'id' } as const;

  /**
   * The service's side decides a portal's request; then the mail to the person who asked, and back to
   * the service's access page saying what happened (`anfrage-weg`: settled meanwhile).
   */
  async function decide(
    request: FastifyRequest,
    reply: FastifyReply,
    which: Omit<RequestDecision, 'actorId'>,
    decideWith: typeof acceptRequest,
    done: 'anfrage-angenommen' | 'anfrage-abgelehnt',
  ) {
    const decision = { ...which, actorId: request.session!.user.id };
    const outcome = await decideWith(app.db.kysely, decision, app.config.publicUrl);
    if (outcome) await sendMails(request, outcome.mails);
    return reply.redirect(
      `/dienste/${which.serviceId}/zugang?erledigt=${outcome ? done : 'anfrage-weg'}`,
      303,
    );
  }

  app.post<IdParams>(
    '/dienste/:id/portalanfragen/annehmen',
    { config: { access: manageService } },
    async (request, reply) => {
      const service = await loadTarget(app.db.kysely, 'service', request.params.id);
      const requestId = parseId(field(request.body, 'anfrage'));
      if (requestId === null) throw invalidForm('Bitte wählen Sie eine Anfrage aus.');
      const open = (await listRequestsForService(app.db.kysely, service.id)).find((r) => r.id === requestId);
      if (!open) return reply.redirect(`/dienste/${service.id}/zugang?erledigt=anfrage-weg`, 303);
      if (field(request.body, 'bestaetigt') !== 'ja') {
        return sendPage(
          reply,
          <ConfirmPage
            title="Onlinedienst in das Portal aufnehmen?"
            question={`„${service.name}“ gehört danach zum Portal „${open.portal.name}“: Die Verantwortlichen des Portals verwalten den Onlinedienst mit, auch wer Zugang hat, sie sehen seine Lieferungen mit den Originaldateien, und die Zugangsschlüssel des Portals liefern Zahlen für ihn.`}
            action={`/dienste/${service.id}/portalanfragen/annehmen`}
            fields={{ anfrage: String(requestId) }}
            confirmLabel="Ja, aufnehmen"
            cancelHref={`/dienste/${service.id}/zugang`}
          />,
        );
      }
      return decide(
        request,
        reply,
        { serviceId: service.id, requestId },
        acceptRequest,
        'anfrage-angenommen',
      );
    },
  );

  app.post<IdParams>(
    '/dienste/:id/portalanfragen/ablehnen',
    { config: { access: manageService } },
    async (request, reply) => {
      const service = await loadTarget(app.db.kysely, 'service', request.params.id);
      const requestId = parseId(field(request.body, 'anfrage'));
      if (requestId === null) throw invalidForm('Bitte wählen Sie eine Anfrage aus.');
      return decide(
        request,
        reply,
        { serviceId: service.id, requestId },
        declineRequest,
        'anfrage-abgelehnt',
      );
    },
  );
}
