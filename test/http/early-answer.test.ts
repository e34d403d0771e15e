import { afterAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serverAnsweringFirst, type EarlyAnswer } from '../../src/http/early-answer.js';
import { createTestApp } from '../helpers/app.js';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server whose Fastify stand-in answers 200 "fastify"; returns its address. */
async function serve(early: EarlyAnswer): Promise<string> {
  const server = serverAnsweringFirst(early)((_request, response) => response.end('fastify'), {
    keepAliveTimeout: 72_000,
    requestTimeout: 0,
    connectionTimeout: 0,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the server that answers some requests before Fastify', () => {
  const cases: Array<[string, () => boolean | Promise<boolean>, number, string]> = [
    ['answers itself, at once', () => true, 304, ''],
    ['answers itself, later', () => Promise.resolve(true), 304, ''],
    ['leaves it to Fastify, at once', () => false, 200, 'fastify'],
    ['leaves it to Fastify, later', () => Promise.resolve(false), 200, 'fastify'],
    [
      'leaves it to Fastify when it throws',
      () => {
        throw new Error('kaputt');
      },
      200,
      'fastify',
    ],
    [
      'leaves it to Fastify when its promise fails',
      () => Promise.reject(new Error('Datenbank fort')),
      200,
      'fastify',
    ],
  ];
  it.each(cases)('%s', async (_name, decide, status, body) => {
    const early: EarlyAnswer = (_request, response) => {
      const answered = decide();
      // Answers only where it says so.
      const send = () => response.writeHead(304).end();
      if (answered === true) send();
      else if (answered instanceof Promise)
        return answered.then((done) => {
          if (done) send();
          return done;
        });
      return answered;
    };
    const res = await fetch(await serve(early));
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(body);
  });

  it('keeps the timeouts Fastify gives a server of its own', async () => {
    const t = await createTestApp();
    try {
      expect(t.app.server.keepAliveTimeout).toBe(72_000);
      expect(t.app.server.requestTimeout).toBe(0);
    } finally {
      await t.close();
    }
  });
});
