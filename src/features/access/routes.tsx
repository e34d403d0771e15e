import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendMails } from '../mail/mailer.js';
import { ConfirmPage } from '../../web/confirm.js';
import { sendPage } from '../../web/render.js';
import {
  grantInTransaction,
  isEmail,
  listAccess,
  listInvitations,
  loadMyServices,
  withdrawInvitation,
  withdrawMembership,
  type GrantOutcome,
} from './service.js';
import { field, invalidForm } from '../../http/forms.js';
import {
  loadTarget,
  targetAccusative,
  targetLabel,
  targetPath,
  type Target,
  type TargetKind,
} from '../../http/target.js';
import { parseId } from '../../http/ids.js';
import { listRequestsForService, listRequestsToDecide } from './join-requests.js';
import { AccessPage, MyServicesPage } from './views.js';
import type { PageNotice } from '../../web/notice.js';

type IdParams = { Params: { id: string } };

/** The message after granting; `mailFailed` when the change stands but its mail could not be sent. */
export function outcomeNotice(outcome: GrantOutcome, mailFailed = false): PageNotice {
  const mailProblem = ` Die E-Mail an ${outcome.email} konnte jedoch nicht versendet werden; bitte informieren Sie die Person selbst.`;
  switch (outcome.kind) {
    case 'granted':
      return {
        kind: mailFailed ? 'warning' : 'success',
        text:
          `${outcome.name} (${outcome.email}) hat jetzt Zugang` +
          (outcome.pending ? '; er gilt, sobald das Konto freigeschaltet ist.' : '.') +
          (mailFailed ? mailProblem : ' Die Person wurde per E-Mail benachrichtigt.'),
      };
    case 'invited':
      return mailFailed
        ? {
            kind: 'warning',
            text: `Die Einladung an ${outcome.email} ist angelegt, die E-Mail konnte aber nicht versendet werden. Bitte ziehen Sie die Einladung zurück und versuchen Sie es später erneut.`,
          }
        : {
            kind: 'success',
            text: `${outcome.email} hat kein Konto und wurde per E-Mail zur Registrierung eingeladen.`,
          };
    case 'already_member':
      return { kind: 'info', text: `${outcome.name} (${outcome.email}) hat bereits Zugang.` };
    case 'already_invited':
      return {
        kind: 'info',
        text: `An ${outcome.email} ist bereits eine Einladung offen. Um sie neu zu senden, ziehen Sie sie zurück und laden erneut ein.`,
      };
    case 'account_blocked':
      return {
        kind: 'warning',
        text: `Das Konto von ${outcome.email} ist gesperrt oder abgelehnt; es kann keinen Zugang erhalten. Bitte wenden Sie sich an die ZSK-Administration.`,
      };
  }
}

/** Messages after a redirect (?erledigt=…), so a reload does not repeat the action. */
const DONE: Record<string, PageNotice> = {
  zugang: { kind: 'success', text: 'Der Zugang wurde entzogen.' },
  einladung: { kind: 'success', text: 'Die Einladung wurde zurückgezogen.' },
  angelegt: {
    kind: 'success',
    text: 'Das Portal ist angelegt. Die genannten Verantwortlichen haben Zugang oder eine Einladung per E-Mail erhalten.',
  },
  'anfrage-angenommen': { kind: 'success', text: 'Der Onlinedienst gehört jetzt zum Portal.' },
  'anfrage-abgelehnt': { kind: 'success', text: 'Die Anfrage wurde abgelehnt.' },
  'anfrage-weg': { kind: 'info', text: 'Diese Anfrage besteht nicht (mehr).' },
  'angelegt-mailfehler': {
    kind: 'warning',
    text: 'Das Portal ist angelegt, aber nicht jede E-Mail an die Verantwortlichen konnte versendet werden. Bitte prüfen Sie die Liste und informieren Sie die Personen selbst.',
  },
};

async function showAccessPage(
  app: FastifyInstance,
  reply: FastifyReply,
  target: Target,
  extra: { email?: string; errors?: Record<string, string>; notice?: PageNotice } = {},
  status = 200,
) {
  const [entries, invitations, requests] = await Promise.all([
    listAccess(app.db.kysely, target),
    listInvitations(app.db.kysely, target),
    target.kind === 'service' ? listRequestsForService(app.db.kysely, target.id) : [],
  ]);
  return sendPage(
    reply,
    <AccessPage target={target} entries={entries} invitations={invitations} requests={requests} {...extra} />,
    status,
  );
}

