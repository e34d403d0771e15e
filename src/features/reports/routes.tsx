import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import { audienceOf } from '../../http/access.js';
import { mustHideUnpublished } from '../../db/published.js';
import { parsePageNumber } from '../../web/pagination.js';
import { sendPage } from '../../web/render.js';
import { reportCsv, reportXlsx } from './export.js';
import { listDataYears } from '../../db/rollups/index.js';
import { listPortalReport, listServiceReport, listServiceReportPage } from './queries.js';
import {
  parseReportQuery,
  PORTAL_TABLE,
  SERVICE_TABLE,
  sortRows,
  type ReportQuery,
  type ReportTable,
} from './report.js';
import { PortalReportPage, ReportErrorPage, SERVICE_REPORT_PAGE_SIZE, ServiceReportPage } from './views.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const berlinDate = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' });

/** zsk-bericht-portale-2026-11-23.csv; with a period: zsk-bericht-portale-2024-01-bis-2024-12-2026-11-23.csv */
export function exportFileName(slug: string, query: ReportQuery, now: Date, extension: string): string {
  const { from, to } = query.period;
  const period = from || to ? `-${from ?? 'anfang'}-bis-${to ?? 'ende'}` : '';
  return `zsk-bericht-${slug}${period}-${berlinDate.format(now)}.${extension}`;
}

export function reportRoutes(app: FastifyInstance): void {
  async function load<R>(
    table: ReportTable<R>,
    request: FastifyRequest,
    read: (period: ReportQuery['period']) => Promise<R[]>,
  ) {
    const parsed = parseReportQuery(table, request.query as Record<string, unknown>, new Date());
    if (!parsed.ok) return { ok: false as const, errors: parsed.error };
    const rows = sortRows(table, await read(parsed.value.period), parsed.value.sort, parsed.value.dir);
    return { ok: true as const, query: parsed.value, rows };
  }

  // Anonymous visitors of the open reports see the published services only, in rows and in sums.
  const hiding = (request: FastifyRequest) => mustHideUnpublished(app.db.kysely, audienceOf(request));

  const fallback = <R,>(table: ReportTable<R>): ReportQuery => ({
    period: { from: null, to: null },
    sort: table.defaultSort.key,
    dir: table.defaultSort.dir,
  });

  app.get('/berichte', { config: { access: 'open' } }, async (request, reply) => {
    const hide = await hiding(request);
    const result = await load(PORTAL_TABLE, request, (p) => listPortalReport(app.db.kysely, p, hide));
    const years = await listDataYears(app.db.kysely, hide);
    if (!result.ok)
      return sendPage(
        reply,
        <ReportErrorPage
          table={PORTAL_TABLE}
          query={fallback(PORTAL_TABLE)}
          errors={result.errors}
          years={years}
        />,
        400,
      );
    return sendPage(
      reply,
      <PortalReportPage table={PORTAL_TABLE} query={result.query} rows={result.rows} years={years} />,
    );
  });

  // Pages of SERVICE_REPORT_PAGE_SIZE rows sorted in the database: at 100,000 services the whole
  // table would be megabytes of HTML. The exports keep every row.
  app.get('/berichte/dienste', { config: { access: 'open' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const parsed = parseReportQuery(SERVICE_TABLE, raw, new Date());
    const seite = parsePageNumber(raw.seite);
    const errors = [...(parsed.ok ? [] : parsed.error), ...(seite.ok ? [] : [seite.error])];
    const hide = await hiding(request);
    const years = await listDataYears(app.db.kysely, hide);
    if (!parsed.ok || !seite.ok)
      return sendPage(
        reply,
        <ReportErrorPage
          table={SERVICE_TABLE}
          query={fallback(SERVICE_TABLE)}
          errors={errors}
          years={years}
        />,
        400,
      );
    const query = parsed.value;
    const result = await listServiceReportPage(
      app.db.kysely,
      query.period,
      query.sort,
      query.dir,
      { size: SERVICE_REPORT_PAGE_SIZE, number: seite.value },
      hide,
    );
    return sendPage(
      reply,
      <ServiceReportPage
        table={SERVICE_TABLE}
        query={query}
        rows={result.rows}
        figures={result.figures}
        page={result.page}
        pageCount={result.pageCount}
        years={years}
      />,
    );
  });

  async function exportTable<R>(
    table: ReportTable<R>,
    format: 'csv' | 'xlsx',
    request: FastifyRequest,
    reply: FastifyReply,
    read: (period: ReportQuery['period']) => Promise<R[]>,
  ) {
    const result = await load(table, request, read);
    if (!result.ok) {
      throw new AppError(
        400,
        'report_query_invalid',
        result.errors.map((e) => e.message).join(' '),
        result.errors.map((e) => ({ code: e.code, message: e.message })),
      );
    }
    const now = new Date();
    const body =
      format === 'csv'
        ? reportCsv(table, result.rows)
        : await reportXlsx(table, result.rows, {
            subtitle: `Zeitraum: ${result.query.period.from ?? 'Anfang'} bis ${result.query.period.to ?? 'Ende'}`,
            created: now,
          });
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
      .header(
        'content-disposition',
        `attachment; filename="${exportFileName(table.slug, result.query, now, format)}"`,
      )
      .send(body);
  }

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/berichte/portale.${format}`, { config: { access: 'open' } }, async (request, reply) => {
      const hide = await hiding(request);
      return exportTable(PORTAL_TABLE, format, request, reply, (p) =>
        listPortalReport(app.db.kysely, p, hide),
      );
    });
    app.get(`/berichte/dienste.${format}`, { config: { access: 'open' } }, async (request, reply) => {
      const hide = await hiding(request);
      return exportTable(SERVICE_TABLE, format, request, reply, (p) =>
        listServiceReport(app.db.kysely, p, hide),
      );
    });
  }
}
