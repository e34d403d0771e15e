import type { FastifyInstance } from 'fastify';
import { audienceOf } from '../../http/access.js';
import { sendPage } from '../../web/render.js';
import { renderTimeSeriesSvg } from '../../web/chart.js';
import { renderChoroplethSvg } from '../evaluations/map.js';
import { loadStartPage } from './service.js';
import { StartPage } from './views.js';

/** The public start page at / (the list of services moved to /dienste). */
export function startRoutes(app: FastifyInstance): void {
  app.get('/', { config: { access: 'open' } }, async (request, reply) => {
    const data = await loadStartPage(app.db.kysely, new Date(), audienceOf(request));
    const lands = new Map(
      data.lands.filter((l) => l.land !== '00').map((l) => [`${l.land}0000000000`, l.total]),
    );
    const charts = {
      series:
        data.series.length > 0
          ? renderTimeSeriesSvg(data.series.map((p) => ({ ...p, running: false })))
          : null,
      map: lands.size > 0 ? renderChoroplethSvg({ layer: 'laender', values: lands }) : null,
    };
    return sendPage(reply, <StartPage data={data} charts={charts} />);
  });
}
