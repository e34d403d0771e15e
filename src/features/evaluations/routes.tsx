import { parsePageNumber } from '../../web/pagination.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../http/errors.js';
import { canManageService } from '../../http/authz.js';
import { audienceOf } from '../../http/access.js';
import { sendPage } from '../../web/render.js';
import { PublicPageCache, type PageAnswer } from '../../web/page-cache.js';
import { buildSeriesView, parseSeriesQuery, seriesSearch } from './series.js';
import { renderChoroplethSvg } from './map.js';
import { loadCompletenessReport, loadServicePage, type ServicePageData } from './service.js';
import { COMPLETENESS_FILTERS } from './completeness-queries.js';
import { NotFoundPage, ServicePage, type ServiceMaps } from './views.js';
import { CompletenessPage, CompletenessQueryErrorPage } from './completeness-views.js';

const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

type PeriodQuery = { von?: string; bis?: string; aufloesung?: string };

function renderMaps(data: ServicePageData): ServiceMaps {
  const lands = new Map(
    data.lands.filter((l) => l.land !== '00').map((l) => [`${l.land}0000000000`, l.total]),
  );
  const kreise = new Map((data.kreise ?? []).map((k) => [k.ars, k.total]));
  return {
    laender: lands.size > 0 ? renderChoroplethSvg({ layer: 'laender', values: lands }) : null,
    kreise: kreise.size > 0 ? renderChoroplethSvg({ layer: 'kreise', values: kreise }) : null,
  };
}

export function evaluationRoutes(app: FastifyInstance): void {
  const pages = new PublicPageCache(app.db);
  app.get<{ Params: { id: string }; Querystring: PeriodQuery }>(
    '/dienste/:id',
    { config: { access: 'open' } },
    (request, reply) => pages.send(request, reply, () => servicePage(request)),
  );

  async function servicePage(
    request: FastifyRequest<{ Params: { id: string }; Querystring: PeriodQuery }>,
  ): Promise<PageAnswer> {
    const now = new Date();
    const user = request.session?.user ?? null;
    const parsed = parseSeriesQuery(request.query, now);
    const { period, errors } = parsed;
    const id = /^[1-9][0-9]{0,8}$/.test(request.params.id) ? Number(request.params.id) : null;
    const found = id === null ? null : await loadServicePage(app.db.kysely, id, now, period);
    // An unpublished service does not exist for the public: the same 404 as an unknown id.
    const data = found && (found.service.published || audienceOf(request) === 'all') ? found : null;
    if (!data) {
      const message = `Einen Onlinedienst „${request.params.id}“ gibt es nicht.`;
      if (wantsHtml(request)) return { node: <NotFoundPage message={message} />, status: 404 };
      throw notFound(message);
    }
    const seriesView = buildSeriesView(data, period, parsed.resolution);
    const search = seriesSearch(parsed);
    const embed = {
      permalink: `${app.config.publicUrl}/dienste/${id}${search}#verlauf`,
      embedUrl: `${app.config.publicUrl}/einbetten/dienste/${id}${search}`,
    };
    const form = parsed.form;
    const query = request.query as { angelegt?: string; gespeichert?: string };
    const notice =
      query.angelegt === '1'
        ? 'Der Onlinedienst ist angelegt. Sie sind seine verantwortliche Person.'
        : query.gespeichert === '1'
          ? 'Die Stammdaten sind gespeichert.'
          : undefined;
    return {
      node: (
        <ServicePage
          data={data}
          chartSvg={seriesView.chartSvg}
          seriesView={seriesView}
          embed={embed}
          maps={renderMaps(data)}
          periodErrors={errors}
          periodForm={form}
          periodInvalid={parsed.invalid}
          serviceId={id!}
          canManage={user !== null && (await canManageService(app.db.kysely, user, id!))}
          signedIn={user !== null}
          notice={notice}
        />
      ),
      status: errors.length > 0 ? 400 : 200,
    };
  }

  app.get('/vollstaendigkeit', { config: { access: 'open' } }, async (request, reply) => {
    const query = request.query as { zeigen?: unknown; seite?: unknown };
    const zeigen = typeof query.zeigen === 'string' && query.zeigen !== '' ? query.zeigen : 'alle';
    const seite = parsePageNumber(query.seite);
    const filter = COMPLETENESS_FILTERS.find((f) => f.key === zeigen)?.key;
    const errors = [
      ...(filter
        ? []
        : [
            `Unbekannte Auswahl „${zeigen}“; möglich sind: ${COMPLETENESS_FILTERS.map((f) => f.key).join(', ')}.`,
          ]),
      ...(seite.ok ? [] : [seite.error.message]),
    ];
    if (!filter || !seite.ok) return sendPage(reply, <CompletenessQueryErrorPage errors={errors} />, 400);
    const report = await loadCompletenessReport(app.db.kysely, new Date(), {
      filter,
      page: seite.value,
      viewers: audienceOf(request),
    });
    return sendPage(reply, <CompletenessPage report={report} />);
  });
}
