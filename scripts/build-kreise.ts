/**
 * Builds masterdata/kreise.csv from the npm package `landkreise-deutschland` (data/districts.json).
 *
 *   npx tsx scripts/build-kreise.ts <path-to>/landkreise-deutschland/data/districts.json [output.csv]
 *
 * The package is installed outside the project (it is not a dependency): its data are a snapshot of
 * the Destatis Kreis list of 31.12.2018 and only needed when this file is rebuilt.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'csv-stringify/sync';

export interface KreisRow {
  ars: string;
  name: string;
  kind: string;
  land: string;
}

interface KreisReform {
  /** Day the change took legal effect. */
  effective: string;
  /** 5-digit Kreis key that ceased to exist. */
  dissolved: string;
  /** 5-digit Kreis key that took over its territory. */
  into: string;
  note: string;
}

/** Source reference date; every Kreis reform that took effect after it must be listed below. */
export const SOURCE_REFERENCE_DATE = '2018-12-31';

/**
 * Kreis-level reforms after SOURCE_REFERENCE_DATE. Only changes of Kreis keys matter here; mergers of
 * Gemeinden inside a Kreis do not change the Kreis list. At the time of writing (2025) this is the only
 * one: Germany has had 400 Kreise (294 Landkreise, 106 kreisfreie Städte) since 2021-07-01. Add any
 * later reform here and rebuild.
 */
export const KREIS_REFORMS: readonly KreisReform[] = [
  {
    effective: '2021-07-01',
    dissolved: '16056',
    into: '16063',
    note: 'Eisenach lost its status as kreisfreie Stadt and joined the Wartburgkreis.',
  },
];

/**
 * Reforms before the reference date that the source must already reflect; checked so that an older
 * package version fed in by mistake fails loudly instead of shipping dissolved Kreise.
 */
const REFLECTED_EARLIER: readonly KreisReform[] = [
  {
    effective: '2016-11-01',
    dissolved: '03156',
    into: '03159',
    note: 'Landkreis Osterode am Harz merged with Landkreis Göttingen (old key 03152) into 03159.',
  },
  {
    effective: '2016-11-01',
    dissolved: '03152',
    into: '03159',
    note: 'Old Landkreis Göttingen, replaced by the new key 03159.',
  },
];

const KNOWN_KINDS = new Set(['Kreisfreie Stadt', 'Stadtkreis', 'Kreis', 'Landkreis', 'Regionalverband']);

function normaliseAgs(value: unknown): string {
  // The package stores AGS as strings where they have a leading zero and as numbers elsewhere.
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{4,5}$/.test(text.trim())) {
    throw new Error(`unexpected AGS ${JSON.stringify(value)}`);
  }
  return text.trim().padStart(5, '0');
}

function stringField(entry: Record<string, unknown>, field: string): string {
  const value = entry[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`entry ${JSON.stringify(entry)}: field ${field} is missing`);
  }
  return value.trim();
}

export function buildKreise(source: unknown): KreisRow[] {
  if (!Array.isArray(source)) throw new Error('expected the array of districts.json');
  const byAgs = new Map<string, KreisRow>();
  for (const item of source as unknown[]) {
    if (typeof item !== 'object' || item === null)
      throw new Error(`unexpected entry ${JSON.stringify(item)}`);
    const entry = item as Record<string, unknown>;
    const ags = normaliseAgs(entry.AGS);
    const kind = stringField(entry, 'type');
    if (!KNOWN_KINDS.has(kind)) throw new Error(`${ags}: unknown kind ${kind}`);
    if (byAgs.has(ags)) throw new Error(`${ags}: duplicate`);
    byAgs.set(ags, { ars: `${ags}0000000`, name: stringField(entry, 'name'), kind, land: ags.slice(0, 2) });
  }

  for (const reform of REFLECTED_EARLIER) {
    if (byAgs.has(reform.dissolved) || !byAgs.has(reform.into)) {
      throw new Error(`source does not reflect the reform of ${reform.effective}: ${reform.note}`);
    }
  }
  for (const reform of KREIS_REFORMS) {
    if (!byAgs.has(reform.into)) throw new Error(`${reform.into} missing, reform of ${reform.effective}`);
    // Absent already means a newer source: the reform is then applied and nothing is left to do.
    byAgs.delete(reform.dissolved);
  }

  return [...byAgs.values()].sort((a, b) => a.ars.localeCompare(b.ars));
}

export function toCsv(rows: readonly KreisRow[]): string {
  return stringify(
    rows.map((row) => [row.ars, row.name, row.kind, row.land]),
    { delimiter: ';', header: true, columns: ['ars', 'name', 'kind', 'land'], record_delimiter: 'unix' },
  );
}

function main(argv: readonly string[]): void {
  const [input, output] = argv;
  if (!input) {
    console.error(
      'usage: npx tsx scripts/build-kreise.ts <landkreise-deutschland/data/districts.json> [out.csv]',
    );
    process.exit(2);
  }
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const target = output ?? resolve(repoRoot, 'masterdata', 'kreise.csv');
  const rows = buildKreise(JSON.parse(readFileSync(input, 'utf8')) as unknown);
  writeFileSync(target, toCsv(rows), 'utf8');
  console.log(`${rows.length} Kreise written to ${target}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