function accessRoutesFor(app: FastifyInstance, kind: TargetKind, prefix: string): void {
  const access = { manage: kind, param: 'id' } as const;

  app.get<IdParams & { Querystring: { erledigt?: string } }>(
    `${prefix}/:id/zugang`,
    { config: { access } },
    async (request, reply) => {
      const target = await loadTarget(app.db.kysely, kind, request.params.id);
      const notice = DONE[request.query.erledigt ?? ''];
      return showAccessPage(app, reply, target, notice ? { notice } : {});
    },
  );

  app.post<IdParams>(`${prefix}/:id/zugang`, { config: { access } }, async (request, reply) => {
    const target = await loadTarget(app.db.kysely, kind, request.params.id);
    const email = field(request.body, 'email');
    if (!isEmail(email)) {
      const errors = {
        email: email
          ? 'Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@behoerde.de.'
          : 'Bitte geben Sie die E-Mail-Adresse der Person ein.',
      };
      return showAccessPage(app, reply, target, { email, errors }, 422);
    }
    const user = request.session!.user;
    const grant = await app.db.kysely
      .transaction()
      .execute((trx) =>
        grantInTransaction(trx, target, email, { actor: user, publicUrl: app.config.publicUrl }),
      );
    const failed = await sendMails(request, grant.mail ? [grant.mail] : []);
    return showAccessPage(app, reply, target, { notice: outcomeNotice(grant.outcome, failed.length > 0) });
  });

  app.post<IdParams>(`${prefix}/:id/zugang/entziehen`, { config: { access } }, async (request, reply) => {
    const target = await loadTarget(app.db.kysely, kind, request.params.id);
    const membershipId = parseId(field(request.body, 'mitgliedschaft'));
    const invitation = field(request.body, 'einladung');
    if (membershipId === null && !invitation) {
      throw invalidForm('Bitte wählen Sie einen Zugang oder eine Einladung aus.');
    }
    const base = targetPath(target);
    if (field(request.body, 'bestaetigt') !== 'ja') {
      const entries = membershipId !== null ? await listAccess(app.db.kysely, target) : [];
      const who = entries.find((e) => e.membershipId === membershipId);
      return sendPage(
        reply,
        <ConfirmPage
          title={membershipId !== null ? 'Zugang entziehen?' : 'Einladung zurückziehen?'}
          question={
            membershipId !== null
              ? `${who ? `${who.name} (${who.email})` : 'Diese Person'} verliert den Zugang zum ${targetLabel(target)}.`
              : `Der Link der Einladung wird ungültig; die Person kann sich damit nicht mehr für ${targetAccusative(target)} registrieren.`
          }
          action={`${base}/zugang/entziehen`}
          fields={
            membershipId !== null ? { mitgliedschaft: String(membershipId) } : { einladung: invitation }
          }
          confirmLabel={membershipId !== null ? 'Ja, Zugang entziehen' : 'Ja, Einladung zurückziehen'}
          cancelHref={`${base}/zugang`}
        />,
      );
    }
    const actor = request.session!.user;
    if (membershipId !== null) {
      const withdrawn = await withdrawMembership(app.db.kysely, target, membershipId, actor.id);
      // Whoever withdraws their own access may no longer open this page.
      if (withdrawn?.userId === actor.id && !actor.isAdmin) return reply.redirect('/meine-dienste', 303);
      if (withdrawn) return reply.redirect(`${base}/zugang?erledigt=zugang`, 303);
    } else if (await withdrawInvitation(app.db.kysely, target, invitation, actor.id)) {
      return reply.redirect(`${base}/zugang?erledigt=einladung`, 303);
    }
    return showAccessPage(app, reply, target, {
      notice: { kind: 'info', text: 'Dieser Zugang oder diese Einladung besteht nicht (mehr).' },
    });
  });
}

export function accessRoutes(app: FastifyInstance): void {
  app.get('/meine-dienste', { config: { access: 'signed-in' } }, async (request, reply) => {
    const user = request.session!.user;
    const [data, requests] = await Promise.all([
      loadMyServices(app.db.kysely, user.id),
      listRequestsToDecide(app.db.kysely, user),
    ]);
    return sendPage(reply, <MyServicesPage data={data} requests={requests} />);
  });
  accessRoutesFor(app, 'service', '/dienste');
  accessRoutesFor(app, 'portal', '/portale');
}
