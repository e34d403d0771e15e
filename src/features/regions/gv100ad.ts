/**
 * Parsing of the official region lists: the Federal Statistical Office's municipality directory in the
 * fixed-width GV100AD format and the XRepository code list of Regionalschlüssel. Pure functions; the
 * database upsert lives elsewhere.
 *
 * Record layout (1-based, inclusive), checked against two independent open-source parsers and the
 * real GV100AD lines quoted in their tests, since the official record description (a PDF inside the
 * Destatis ZIP) was not at hand:
 * - openpotato/gv100ad-py (src/gv100ad/entities/*.py, tests/test_reader.py, lines from GV100AD 31.01.2022)
 * - jgraef/gv100ad (Rust, src/parser.rs, tests with lines from GV100AD 30.04.2021)
 *
 *   1-2     Satzart: 10 Land, 20 Regierungsbezirk, 30 Region (Baden-Württemberg only), 40 Kreis,
 *           50 Gemeindeverband, 60 Gemeinde
 *   3-10    Gebietsstand YYYYMMDD
 *   11-12   Land
 *   13      Regierungsbezirk
 *   14-15   Kreis
 *   16-18   Gemeinde (blank in records 10-50)
 *   19-22   Gemeindeverband (records 50 and 60)
 *   23-72   name
 *   73-122  seat of the administration (blank for Gemeinden)
 *   123-124 Textkennzeichen (records 40, 50, 60)
 *   129-139 area in hectares (record 60), 140-150 population (record 60)
 *
 * So the Gemeinde number comes BEFORE the Gemeindeverband in the line (positions 11-18 are the AGS),
 * while the ARS puts the Gemeindeverband first: Eberbach "08226013" + "5001" is ARS 082265001013,
 * Saarbrücken "10041100" + "0100" is ARS 100410100100. Area: Saarbrücken carries 00000016752 (ha),
 * i.e. 167.52 km². Real lines are 220 characters long.
 *
 * ARS are not unique across levels: a kreisfreie Stadt's Kreis, Gemeindeverband (0000) and Gemeinde
 * (000) records share one key (Darmstadt 064110000000), and a city state's Land and Kreis do too
 * (Berlin 110000000000). parseGv100ad keeps every record; mergeSharedArs folds them for a table keyed
 * by ARS.
 */

import { NATIONWIDE_ARS } from '../../domain/ars.js';

/** The levels a GV100AD file describes; nationwide ('bund') is not in it. */
export type Gv100Level = 'land' | 'regierungsbezirk' | 'kreis' | 'gemeindeverband' | 'gemeinde';

export interface RegionRecord {
  ars: string;
  name: string;
  level: Gv100Level;
  parentArs: string;
  kind: string | null;
  population: number | null;
  areaKm2: number | null;
  validFrom: string /* YYYY-MM-DD */;
}

export interface Gv100Error {
  line: number;
  message: string;
}

const LEVEL_BY_RECORD_TYPE: Readonly<Record<string, Gv100Level>> = {
  '10': 'land',
  '20': 'regierungsbezirk',
  '40': 'kreis',
  '50': 'gemeindeverband',
  '60': 'gemeinde',
};

// Region records (type 30) are planning regions of Baden-Württemberg outside the ARS hierarchy.
const SKIPPED_RECORD_TYPES = new Set(['30']);

/** Textkennzeichen as named in the GV100AD record description. */
const KIND_BY_TEXT_CODE: Readonly<Record<string, string>> = {
  '41': 'Kreisfreie Stadt',
  '42': 'Stadtkreis',
  '43': 'Kreis',
  '44': 'Landkreis',
  '45': 'Regionalverband',
  '50': 'Verbandsfreie Gemeinde',
  '51': 'Amt',
  '52': 'Samtgemeinde',
  '53': 'Verbandsgemeinde',
  '54': 'Verwaltungsgemeinschaft',
  '55': 'Kirchspielslandgemeinde',
  '56': 'Verwaltungsverband',
  '57': 'Verwaltungsgemeinschaft (Trägermodell)',
  '58': 'Erfüllende Gemeinde',
  '60': 'Markt',
  '61': 'Kreisfreie Stadt',
  '62': 'Stadtkreis',
  '63': 'Stadt',
  '64': 'Kreisangehörige Gemeinde',
  '65': 'Gemeindefreies Gebiet, bewohnt',
  '66': 'Gemeindefreies Gebiet, unbewohnt',
  '67': 'Große Kreisstadt',
};

/** Keys, name and one character beyond: anything shorter cannot carry a usable record. */
const MIN_LINE_LENGTH = 23;

/** 1-based inclusive column range; lines with trimmed trailing blanks read as blank there. */
function field(line: string, from: number, to: number): string {
  return line.slice(from - 1, to);
}

function isDigits(value: string): boolean {
  return /^\d+$/.test(value);
}

