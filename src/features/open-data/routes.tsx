import type fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../http/errors.js';
import { setValidators } from '../../http/conditional.js';
import { sendPage } from '../../web/render.js';
import { catalogQuads, toJsonLd, toRdfXml, toTurtle } from './catalog.js';
import { dashboardCsv, dashboardJson, parseDashboardQuery } from './dashboard.js';
import { LICENSE } from './dictionary.js';
import { CSV_TYPE } from './generate.js';
import { readDataVersion } from './queries.js';
import { DownloadBuilder, openDataDir } from './scheduler.js';
import { OpenDataPage } from './views.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The downloads under <ZSK_DATA_DIR>/opendata and their rebuilds (src/features/open-data). */
    openData: DownloadBuilder;
  }
}

const CATALOG_TYPES = {
  ttl: 'text/turtle; charset=utf-8',
  jsonld: 'application/ld+json; charset=utf-8',
  rdf: 'application/rdf+xml; charset=utf-8',
} as const;

/**
 * Downloads, the /opendata page, the Dashboard export and the DCAT-AP.de catalogue. Added to the root
 * instance (not registered as an encapsulated plugin), so that app.openData and the start and stop
 * hooks belong to the app itself. Every answer holds published services only, for every visitor.
 */
export async function openDataRoutes(app: FastifyInstance): Promise<void> {
  const { dir, temporary } = await openDataDir(app.config);
  const builder = new DownloadBuilder(app.db.kysely, dir, app.config.openData, app.log);
  app.decorate('openData', builder);
  app.addHook('onReady', () => builder.start());
  app.addHook('onClose', async () => {
    await builder.stop();
    if (temporary) await fsp.rm(dir, { recursive: true, force: true });
  });

  app.get('/opendata', { config: { access: 'open' } }, async (_request, reply) => {
    const manifest = await builder.current();
    return sendPage(
      reply,
      <OpenDataPage manifest={manifest} attribution={app.config.openData.attribution} />,
    );
  });

  app.get('/opendata/:datei', { config: { access: 'open' } }, async (request, reply) => {
    const { datei } = request.params as { datei: string };
    const manifest = await builder.current();
    // Only names the last build wrote: nothing else under the directory (or beyond it) is reachable.
    const file = manifest.files.find((f) => f.name === datei);
    if (!file) throw notFound('Diese Datei gibt es unter den offenen Daten nicht.');
    let handle: fs.promises.FileHandle;
    try {
      handle = await fsp.open(path.join(builder.dir, file.name), 'r');
    } catch {
      throw notFound('Diese Datei gibt es unter den offenen Daten nicht.');
    }
    // The opened file is served whole even if a rebuild renames a new one over it meanwhile; its
    // own size is the Content-Length, its own time Last-Modified.
    const stat = await handle.stat();
    const etag = `${file.sha256.slice(0, 32)}-${stat.size}`;
    if (
      setValidators(
        request,
        reply,
        { etag: `"${etag}"`, lastModified: stat.mtime },
        { maxAge: app.config.openData.maxAge, shared: true },
      )
    ) {
      await handle.close();
      return reply.code(304).send();
    }
    return reply
      .type(file.mediaType)
      .header('content-length', stat.size)
      .header('content-disposition', `attachment; filename="${file.name}"`)
      .send(handle.createReadStream());
  });

  for (const format of ['json', 'csv'] as const) {
    app.get(`/opendata/dashboard.${format}`, { config: { access: 'open' } }, async (request, reply) => {
      const manifest = await builder.current();
      const query = parseDashboardQuery(request.query as Record<string, unknown>, manifest.period);
      const { version, changedAt } = await readDataVersion(app.db.kysely);
      const etag = `d${version}-${query?.from ?? ''}-${query?.to ?? ''}-${format}`;
      if (
        setValidators(
          request,
          reply,
          { etag: `"${etag}"`, lastModified: changedAt },
          { maxAge: app.config.openData.maxAge, shared: true },
        )
      ) {
        return reply.code(304).send();
      }
      const body =
        format === 'json'
          ? dashboardJson(app.db.kysely, query, {
              license: LICENSE.uri,
              attribution: app.config.openData.attribution,
            })
          : dashboardCsv(app.db.kysely, query);
      return reply
        .type(format === 'json' ? 'application/json; charset=utf-8' : CSV_TYPE)
        .header(
          'content-disposition',
          `${format === 'json' ? 'inline' : 'attachment'}; filename="zsk-dashboard${query ? `-${query.from}-bis-${query.to}` : ''}.${format}"`,
        )
        .send(Readable.from(body));
    });
  }

  for (const format of ['ttl', 'jsonld', 'rdf'] as const) {
    app.get(`/dcat/catalog.${format}`, { config: { access: 'open' } }, async (request, reply) => {
      const manifest = await builder.current();
      const etag = `c${manifest.version}-${Date.parse(manifest.generatedAt)}-${format}`;
      if (
        setValidators(
          request,
          reply,
          { etag: `"${etag}"`, lastModified: new Date(manifest.generatedAt) },
          { maxAge: app.config.openData.maxAge, shared: true },
        )
      ) {
        return reply.code(304).send();
      }
      const quads = catalogQuads(manifest, app.config.openData, app.config.publicUrl);
      const body =
        format === 'ttl' ? await toTurtle(quads) : format === 'jsonld' ? toJsonLd(quads) : toRdfXml(quads);
      return reply.type(CATALOG_TYPES[format]).send(body);
    });
  }
}
