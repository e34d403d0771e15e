/**
 * Embeddable charts (/einbetten/...): chart and data table of a public view, without navigation, that
 * other sites may put into an <iframe>. Only these pages relax the CSP frame-ancestors (to
 * ZSK_EMBED_ANCESTORS, default '*') and drop X-Frame-Options; every other page keeps 'none', so the
 * sign-in and the working pages can never be framed (clickjacking).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendPage } from '../../web/render.js';
import { EmbedLayout } from '../../web/embed-layout.js';
import { ErrorList } from '../../web/form.js';
import { renderBarChartSvg } from '../../web/chart.js';
import { loadServicePage } from '../evaluations/service.js';
import {
  buildSeriesView,
  parseSeriesQuery,
  perUnitTitle,
  seriesSearch,
  SeriesFigure,
} from '../evaluations/series.js';
import { parseExplorerQuery } from '../explorer/params.js';
import { loadExploration } from '../explorer/service.js';
import { TOP_SERVICES } from '../explorer/queries.js';
import { explorerSearch } from '../explorer/views.js';
import { isPublishedService, publishedServiceIds } from './queries.js';
import { ExplorerEmbed } from './views.js';

type Query = Record<string, string | string[] | undefined>;

function sendEmbedNotFound(reply: FastifyReply, home: string) {
  return sendPage(
    reply,
    <EmbedLayout title="Nicht gefunden" permalink={home}>
      <p class="kern-body">Diese Ansicht gibt es nicht oder sie ist nicht öffentlich.</p>
    </EmbedLayout>,
    404,
  );
}

export function embedRoutes(app: FastifyInstance): void {
  const base = app.config.publicUrl;
  // This plugin is encapsulated: the hook runs for its routes only.
  app.addHook('onSend', async (_request, reply, payload) => {
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string') {
      reply.header(
        'content-security-policy',
        csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${app.config.embedAncestors}`),
      );
    }
    reply.removeHeader('x-frame-options');
    return payload;
  });

  app.get<{ Params: { id: string }; Querystring: Query }>(
    '/einbetten/dienste/:id',
    { config: { access: 'open' } },
    async (request, reply) => {
      const id = /^[1-9][0-9]{0,8}$/.test(request.params.id) ? Number(request.params.id) : null;
      if (id === null || !(await isPublishedService(app.db.kysely, id)))
        return sendEmbedNotFound(reply, base);
      const now = new Date();
      const parsed = parseSeriesQuery(request.query, now);
      const permalink = `${base}/dienste/${id}${seriesSearch(parsed)}#verlauf`;
      const data = await loadServicePage(app.db.kysely, id, now, parsed.period);
      if (!data) return sendEmbedNotFound(reply, base);
      if (parsed.errors.length > 0) {
        return sendPage(
          reply,
          <EmbedLayout title={data.service.name} permalink={permalink}>
            <ErrorList title="Die Angaben sind ungültig" heading="h2" errors={parsed.errors} />
          </EmbedLayout>,
          400,
        );
      }
      const view = buildSeriesView(data, parsed.period, parsed.resolution);
      return sendPage(
        reply,
        <EmbedLayout title={`${data.service.name}: ${perUnitTitle(view.resolution)}`} permalink={permalink}>
          <p class="kern-body" id="verlauf-zusammenfassung">
            {view.summary}
          </p>
          {view.buckets.length > 0 ? <SeriesFigure view={view} /> : null}
        </EmbedLayout>,
      );
    },
  );

  app.get<{ Querystring: Query }>(
    '/einbetten/auswertungen',
    { config: { access: 'open', repeatable: ['dienst'] } },
    async (request, reply) => {
      const parsed = parseExplorerQuery(request.query, new Date());
      if (!parsed.ok) {
        return sendPage(
          reply,
          <EmbedLayout title="Auswertungen" permalink={`${base}/auswertungen`}>
            <ErrorList
              title="Die Angaben sind ungültig"
              heading="h2"
              errors={parsed.errors.map((e) => e.message)}
            />
          </EmbedLayout>,
          400,
        );
      }
      const params = parsed.params;
      const published = await publishedServiceIds(app.db.kysely, params.serviceIds);
      // A chosen service that is not published is not shown, and not named either.
      if (published && params.serviceIds.length > 0 && published.length < params.serviceIds.length)
        return sendEmbedNotFound(reply, base);
      // With unpublished services about, the sums come from the published ones named one by one
      // (id 0 exists never: no published service at all gives an empty result, not all services).
      const serviceIds = published ? (published.length > 0 ? published : [0]) : params.serviceIds;
      const result = await loadExploration(app.db.kysely, { ...params, serviceIds });
      result.params = params;
      if (published && params.serviceIds.length === 0 && params.dimension === 'dienst') {
        result.groups = result.groups.slice(0, TOP_SERVICES);
      }
      const perK = params.mode === 'je1000';
      const chartSvg =
        result.groups.length > 0
          ? renderBarChartSvg(
              result.groups.map((g) => ({ label: g.label, value: g.value })),
              { valueName: perK ? 'Transaktionen je 1.000 Einwohner' : 'Transaktionen', decimals: perK },
            )
          : null;
      return sendPage(
        reply,
        <ExplorerEmbed
          result={result}
          chartSvg={chartSvg}
          permalink={`${base}/auswertungen${explorerSearch(params)}`}
        />,
      );
    },
  );
}
