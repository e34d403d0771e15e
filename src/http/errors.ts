import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * The one error shape of every JSON answer: { error: { code, message, details } }. `code` is a stable
 * snake_case id for machines (docs/errors.md lists them), `message` German text for people.
 */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown[] };
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

export function errorBody(code: string, message: string, details: unknown[] = []): ErrorBody {
  return { error: { code, message, details } };
}

function fromFastify(error: FastifyError): { status: number; body: ErrorBody } {
  if (error.validation) {
    return {
      status: 400,
      body: errorBody(
        'validation_failed',
        'Die Anfrage ist ungültig.',
        error.validation.map((v) => ({
          field: v.instancePath || (v.params as { missingProperty?: string })?.missingProperty || '',
          message: v.message ?? '',
        })),
      ),
    };
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: errorBody('body_too_large', error.message) };
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

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const { status, body } =
      error instanceof AppError
        ? { status: error.statusCode, body: errorBody(error.code, error.message, error.details) }
        : fromFastify(error);
    // 5xx detail goes to the log, never to the client.
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code }, 'request rejected');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('not_found', `${request.method} ${request.url} gibt es nicht.`)),
  );
}
