import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from '@fastify/proxy-addr';
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
    // HTTPS_HEADERS: on https answers only.
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

/** Sent on https answers only: over plain http it means nothing. */
export const HTTPS_HEADERS: Record<string, string> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/**
 * Whether a raw request came over https, decided as Fastify's request.protocol decides it:
 * X-Forwarded-Proto counts only from a proxy the operator named (ZSK_TRUST_PROXY).
 */
export function httpsDecider(config: Pick<Config, 'trustProxy'>): (request: IncomingMessage) => boolean {
  const trusted = config.trustProxy ? proxyAddr.compile(config.trustProxy) : () => false;
  return (request) => {
    const forwarded = request.headers['x-forwarded-proto'];
    const peer = request.socket.remoteAddress;
    if (typeof forwarded === 'string' && forwarded !== '' && peer !== undefined && trusted(peer, 0)) {
      return forwarded.split(',').at(-1)?.trim() === 'https';
    }
    return (request.socket as TLSSocket).encrypted === true;
  };
}

/** Sets the security headers on every answer, and HSTS on those sent over https. */
export function installSecurityHeaders(app: FastifyInstance): void {
  const headers = securityHeaders(app.config);
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    if (request.protocol === 'https') reply.headers(HTTPS_HEADERS);
    done();
  });
}
