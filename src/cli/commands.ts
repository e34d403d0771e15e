import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { importGv100ad } from '../features/regions/import.js';
import { createAccessToken } from '../features/tokens/tokens.js';
import { importCatalogue, type CatalogueDiff } from '../features/catalogue/import.js';
import { isIsoDate } from '../features/catalogue/format.js';
import { createPortal, validatePortal } from '../features/portals/service.js';
import { createAdministrator } from '../features/accounts/bootstrap.js';
import { isEmail } from '../features/access/service.js';
import { Type } from 'typebox';
import { Check, Errors } from 'typebox/value';
import { SYSTEM_ACTOR } from '../db/audit.js';
import { AppError } from '../http/errors.js';
import { ServiceRowBody } from '../features/services/api-schemas.js';
import { parseServiceCsv, saveServiceBatch, type ServiceRowInput } from '../features/services/bulk.js';

/**
 * The administrators' commands (`npm run zsk -- <command>`), written once for both ways they run: in
 * the CLI's own process on a database it opens, and inside the running server on its database when the
 * CLI hands them over through the control socket (src/cli/control-socket.ts). So a command writes only
 * through `io`, never to the console, and gets a file argument as bytes the CLI has read: the server
 * may run under another working directory and cannot see the caller's relative paths.
 */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface FileArgument {
  /** The file's base name, recorded as the source of an import. */
  name: string;
  bytes: Buffer;
}

export interface CommandContext {
  db: Db;
  args: string[];
  /** Read by the CLI from the first argument when the command takes a file. */
  file: FileArgument | null;
  io: Output;
}

interface Command {
  usage: string;
  /** The first argument names a file the caller reads. */
  file?: true;
  run(ctx: CommandContext): Promise<number>;
}

export class UsageError extends Error {}

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

/** The one positional argument before the options, e.g. the name in `portal create NAME`. */
function leading(args: string[], what: string, usage: string): [string, string[]] {
  const [first, ...rest] = args;
  if (!first || first.startsWith('--')) throw new UsageError(`${what} fehlt: npm run zsk -- ${usage}`);
  return [first, rest];
}

