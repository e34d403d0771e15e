import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { DatabaseInUseError, openMigratedDatabase } from '../db/database.js';
import { ensureShippedRegions } from '../features/regions/repository.js';
import { help, parseInvocation, runCommand, UsageError, type FileArgument, type Output } from './commands.js';
import { controlSocketPath, NoServerError, runInServer } from './control-socket.js';

/**
 * The administrators' command line: `npm run zsk -- <command>` (commands in ./commands.ts). On
 * PostgreSQL it opens the database beside any running server. On the embedded database a running
 * server holds the files, so the command is handed to it over its socket; with no server it opens the
 * database itself.
 */
const terminal: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

async function main(argv: string[]): Promise<number> {
  let invocation;
  try {
    invocation = parseInvocation(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    terminal.err(e.message);
    return 2;
  }
  if (!invocation) {
    help(terminal);
    return argv.length === 0 || argv[0] === 'help' ? 0 : 2;
  }
  let file: FileArgument | null = null;
  if (invocation.filePath !== null) {
    try {
      file = { name: path.basename(invocation.filePath), bytes: await fs.readFile(invocation.filePath) };
    } catch (e) {
      terminal.err(`Die Datei ${invocation.filePath} kann nicht gelesen werden: ${(e as Error).message}`);
      return 1;
    }
  }
  const config = loadConfig();
  if (!config.databaseUrl) {
    const socket = controlSocketPath(config.dataDir);
    try {
      return await runInServer(socket, argv, file, terminal);
    } catch (e) {
      if (!(e instanceof NoServerError)) {
        terminal.err(
          (e as NodeJS.ErrnoException).code === 'EACCES'
            ? `Kein Zugriff auf ${socket}: Befehle an den laufenden Server darf nur das Konto senden, unter dem er läuft.`
            : `Der laufende Server ist über ${socket} nicht erreichbar: ${(e as Error).message}`,
        );
        return 1;
      }
    }
  }
  let db;
  try {
    db = await openMigratedDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (e) {
    if (!(e instanceof DatabaseInUseError)) throw e;
    terminal.err(
      `Die eingebettete Datenbank in ${config.dataDir} wird von Prozess ${e.holder} verwendet, ` +
        `aber über ${controlSocketPath(config.dataDir)} nimmt kein Server Befehle an. Das ist ein anderer ` +
        'zsk-Befehl, ein Server, der noch startet, oder ein Server einer älteren Version. Warten Sie, bis ' +
        'der Befehl endet oder der Server läuft, und versuchen Sie es erneut; nichts wurde geändert.',
    );
    return 1;
  }
  try {
    await ensureShippedRegions(db.kysely);
    return await runCommand(db, invocation, file, terminal);
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
