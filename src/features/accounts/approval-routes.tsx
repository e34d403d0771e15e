import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../db/audit.js';
import { notFound } from '../../http/errors.js';
import { sendPage } from '../../web/render.js';
import { listAccounts, setAccountEnabled } from './account-admin.js';
import { approve, listPending, reject } from './approval.js';
import { AccountsPage, QueuePage } from './approval-views.js';

type Params = { userId: string };
const ID = /^[1-9][0-9]{0,8}$/;

function userIdOf(request: FastifyRequest<{ Params: Params }>): number {
  if (!ID.test(request.params.userId)) throw notFound();
  return Number(request.params.userId);
}

const actorOf = (request: FastifyRequest): Actor => ({ userId: request.session!.user.id, tokenId: null });

async function exists(app: FastifyInstance, userId: number): Promise<boolean> {
  const row = await app.db.kysely
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The administrators' approval queue and account list. */
export function approvalRoutes(app: FastifyInstance): void {
  const db = app.db.kysely;
  const admin = { config: { access: 'admin' as const } };

  app.get<{ Querystring: { ergebnis?: string } }>(
    '/verwaltung/registrierungen',
    admin,
    async (request, reply) =>
      sendPage(reply, <QueuePage registrations={await listPending(db)} result={request.query.ergebnis} />),
  );

  app.post<{ Params: Params }>(
    '/verwaltung/registrierungen/:userId/freischalten',
    admin,
    async (request, reply) => {
      const userId = userIdOf(request);
      if (!(await exists(app, userId))) throw notFound('Diese Registrierung gibt es nicht.');
      const done = await approve(app, userId, actorOf(request));
      return reply.redirect(
        `/verwaltung/registrierungen?ergebnis=${done ? 'freigeschaltet' : 'erledigt'}`,
        303,
      );
    },
  );

  app.post<{ Params: Params; Body: Record<string, string | undefined> }>(
    '/verwaltung/registrierungen/:userId/ablehnen',
    admin,
    async (request, reply) => {
      const userId = userIdOf(request);
      if (!(await exists(app, userId))) throw notFound('Diese Registrierung gibt es nicht.');
      const reason = (request.body.reason ?? '').trim();
      if (!reason || reason.length > 2000) {
        const message = reason
          ? 'Die Begründung darf höchstens 2.000 Zeichen lang sein.'
          : 'Bitte begründen Sie die Ablehnung; die Person erhält die Begründung per E-Mail.';
        return sendPage(
          reply,
          <QueuePage registrations={await listPending(db)} rejectError={{ userId, message, reason }} />,
          422,
        );
      }
      const done = await reject(app, userId, reason, actorOf(request));
      return reply.redirect(`/verwaltung/registrierungen?ergebnis=${done ? 'abgelehnt' : 'erledigt'}`, 303);
    },
  );

  app.get<{ Querystring: { ergebnis?: string } }>('/verwaltung/konten', admin, async (request, reply) =>
    sendPage(reply, <AccountsPage accounts={await listAccounts(db)} result={request.query.ergebnis} />),
  );

  for (const [action, enabled] of [
    ['deaktivieren', false],
    ['aktivieren', true],
  ] as const) {
    app.post<{ Params: Params }>(`/verwaltung/konten/:userId/${action}`, admin, async (request, reply) => {
      const userId = userIdOf(request);
      if (!(await exists(app, userId))) throw notFound('Dieses Konto gibt es nicht.');
      const result = await setAccountEnabled(app, userId, enabled, actorOf(request));
      const shown =
        result === 'self'
          ? 'selbst'
          : result === 'not_found'
            ? 'erledigt'
            : enabled
              ? 'aktiviert'
              : 'deaktiviert';
      return reply.redirect(`/verwaltung/konten?ergebnis=${shown}`, 303);
    });
  }
}
