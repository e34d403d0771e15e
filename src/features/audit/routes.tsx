import type { FastifyInstance } from 'fastify';
import type { FieldErrors } from '../../web/form.js';
import { sendPage } from '../../web/render.js';
import { parseId } from '../../http/ids.js';
import { berlinDayEnd, berlinDayStart, listAudit, type AuditFilter } from './queries.js';
import { AuditPage, type AuditQuery } from './views.js';

type Query = AuditQuery & { vor?: string };

const text = (value: unknown, max = 200): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : undefined;

export function auditRoutes(app: FastifyInstance): void {
  app.get<{ Querystring: Query }>(
    '/verwaltung/protokoll',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const q = request.query;
      const query: AuditQuery = {
        aktion: text(q.aktion),
        objekt: text(q.objekt),
        objektId: text(q.objektId),
        akteur: text(q.akteur),
        von: text(q.von, 10),
        bis: text(q.bis, 10),
        lieferung: text(q.lieferung, 20),
      };
      const errors: FieldErrors = {};
      const from = query.von ? berlinDayStart(query.von) : null;
      const until = query.bis ? berlinDayEnd(query.bis) : null;
      if (query.von && !from) errors.von = 'Bitte geben Sie das Anfangsdatum als Datum ein (TT.MM.JJJJ).';
      if (query.bis && !until) errors.bis = 'Bitte geben Sie das Enddatum als Datum ein (TT.MM.JJJJ).';
      if (from && until && from >= until) errors.bis = 'Das Enddatum liegt vor dem Anfangsdatum.';
      const deliveryId = parseId(query.lieferung ?? '');
      const before = parseId(q.vor ?? '');
      const filter: AuditFilter = {
        action: query.aktion,
        entity: query.objekt,
        entityId: query.objektId,
        actor: query.akteur,
        from: from ?? undefined,
        until: until ?? undefined,
        deliveryId: deliveryId ?? undefined,
        before: before ?? undefined,
      };
      if (Object.keys(errors).length > 0) {
        return sendPage(reply, <AuditPage query={query} rows={[]} more={false} errors={errors} />, 422);
      }
      const { rows, more } = await listAudit(app.db.kysely, filter);
      return sendPage(
        reply,
        <AuditPage query={query} rows={rows} more={more} before={before ?? undefined} />,
      );
    },
  );
}
