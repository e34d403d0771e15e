import type { FastifyInstance } from 'fastify';
import { sendPage } from '../../web/render.js';
import { audienceOf } from '../../http/access.js';
import { mustHideUnpublished } from '../../db/published.js';
import { loadFilterOptions, loadServiceList, parseServiceListQuery, type ServiceListQuery } from './list.js';
import { ServiceListPage } from './views.js';

/** A repeated parameter (?typ=1&typ=4) counts as its first value; a GET form never sends one. */
const firstValues = (query: Record<string, unknown>): ServiceListQuery =>
  Object.fromEntries(
    Object.entries(query)
      .map(([k, v]): [string, unknown] => [k, Array.isArray(v) ? (v[0] as unknown) : v])
      .filter(([, v]) => typeof v === 'string'),
  );

export function serviceRoutes(app: FastifyInstance): void {
  // The list of services moved from / (now the public start page, src/features/start) to /dienste.
  app.get('/dienste', { config: { access: 'open' } }, async (request, reply) => {
    const { filter, page } = parseServiceListQuery(firstValues(request.query as Record<string, unknown>));
    const hide = await mustHideUnpublished(app.db.kysely, audienceOf(request));
    const data = await loadServiceList(app.db.kysely, filter, page, new Date(), undefined, hide);
    const options = await loadFilterOptions(app.db.kysely, hide);
    return sendPage(reply, <ServiceListPage data={data} options={options} />);
  });
}
