import type { FastifyInstance } from 'fastify';
import { lastClosedMonth, parseMonth } from '../../domain/months.js';
import { formatInt } from '../../web/format.js';
import { sendPage } from '../../web/render.js';
import { loadGrid, saveGrid } from './entry.js';
import { EntryPage, type EntryPageProps } from './entry-views.js';
import { loadTargetInfo } from './history.js';

type Params = { Params: { id: string }; Querystring: { monat?: string; gespeichert?: string } };

/** Manual entry of counts: a region x month grid saved as one delivery through the one write path. */
export function entryRoutes(app: FastifyInstance): void {
  const db = app.db.kysely;
  const access = { manage: 'service', param: 'id' } as const;

  const context = async (id: string, monat: string | undefined) => {
    const found = await loadTargetInfo(db, 'service', id);
    const { granularity } = await db
      .selectFrom('online_services')
      .select('granularity')
      .where('id', '=', Number(id))
      .executeTakeFirstOrThrow();
    const info = { ...found, granularity };
    const latest = lastClosedMonth();
    const parsed = monat ? parseMonth(monat) : null;
    const month = parsed?.ok ? parsed.value : latest;
    const invalid = parsed && !parsed.ok ? parsed.error.message : null;
    const grid = await loadGrid(
      db,
      info.target.kind === 'service' ? info.target.serviceId : 0,
      granularity,
      month,
    );
    return { info, latest, month, grid, invalid };
  };

  app.get<Params>('/dienste/:id/erfassen', { config: { access } }, async (request, reply) => {
    const { info, latest, month, grid, invalid } = await context(request.params.id, request.query.monat);
    const saved = request.query.gespeichert;
    const notice: EntryPageProps['notice'] = invalid
      ? { kind: 'danger', text: `${invalid} Angezeigt wird ${month}.` }
      : saved && /^[1-9][0-9]*$/.test(saved)
        ? { kind: 'success', text: 'Die Zahlen sind gespeichert.', deliveryId: Number(saved) }
        : undefined;
    return sendPage(
      reply,
      <EntryPage info={info} month={month} latest={latest} grid={grid} notice={notice} />,
    );
  });

  app.post<Params>('/dienste/:id/erfassen', { config: { access } }, async (request, reply) => {
    const { info, latest, month, grid } = await context(request.params.id, request.query.monat);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const result = await saveGrid(db, request.session!.user.id, Number(request.params.id), grid, body);
    if (result.kind === 'nothing') {
      return sendPage(
        reply,
        <EntryPage
          info={info}
          month={month}
          latest={latest}
          grid={grid}
          notice={{ kind: 'info', text: 'Es wurde keine Zahl geändert; es ist keine Lieferung entstanden.' }}
        />,
      );
    }
    if (result.kind === 'invalid') {
      return sendPage(
        reply,
        <EntryPage
          info={info}
          month={month}
          latest={latest}
          grid={grid}
          values={body}
          errors={result.errors}
        />,
        422,
      );
    }
    const s = result.summary;
    request.log.info(
      { deliveryId: s.deliveryId, created: s.created, updated: s.updated },
      `form delivery stored: ${formatInt(s.created)} new, ${formatInt(s.updated)} changed`,
    );
    return reply.redirect(
      `/dienste/${request.params.id}/erfassen?monat=${month}&gespeichert=${s.deliveryId}`,
      303,
    );
  });
}
