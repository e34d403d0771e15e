import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';

/**
 * The security headers of every answer (helmet's defaults with our Content-Security-Policy), computed
 * once at start-up. @fastify/helmet built the helmet middleware again on every request, parsing the
 * CSP directives each time: 9 % of the server's time on a 304 of the open-data API (bench:public's
 * CPU profile, docs/benchmarks.md). The headers do not depend on the request, so they are a constant.
 */
export function securityHeaders(config: Pick<Config, 'oidc'>): Record<string, string> {
  const options: HelmetOptions = {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        // The sign-out form is answered with a redirect to the OIDC provider's logout, and browsers
        // hold redirects after a form submission to form-action too.
        formAction: ["'self'", ...(config.oidc ? [new URL(config.oidc.issuer).origin] : [])],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // The portal may run on plain http on a developer's machine.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    // Sent by installSecurityHeaders on https answers only: over plain http it means nothing.
    strictTransportSecurity: false,
  };
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: Error | undefined;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) failure = error instanceof Error ? error : new Error('helmet refused the options');
  });
  if (failure) throw failure;
  return headers;
}

/** Sets the security headers on every answer, and HSTS on those sent over https. */
export function installSecurityHeaders(app: FastifyInstance): void {
  const headers = securityHeaders(app.config);
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    if (request.protocol === 'https') {
      reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    }
    done();
  });
}
