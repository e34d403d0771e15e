import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { openMigratedDatabase, type Db } from '../db/database.js';
import { ensureShippedRegions } from '../features/regions/repository.js';
import { importGv100ad } from '../features/regions/import.js';
import { createAccessToken } from '../features/tokens/tokens.js';
import { importCatalogue, type CatalogueDiff } from '../features/catalogue/import.js';
import { isIsoDate } from '../features/catalogue/format.js';

/**
 * The administrators' command line: `npm run zsk -- <command>`. Each command is a function taking its
 * arguments; `help` lists them.
 */
type Command = { usage: string; run: (db: Db, args: string[]) => Promise<number> };

/** `--name value` options; a flag without a value is an error, so typos do not pass silently. */
function options(args: string[], allowed: string[], flags: string[] = []): Map<string, string> {
  const result = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.replace(/^--/, '');
    if (!args[i]!.startsWith('--') || ![...allowed, ...flags].includes(name)) {
      throw new UsageError(
        `Unbekannte Angabe ${args[i]}; erlaubt: ${[...allowed, ...flags].map((a) => `--${a}`).join(' ')}`,
      );
    }
    if (flags.includes(name)) {
      result.set(name, 'true');
      continue;
    }
    const value = args[++i];
    if (value === undefined) throw new UsageError(`--${name} braucht einen Wert.`);
    result.set(name, value);
  }
  return result;
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} muss eine positive ganze Zahl sein, erhalten: ${value}`);
  return n;
}

const commands: Record<string, Command> = {
  'token create': {
    usage:
      'token create (--service ID | --portal ID) [--name BEZEICHNUNG] [--expires TAGE]   Zugangsschlüssel für die Liefer-API ausgeben (letzte Zeile: der Schlüssel)',
    async run(db, args) {
      const opts = options(args, ['service', 'portal', 'name', 'expires']);
      const serviceId = positiveInteger('service', opts.get('service'));
      const portalId = positiveInteger('portal', opts.get('portal'));
      if ((serviceId === undefined) === (portalId === undefined)) {
        throw new UsageError('Genau eine von --service ID oder --portal ID angeben.');
      }
      const target = serviceId
        ? await db.kysely
            .selectFrom('online_services')
            .select('name')
            .where('id', '=', serviceId)
            .executeTakeFirst()
        : await db.kysely.selectFrom('portals').select('name').where('id', '=', portalId!).executeTakeFirst();
      if (!target) {
        console.error(
          serviceId ? `Onlinedienst ${serviceId} gibt es nicht.` : `Portal ${portalId} gibt es nicht.`,
        );
        return 1;
      }
      const { id, token } = await createAccessToken(db.kysely, {
        serviceId,
        portalId,
        label: opts.get('name') ?? `CLI ${new Date().toISOString().slice(0, 10)}`,
        expiresInDays: positiveInteger('expires', opts.get('expires')),
      });
      console.error(
        `Zugangsschlüssel ${id} für ${serviceId ? 'Onlinedienst' : 'Portal'} „${target.name}“ erstellt. Er wird nur jetzt angezeigt:`,
      );
      // Alone on the last line of stdout, so scripts can take it with `tail -n 1`.
      console.log(token);
      return 0;
    },
  },
  'services list': {
    usage: 'services list [--json]   Onlinedienste mit ihren Ids auflisten',
    async run(db, args) {
      const opts = options(args, [], ['json']);
      const services = await db.kysely
        .selectFrom('online_services')
        .select(['id', 'name', 'granularity', 'service_type'])
        .orderBy('id')
        .execute();
      if (opts.has('json')) {
        console.log(
          JSON.stringify(
            services.map((s) => ({
              id: s.id,
              name: s.name,
              granularity: s.granularity,
              type: s.service_type,
            })),
            null,
            2,
          ),
        );
        return 0;
      }
      for (const s of services)
        console.log(`${String(s.id).padStart(6)}  ${s.granularity.padEnd(8)}  ${s.name}`);
      if (services.length === 0) console.error('Keine Onlinedienste vorhanden.');
      return 0;
    },
  },
  'catalogue import': {
    usage:
      'catalogue import FILE [--as-of JJJJ-MM-TT] [--dry-run]   Leistungskatalog (LeiKa/OZG, JSON oder CSV, docs/catalogue.md) einlesen und die Änderungen ausgeben',
    async run(db, [file, ...rest]) {
      if (!file || file.startsWith('--'))
        throw new UsageError('Datei fehlt: npm run zsk -- catalogue import FILE [--as-of JJJJ-MM-TT]');
      const opts = options(rest, ['as-of'], ['dry-run']);
      const asOf = opts.get('as-of');
      if (asOf !== undefined && !isIsoDate(asOf))
        throw new UsageError(`--as-of muss ein Datum JJJJ-MM-TT sein, erhalten: ${asOf}`);
      const text = await fs.readFile(file, 'utf8');
      const report = await importCatalogue(db.kysely, text, {
        source: path.basename(file),
        dataAsOf: asOf ?? null,
        dryRun: opts.has('dry-run'),
      });
      for (const e of report.errors) {
        console.error(
          `${e.location}${e.field ? `, ${e.field}` : ''}: ${e.message}${e.value !== undefined ? ` (Wert: ${e.value})` : ''}`,
        );
      }
      if (report.errors.length) {
        console.error(`${report.errors.length} Fehler – nichts importiert.`);
        return 1;
      }
      console.log(
        `${opts.has('dry-run') ? 'Probelauf, nichts gespeichert' : 'Leistungskatalog importiert'} (Stand ${report.dataAsOf ?? 'unbekannt'}):`,
      );
      printDiff(report.diff);
      return 0;
    },
  },
  'regions import': {
    usage:
      'regions import FILE   GV100AD-Datei des Statistischen Bundesamts (ISO-8859-1 oder UTF-8) einlesen',
    async run(db, [file]) {
      if (!file) throw new UsageError('Datei fehlt: npm run zsk -- regions import FILE');
      const bytes = await fs.readFile(file);
      // Destatis publishes GV100AD in ISO-8859-1; a UTF-8 copy is accepted as well.
      const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      const text = utf8.includes('\uFFFD') ? new TextDecoder('latin1').decode(bytes) : utf8;
      const report = await importGv100ad(db.kysely, text, path.basename(file));
      for (const e of report.errors) console.error(`Zeile ${e.line}: ${e.message}`);
      if (report.errors.length) {
        console.error(`${report.errors.length} fehlerhafte Zeilen – nichts importiert.`);
        return 1;
      }
      console.log(
        `Regionen importiert (Stand ${report.referenceDate ?? 'unbekannt'}): ${report.created} neu, ${report.updated} geändert, ${report.unchanged} unverändert.`,
      );
      return 0;
    },
  },
};

/** How many keys per list the CLI prints; the counts are always complete. */
const DIFF_PRINT_LIMIT = 20;

function printDiff(diff: CatalogueDiff): void {
  for (const [label, part] of [
    ['LeiKa-Leistungen', diff.leika],
    ['OZG-Leistungen', diff.ozg],
  ] as const) {
    console.log(
      `${label}: ${part.new.length} neu, ${part.changed.length} geändert, ${part.withdrawn.length} zurückgezogen, ${part.unchanged} unverändert`,
    );
    for (const [word, keys] of [
      ['neu', part.new],
      ['geändert', part.changed],
      ['zurückgezogen', part.withdrawn],
    ] as const) {
      if (keys.length === 0) continue;
      const more = keys.length > DIFF_PRINT_LIMIT ? ` … und ${keys.length - DIFF_PRINT_LIMIT} weitere` : '';
      console.log(`  ${word}: ${keys.slice(0, DIFF_PRINT_LIMIT).join(', ')}${more}`);
    }
  }
}

export class UsageError extends Error {}

function help(): void {
  console.log('Verwendung: npm run zsk -- <Befehl>\n');
  for (const c of Object.values(commands)) console.log(`  ${c.usage}`);
}

async function main(argv: string[]): Promise<number> {
  const name = Object.keys(commands)
    .sort((a, b) => b.split(' ').length - a.split(' ').length)
    .find((n) => argv.slice(0, n.split(' ').length).join(' ') === n);
  if (!name) {
    help();
    return argv.length === 0 || argv[0] === 'help' ? 0 : 2;
  }
  const config = loadConfig();
  const db = await openMigratedDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await ensureShippedRegions(db.kysely);
    return await commands[name]!.run(db, argv.slice(name.split(' ').length));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
