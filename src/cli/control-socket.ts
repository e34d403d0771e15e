import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import type { Db } from '../db/database.js';
import { parseInvocation, runCommand, UsageError, type FileArgument, type Output } from './commands.js';

/**
 * The embedded database belongs to one process (src/db/database.ts), so while `npm start` runs the CLI
 * cannot open it. The server therefore takes the CLI's commands over a Unix socket in the data
 * directory and runs them on its own database. A socket rather than a loopback port: it needs no
 * secret, since the file's mode (0600) lets only the owner of the server process (and root) connect,
 * and it is reachable from this machine only. It is not part of the public HTTP server and has no
 * route there.
 */
export const SOCKET_NAME = 'zsk.sock';

export const controlSocketPath = (dataDir: string): string => path.join(dataDir, SOCKET_NAME);

/** What the CLI sends: its arguments as typed, and the file argument's bytes (base64) if the command takes one. */
interface CommandRequest {
  argv: string[];
  file: { name: string; data: string } | null;
}

/** The answer is one JSON object per line: output as it is written, then the exit code. */
type AnswerLine = { out: string } | { err: string } | { exit: number };

interface Log {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ControlSocket {
  path: string;
  /** Stops taking commands and waits for those running, so the database can be closed afterwards. */
  close(): Promise<void>;
}

export async function startControlSocket(dataDir: string, db: Db, log: Log): Promise<ControlSocket> {
  const file = controlSocketPath(dataDir);
  // The caller holds the database lock, so no live process can be answering on a socket left here:
  // it is from a server that was killed.
  fs.rmSync(file, { force: true });
  const server = http.createServer((request, response) => {
    void answer(request, response, db, log);
  });
  const listening = new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // The socket file is created by bind() inside listen(), synchronously, with the process's umask: a
  // restrictive umask for that moment means it never exists with a wider mode, even briefly.
  const previous = process.umask(0o177);
  try {
    server.listen(file);
  } finally {
    process.umask(previous);
  }
  await listening;
  fs.chmodSync(file, 0o600);
  log.info({ socket: file }, 'Befehle der Kommandozeile werden über den Socket angenommen');
  return {
    path: file,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          fs.rmSync(file, { force: true });
          resolve();
        });
      }),
  };
}

async function answer(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  db: Db,
  log: Log,
): Promise<void> {
  if (request.method !== 'POST' || request.url !== '/befehle') {
    response.writeHead(404).end();
    return;
  }
  let body: CommandRequest;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    body = parseRequest(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  } catch {
    response.writeHead(400).end();
    return;
  }
  // A CLI interrupted with Ctrl+C closes the connection: the command still finishes in its own
  // transactions, and an error writing its output concerns that CLI only, never the server.
  response.on('error', () => {});
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const send = (line: AnswerLine) => response.write(`${JSON.stringify(line)}\n`);
  const io: Output = { out: (text) => send({ out: text }), err: (text) => send({ err: text }) };
  let exit: number;
  try {
    const invocation = parseInvocation(body.argv);
    if (!invocation) {
      io.err(`Unbekannter Befehl: ${body.argv.join(' ')}`);
      exit = 2;
    } else {
      log.info({ command: invocation.name }, 'Befehl der Kommandozeile');
      const file: FileArgument | null = body.file
        ? { name: body.file.name, bytes: Buffer.from(body.file.data, 'base64') }
        : null;
      exit = await runCommand(db, invocation, file, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      send({ exit: 2 });
      response.end();
      return;
    }
    // As in the CLI's own process, the cause goes to the operator; here that is the server's log.
    log.error({ err: error, argv: body.argv.slice(0, 2) }, 'Befehl der Kommandozeile fehlgeschlagen');
    io.err(
      `Der Befehl ist fehlgeschlagen: ${(error as Error).message} (Einzelheiten im Protokoll des Servers)`,
    );
    exit = 1;
  }
  send({ exit });
  response.end();
}

function parseRequest(value: unknown): CommandRequest {
  const v = value as Partial<CommandRequest> | null;
  if (!v || !Array.isArray(v.argv) || !v.argv.every((a) => typeof a === 'string')) throw new Error('argv');
  const file = v.file ?? null;
  if (file !== null && (typeof file.name !== 'string' || typeof file.data !== 'string'))
    throw new Error('file');
  return { argv: v.argv, file };
}

/** No server answers on the socket: there is none, or it was killed and left the file. */
export class NoServerError extends Error {}

/**
 * Runs the command in the server listening on `socketPath`, writing its output to `io` as it comes;
 * resolves to the command's exit code. Rejects with NoServerError when nothing listens there.
 */
export function runInServer(
  socketPath: string,
  argv: string[],
  file: FileArgument | null,
  io: Output,
): Promise<number> {
  const body = JSON.stringify({
    argv,
    file: file ? { name: file.name, data: file.bytes.toString('base64') } : null,
  } satisfies CommandRequest);
  return new Promise<number>((resolve, reject) => {
    let answered = false;
    const request = http.request(
      // No agent: a kept-alive connection would hold the CLI open after the answer.
      {
        socketPath,
        agent: false,
        method: 'POST',
        path: '/befehle',
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        answered = true;
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`Der Server hat den Befehl abgelehnt (HTTP ${response.statusCode}).`));
          return;
        }
        let exit: number | null = null;
        const lines = readline.createInterface({ input: response, crlfDelay: Infinity });
        lines.on('line', (text) => {
          const line = JSON.parse(text) as AnswerLine;
          if ('out' in line) io.out(line.out);
          else if ('err' in line) io.err(line.err);
          else exit = line.exit;
        });
        // 'close' also comes when the server dies mid-command, where 'end' would not.
        response.on('error', () => {});
        response.on('close', () => {
          if (exit !== null) resolve(exit);
          else
            reject(
              new Error(
                'Die Verbindung zum Server ist abgebrochen, bevor der Befehl fertig war; ob er ausgeführt wurde, zeigt das Protokoll des Servers.',
              ),
            );
        });
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      // ENOENT: no socket file; ECONNREFUSED: a file nobody listens on (a killed server's).
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') reject(new NoServerError(error.message));
      else reject(error);
    });
    request.end(body);
  });
}
