import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/database.js';
import { testConfig } from '../helpers/app.js';
import type { ErrorBody } from '../../src/http/errors.js';

/*
 * A database that cannot be reached at all, on any engine the suite runs on: the PostgreSQL "server"
 * is a local socket that resets every connection, or one that accepts and never says a word (a host
 * behind a firewall dropping packets looks the same to the app, only slower to give up).
 */

const servers: net.Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

async function fakeServer(onConnection: (socket: net.Socket) => void): Promise<string> {
  const server = net.createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `postgres://zsk@127.0.0.1:${(server.address() as net.AddressInfo).port}/zsk`;
}

const silent: net.Socket[] = [];
afterAll(() => silent.forEach((s) => s.destroy()));

const unreachable: [string, () => Promise<string>][] = [
  ['resets every connection', () => fakeServer((socket) => socket.resetAndDestroy())],
  ['accepts and never answers', () => fakeServer((socket) => void silent.push(socket))],
];

describe('database unreachable', () => {
  it.each(unreachable)(
    '%s: requests answer 503 database_unavailable, the process answers',
    async (_, start) => {
      // A short connect timeout: the default 10 s would only make the test slow, not different.
      const db = await openDatabase({
        databaseUrl: await start(),
        dataDir: 'memory://',
        connectionTimeoutMillis: 200,
      });
      const app = await buildApp({ config: testConfig(), db });
      try {
        const delivery = await app.inject({
          method: 'PUT',
          url: '/api/v1/services/1/counts',
          headers: { authorization: 'Bearer zsk_unbekannt', 'content-type': 'application/json' },
          payload: JSON.stringify({ counts: [{ month: '2024-04', ars: '06', count: 1 }] }),
        });
        expect(delivery.statusCode).toBe(503);
        expect(delivery.headers['retry-after']).toBe('5');
        expect(delivery.json<ErrorBody>().error.code).toBe('database_unavailable');
        const ready = await app.inject({ url: '/readyz' });
        expect([ready.statusCode, ready.json<ErrorBody>().error.code]).toEqual([503, 'database_unavailable']);
        expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      } finally {
        await app.close();
        await db.close();
      }
    },
  );
});
