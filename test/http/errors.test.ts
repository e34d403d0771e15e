import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { renderErrorPage } from '../../src/features/accounts/error-page.js';
import { installErrorHandlers } from '../../src/http/errors.js';
import { testConfig } from '../helpers/app.js';
import type { ErrorBody } from '../../src/http/errors.js';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

/** What node-postgres, pg-pool and Node's sockets throw when the database is away (pg 8.23). */
const unavailable: [string, () => Error][] = [
  ['server not listening', () => coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
  ['connection reset', () => coded('read ECONNRESET', 'ECONNRESET')],
  ['no route to the server', () => coded('connect EHOSTUNREACH 10.0.0.5:5432', 'EHOSTUNREACH')],
  [
    'every address of the host refused',
    () => new AggregateError([coded('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
  ],
  [
    'session ended by a fast shutdown (57P01)',
    () => coded('terminating connection due to administrator command', '57P01'),
  ],
  ['server still starting (57P03)', () => coded('the database system is starting up', '57P03')],
  ['connection failure (08006)', () => coded('connection failure', '08006')],
  ['server closed the socket', () => new Error('Connection terminated unexpectedly')],
  ['connect timeout of the client', () => new Error('Connection terminated due to connection timeout')],
  ['connect timeout of the pool', () => new Error('timeout exceeded when trying to connect')],
  [
    'broken connection used again',
    () => new Error('Client has encountered a connection error and is not queryable'),
  ],
];

/** Errors of the statement, not of the connection: retrying would not help. */
const internal: [string, () => Error][] = [
  ['unique violation', () => coded('duplicate key value violates unique constraint', '23505')],
  ['deadlock victim (retried inside, here the last attempt)', () => coded('deadlock detected', '40P01')],
  ['syntax error', () => coded('syntax error at or near "SELEC"', '42601')],
  ['a bug', () => new TypeError("Cannot read properties of undefined (reading 'id')")],
];

const cases = [...unavailable, ...internal];
let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify();
  app.decorate('config', testConfig());
  // The error page carries the CSRF token of the sign-out form.
  await app.register(cookie);
  installErrorHandlers(app, renderErrorPage);
  app.get<{ Params: { n: string } }>('/fehler/:n', (request) =>
    Promise.reject(cases[Number(request.params.n)]![1]()),
  );
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const answer = (name: string, accept = 'application/json') =>
  app.inject({ url: `/fehler/${cases.findIndex(([n]) => n === name)}`, headers: { accept } });

describe('errors of the database connection', () => {
  it.each(unavailable.map(([name]) => name))(
    '%s: 503 database_unavailable with Retry-After',
    async (name) => {
      const res = await answer(name);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json<ErrorBody>().error).toMatchObject({ code: 'database_unavailable', details: [] });
      expect(res.json<ErrorBody>().error.message).toContain('erneut versuchen');
    },
  );

  it.each(internal.map(([name]) => name))('%s: 500 internal_error, no Retry-After', async (name) => {
    const res = await answer(name);
    expect(res.statusCode).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.json<ErrorBody>().error.code).toBe('internal_error');
  });

  it('tells people in a browser to come back shortly, and hides other server errors', async () => {
    const page = await answer('server closed the socket', 'text/html');
    expect(page.statusCode).toBe(503);
    expect(page.headers['retry-after']).toBe('5');
    expect(page.body).toContain('Vorübergehend nicht erreichbar');
    expect(page.body).toContain('Bitte in einigen Sekunden erneut versuchen.');
    const bug = await answer('a bug', 'text/html');
    expect(bug.statusCode).toBe(500);
    expect(bug.body).toContain('Ein interner Fehler ist aufgetreten.');
    expect(bug.body).not.toContain('reading');
  });
});
