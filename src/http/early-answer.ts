import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyServerFactory } from 'fastify';

/** Answers a request itself (true) or leaves it to Fastify (false); synchronous where it can tell at once. */
export type EarlyAnswer = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

/**
 * The HTTP server of the app (Fastify's serverFactory), asking `early` first. For answers that are a
 * constant once known, such as a 304 for validators this process issued, Fastify's request cycle
 * (routing, hooks, child logger, reply) costs more than the answer. Such answers are not logged per
 * request; a request `early` cannot answer, or fails on, goes to Fastify unchanged.
 */
export function serverAnsweringFirst(early: EarlyAnswer): FastifyServerFactory {
  return (handler) =>
    http.createServer((request, response) => {
      let answered: boolean | Promise<boolean>;
      try {
        answered = early(request, response);
      } catch {
        answered = false;
      }
      if (answered === false) return handler(request, response);
      if (answered === true) return;
      answered.then(
        (done) => {
          if (!done) handler(request, response);
        },
        // The database away, say: Fastify answers with its error page.
        () => handler(request, response),
      );
    });
}
