import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { typeBoxValidator } from '../../http/validator.js';
import type { Static } from 'typebox';
import { audienceOf } from '../../http/access.js';
import {
  AnswerCache,
  IssuedValidators,
  setValidators,
  validatorsOf,
  type CachedAnswer,
} from '../../http/conditional.js';
import { readDataStamp } from '../../http/data-stamp.js';
import { HTTPS_HEADERS, httpsDecider, securityHeaders } from '../../http/security-headers.js';
import type { Config } from '../../config.js';
import { AppError, notFound } from '../../http/errors.js';
import { parseId } from '../../http/ids.js';
import { csvDocument } from '../../web/csv.js';
import {
  AggregatesQuery,
  AggregatesResponse,
  CountsParams,
  CountsQuery,
  CountsResponse,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  openResponses,
  ServicesQuery,
  ServicesResponse,
} from './schemas.js';
import {
  aggregatesCsv,
  aggregatesJsonStat,
  countsCsv,
  countsJsonStat,
  loadAggregates,
  loadCounts,
  loadServicePage,
  servicesCsv,
} from './service.js';

const TAG = 'Open Data';
export const OPEN_API_PREFIX = '/api/open/v1';

type Format = 'json' | 'csv' | 'jsonstat';

/**
 * JSON unless asked otherwise: `format` decides, else the `.csv` suffix, else Accept: text/csv.
 * A `.csv` address asked for another format is a contradiction, not a guess.
 */
function formatOf(request: FastifyRequest, csvSuffix: boolean, format: Format | undefined): Format {
  if (csvSuffix) {
    if (format !== undefined && format !== 'csv') {
      throw new AppError(
        400,
        'invalid_parameter',
        `Parameter „format“: ${format} passt nicht zur Endung .csv; bitte eines von beiden weglassen.`,
      );
    }
    return 'csv';
  }
  if (format) return format;
  return /\btext\/csv\b/i.test(request.headers.accept ?? '') ? 'csv' : 'json';
}

function csvAnswer(name: string, rows: Iterable<readonly (string | number | null)[]>): CachedAnswer {
  return {
    contentType: 'text/csv; charset=utf-8',
    body: csvDocument(rows),
    headers: { 'Content-Disposition': `inline; filename="${name}.csv"` },
  };
}

/** JSON as bytes, so that the answer can be kept; the response schemas document its shape. */
const jsonAnswer = (value: unknown): CachedAnswer => ({
  contentType: 'application/json; charset=utf-8',
  body: Buffer.from(JSON.stringify(value), 'utf8'),
});

/** Every answer of the open-data API may be read by pages of other origins. */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag, Last-Modified, Retry-After, Content-Disposition',
  'cross-origin-resource-policy': 'cross-origin',
  vary: 'Accept',
};

declare module 'fastify' {
  interface FastifyInstance {
    issuedValidators: IssuedValidators;
  }
}

/**
 * The validators the open-data API issues to signed-out clients, so that the HTTP server answers a
 * conditional request naming current ones with the same 304 the route would send (serverAnsweringFirst
 * in app.ts), before session, CSRF guard, id checks, rate limit and validation. Such 304s do not count
 * against the rate limit: they cost less than its bookkeeping. Only while the public part is on, since
 * the routes remember validators only then.
 */
export function openDataValidators(config: Config): IssuedValidators {
  return new IssuedValidators({
    prefix: `${OPEN_API_PREFIX}/`,
    headers: { ...securityHeaders(config), ...CORS_HEADERS },
    secureHeaders: HTTPS_HEADERS,
    isHttps: httpsDecider(config),
  });
}

