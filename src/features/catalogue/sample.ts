import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { MASTERDATA_DIR } from '../regions/repository.js';
import { importCatalogue, type CatalogueImportReport } from './import.js';

/** The shipped sample catalogue: real OZG service names, illustrative keys (masterdata/README.md). */
export const SAMPLE_CATALOGUE_FILE = path.join(MASTERDATA_DIR, 'catalogue', 'ozg-katalog.json');

/**
 * Imports the sample catalogue for the demo, unless a catalogue was imported before. Only the demo
 * uses it: its keys are made up, so a real installation imports the official export instead.
 */
export async function ensureSampleCatalogue(db: Kysely<Database>): Promise<CatalogueImportReport | null> {
  const any = await db
    .selectFrom('master_data_imports')
    .select('id')
    .where('kind', '=', 'catalogue')
    .limit(1)
    .executeTakeFirst();
  if (any) return null;
  const text = await fs.readFile(SAMPLE_CATALOGUE_FILE, 'utf8');
  const report = await importCatalogue(db, text, {
    source: 'Beispielkatalog masterdata/catalogue/ozg-katalog.json (Schlüssel illustrativ)',
  });
  if (report.errors.length) {
    throw new Error(`Beispielkatalog fehlerhaft: ${JSON.stringify(report.errors.slice(0, 3))}`);
  }
  return report;
}
