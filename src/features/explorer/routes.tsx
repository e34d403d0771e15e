import { wantsFragment } from '../../http/negotiation.js';
import { audienceOf } from '../../http/access.js';
import { mustHideUnpublished } from '../../db/published.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PublicPageCache, type PageAnswer } from '../../web/page-cache.js';
import { renderBarChartSvg } from '../../web/chart.js';
import { listDataYears } from '../../db/rollups/index.js';
import { defaultForm, parseExplorerQuery } from './params.js';
import { listServiceOptions } from './queries.js';
import { loadExploration } from './service.js';
import { ExplorerPage, ExplorerResultView, ExplorerStatus } from './views.js';

type Query = Record<string, string | string[] | undefined>;

export function explorerRoutes(app: FastifyInstance): void {
  const pages = new PublicPageCache(app.db);
  app.get<{ Querystring: Query }>(
    '/auswertungen',
    // Services to compare are a list: ?dienst=1&dienst=2.
    // Open data: everyone while the public part is on; the public sees the published services only.
    { config: { access: 'open', repeatable: ['dienst'] } },
    (request, reply) => {
      reply.header('vary', 'HX-Request');
      const fragment = wantsFragment(request);
      return pages.send(request, reply, () => explorerPage(request, fragment), { fragment });
    },
  );

  async function explorerPage(
    request: FastifyRequest<{ Querystring: Query }>,
    fragment: boolean,
  ): Promise<PageAnswer> {
    const parsed = parseExplorerQuery(request.query, new Date());
    const audience = audienceOf(request);
    const result = parsed.ok ? await loadExploration(app.db.kysely, parsed.params, audience) : null;
    const errors = parsed.ok ? [] : parsed.errors;
    const chartSvg =
      result && result.groups.length > 0
        ? renderBarChartSvg(
            result.groups.map((g) => ({ label: g.label, value: g.value })),
            {
              valueName:
                result.params.mode === 'je1000' ? 'Transaktionen je 1.000 Einwohner' : 'Transaktionen',
              decimals: result.params.mode === 'je1000',
            },
          )
        : null;
    const status = parsed.ok ? 200 : 400;
    if (fragment) {
      return {
        node: (
          <>
            <ExplorerResultView
              result={result}
              errors={errors}
              chartSvg={chartSvg}
              publicUrl={app.config.publicUrl}
            />
            <ExplorerStatus result={result} />
          </>
        ),
        status,
      };
    }
    const years = await listDataYears(app.db.kysely, await mustHideUnpublished(app.db.kysely, audience));
    const defaults = defaultForm(new Date());
    const options = await listServiceOptions(
      app.db.kysely,
      { chosen: parsed.ok ? parsed.params.serviceIds : [], search: parsed.form.suche },
      audience,
    );
    return {
      node: (
        <ExplorerPage
          form={parsed.form}
          options={options}
          result={result}
          errors={errors}
          chartSvg={chartSvg}
          years={years}
          latestTwelve={{ from: defaults.von, to: defaults.bis }}
          publicUrl={app.config.publicUrl}
        />
      ),
      status,
    };
  }
}
