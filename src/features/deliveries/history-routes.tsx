import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canManagePortal, canManageService } from '../../http/authz.js';
import { notAllowed } from '../../http/access.js';
import { AppError, notFound } from '../../http/errors.js';
import { parsePageNumber } from '../../web/pagination.js';
import { sendPage } from '../../web/render.js';
import { listDeliveries, loadDelivery, loadDeliveryFile, loadTargetInfo } from './history.js';
import { DeliveryPage, HistoryPage } from './history-views.js';

const ID = /^[1-9][0-9]{0,14}$/;
/** `?seite=N`: a malformed page is refused (400); a page past the end shows the last page. */
function pageOf(raw: string | undefined): number {
  const page = parsePageNumber(raw);
  if (!page.ok) throw new AppError(400, page.error.code, page.error.message);
  return page.value;
}

/**
 * The delivery history. Every signed-in user reads it (transparency decision: all signed-in users see
 * the data of all services); the original files are for the managers of the service or portal only.
 */
export function historyRoutes(app: FastifyInstance): void {
  const db = app.db.kysely;

  const mayManage = async (
    request: FastifyRequest,
    d: { serviceId: number | null; portalId: number | null },
  ): Promise<boolean> => {
    const user = request.session!.user;
    if (d.portalId !== null) return canManagePortal(db, user, d.portalId);
    if (d.serviceId !== null) return canManageService(db, user, d.serviceId);
    return user.isAdmin;
  };

  for (const { kind, prefix } of [
    { kind: 'service', prefix: '/dienste' },
    { kind: 'portal', prefix: '/portale' },
  ] as const) {
    app.get<{ Params: { id: string }; Querystring: { seite?: string } }>(
      `${prefix}/:id/lieferungen`,
      { config: { access: 'signed-in' } },
      async (request, reply) => {
        const info = await loadTargetInfo(db, kind, request.params.id);
        const deliveries = await listDeliveries(db, info.target, pageOf(request.query.seite));
        const canManage = await mayManage(request, {
          serviceId: kind === 'service' ? Number(request.params.id) : null,
          portalId: kind === 'portal' ? Number(request.params.id) : null,
        });
        return sendPage(reply, <HistoryPage info={info} deliveries={deliveries} canManage={canManage} />);
      },
    );
  }

  const deliveryOf = async (raw: string) => {
    const d = ID.test(raw) ? await loadDelivery(db, Number(raw)) : null;
    if (!d) throw notFound('Diese Lieferung gibt es nicht.');
    return d;
  };

  app.get<{ Params: { id: string }; Querystring: { gespeichert?: string } }>(
    '/lieferungen/:id',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const d = await deliveryOf(request.params.id);
      return sendPage(
        reply,
        <DeliveryPage
          delivery={d}
          canDownload={await mayManage(request, d)}
          saved={request.query.gespeichert === '1'}
        />,
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/lieferungen/:id/datei',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const d = await deliveryOf(request.params.id);
      if (!(await mayManage(request, d)))
        throw notAllowed(
          'Die Originaldatei laden nur die Verantwortlichen des Onlinedienstes oder Portals herunter.',
        );
      const file = d.hasFile ? await loadDeliveryFile(db, d.id) : null;
      if (!file) throw notFound('Zu dieser Lieferung gibt es keine Datei.');
      const ascii = file.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
      return reply
        .type(file.mediaType)
        .header(
          'content-disposition',
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        )
        .header('cache-control', 'no-store')
        .send(file.content);
    },
  );
}
