import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedDatabase } from '../../src/db/database.js';
import { hashToken } from '../../src/http/secrets.js';
import { createTestDb, TEST_DATABASE_URL } from '../helpers/db.js';
import { createService } from '../helpers/factories.js';

/**
 * `npm start` and `npm run zsk` as the separate processes they are in operation. Slow (each process
 * compiles with tsx and opens PGlite, on a busy machine tens of seconds), so every wait has a generous
 * limit and nothing asserts a duration.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
// As `npm start` and `npm run zsk` run them: node itself with tsx as a loader. The `tsx` command would put a
// relay process in between that waits only 30 ms for the app to confirm a SIGTERM and, on a busy machine,
// kills it outright (exit 143) in the middle of its orderly shutdown.
const NODE_ARGS = ['--import', 'tsx'];
const WAIT_MS = 240_000;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function environment(dataDir: string, databaseUrl = ''): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ZSK_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    ZSK_DEMO: '0',
    ZSK_ADMIN_PASSWORD: 'Prozesstest-Passwort-1',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  };
}

function zsk(dataDir: string, argv: string[], databaseUrl = ''): Promise<Finished> {
  const child = spawn(process.execPath, [...NODE_ARGS, 'src/cli/zsk.ts', ...argv], {
    cwd: ROOT,
    env: environment(dataDir, databaseUrl),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`zsk ${argv.join(' ')} endete nicht:\n${stdout}\n${stderr}`));
    }, WAIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Server {
  child: ChildProcess;
  port: number;
  output(): string;
  /** SIGTERM, as a service manager stops it; resolves to the exit code. */
  stop(): Promise<number | null>;
}

async function startServer(dataDir: string, databaseUrl = ''): Promise<Server> {
  const child = spawn(process.execPath, [...NODE_ARGS, 'src/main.ts'], {
    cwd: ROOT,
    env: environment(dataDir, databaseUrl),
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Server startete nicht:\n${output}`)), WAIT_MS);
    const look = (d: Buffer) => {
      output += d.toString();
      // The banner comes after listen() (so after the socket); the port is in the logged address.
      const address = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (address && output.includes('ZSK läuft auf')) {
        clearTimeout(timer);
        resolve(Number(address[1]));
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Server endete beim Start (${code}):\n${output}`));
    });
  });
  return {
    child,
    port,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The socket's answer lines to a request as the CLI sends it. */
function askServer(socketPath: string, argv: string[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { socketPath, agent: false, method: 'POST', path: '/befehle' },
      (response) => {
        let text = '';
        response.on('data', (d: Buffer) => (text += d.toString()));
        response.on('end', () =>
          resolve(
            text
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line) as unknown),
          ),
        );
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ argv, file: null }));
  });
}

const tempDirs: string[] = [];
function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zsk-cli-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

