import { isHtmxRequest } from '../../http/negotiation.js';
import { renamedParam } from '../../http/renamed-params.js';
import type { FastifyInstance } from 'fastify';
import { sendFragment, sendPage } from '../../web/render.js';
import { listMasterDataImports } from './import.js';
import { listThemenfeldCounts, loadCatalogueStatus, normaliseQuery, searchCatalogue } from './search.js';
import { CatalogueResults, CatalogueSearchPage, MasterDataPage, type SearchState } from './views.js';

interface SearchQuery {
  suche?: string;
  /** The former name of suche. */
  q?: string;
  auswahl?: string;
}

export function catalogueRoutes(app: FastifyInstance): void {
  app.get<{ Querystring: SearchQuery }>(
    '/katalog/suche',
    {
      config: { access: 'signed-in' },
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: {
            suche: { type: 'string', maxLength: 1000 },
            q: { type: 'string', maxLength: 1000 },
            auswahl: { type: 'string', maxLength: 10 },
          },
        },
      },
    },
    async (request, reply) => {
      const q = normaliseQuery(renamedParam(request.query, 'suche', 'q'));
      const state: SearchState = {
        q,
        pick: request.query.auswahl === '1',
        hits: await searchCatalogue(app.db.kysely, q),
      };
      // The same URL answers a fragment to htmx and a page to everyone else; caches must tell them apart.
      reply.header('Vary', 'HX-Request');
      if (isHtmxRequest(request)) {
        return sendFragment(reply, <CatalogueResults state={state} oob={true} />);
      }
      const status = await loadCatalogueStatus(app.db.kysely);
      return sendPage(reply, <CatalogueSearchPage state={state} status={status} />);
    },
  );

  app.get(
    '/stammdaten',
    { schema: { hide: true }, config: { access: 'signed-in' } },
    async (_request, reply) => {
      const [status, themenfelder, imports] = await Promise.all([
        loadCatalogueStatus(app.db.kysely),
        listThemenfeldCounts(app.db.kysely),
        listMasterDataImports(app.db.kysely),
      ]);
      return sendPage(
        reply,
        <MasterDataPage status={status} themenfelder={themenfelder} imports={imports} />,
      );
    },
  );
}
