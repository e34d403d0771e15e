/**
 * npm run bench:search [-- pglite|postgres]
 *
 * The catalogue search on a catalogue of realistic size: 2,000 OZG services with 10 LeiKa services
 * each (20,000 keys; the real LeiKa holds about that many), names built from the sample catalogue.
 * Prints the import time, the time of an unchanged re-import and the median of seven searches per
 * query. PostgreSQL needs DATABASE_URL pointing at an empty database.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { openMigratedDatabase } from '../src/db/database.js';
import { importCatalogue } from '../src/features/catalogue/import.js';
import { searchCatalogue } from '../src/features/catalogue/search.js';
import { SAMPLE_CATALOGUE_FILE } from '../src/features/catalogue/sample.js';
import { OZG_THEMENFELDER } from '../src/domain/catalogue.js';

const engine = process.argv[2] ?? 'pglite';
if (engine === 'postgres' && !process.env.DATABASE_URL)
  throw new Error('DATABASE_URL is required for postgres');
const db = await openMigratedDatabase({
  databaseUrl: engine === 'postgres' ? process.env.DATABASE_URL! : null,
  dataDir: 'memory://',
});
const verbs = [
  'Antrag',
  'Bescheinigung',
  'Erlaubnis',
  'Genehmigung',
  'Anzeige',
  'Auskunft',
  'Zulassung',
  'Förderung',
  'Registrierung',
  'Befreiung',
];
const base = (
  JSON.parse(fs.readFileSync(SAMPLE_CATALOGUE_FILE, 'utf8')) as { leistungen: { bezeichnung: string }[] }
).leistungen;
const leistungen = Array.from({ length: 2000 }, (_, i) => {
  const name = `${base[i % base.length]!.bezeichnung} ${i}`;
  return {
    ozgId: String(20000 + i),
    bezeichnung: name,
    themenfeld: OZG_THEMENFELDER[i % OZG_THEMENFELDER.length],
    leikaLeistungen: verbs.map((verb, j) => ({
      leikaSchluessel: `99${String(100000 + i).padStart(6, '0')}${String(j + 1).padStart(3, '0')}000`,
      bezeichnung: `${name} ${verb}`,
    })),
  };
});
const text = JSON.stringify({ leistungen });
let start = performance.now();
await importCatalogue(db.kysely, text, { source: 'bench' });
console.log(
  `${engine}: import of 20,000 LeiKa / 2,000 OZG services: ${(performance.now() - start).toFixed(0)} ms`,
);
start = performance.now();
await importCatalogue(db.kysely, text, { source: 'bench' });
console.log(`${engine}: unchanged re-import: ${(performance.now() - start).toFixed(0)} ms`);
await sql`ANALYZE`.execute(db.kysely);
for (const q of ['Elterngelt', 'bafög', '9910100', 'Fahrzeugzulassung Genehmigung']) {
  const times: number[] = [];
  let hits = 0;
  for (let k = 0; k < 7; k++) {
    const s = performance.now();
    hits = (await searchCatalogue(db.kysely, q)).length;
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log(`${engine}: search ${JSON.stringify(q)}: ${hits} hits, median ${times[3]!.toFixed(1)} ms`);
}
await db.close();
