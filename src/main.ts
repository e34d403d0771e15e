import { loadConfig } from './config.js';
import { bootstrap } from './bootstrap.js';
import { buildApp } from './app.js';
import { startControlSocket } from './cli/control-socket.js';
import { loggerOptions } from './http/log.js';

const config = loadConfig();
const started = Date.now();
const { db, report } = await bootstrap(config);
const app = await buildApp({ config, db, logger: loggerOptions(config.logLevel) });

const where =
  db.engine === 'pglite' ? `eingebettete Datenbank in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
app.log.info({ engine: db.engine, ...report, admin: undefined }, `Datenbank bereit: ${where}`);
if (report.admin?.generatedPassword) {
  // Shown once, on the console only: it is stored nowhere but as an argon2id hash.
  console.log(
    `\n  Administrator angelegt: ${report.admin.email}\n  Passwort (wird nur jetzt angezeigt): ${report.admin.generatedPassword}\n`,
  );
}

// Only the embedded database needs it: on PostgreSQL the CLI opens its own connections. Without it the
// portal still serves; only the CLI has to wait for a stop, as before.
const control =
  db.engine === 'pglite'
    ? await startControlSocket(config.dataDir, db, app.log).catch((error: Error) => {
        app.log.warn({ err: error }, 'Socket für die Kommandozeile nicht verfügbar');
        return null;
      })
    : null;

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'ZSK wird beendet');
  // First, so that a command still running finishes on an open database.
  await control?.close();
  await app.close();
  // Closing PGlite flushes its files, so the next start finds every change.
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

await app.listen({ port: config.port, host: config.host });
console.log(
  `\n  ZSK läuft auf ${config.publicUrl} (gestartet in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
);