const commands: Record<string, Command> = {
  'token create': {
    usage:
      'token create (--service ID | --portal ID) [--name BEZEICHNUNG] [--expires TAGE]   Zugangsschlüssel für die Liefer-API ausgeben (letzte Zeile: der Schlüssel)',
    async run({ db, args, io }) {
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
        io.err(serviceId ? `Onlinedienst ${serviceId} gibt es nicht.` : `Portal ${portalId} gibt es nicht.`);
        return 1;
      }
      const { id, token } = await createAccessToken(db.kysely, {
        serviceId,
        portalId,
        label: opts.get('name') ?? `CLI ${new Date().toISOString().slice(0, 10)}`,
        expiresInDays: positiveInteger('expires', opts.get('expires')),
      });
      io.err(
        `Zugangsschlüssel ${id} für ${serviceId ? 'Onlinedienst' : 'Portal'} „${target.name}“ erstellt. Er wird nur jetzt angezeigt:`,
      );
      // Alone on the last line of stdout, so scripts can take it with `tail -n 1`.
      io.out(token);
      return 0;
    },
  },
  'services list': {
    usage: 'services list [--portal ID] [--json]   Onlinedienste (eines Portals) mit ihren Ids auflisten',
    async run({ db, args, io }) {
      const opts = options(args, ['portal'], ['json']);
      const portalId = positiveInteger('portal', opts.get('portal'));
      if (portalId !== undefined) {
        const portal = await db.kysely
          .selectFrom('portals')
          .select('id')
          .where('id', '=', portalId)
          .executeTakeFirst();
        if (!portal) {
          io.err(`Portal ${portalId} gibt es nicht.`);
          return 1;
        }
      }
      let query = db.kysely
        .selectFrom('online_services as s')
        .select(['s.id', 's.name', 's.granularity', 's.service_type']);
      if (portalId !== undefined) {
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('portal_services as ps')
              .select('ps.service_id')
              .whereRef('ps.service_id', '=', 's.id')
              .where('ps.portal_id', '=', portalId),
          ),
        );
      }
      const services = await query.orderBy('s.id').execute();
      if (opts.has('json')) {
        io.out(
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
      for (const s of services) io.out(`${String(s.id).padStart(6)}  ${s.granularity.padEnd(8)}  ${s.name}`);
      if (services.length === 0)
        io.err(
          portalId === undefined ? 'Keine Onlinedienste vorhanden.' : 'Das Portal hat keine Onlinedienste.',
        );
      return 0;
    },
  },
  'portal create': {
    usage: 'portal create NAME [--url URL]   Portal anlegen (letzte Zeile: seine Id)',
    async run({ db, args, io }) {
      const [name, rest] = leading(args, 'Name', 'portal create NAME [--url URL]');
      const opts = options(rest, ['url']);
      const input = { name: name.trim(), url: opts.get('url') ?? '', authority: '', managers: '' };
      const errors = await validatePortal(db.kysely, input);
      for (const message of Object.values(errors)) io.err(message);
      if (Object.keys(errors).length > 0) return 1;
      // Managers are added on the portal's access page, where a person grants access in their own name.
      const { id } = await createPortal(db.kysely, input, null);
      io.err(`Portal „${input.name}“ angelegt; Verwalter und Onlinedienste im Portal unter /portale/${id}.`);
      io.out(String(id));
      return 0;
    },
  },
  'user create': {
    usage:
      'user create EMAIL [--name NAME] --admin   Administratorkonto anlegen (letzte Zeile: das einmalige Passwort)',
    async run({ db, args, io }) {
      const [email, rest] = leading(args, 'E-Mail-Adresse', 'user create EMAIL [--name NAME] --admin');
      const opts = options(rest, ['name'], ['admin']);
      // Everyone else registers with authority and purpose, or is invited; an administrator approves.
      if (!opts.has('admin')) {
        throw new UsageError(
          'Die Kommandozeile legt nur Administratorkonten an (--admin). Andere Konten entstehen über /registrieren oder eine Einladung.',
        );
      }
      if (!isEmail(email)) throw new UsageError(`Keine gültige E-Mail-Adresse: ${email}`);
      const taken = await db.kysely
        .selectFrom('users')
        .select('id')
        .where(sql<string>`lower(email)`, '=', email.toLowerCase())
        .executeTakeFirst();
      if (taken) {
        io.err(`Ein Konto mit der Adresse ${email} gibt es bereits (Konto ${taken.id}).`);
        return 1;
      }
      const { id, password } = await createAdministrator(db.kysely, {
        email,
        name: opts.get('name') ?? 'ZSK-Administration',
        password: null,
      });
      io.err(
        `Administratorkonto ${id} für ${email} angelegt. Das Passwort wird nur jetzt angezeigt; „Passwort vergessen“ setzt ein neues:`,
      );
      // Stored only as its argon2id hash, as at start-up; alone on the last line like a token.
      io.out(password);
      return 0;
    },
  },
  'services import': {
    usage:
      'services import FILE --portal ID [--dry-run] [--partial]   Onlinedienste eines Portals anlegen oder ändern (CSV oder JSON wie POST /api/v1/portals/{id}/services)',
    file: true,
    async run({ db, args, file, io }) {
      const opts = options(args, ['portal'], ['dry-run', 'partial']);
      const portalId = positiveInteger('portal', opts.get('portal'));
      if (portalId === undefined)
        throw new UsageError('--portal ID fehlt: npm run zsk -- services import FILE --portal ID');
      const portal = await db.kysely
        .selectFrom('portals')
        .select('name')
        .where('id', '=', portalId)
        .executeTakeFirst();
      if (!portal) {
        io.err(`Portal ${portalId} gibt es nicht.`);
        return 1;
      }
      const text = file!.bytes.toString('utf8');
      let input: { rows: ServiceRowInput[]; firstRowNumber: number };
      if (file!.name.toLowerCase().endsWith('.json')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          io.err(`${file!.name} ist kein gültiges JSON (erwartet: ein Array von Onlinediensten).`);
          return 1;
        }
        const schema = Type.Array(ServiceRowBody);
        if (!Check(schema, parsed)) {
          for (const e of Errors(schema, parsed).slice(0, 20))
            io.err(`${e.instancePath || '/'}: ${e.message}`);
          io.err('Die Datei entspricht nicht dem Format der API – nichts gespeichert.');
          return 1;
        }
        input = { rows: parsed, firstRowNumber: 1 };
      } else {
        try {
          input = parseServiceCsv(text);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          io.err(error.message);
          return 1;
        }
      }
      const dryRun = opts.has('dry-run');
      let summary;
      try {
        summary = await saveServiceBatch(db.kysely, {
          portalId,
          actor: SYSTEM_ACTOR,
          ...input,
          dryRun,
          partial: opts.has('partial'),
        });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        io.err(error.message);
        return 1;
      }
      for (const e of summary.errors) io.err(`Zeile ${e.row}, ${e.field}: ${e.message}`);
      if (summary.status === 'rejected') {
        io.err(`${summary.errors.length} Fehler – nichts gespeichert.`);
        return 1;
      }
      io.out(
        `${dryRun ? 'Probelauf, nichts gespeichert' : `Portal „${portal.name}“`}: ${summary.created} neu, ` +
          `${summary.updated} geändert, ${summary.unchanged} unverändert` +
          `${summary.rejected ? `, ${summary.rejected} abgelehnt` : ''}.`,
      );
      return 0;
    },
  },
  'catalogue import': {
    usage:
      'catalogue import FILE [--as-of JJJJ-MM-TT] [--dry-run]   Leistungskatalog (LeiKa/OZG, JSON oder CSV, docs/catalogue.md) einlesen und die Änderungen ausgeben',
    file: true,
    async run({ db, args, file, io }) {
      const opts = options(args, ['as-of'], ['dry-run']);
      const asOf = opts.get('as-of');
      if (asOf !== undefined && !isIsoDate(asOf))
        throw new UsageError(`--as-of muss ein Datum JJJJ-MM-TT sein, erhalten: ${asOf}`);
      const report = await importCatalogue(db.kysely, file!.bytes.toString('utf8'), {
        source: file!.name,
        dataAsOf: asOf ?? null,
        dryRun: opts.has('dry-run'),
      });
      for (const e of report.errors) {
        io.err(
          `${e.location}${e.field ? `, ${e.field}` : ''}: ${e.message}${e.value !== undefined ? ` (Wert: ${e.value})` : ''}`,
        );
      }
      if (report.errors.length) {
        io.err(`${report.errors.length} Fehler – nichts importiert.`);
        return 1;
      }
      io.out(
        `${opts.has('dry-run') ? 'Probelauf, nichts gespeichert' : 'Leistungskatalog importiert'} (Stand ${report.dataAsOf ?? 'unbekannt'}):`,
      );
      printDiff(report.diff, io);
      return 0;
    },
  },
  'regions import': {
    usage:
      'regions import FILE   GV100AD-Datei des Statistischen Bundesamts (ISO-8859-1 oder UTF-8) einlesen',
    file: true,
    async run({ db, args, file, io }) {
      options(args, []);
      // Destatis publishes GV100AD in ISO-8859-1; a UTF-8 copy is accepted as well.
      const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(file!.bytes);
      const text = utf8.includes('\uFFFD') ? new TextDecoder('latin1').decode(file!.bytes) : utf8;
      const report = await importGv100ad(db.kysely, text, file!.name);
      for (const e of report.errors) io.err(`Zeile ${e.line}: ${e.message}`);
      if (report.errors.length) {
        io.err(`${report.errors.length} fehlerhafte Zeilen – nichts importiert.`);
        return 1;
      }
      io.out(
        `Regionen importiert (Stand ${report.referenceDate ?? 'unbekannt'}): ${report.created} neu, ${report.updated} geändert, ${report.unchanged} unverändert.`,
      );
      return 0;
    },
  },
};

