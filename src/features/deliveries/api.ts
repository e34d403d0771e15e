import { transactionWithRetry } from '../../db/retry.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { typeBoxValidator } from '../../http/validator.js';
import type { Static, TSchema } from 'typebox';
import { lockServices, deleteCounts } from '../../db/rollups/index.js';
import { parseArs } from '../../domain/ars.js';
import type { RowError } from '../../domain/counts.js';
import { dateToMonth, monthToDate, parseMonth } from '../../domain/months.js';
import { AppError, formatBytes, notFound } from '../../http/errors.js';
import { authErrors, ErrorSchema } from '../../http/schemas.js';
import { formatInt } from '../../web/format.js';
import { serviceApiRoutes } from '../services/api.js';
import {
  actorOf,
  apiRateLimitKey,
  requirePortalManagement,
  requireServiceScope,
  requireToken,
  tokenScopeOf,
} from '../tokens/auth.js';
import { scopeCovers, scopeCoversPortal } from '../tokens/tokens.js';
import {
  COUNTS_PER_PAGE,
  CountsQuery,
  CountsResponse,
  DeleteQuery,
  DeleteResponse,
  deliveryBody,
  DeliveryDetail,
  DeliveryParams,
  DeliveryQuery,
  deliveryResponses,
  IdempotencyHeaders,
  PortalCountsBody,
  PortalParams,
  ServiceCountsBody,
  ServiceParams,
} from './api-schemas.js';
import { parseDeliveryCsvStream } from './csv.js';
import { isIdempotencyConflict, previousResponse, requestHash, type StoredResponse } from './idempotency.js';
import {
  DeliveryTargetError,
  ingestDelivery,
  type DeliverySummary,
  type DeliveryTarget,
  type IncomingRow,
} from './ingest.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, for the Idempotency-Key hash. */
    rawBody?: Buffer;
  }
}

const TAG = 'Datenlieferung / delivery';
const security = [{ bearerAuth: [] }];

