import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { dateToMonth } from '../../domain/months.js';
import { AppError } from '../../http/errors.js';
import { authErrors, ErrorSchema } from '../../http/schemas.js';
import { actorOf, requirePortalManagement, requireServiceManagement } from '../tokens/auth.js';
import {
  BatchQuery,
  batchResponses,
  ListQuery,
  PatchBody,
  PatchResponse,
  PortalParams,
  ServiceIdParams,
  ServiceList,
  servicesBody,
  type ServiceItem,
} from './api-schemas.js';
import { checkServiceRow, parseServiceCsv, saveServiceBatch, type ServiceRowInput } from './bulk.js';
import { GranularityLockedError, loadServiceForm, setServicePublishedIn, updateServiceIn } from './editor.js';
import { transactionWithRetry } from '../../db/retry.js';

const TAG = 'Onlinedienste verwalten / manage services';

/** The editor's names of changed fields that the API calls otherwise. */
const API_FIELD_NAME: Record<string, string> = {
  serviceType: 'type',
  isFocus: 'focus',
  authorityId: 'authority',
};
const security = [{ bearerAuth: [] }];

/**
 * The service-management API. Registered inside the delivery API's plugin (deliveries/api.ts), so it
 * shares its bearer-token hook, its body parsers and one rate-limit budget per token.
 */