function parseDate(value: string): string | null {
  if (!/^\d{8}$/.test(value)) return null;
  const iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso ? iso : null;
}

type Parsed = { ok: true; value: number | null } | { ok: false };

function parseCount(raw: string): Parsed {
  const value = raw.trim();
  if (value === '') return { ok: true, value: null };
  return isDigits(value) ? { ok: true, value: Number(value) } : { ok: false };
}

interface Keys {
  land: string;
  rb: string;
  kreis: string;
  gemeinde: string;
  gv: string;
}

/** The key parts a record type must carry; blank parts of other types are left out of the check. */
function requiredKeys(level: Gv100Level, keys: Keys): [string, string][] {
  const parts: [string, string][] = [['Land (Stellen 11-12)', keys.land]];
  if (level === 'land') return parts;
  parts.push(['Regierungsbezirk (Stelle 13)', keys.rb]);
  if (level === 'regierungsbezirk') return parts;
  parts.push(['Kreis (Stellen 14-15)', keys.kreis]);
  if (level === 'kreis') return parts;
  parts.push(['Gemeindeverband (Stellen 19-22)', keys.gv]);
  if (level === 'gemeinde') parts.push(['Gemeinde (Stellen 16-18)', keys.gemeinde]);
  return parts;
}

function arsOf(level: Gv100Level, keys: Keys): string {
  switch (level) {
    case 'land':
      return `${keys.land}0000000000`;
    case 'regierungsbezirk':
      return `${keys.land}${keys.rb}000000000`;
    case 'kreis':
      return `${keys.land}${keys.rb}${keys.kreis}0000000`;
    case 'gemeindeverband':
      return `${keys.land}${keys.rb}${keys.kreis}${keys.gv}000`;
    case 'gemeinde':
      return `${keys.land}${keys.rb}${keys.kreis}${keys.gv}${keys.gemeinde}`;
  }
}

/**
 * The nearest coarser region whose ARS differs from the record's own: a key shared with the Kreis
 * (kreisfreie Stadt) or the Land (city state) would otherwise make a record its own parent.
 */
function parentOf(level: Gv100Level, keys: Keys, ars: string): string {
  const candidates: string[] = [];
  if (level === 'gemeinde' && keys.gv !== '0000') candidates.push(arsOf('gemeindeverband', keys));
  if (level === 'gemeinde' || level === 'gemeindeverband') candidates.push(arsOf('kreis', keys));
  if (level !== 'land' && level !== 'regierungsbezirk' && keys.rb !== '0') {
    candidates.push(arsOf('regierungsbezirk', keys));
  }
  if (level !== 'land') candidates.push(arsOf('land', keys));
  return candidates.find((candidate) => candidate !== ars) ?? NATIONWIDE_ARS;
}

/**
 * Parses a GV100AD file already decoded to a string (the files are ISO-8859-1; decode before).
 * Malformed lines are reported with their 1-based line number and skipped; nothing is thrown.
 * referenceDate is the Gebietsstand of the first valid record.
 */
export function parseGv100ad(text: string): {
  records: RegionRecord[];
  errors: Gv100Error[];
  referenceDate: string | null;
} {
  const records: RegionRecord[] = [];
  const errors: Gv100Error[] = [];
  let referenceDate: string | null = null;

  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') return;
    const fail = (message: string): void => {
      errors.push({ line: lineNumber, message });
    };

    if (line.length < MIN_LINE_LENGTH) {
      fail(`Zeile zu kurz (${line.length} Zeichen, mindestens ${MIN_LINE_LENGTH} erwartet)`);
      return;
    }
    const recordType = field(line, 1, 2);
    if (SKIPPED_RECORD_TYPES.has(recordType)) return;
    const level = LEVEL_BY_RECORD_TYPE[recordType];
    if (!level) {
      fail(`Unbekannte Satzart "${recordType}"`);
      return;
    }
    const validFrom = parseDate(field(line, 3, 10));
    if (!validFrom) {
      fail(`Ungültiger Gebietsstand "${field(line, 3, 10)}" (JJJJMMTT erwartet)`);
      return;
    }
    const keys: Keys = {
      land: field(line, 11, 12),
      rb: field(line, 13, 13),
      kreis: field(line, 14, 15),
      gemeinde: field(line, 16, 18),
      gv: field(line, 19, 22),
    };
    const badKey = requiredKeys(level, keys).find(([, value]) => !isDigits(value));
    if (badKey) {
      fail(`Schlüsselteil ${badKey[0]} ist nicht numerisch: "${badKey[1]}"`);
      return;
    }
    if (keys.land === '00') {
      fail('Landesschlüssel 00 ist ungültig');
      return;
    }
    const name = field(line, 23, 72).trim();
    if (name === '') {
      fail('Name (Stellen 23-72) fehlt');
      return;
    }

    let population: number | null = null;
    let areaKm2: number | null = null;
    if (level === 'gemeinde') {
      const area = parseCount(field(line, 129, 139));
      const people = parseCount(field(line, 140, 150));
      if (!area.ok || !people.ok) {
        fail(`${area.ok ? 'Bevölkerung (Stellen 140-150)' : 'Fläche (Stellen 129-139)'} ist nicht numerisch`);
        return;
      }
      areaKm2 = area.value === null ? null : area.value / 100;
      population = people.value;
    }

    const textCode = field(line, 123, 124).trim();
    const ars = arsOf(level, keys);
    referenceDate ??= validFrom;
    records.push({
      ars,
      name,
      level,
      parentArs: parentOf(level, keys, ars),
      kind: KIND_BY_TEXT_CODE[textCode] ?? null,
      population,
      areaKm2,
      validFrom,
    });
  });

  return { records, errors, referenceDate };
}