// The socket exists for the embedded database only; on PostgreSQL the run below covers the CLI.
describe.skipIf(TEST_DATABASE_URL)('zsk beside npm start on the embedded database', () => {
  let dir: string;
  let serviceId: number;
  beforeAll(async () => {
    dir = dataDir();
    const db = await createTestDb({ dataDir: dir });
    serviceId = await createService(db.kysely);
    await db.close();
  }, WAIT_MS);

  it(
    'token create succeeds while the server runs, through its socket, and the token delivers',
    async () => {
      // Left by a killed server: the next start must replace it.
      fs.writeFileSync(path.join(dir, 'zsk.sock'), '');
      const server = await startServer(dir);
      let stopped = false;
      try {
        const socket = fs.statSync(path.join(dir, 'zsk.sock'));
        expect(socket.isSocket()).toBe(true);
        expect(socket.mode & 0o777).toBe(0o600);

        // A CLI interrupted right after sending: the server must carry on.
        await new Promise<void>((resolve) => {
          const request = http.request({
            socketPath: path.join(dir, 'zsk.sock'),
            agent: false,
            method: 'POST',
            path: '/befehle',
          });
          request.on('error', () => resolve());
          request.end(JSON.stringify({ argv: ['services', 'list', '--json'], file: null }), () => {
            request.destroy();
            resolve();
          });
        });

        // What the CLI itself would refuse before sending is refused by the server too.
        expect(await askServer(path.join(dir, 'zsk.sock'), ['catalogue', 'import'])).toEqual([
          { err: 'Datei fehlt: npm run zsk -- catalogue import FILE' },
          { exit: 2 },
        ]);

        const created = await zsk(dir, ['token', 'create', '--service', String(serviceId)]);
        expect(created.stderr).toContain('Er wird nur jetzt angezeigt');
        expect(created.code).toBe(0);
        const token = created.stdout.trim().split('\n').at(-1)!;
        expect(token).toMatch(/^zsk_[A-Za-z0-9_-]{43}$/);
        expect(server.output()).toContain('"command":"token create"');

        const delivered = await fetch(`http://127.0.0.1:${server.port}/api/v1/services/${serviceId}/counts`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ counts: [{ month: '2024-04', ars: '060000000000', count: 153 }] }),
        });
        expect(delivered.status).toBe(200);

        expect(await server.stop()).toBe(0);
        stopped = true;
        expect(fs.existsSync(path.join(dir, 'zsk.sock'))).toBe(false);
        expect(fs.existsSync(path.join(dir, 'pglite.pid'))).toBe(false);

        const db = await openMigratedDatabase({ databaseUrl: null, dataDir: dir });
        try {
          const stored = await db.kysely
            .selectFrom('access_tokens')
            .select(['service_id', 'last_used_at'])
            .where('token_hash', '=', hashToken(token))
            .executeTakeFirstOrThrow();
          expect(stored.service_id).toBe(serviceId);
          const counts = await db.kysely
            .selectFrom('counts')
            .select('count')
            .where('service_id', '=', serviceId)
            .execute();
          expect(counts).toEqual([{ count: 153 }]);
        } finally {
          await db.close();
        }
      } finally {
        if (!stopped) await server.stop();
      }
    },
    4 * WAIT_MS,
  );

  it(
    'opens the database itself when no server runs',
    async () => {
      const portal = await zsk(dir, [
        'portal',
        'create',
        'Prozessportal',
        '--url',
        'https://prozess.example.de',
      ]);
      expect(portal.stderr).toContain('Portal „Prozessportal“ angelegt');
      expect(portal.code).toBe(0);
      const listed = await zsk(dir, ['services', 'list', '--portal', portal.stdout.trim(), '--json']);
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'pglite.pid'))).toBe(false);
    },
    3 * WAIT_MS,
  );

  it(
    'refuses clearly, changing nothing, when another process holds the database and no server answers',
    async () => {
      // This test's own process stands for the other holder: alive, and not listening on the socket,
      // which is only a file left behind.
      fs.writeFileSync(path.join(dir, 'pglite.pid'), String(process.pid));
      fs.writeFileSync(path.join(dir, 'zsk.sock'), '');
      try {
        const refused = await zsk(dir, ['token', 'create', '--service', String(serviceId)]);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toBe('');
        expect(refused.stderr).toContain(`wird von Prozess ${process.pid} verwendet`);
        expect(refused.stderr).toContain('nimmt kein Server Befehle an');
        expect(refused.stderr).toContain('nichts wurde geändert');
      } finally {
        fs.rmSync(path.join(dir, 'pglite.pid'), { force: true });
        fs.rmSync(path.join(dir, 'zsk.sock'), { force: true });
      }
    },
    2 * WAIT_MS,
  );
});

describe.runIf(TEST_DATABASE_URL)('zsk beside npm start on PostgreSQL', () => {
  it(
    'token create opens its own connection while the server runs, with no socket',
    async () => {
      const dir = dataDir();
      const db = await createTestDb();
      try {
        const serviceId = await createService(db.kysely);
        const { name } = await db.kysely
          .selectNoFrom(sql<string>`current_database()`.as('name'))
          .executeTakeFirstOrThrow();
        const url = new URL(TEST_DATABASE_URL!);
        url.pathname = `/${name}`;
        const server = await startServer(dir, url.toString());
        try {
          expect(fs.existsSync(path.join(dir, 'zsk.sock'))).toBe(false);
          const created = await zsk(dir, ['token', 'create', '--service', String(serviceId)], url.toString());
          expect(created.code).toBe(0);
          const token = created.stdout.trim().split('\n').at(-1)!;
          const row = await db.kysely
            .selectFrom('access_tokens')
            .select('service_id')
            .where('token_hash', '=', hashToken(token))
            .executeTakeFirst();
          expect(row?.service_id).toBe(serviceId);
        } finally {
          expect(await server.stop()).toBe(0);
        }
      } finally {
        await db.close();
      }
    },
    3 * WAIT_MS,
  );
});
