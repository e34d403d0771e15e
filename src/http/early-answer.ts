import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyServerFactory } from 'fastify';

/** Answers a request itself (true) or leaves it to Fastify (false); synchronous where it can tell at once. */
export type EarlyAnswer = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

/** The options of Fastify's that it applies to a server it makes itself (lib/server.js). */
interface ServerSettings {
  http?: http.ServerOptions;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number | null;
}

/**
 * The HTTP server of the app (Fastify's serverFactory), asking `early` first. For answers that are a
 * constant once known, such as a 304 for validators this process issued, Fastify's request cycle
 * (routing, hooks, child logger, reply) costs more than the answer. Such answers are not logged per
 * request; a request `early` cannot answer, or fails on, goes to Fastify unchanged.
 */
export function serverAnsweringFirst(early: EarlyAnswer): FastifyServerFactory {
  return (handler, opts) => {
    // Fastify passes its options with its defaults filled in.
    const options = opts as ServerSettings;
    const server = http.createServer(options.http ?? {}, (request, response) => {
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
    // What Fastify sets on a server it makes itself (keep-alive 72 s, longer than the idle timeout of
    // common load balancers; no request timeout).
    server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
    server.requestTimeout = options.requestTimeout ?? 0;
    server.setTimeout(options.connectionTimeout ?? 0);
    if ((options.maxRequestsPerSocket ?? 0) > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket!;
    return server;
  };
}