export function serviceApiRoutes(parent: FastifyInstance): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.db.kysely;

  app.get(
    '/api/v1/portals/:portalId/services',
    {
      config: { access: 'token' },
      schema: {
        tags: [TAG],
        security,
        summary: 'Onlinedienste eines Portals / services of a portal',
        description: 'Seitenweise, nach Id geordnet. `serviceKey` ist der eigene Schlüssel des Portals.',
        params: PortalParams,
        querystring: ListQuery,
        response: { 200: ServiceList, 404: ErrorSchema, ...authErrors },
      },
    },
    async (request) => {
      const { portalId } = request.params;
      await requirePortalManagement(request, portalId);
      const page = request.query.page ?? 1;
      const perPage = request.query.perPage ?? 100;
      const { total, services } = await listPortalServices(db, portalId, page, perPage);
      return { portalId, page, perPage, total, services };
    },
  );

  app.post(
    '/api/v1/portals/:portalId/services',
    {
      config: { access: 'token' },
      schema: {
        tags: [TAG],
        security,
        summary: 'Onlinedienste anlegen oder ändern / create or update services',
        description:
          'Je Zeile ein Onlinedienst, benannt durch `serviceKey`: ein neuer Schlüssel legt den Dienst im ' +
          'Portal an, ein bekannter ändert ihn. Ohne `partial` wird bei einem ungültigen Datensatz nichts ' +
          'gespeichert (422 `services_invalid`, alle Zeilenfehler in `details`).',
        params: PortalParams,
        querystring: BatchQuery,
        body: servicesBody,
        response: batchResponses,
      },
    },
    async (request, reply) => {
      const { portalId } = request.params;
      await requirePortalManagement(request, portalId);
      const body = request.body;
      if (body === undefined || body === null)
        throw new AppError(
          400,
          'body_missing',
          'Die Liste der Onlinedienste fehlt: JSON-Array oder CSV senden.',
        );
      const { rows, firstRowNumber } =
        typeof body === 'string'
          ? parseServiceCsv(body)
          : { rows: body as ServiceRowInput[], firstRowNumber: 1 };
      const summary = await saveServiceBatch(db, {
        portalId,
        actor: actorOf(request),
        rows,
        firstRowNumber,
        dryRun: request.query.dryRun === true,
        partial: request.query.partial === true,
      });
      if (summary.status === 'rejected')
        throw new AppError(
          422,
          'services_invalid',
          `Die Liste enthält ${summary.errors.length} Fehler; es wurde nichts gespeichert.`,
          summary.errors,
        );
      return reply.send({ ...summary, status: summary.status });
    },
  );

  app.patch(
    '/api/v1/services/:id',
    {
      config: { access: 'token' },
      schema: {
        tags: [TAG],
        security,
        summary: 'Stammdaten eines Onlinedienstes ändern / update master data of a service',
        description:
          'Nur die gesendeten Felder ändern sich. Die Granularität steht fest, sobald Zahlen gespeichert ' +
          'sind (409 `granularity_locked`). `published: false` („nicht veröffentlichen“) nimmt den Dienst aus ' +
          'allen öffentlichen Ausgaben und Summen.',
        params: ServiceIdParams,
        body: PatchBody,
        response: {
          200: PatchResponse,
          400: ErrorSchema,
          404: ErrorSchema,
          409: ErrorSchema,
          422: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const serviceId = request.params.id;
      const stored = await loadServiceForm(db, serviceId);
      if (!stored) throw new AppError(404, 'service_not_found', `Onlinedienst ${serviceId} existiert nicht.`);
      const scope = await requireServiceManagement(request, serviceId);
      const { published, ...patch } = request.body;
      // The stored master data as a bulk row, overlaid by the patch: the same rules as every other way in.
      // Absent fields keep their stored value (rowToForm); null clears, like an empty string.
      const row: ServiceRowInput = {
        ...patch,
        name: patch.name ?? stored.stored.name,
        url: patch.url === null ? '' : patch.url,
        authority: patch.authority === null ? '' : patch.authority,
        type: patch.type ?? stored.stored.serviceType,
        buildMode: patch.buildMode ?? stored.stored.buildMode,
        granularity: patch.granularity ?? stored.stored.granularity,
        description: patch.description === null ? '' : patch.description,
      };
      const checked = await checkServiceRow(db, row, 1, stored.form);
      if ('errors' in checked)
        throw new AppError(
          422,
          'service_invalid',
          `Die Stammdaten enthalten ${checked.errors.length} Fehler; es wurde nichts gespeichert.`,
          checked.errors.map(({ row: _row, ...rest }) => rest),
        );
      let changed: string[];
      try {
        // Master data and the publish switch in one transaction, each with its audit record.
        changed = await transactionWithRetry(db, async (trx) => {
          const fields = await updateServiceIn(trx, actorOf(request), serviceId, checked.data);
          if (
            published !== undefined &&
            (await setServicePublishedIn(trx, actorOf(request), serviceId, published))
          )
            fields.push('published');
          return fields;
        });
      } catch (e) {
        if (!(e instanceof GranularityLockedError)) throw e;
        throw new AppError(
          409,
          'granularity_locked',
          'Die Granularität lässt sich nicht mehr ändern: Für diesen Onlinedienst sind schon Zahlen gespeichert. ' +
            'Bitte wenden Sie sich an die ZSK-Administration, wenn die Zahlen in anderer Granularität neu geliefert werden sollen.',
        );
      }
      changed = changed.map((field) => API_FIELD_NAME[field] ?? field);
      const [service] = await serviceItems(db, [serviceId], scope.kind === 'portal' ? scope.portalId : null);
      return { changed, service: service! };
    },
  );
}

interface ItemRow {
  id: number;
  service_key: string | null;
  name: string;
  url: string | null;
  authority: string | null;
  service_type: string;
  build_mode: string;
  is_focus: boolean;
  granularity: string;
  description: string | null;
  leika: string[] | null;
  ozg: string[] | null;
  first_month: string | Date | null;
  last_month: string | Date | null;
  published: boolean;
}

/** A page of the portal's services, by id, with the portal's key and the months with data. */
export async function listPortalServices(
  db: Kysely<Database>,
  portalId: number,
  page: number,
  perPage: number,
): Promise<{ total: number; services: ServiceItem[] }> {
  const portal = await db.selectFrom('portals').select('id').where('id', '=', portalId).executeTakeFirst();
  if (!portal) throw new AppError(404, 'portal_not_found', `Portal ${portalId} existiert nicht.`);
  const { total } = await db
    .selectFrom('portal_services')
    .select(sql<number>`count(*)::int`.as('total'))
    .where('portal_id', '=', portalId)
    .executeTakeFirstOrThrow();
  const ids = await db
    .selectFrom('portal_services')
    .select('service_id')
    .where('portal_id', '=', portalId)
    .orderBy('service_id')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return {
    total: Number(total),
    services: await serviceItems(
      db,
      ids.map((r) => r.service_id),
      portalId,
    ),
  };
}

/** The API's view of services, in id order; the key is the one of `portalId` (none without a portal). */
async function serviceItems(
  db: Kysely<Database>,
  serviceIds: number[],
  portalId: number | null,
): Promise<ServiceItem[]> {
  if (serviceIds.length === 0) return [];
  const rows = await sql<ItemRow>`
    SELECT s.id, ps.service_key, s.name, s.url, a.name AS authority, s.service_type, s.build_mode,
           s.is_focus, s.granularity, s.description,
           (SELECT array_agg(l.leika_key ORDER BY l.leika_key) FROM online_service_leika l
             WHERE l.service_id = s.id) AS leika,
           (SELECT array_agg(o.ozg_id ORDER BY o.ozg_id) FROM online_service_ozg o
             WHERE o.service_id = s.id) AS ozg,
           r.first_month, r.last_month, s.published
    FROM online_services s
    LEFT JOIN authorities a ON a.id = s.authority_id
    LEFT JOIN portal_services ps ON ps.service_id = s.id AND ps.portal_id = ${portalId}
    LEFT JOIN rollup_service r ON r.service_id = s.id
    WHERE s.id IN (${sql.join(serviceIds)})
    ORDER BY s.id`.execute(db);
  const month = (d: string | Date | null) => (d === null ? null : dateToMonth(d));
  return rows.rows.map((r) => ({
    id: r.id,
    serviceKey: r.service_key,
    name: r.name,
    url: r.url,
    authority: r.authority,
    type: r.service_type,
    buildMode: r.build_mode,
    focus: r.is_focus,
    granularity: r.granularity,
    description: r.description,
    leika: r.leika ?? [],
    ozg: r.ozg ?? [],
    firstMonth: month(r.first_month),
    lastMonth: month(r.last_month),
    published: r.published,
  }));
}