/** How many keys per list the CLI prints; the counts are always complete. */
const DIFF_PRINT_LIMIT = 20;

function printDiff(diff: CatalogueDiff, io: Output): void {
  for (const [label, part] of [
    ['LeiKa-Leistungen', diff.leika],
    ['OZG-Leistungen', diff.ozg],
  ] as const) {
    io.out(
      `${label}: ${part.new.length} neu, ${part.changed.length} geändert, ${part.withdrawn.length} zurückgezogen, ${part.unchanged} unverändert`,
    );
    for (const [word, keys] of [
      ['neu', part.new],
      ['geändert', part.changed],
      ['zurückgezogen', part.withdrawn],
    ] as const) {
      if (keys.length === 0) continue;
      const more = keys.length > DIFF_PRINT_LIMIT ? ` … und ${keys.length - DIFF_PRINT_LIMIT} weitere` : '';
      io.out(`  ${word}: ${keys.slice(0, DIFF_PRINT_LIMIT).join(', ')}${more}`);
    }
  }
}

export function help(io: Output): void {
  io.out('Verwendung: npm run zsk -- <Befehl>\n');
  for (const c of Object.values(commands)) io.out(`  ${c.usage}`);
}

export interface Invocation {
  name: string;
  args: string[];
  /** The path of the file argument as given, for the caller to read; null when the command takes none. */
  filePath: string | null;
}

/** The command `argv` starts with (the longest name wins), or null for help and unknown commands. */
export function parseInvocation(argv: string[]): Invocation | null {
  const name = Object.keys(commands)
    .sort((a, b) => b.split(' ').length - a.split(' ').length)
    .find((n) => argv.slice(0, n.split(' ').length).join(' ') === n);
  if (!name) return null;
  const args = argv.slice(name.split(' ').length);
  if (!commands[name]!.file) return { name, args, filePath: null };
  const [filePath, rest] = leading(args, 'Datei', `${name} FILE`);
  return { name, args: rest, filePath };
}

/** Runs a parsed command; a usage error is reported on `io` with exit code 2, anything else is thrown. */
export async function runCommand(
  db: Db,
  invocation: Invocation,
  file: FileArgument | null,
  io: Output,
): Promise<number> {
  try {
    const command = commands[invocation.name];
    if (!command) throw new UsageError(`Unbekannter Befehl: ${invocation.name}`);
    if (command.file && !file) throw new UsageError(`Datei fehlt: npm run zsk -- ${invocation.name} FILE`);
    return await command.run({ db, args: invocation.args, file, io });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
}
