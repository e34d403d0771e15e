import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { openMigratedDatabase, type Db } from '../db/database.js';
import { ensureShippedRegions } from '../features/regions/repository.js';
import { importGv100ad } from '../features/regions/import.js';

/**
 * The administrators' command line: `npm run zsk -- <command>`. Each command is a function taking its
 * arguments; `help` lists them.
 */
type Command = { usage: string; run: (db: Db, args: string[]) => Promise<number> };

const commands: Record<string, Command> = {
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
