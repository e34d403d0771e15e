import type { FastifyReply, FastifyRequest } from 'fastify';
import { wantsHtml } from '../../http/negotiation.js';
import { sendPage } from '../../web/render.js';
import { ErrorPage } from './views.js';

/** People in a browser get a page with the layout; the API and programs keep the JSON error shape. */
export function renderErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
): FastifyReply | null {
  if (request.url.startsWith('/api/') || !wantsHtml(request)) return null;
  return sendPage(
    reply,
    // 503 says what people can do (come back shortly); other 5xx detail stays in the log.
    <ErrorPage
      status={status}
      message={status >= 500 && status !== 503 ? 'Ein interner Fehler ist aufgetreten.' : message}
    />,
    status,
  );
}