/** The token-authenticated delivery API (/api/v1). README.md and docs/errors.md describe it. */
export async function deliveryApiRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox instead of Fastify's default Ajv, which silently drops unknown fields instead of refusing them.
  app.setValidatorCompiler(typeBoxValidator);

  const bodyLimit = app.config.bodyLimitBytes;
  // Own parsers keep the raw bytes: the Idempotency-Key compares a hash of exactly what was sent.
  // The form parser of the pages would hand a delivery route an object it cannot read: 415 instead.
  app.removeContentTypeParser(['application/json', 'text/plain', 'application/x-www-form-urlencoded']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    request.rawBody = body as Buffer;
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      done(new AppError(400, 'invalid_json', 'Der Inhalt ist kein gültiges JSON.'), undefined);
    }
  });
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, (body as Buffer).toString('utf8'));
  });

  await app.register(rateLimit, {
    max: app.config.apiRateLimit,
    timeWindow: '1 minute',
    keyGenerator: apiRateLimitKey,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        429,
        'rate_limited',
        `Zu viele Anfragen: höchstens ${context.max} je Minute; bitte in ${Math.ceil(context.ttl / 1000)} s erneut versuchen.`,
      ),
  });
  app.addHook('onRequest', requireToken);

  const putDescription = (what: string) =>
    `Liefert Transaktionszahlen ${what} als JSON oder CSV. Ohne \`partial\` wird bei einem ungültigen ` +
    `Datensatz nichts gespeichert (422 \`delivery_invalid\`). Größte Anfrage: ${formatBytes(bodyLimit)}.`;

  // The service and the portal route differ only in who may deliver for the target: the query, the
  // Idempotency-Key, the bodies and the answers a client relies on must stay the same for both.
  const putCounts = <Params extends TSchema>(
    url: string,
    summary: string,
    what: string,
    params: Params,
    json: typeof ServiceCountsBody | typeof PortalCountsBody,
    allowedTarget: (request: FastifyRequest, params: Static<Params>) => Promise<DeliveryTarget>,
  ) =>
    app.put(
      url,
      {
        config: { access: 'token' },
        schema: {
          tags: [TAG],
          security,
          summary,
          description: putDescription(what),
          params,
          querystring: DeliveryQuery,
          headers: IdempotencyHeaders,
          body: deliveryBody(json),
          response: deliveryResponses,
        },
      },
      // The type provider cannot resolve a schema that is still a type parameter; the validator has
      // checked the params against `params` before the handler runs.
      async (request, reply) =>
        deliver(request, reply, await allowedTarget(request, request.params as Static<Params>)),
    );

  putCounts(
    '/api/v1/services/:serviceId/counts',
    'Zahlen eines Onlinedienstes liefern / deliver counts of a service',
    'eines Onlinedienstes',
    ServiceParams,
    ServiceCountsBody,
    async (request, { serviceId }) => {
      await requireServiceScope(request, serviceId);
      return { kind: 'service', serviceId };
    },
  );
  putCounts(
    '/api/v1/portals/:portalId/counts',
    'Zahlen der Onlinedienste eines Portals liefern / deliver counts of a portal',
    'mehrerer Onlinedienste eines Portals (je Zeile `serviceId`)',
    PortalParams,
    PortalCountsBody,
    async (request, { portalId }) => {
      await requirePortalManagement(request, portalId);
      return { kind: 'portal', portalId };
    },
  );

  app.get(
    '/api/v1/services/:serviceId/counts',
    {
      config: { access: 'token' },
      schema: {
        tags: [TAG],
        security,
        summary: 'Gespeicherte Zahlen lesen / read stored counts',
        params: ServiceParams,
        querystring: CountsQuery,
        response: { 200: CountsResponse, 400: ErrorSchema, ...authErrors },
      },
    },
    async (request) => {
      const { serviceId } = request.params;
      await requireServiceScope(request, serviceId);
      const { from, to, page = 1, perPage = COUNTS_PER_PAGE.default } = request.query;
      let inPeriod = app.db.kysely.selectFrom('counts').where('service_id', '=', serviceId);
      if (from) inPeriod = inPeriod.where('month', '>=', monthToDate(from));
      if (to) inPeriod = inPeriod.where('month', '<=', monthToDate(to));
      const [{ total }, rows] = await Promise.all([
        inPeriod.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow(),
        inPeriod
          .select(['month', 'ars', 'count'])
          .orderBy('month')
          .orderBy('ars')
          .limit(perPage)
          .offset((page - 1) * perPage)
          .execute(),
      ]);
      return {
        serviceId,
        page,
        perPage,
        total: Number(total),
        counts: rows.map((r) => ({ month: dateToMonth(r.month), ars: r.ars, count: r.count })),
      };
    },
  );

  app.delete(
    '/api/v1/services/:serviceId/counts',
    {
      config: { access: 'token' },
      schema: {
        tags: [TAG],
        security,
        summary: 'Einen Wert zurückziehen (wieder Lücke) / retract a value',
        params: ServiceParams,
        querystring: DeleteQuery,
        response: { 200: DeleteResponse, 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (request) => {
      const { serviceId } = request.params;
      await requireServiceScope(request, serviceId);
      const month = parseMonth(request.query.month, new Date());
      if (!month.ok) throw new AppError(400, month.error.code, month.error.message);
      const ars = parseArs(request.query.ars);
      if (!ars.ok) throw new AppError(400, ars.error.code, ars.error.message);
      const deleted = await transactionWithRetry(app.db.kysely, async (trx) => {
        await lockServices(trx, [serviceId]);
        return deleteCounts(
          trx,
          [{ serviceId, month: monthToDate(month.value), ars: ars.value }],
          null,
          actorOf(request),
        );
      });
      if (deleted === 0)
        throw notFound(`Für ${month.value} und Region ${ars.value} ist kein Wert gespeichert.`);
      return { deleted };
    },
  );

  app.get(
    '/api/v1/deliveries/:deliveryId',
    {
      config: { access: 'token' },
      schema: {
        tags: [TAG],
        security,
        summary: 'Eine Lieferung abfragen / read a delivery',
        params: DeliveryParams,
        response: { 200: DeliveryDetail, 404: ErrorSchema, ...authErrors },
      },
    },
    async (request) => {
      const { deliveryId } = request.params;
      const scope = tokenScopeOf(request);
      const d = await app.db.kysely
        .selectFrom('deliveries')
        .selectAll()
        .where('id', '=', deliveryId)
        .executeTakeFirst();
      // A foreign delivery answers like a missing one, so ids cannot be probed for other suppliers.
      const allowed =
        d !== undefined &&
        ((d.portal_id !== null && (await scopeCoversPortal(app.db.kysely, scope, d.portal_id))) ||
          (d.service_id !== null && (await scopeCovers(app.db.kysely, scope, d.service_id))));
      if (!allowed) throw notFound(`Lieferung ${deliveryId} gibt es nicht.`);
      return {
        deliveryId: d.id,
        serviceId: d.service_id,
        portalId: d.portal_id,
        channel: d.channel,
        status: d.status,
        rowsTotal: d.rows_total,
        created: d.created,
        updated: d.updated,
        unchanged: d.unchanged,
        rejected: d.rejected,
        errors: d.errors as RowError[],
        firstMonth: d.first_month ? dateToMonth(d.first_month) : null,
        lastMonth: d.last_month ? dateToMonth(d.last_month) : null,
        createdAt: new Date(d.created_at).toISOString(),
      };
    },
  );

  // The management routes share this context: the token hook, the parsers and the rate-limit budget.
  await app.register(serviceApiRoutes);
}

interface DeliveryRequest {
  query: { dryRun?: boolean; partial?: boolean };
  headers: { 'idempotency-key'?: string };
  body: unknown;
}

/** Shared by the service and the portal route: parse, idempotency, ingest, answer. */
async function deliver(
  request: FastifyRequest & DeliveryRequest,
  reply: FastifyReply,
  target: DeliveryTarget,
): Promise<FastifyReply> {
  const db = request.server.db.kysely;
  const scope = tokenScopeOf(request);
  const body = request.body;
  if (body === undefined || body === null) {
    throw new AppError(400, 'body_missing', 'Die Lieferung fehlt: JSON ({"counts": [...]}) oder CSV senden.');
  }
  // CSV is read from the raw bytes as a stream, like uploads: blank lines cost nothing.
  const { rows, rowNumbers } =
    typeof body === 'string'
      ? await parseDeliveryCsvStream(request.rawBody ?? Buffer.from(body, 'utf8'), target.kind === 'portal')
      : { rows: (body as { counts: IncomingRow[] }).counts, rowNumbers: undefined };
  const dryRun = request.query.dryRun === true;
  const key = request.headers['idempotency-key'];
  // A dry run stores nothing, so there is nothing to replay.
  const idempotency =
    key && !dryRun
      ? { key, requestHash: requestHash(request.rawBody ?? Buffer.alloc(0)), respond: deliveryResponse }
      : undefined;

  if (idempotency) {
    const earlier = await previousResponse(db, scope.tokenId, idempotency.key, idempotency.requestHash);
    if (earlier) return replay(reply, earlier);
  }
  let summary;
  try {
    summary = await ingestDelivery(db, {
      channel: 'api',
      actor: actorOf(request),
      target,
      rows,
      rowNumbers,
      dryRun,
      partial: request.query.partial === true,
      idempotency,
      file:
        typeof request.body === 'string'
          ? { name: 'lieferung.csv', mediaType: 'text/csv', content: request.rawBody ?? Buffer.alloc(0) }
          : undefined,
    });
  } catch (e) {
    if (e instanceof DeliveryTargetError) throw new AppError(404, e.code, e.message);
    if (idempotency && isIdempotencyConflict(e)) {
      // A concurrent request with the same key committed first, together with its answer.
      const earlier = await previousResponse(db, scope.tokenId, idempotency.key, idempotency.requestHash);
      if (earlier) return replay(reply, earlier);
    }
    throw e;
  }
  const response = deliveryResponse(summary);
  return reply.status(response.statusCode).send(response.body);
}

/** Errors are cut to the first MAX_REPORTED_ERRORS (ingest keeps no more); the total says how many. */
function deliveryResponse(summary: DeliverySummary): StoredResponse {
  const { deliveryId, status, created, updated, unchanged, rejected, errors, errorCount } = summary;
  const truncated = errorCount > errors.length;
  return status === 'rejected'
    ? {
        statusCode: 422,
        body: {
          error: {
            code: 'delivery_invalid',
            message: truncated
              ? `Die Lieferung enthält ${formatInt(errorCount)} Fehler und wurde nicht gespeichert; genannt sind die ersten ${formatInt(errors.length)}.`
              : `Die Lieferung enthält ${formatInt(errorCount)} Fehler und wurde nicht gespeichert.`,
            details: errors,
            totalErrors: errorCount,
            truncated,
          },
        },
      }
    : {
        statusCode: 200,
        body: {
          deliveryId,
          status,
          created,
          updated,
          unchanged,
          rejected,
          errors,
          totalErrors: errorCount,
          truncated,
        },
      };
}

function replay(reply: FastifyReply, stored: StoredResponse): FastifyReply {
  return reply.status(stored.statusCode).header('Idempotent-Replayed', 'true').send(stored.body);
}
