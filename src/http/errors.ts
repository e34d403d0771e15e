import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/unavailable.js';

/**
 * The one error shape of every JSON answer: { error: { code, message, details } }. `code` is a stable
 * snake_case id for machines (docs/errors.md lists them), `message` German text for people.
 */
export interface ErrorBody<Detail = unknown> {
  error: { code: string; message: string; details: Detail[] };
}

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
  }
}

export const notFound = (message = 'Nicht gefunden.') => new AppError(404, 'not_found', message);
export const forbidden = (message = 'Keine Berechtigung.') => new AppError(403, 'forbidden', message);
export const unauthorized = (message = 'Anmeldung erforderlich.') =>
  new AppError(401, 'unauthorized', message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);

/** Seconds a client should wait before sending again while the database is away (a restart's span). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
export const databaseUnavailable = () =>
  new AppError(
    503,
    'database_unavailable',
    'Die Datenbank ist vorübergehend nicht erreichbar. Bitte in einigen Sekunden erneut versuchen.',
  );

export function errorBody(code: string, message: string, details: unknown[] = []): ErrorBody {
  return { error: { code, message, details } };
}

/** "10 MiB" or "1024 Bytes": the limit as people configure it (ZSK_BODY_LIMIT_MB). */
export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} Bytes`;
}

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const listNames = (value: unknown): string => (Array.isArray(value) ? value : [value]).map(String).join(', ');

/** One detail per schema violation; unknown fields are named, since that is the usual mistake. */
function validationDetail(v: ValidationIssue): { field: string; code: string; message: string } {
  const params = v.params ?? {};
  const path = v.instancePath ?? '';
  if (v.keyword === 'additionalProperties') {
    const names = listNames(params.additionalProperties ?? params.additionalProperty);
    return {
      field: path,
      code: 'unknown_field',
      message: `Unbekanntes Feld ${names}${path ? ` in ${path}` : ''}; erlaubt sind nur die dokumentierten Felder.`,
    };
  }
  if (v.keyword === 'required') {
    const names = listNames(params.requiredProperties ?? params.missingProperty);
    return {
      field: path,
      code: 'missing_field',
      message: `Pflichtfeld ${names} fehlt${path ? ` in ${path}` : ''}.`,
    };
  }
  const name = path.replace(/^\//, '').replaceAll('/', '.');
  const what = name ? `„${name}“` : 'Der Inhalt';
  if (v.keyword === 'pattern')
    return {
      field: path,
      code: 'pattern',
      message: `${what} hat nicht die erwartete Form (${String(params.pattern)}).`,
    };
  return { field: path, code: v.keyword ?? 'invalid', message: `${what}: ${v.message ?? 'ungültig'}.` };
}

function fromFastify(error: FastifyError, bodyLimitBytes: number): { status: number; body: ErrorBody } {
  if (error.validation) {
    const details = error.validation.map((v) => validationDetail(v as ValidationIssue));
    return {
      status: 400,
      body: errorBody(
        'validation_failed',
        `Die Anfrage ist ungültig: ${details.map((d) => d.message).join(' ')}`.trim(),
        details,
      ),
    };
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      body: errorBody(
        'body_too_large',
        `Die Anfrage ist größer als die erlaubte Grenze von ${formatBytes(bodyLimitBytes)}. Bitte die Lieferung aufteilen.`,
      ),
    };
  }
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { status: 400, body: errorBody('invalid_json', 'Der Inhalt ist kein gültiges JSON.') };
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: errorBody('unsupported_media_type', 'Dieser Content-Type wird nicht unterstützt.'),
    };
  }
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500)
    return { status, body: errorBody('internal_error', 'Ein interner Fehler ist aufgetreten.') };
  return { status, body: errorBody(error.code?.toLowerCase() ?? 'bad_request', error.message) };
}

/** Renders an error as a page for people; the JSON shape stays for programs and the API. */
export type HtmlErrorRenderer = (
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
) => FastifyReply | null;

export function installErrorHandlers(app: FastifyInstance, renderHtml?: HtmlErrorRenderer): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    // A lost connection is not retried here: whether a COMMIT in flight took effect is unknown, so only
    // the client can repeat the request (deliveries with the same Idempotency-Key are answered once).
    const known = isDatabaseUnavailable(error) ? databaseUnavailable() : error;
    const { status, body } =
      known instanceof AppError
        ? { status: known.statusCode, body: errorBody(known.code, known.message, known.details) }
        : fromFastify(known, app.config.bodyLimitBytes);
    if (body.error.code === 'database_unavailable') reply.header('Retry-After', DATABASE_RETRY_AFTER_SECONDS);
    // 5xx detail goes to the log, never to the client.
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code }, 'request rejected');
    return renderHtml?.(request, reply, status, body.error.message) ?? reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const message = `${request.method} ${request.url} gibt es nicht.`;
    return (
      renderHtml?.(request, reply, 404, message) ?? reply.status(404).send(errorBody('not_found', message))
    );
  });
}
