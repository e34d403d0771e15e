import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audienceOf, type Audience } from '../../http/access.js';
import { readDataStamp } from '../../http/data-stamp.js';
import { PublicPageCache } from '../../web/page-cache.js';
import { renderTimeSeriesSvg } from '../../web/chart.js';
import { renderChoroplethSvg } from '../evaluations/map.js';
import { loadStartPage, type StartPageData } from './service.js';
import { StartPage } from './views.js';

interface Built {
  data: StartPageData;
  charts: { series: string | null; map: string | null };
}

async function build(app: FastifyInstance, now: Date, audience: Audience): Promise<Built> {
  const data = await loadStartPage(app.db.kysely, now, audience);
  const lands = new Map(
    data.lands.filter((l) => l.land !== '00').map((l) => [`${l.land}0000000000`, l.total]),
  );
  const charts = {
    series:
      data.series.length > 0 ? renderTimeSeriesSvg(data.series.map((p) => ({ ...p, running: false }))) : null,
    map: lands.size > 0 ? renderChoroplethSvg({ layer: 'laender', values: lands }) : null,
  };
  return { data, charts };
}

/** The public start page at / (the list of services moved to /dienste). */
export function startRoutes(app: FastifyInstance): void {
  // The most visited page: the same for everyone of an audience until the data or the day change
  // (completeness and the closed months follow the calendar), so its figures and charts are built once
  // per data version, day and audience; visitors arriving together share one build.
  // Signed-out visitors get the rendered page itself from memory.
  const builds = new Map<Audience, { key: string; built: Promise<Built> }>();
  const pages = new PublicPageCache(app.db);
  const page = async (request: FastifyRequest) => {
    const now = new Date();
    const audience = audienceOf(request);
    const key = `${(await readDataStamp(app.db)).version}-${now.toISOString().slice(0, 10)}`;
    let entry = builds.get(audience);
    if (entry?.key !== key) {
      const fresh = { key, built: build(app, now, audience) };
      builds.set(audience, fresh);
      // A failed build (database away) must not stay cached.
      fresh.built.catch(() => {
        if (builds.get(audience) === fresh) builds.delete(audience);
      });
      entry = fresh;
    }
    const { data, charts } = await entry.built;
    return { node: <StartPage data={data} charts={charts} /> };
  };
  app.get('/', { config: { access: 'open' } }, (request, reply) =>
    pages.send(request, reply, () => page(request)),
  );
}
