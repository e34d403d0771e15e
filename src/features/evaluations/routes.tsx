import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../http/errors.js';
import { canManageService } from '../accounts/authz.js';
import { sendPage } from '../../web/render.js';
import { renderTimeSeriesSvg } from './chart.js';
import { loadCompletenessReport, loadServicePage } from './service.js';
import { CompletenessPage, NotFoundPage, ServicePage } from './views.js';

const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

export async function evaluationRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/dienste/:id',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const id = /^[1-9][0-9]{0,8}$/.test(request.params.id) ? Number(request.params.id) : null;
      const data = id === null ? null : await loadServicePage(app.db.kysely, id, new Date());
      if (!data) {
        const message = `Einen Onlinedienst „${request.params.id}“ gibt es nicht.`;
        if (wantsHtml(request)) return sendPage(reply, <NotFoundPage message={message} />, 404);
        throw notFound(message);
      }
      const chartSvg = data.series.length > 0 ? renderTimeSeriesSvg(data.series) : null;
      const query = request.query as { angelegt?: string; gespeichert?: string };
      const notice =
        query.angelegt === '1'
          ? 'Der Onlinedienst ist angelegt. Sie sind seine verantwortliche Person.'
          : query.gespeichert === '1'
            ? 'Die Stammdaten sind gespeichert.'
            : undefined;
      return sendPage(
        reply,
        <ServicePage
          data={data}
          chartSvg={chartSvg}
          serviceId={id!}
          canManage={await canManageService(app.db.kysely, request.session!.user, id!)}
          notice={notice}
        />,
      );
    },
  );

  app.get('/vollstaendigkeit', { config: { access: 'signed-in' } }, async (_request, reply) => {
    const report = await loadCompletenessReport(app.db.kysely, new Date());
    return sendPage(reply, <CompletenessPage report={report} />);
  });
}