/** The read-only open-data API: no token, published services only, cacheable, rate-limited, CORS. */
export async function openDataApiRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox instead of Fastify's default Ajv, which drops unknown parameters instead of refusing them.
  app.setValidatorCompiler(typeBoxValidator);
  const { maxAge: openDataMaxAge, rateLimit: openDataRateLimit } = app.config.openData;

  // Before the rate limit's hook, so that a 429 carries it too and a browser can read its message.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(CORS_HEADERS);
    done();
  });
  const issued = app.issuedValidators;
  await app.register(rateLimit, {
    max: openDataRateLimit,
    timeWindow: '1 minute',
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        429,
        'rate_limited',
        `Zu viele Anfragen: höchstens ${context.max} je Minute und Adresse; bitte in ${Math.ceil(context.ttl / 1000)} s erneut versuchen.`,
      ),
  });

  // CORS preflight: only GET is offered, with the headers of a conditional request.
  app.options(`${OPEN_API_PREFIX}/*`, { config: { access: 'public' } }, async (_request, reply) =>
    reply
      .code(204)
      .header('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS')
      .header('Access-Control-Allow-Headers', 'Accept, If-None-Match, If-Modified-Since')
      .header('Access-Control-Max-Age', '86400')
      .send(),
  );

  const cache = new AnswerCache();

  /**
   * ETag/Last-Modified/Cache-Control, and 304 when the client's copy is current, else the answer: from
   * memory when the same address was answered for the same data version, else built. The ETag names the
   * data, not the address, so a 304 comes only after the answer exists: an address the build refuses (a
   * month 13, an unknown service) is refused even when it names current validators, and only addresses
   * answered are remembered for the early 304s.
   */
  const answer = async (
    request: FastifyRequest,
    reply: FastifyReply,
    format: Format,
    build: (updated: Date) => Promise<CachedAnswer>,
  ) => {
    const audience = audienceOf(request);
    const shared = audience === 'published';
    const variant = `${format}-${audience}`;
    const stamp = await readDataStamp(app.db);
    const now = new Date();
    const v = validatorsOf(stamp, variant, now);
    const kept = shared ? cache.get(v.etag, request.url) : undefined;
    const result = kept ?? (await build(v.lastModified));
    if (shared && !kept) cache.set(v.etag, request.url, result);
    if (shared && !request.headers.cookie && app.config.publicData)
      issued.remember(request, stamp, v, openDataMaxAge, now);
    if (setValidators(request, reply, v, { maxAge: openDataMaxAge, shared })) return reply.code(304).send();
    for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
    return reply.type(result.contentType).send(result.body);
  };

  const pageOf = (q: { page?: number; pageSize?: number }) => ({
    page: q.page ?? 1,
    pageSize: q.pageSize ?? DEFAULT_PAGE_SIZE,
  });

  for (const csvSuffix of [false, true]) {
    const suffix = csvSuffix ? '.csv' : '';
    app.get(
      `${OPEN_API_PREFIX}/services${suffix}`,
      {
        config: { access: 'open' },
        schema: {
          tags: [TAG],
          summary: `Veröffentlichte Onlinedienste mit Stammdaten${csvSuffix ? ' (CSV)' : ''} / published services`,
          description:
            'Seitenweise nach Id geordnet. Stammdaten, erster und letzter Monat mit Daten und die Summe ' +
            `aller Transaktionen. Höchstens ${MAX_PAGE_SIZE} Einträge je Seite.`,
          querystring: ServicesQuery,
          response: openResponses(ServicesResponse),
        },
      },
      async (request, reply) => {
        const format = formatOf(request, csvSuffix, request.query.format);
        return answer(request, reply, format, async () => {
          const result = await loadServicePage(app.db.kysely, audienceOf(request), pageOf(request.query));
          if (format === 'csv') return csvAnswer('onlinedienste', servicesCsv(result.items));
          return jsonAnswer(result satisfies Static<typeof ServicesResponse>);
        });
      },
    );

    app.get(
      `${OPEN_API_PREFIX}/services/:id/counts${suffix}`,
      {
        config: { access: 'open' },
        schema: {
          tags: [TAG],
          summary: `Transaktionen eines Onlinedienstes${csvSuffix ? ' (CSV)' : ''} / counts of a service`,
          description:
            'Die Reihe je Monat, Quartal oder Jahr, summiert auf die Ebene `level`. Ein Quartal oder Jahr ' +
            'ohne Daten in jedem Monat hat `complete: false`; `months` nennt die Monate mit Daten.',
          params: CountsParams,
          querystring: CountsQuery,
          response: openResponses(CountsResponse),
        },
      },
      async (request, reply) => {
        const id = parseId(request.params.id);
        if (id === null) throw notFound(`Einen Onlinedienst „${request.params.id}“ gibt es nicht.`);
        const format = formatOf(request, csvSuffix, request.query.format);
        return answer(request, reply, format, async (updated) => {
          const counts = await loadCounts(app.db.kysely, audienceOf(request), id, request.query, new Date());
          if (format === 'csv') return csvAnswer(`onlinedienst-${id}-transaktionen`, countsCsv(counts));
          if (format === 'jsonstat') return jsonAnswer(countsJsonStat(counts, updated));
          return jsonAnswer(counts satisfies Static<typeof CountsResponse>);
        });
      },
    );

    app.get(
      `${OPEN_API_PREFIX}/aggregates${suffix}`,
      {
        config: { access: 'open' },
        schema: {
          tags: [TAG],
          summary: `Summen je Gruppe und Zeitraum${csvSuffix ? ' (CSV)' : ''} / totals per group and period`,
          description:
            'Die Fragen der Auswertungen als API: Transaktionen je Onlinedienst, OZG-Leistung, LeiKa-Schlüssel, ' +
            'Themenfeld, Typ, Fokusleistung, Land, Behörde oder Portal; Filter z. B. `typ:2/3,land:06`. ' +
            `Seitenweise nach Gruppenschlüssel geordnet, höchstens ${MAX_PAGE_SIZE} Gruppen je Seite.`,
          querystring: AggregatesQuery,
          response: openResponses(AggregatesResponse),
        },
      },
      async (request, reply) => {
        const format = formatOf(request, csvSuffix, request.query.format);
        return answer(request, reply, format, async (updated) => {
          const result = await loadAggregates(app.db.kysely, audienceOf(request), request.query, new Date());
          if (format === 'csv') return csvAnswer(`transaktionen-je-${result.by}`, aggregatesCsv(result));
          if (format === 'jsonstat') return jsonAnswer(aggregatesJsonStat(result, updated));
          return jsonAnswer(result satisfies Static<typeof AggregatesResponse>);
        });
      },
    );
  }
}
