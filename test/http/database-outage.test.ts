import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { createAccessToken } from '../../src/features/tokens/tokens.js';
import { testConfig } from '../helpers/app.js';
import { createTestDb, ENGINE, type TestDb } from '../helpers/db.js';
import { createService } from '../helpers/factories.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import type { ErrorBody } from '../../src/http/errors.js';

/*
 * The database goes away under deliveries in flight: the network to it is cut, its sessions are ended
 * as a fast restart (`pg_ctl restart -m fast`) ends them, and a connection breaks just after a COMMIT.
 * The server is shared with other test files, so all of it happens to this file's database only: the
 * app's connections run through a loopback proxy, and only the backends behind that proxy are ended.
 */

const CLIENTS = 4;
const LAENDER = Array.from({ length: 16 }, (_, i) => `${String(i + 1).padStart(2, '0')}0000000000`);
/** Delivery i of a client fills its own month, so every acknowledged delivery can be found again. */
const monthOf = (i: number) => `${2001 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
const countOf = (client: number, i: number) => client * 100_000 + i;

interface Answer {
  client: number;
  delivery: number;
  status: number;
  code?: string;
  retryAfter?: string;
  deliveryId?: number;
  replayed: boolean;
}

let t: TestDb;
let appDb: Db;
let app: FastifyInstance;
let proxy: TcpProxy;
/** A session of the test's own, beside the app's: holds the locks and ends the app's sessions. */
let admin: pg.Client;
let suppliers: { serviceId: number; token: string }[];
const answers: Answer[] = [];
const crashes: unknown[] = [];
const recordCrash = (error: unknown) => crashes.push(error);

beforeAll(async () => {
  if (ENGINE !== 'postgres') return;
  // Unhandled, an 'error' event of a pg client ends the process (the worker here); kept to be asserted.
  process.on('uncaughtException', recordCrash);
  process.on('unhandledRejection', recordCrash);
  t = await createTestDb();
  suppliers = [];
  for (let c = 0; c < CLIENTS; c++) {
    const serviceId = await createService(t.kysely, { granularity: 'land' });
    const { token } = await createAccessToken(t.kysely, { serviceId, label: `Lieferant ${c}` });
    suppliers.push({ serviceId, token });
  }
  const direct = new URL(t.url!);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const proxied = new URL(direct);
  proxied.host = `127.0.0.1:${proxy.port}`;
  appDb = await openDatabase({ databaseUrl: proxied.toString(), dataDir: 'memory://' });
  // Suppliers retry every 25 ms while the database is away; the rate limit is not what is tested here.
  app = await buildApp({ config: testConfig({ apiRateLimit: 1_000_000 }), db: appDb });
  await app.ready();
  admin = new pg.Client({ connectionString: t.url! });
  await admin.connect();
});

afterAll(async () => {
  if (ENGINE !== 'postgres') return;
  await app?.close();
  await appDb?.close();
  proxy?.close();
  await admin?.end();
  await t?.close();
  process.off('uncaughtException', recordCrash);
  process.off('unhandledRejection', recordCrash);
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a state the test brings about; the bound only turns a hang into a readable failure. */
async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await condition()) return;
    await pause(20);
  }
  const tally = answers.map((a) => `${a.client}:${a.status}`).join(' ');
  throw new Error(`gave up waiting: ${what}; answers: ${tally.slice(-2000)}`);
}

async function deliver(client: number, i: number): Promise<Answer> {
  const { serviceId, token } = suppliers[client]!;
  const res = await app.inject({
    method: 'PUT',
    url: `/api/v1/services/${serviceId}/counts`,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': `lieferung-${client}-${i}`,
    },
    payload: JSON.stringify({
      counts: LAENDER.map((ars) => ({ month: monthOf(i), ars, count: countOf(client, i) })),
    }),
  });
  const body = res.json<Partial<ErrorBody> & { deliveryId?: number }>();
  return {
    client,
    delivery: i,
    status: res.statusCode,
    code: body.error?.code,
    retryAfter: res.headers['retry-after'],
    deliveryId: body.deliveryId,
    replayed: res.headers['idempotent-replayed'] === 'true',
  };
}

let running = false;

/** A supplier as the API asks it to behave: on anything but success the same delivery again, same key. */
async function supplier(client: number): Promise<void> {
  for (let i = 0; running; i++) {
    for (;;) {
      const answer = await deliver(client, i);
      answers.push(answer);
      if (answer.status === 200 || !running) break;
      await pause(25);
    }
  }
}

const since = (mark: number, client: number, status: number) =>
  answers.slice(mark).filter((a) => a.client === client && a.status === status).length;
const everyClient = (test: (client: number) => boolean) =>
  Array.from({ length: CLIENTS }, (_, c) => c).every(test);

/**
 * Holds the advisory locks the deliveries take (lockServices), so that all four are inside their
 * transaction, a statement running, when the database goes away.
 */
async function blockDeliveries(): Promise<void> {
  await admin.query('SELECT pg_advisory_lock(1, id) FROM unnest($1::int[]) AS id', [
    suppliers.map((s) => s.serviceId),
  ]);
  await until('all deliveries waiting on their lock', async () => {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
    );
    return rows[0]!.n === CLIENTS;
  });
}

const unblockDeliveries = () => admin.query('SELECT pg_advisory_unlock_all()');

/** node-postgres sends COMMIT as a simple query: 'Q', length, the text with a closing zero byte. */
const isCommit = (chunk: Buffer) => chunk[0] === 0x51 && chunk.includes('commit\0');

const probe = async (url: string) => (await app.inject({ url })).statusCode;

const turnedAway = (answer: Answer) => answer.status !== 200;

/** While the database is away: every supplier is told 503 to come back, and the process still answers. */
async function expectOutage(mark: number): Promise<void> {
  await until('every supplier turned away', () =>
    everyClient((c) => answers.slice(mark).some((a) => a.client === c && turnedAway(a))),
  );
  expect(crashes).toEqual([]);
  expect(
    answers
      .slice(mark)
      .filter(turnedAway)
      .filter((a) => a.status !== 503 || a.code !== 'database_unavailable' || !a.retryAfter),
  ).toEqual([]);
  expect(await probe('/healthz')).toBe(200);
  const ready = await app.inject({ url: '/readyz' });
  expect([ready.statusCode, ready.json<ErrorBody>().error.code, ready.headers['retry-after']]).toEqual([
    503,
    'database_unavailable',
    '5',
  ]);
}

/** After the database is back: the same process stores deliveries again. */
async function expectRecovery(): Promise<void> {
  const mark = answers.length;
  await proxy.resume();
  await until('three deliveries stored per supplier', () => everyClient((c) => since(mark, c, 200) >= 3));
  expect(await probe('/readyz')).toBe(200);
}

describe.skipIf(ENGINE !== 'postgres')('database outage under deliveries in flight (postgres)', () => {
  it('answers 503 while the database is away, recovers by itself and loses no acknowledged delivery', async () => {
    running = true;
    const clients = Array.from({ length: CLIENTS }, (_, c) => supplier(c));
    try {
      await until('deliveries stored', () => everyClient((c) => since(0, c, 200) >= 3));

      // The network to the database breaks: every connection gone, new ones refused.
      await blockDeliveries();
      let mark = answers.length;
      proxy.cut();
      await unblockDeliveries();
      await expectOutage(mark);
      await expectRecovery();

      // A fast restart: the server ends every session (57P01) and refuses connections until it is up.
      await blockDeliveries();
      mark = answers.length;
      proxy.refuse();
      const ended = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND client_port = ANY($1::int[])`,
        [proxy.upstreamPorts()],
      );
      expect(ended.rowCount).toBeGreaterThanOrEqual(CLIENTS);
      await unblockDeliveries();
      await expectOutage(mark);
      await expectRecovery();

      // The connection breaks after the COMMIT of a delivery reached the server: stored, but the app
      // cannot know that. 503 is the honest answer; the supplier's retry with the same key is answered
      // with the stored result instead of storing the delivery twice.
      mark = answers.length;
      await proxy.loseAnswerTo(isCommit);
      await until('a retried delivery answered from its stored result', () =>
        answers.slice(mark).some((a) => a.replayed),
      );
      const replay = answers.slice(mark).find((a) => a.replayed)!;
      const sameDelivery = answers.filter(
        (a) => a.client === replay.client && a.delivery === replay.delivery,
      );
      expect(sameDelivery.map((a) => [a.status, a.code, a.replayed])).toEqual([
        [503, 'database_unavailable', false],
        [200, undefined, true],
      ]);
    } finally {
      running = false;
      await Promise.all(clients);
    }

    expect(crashes).toEqual([]);
    expect(answers.filter(turnedAway).filter((a) => a.status !== 503)).toEqual([]);

    // Every acknowledged delivery is stored, with its counts.
    const acknowledged = answers.filter((a) => a.status === 200);
    const deliveries = await t.kysely
      .selectFrom('deliveries')
      .select(['id', 'idempotency_key'])
      .where(
        'service_id',
        'in',
        suppliers.map((s) => s.serviceId),
      )
      .execute();
    const keyOf = new Map(deliveries.map((d) => [d.id, d.idempotency_key]));
    expect(
      acknowledged.filter((a) => keyOf.get(a.deliveryId!) !== `lieferung-${a.client}-${a.delivery}`),
    ).toEqual([]);
    const stored = await t.kysely
      .selectFrom('counts')
      .select(['service_id', 'month', 'ars', 'count'])
      .where(
        'service_id',
        'in',
        suppliers.map((s) => s.serviceId),
      )
      .execute();
    const storedCount = new Map(stored.map((r) => [`${r.service_id}/${r.month}/${r.ars}`, r.count]));
    const missing = acknowledged.flatMap((a) =>
      LAENDER.filter(
        (ars) =>
          storedCount.get(`${suppliers[a.client]!.serviceId}/${monthOf(a.delivery)}-01/${ars}`) !==
          countOf(a.client, a.delivery),
      ).map((ars) => `${a.client}/${a.delivery}/${ars}`),
    );
    expect(missing).toEqual([]);
  }, 180_000);
});