const LEVEL_RANK: Readonly<Record<Gv100Level, number>> = {
  land: 0,
  regierungsbezirk: 1,
  kreis: 2,
  gemeindeverband: 3,
  gemeinde: 4,
};

export interface MergedRegionRecord extends RegionRecord {
  /** Every level the key stands for, coarsest first (Berlin: land, kreis, gemeindeverband, gemeinde). */
  levels: Gv100Level[];
}

/**
 * One record per ARS for a table keyed by ARS: the coarsest level gives name, level, kind and parent,
 * because a Land or Kreis is what users pick; population and area come from the finest record that
 * has them (only Gemeinde records carry them, and a shared key means the same territory).
 * On a Land record, `levels.includes('kreis')` marks a city state that also serves as Kreis.
 */
export function mergeSharedArs(records: readonly RegionRecord[]): MergedRegionRecord[] {
  const byArs = new Map<string, RegionRecord[]>();
  for (const record of records) {
    const group = byArs.get(record.ars);
    if (group) group.push(record);
    else byArs.set(record.ars, [record]);
  }
  return [...byArs.values()].map((group) => {
    const sorted = [...group].sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level]);
    const head = sorted[0] as RegionRecord;
    const withFigures = [...sorted].reverse();
    return {
      ...head,
      population: withFigures.find((r) => r.population !== null)?.population ?? null,
      areaKm2: withFigures.find((r) => r.areaKm2 !== null)?.areaKm2 ?? null,
      levels: [...new Set(sorted.map((r) => r.level))],
    };
  });
}

/** Shorter keys of the coarser levels (Land 2, RB 3, Kreis 5, Gemeindeverband 9) are padded. */
const ACCEPTED_KEY_LENGTHS = new Set([2, 3, 5, 9, 12]);

/**
 * Parses the JSON form of an XRepository code list of Regionalschlüssel: `{ daten: [[code, name, …]] }`.
 * Extra columns and top-level fields are ignored; bad rows are reported (0-based row index in `daten`)
 * and skipped, a repeated code keeps its first row.
 */
export function parseXRepositoryRegions(json: unknown): {
  records: { ars: string; name: string }[];
  errors: string[];
} {
  const records: { ars: string; name: string }[] = [];
  const errors: string[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { records, errors: ['Erwartet wird ein JSON-Objekt mit dem Feld "daten"'] };
  }
  const rows = (json as Record<string, unknown>).daten;
  if (!Array.isArray(rows)) {
    return { records, errors: ['Das Feld "daten" fehlt oder ist keine Liste'] };
  }

  const seen = new Set<string>();
  rows.forEach((row: unknown, index) => {
    if (!Array.isArray(row) || row.length < 2) {
      errors.push(`Zeile ${index}: erwartet wird eine Liste [Schlüssel, Name, …]`);
      return;
    }
    const [rawCode, rawName] = row as unknown[];
    // A list passed through a spreadsheet may carry 12-digit keys as numbers, Länder 01-09 then losing
    // their leading zero; shorter numbers are ambiguous and rejected.
    const numeric = typeof rawCode === 'number' && Number.isSafeInteger(rawCode) ? String(rawCode) : null;
    const code =
      typeof rawCode === 'string'
        ? rawCode.trim()
        : numeric !== null && /^\d{11,12}$/.test(numeric)
          ? numeric.padStart(12, '0')
          : null;
    if (code === null || !isDigits(code) || !ACCEPTED_KEY_LENGTHS.has(code.length)) {
      errors.push(`Zeile ${index}: ungültiger Regionalschlüssel ${JSON.stringify(rawCode)}`);
      return;
    }
    if (typeof rawName !== 'string' || rawName.trim() === '') {
      errors.push(`Zeile ${index}: Name fehlt für ${code}`);
      return;
    }
    const ars = code.padEnd(12, '0');
    if (seen.has(ars)) {
      errors.push(`Zeile ${index}: Regionalschlüssel ${ars} doppelt`);
      return;
    }
    seen.add(ars);
    records.push({ ars, name: rawName.trim() });
  });
  return { records, errors };
}
