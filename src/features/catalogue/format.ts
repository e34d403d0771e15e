import { parse } from 'csv-parse/sync';
import { OZG_THEMENFELDER, TYPISIERUNGEN, canonicalThemenfeld } from '../../domain/catalogue.js';
import { hasControlCharacter } from '../../domain/text.js';

/**
 * Reads the service catalogue files (docs/catalogue.md): the JSON export modelled on the OZG
 * information platform, and a flat CSV with one line per OZG service and LeiKa key. Both become the
 * same `Catalogue`; every problem is collected with its place in the file, so one run names them all.
 */

export interface CatalogueLeika {
  key: string;
  name: string;
  typisierung: string | null;
  keywords: string[];
}

export interface CatalogueOzg {
  id: string;
  name: string;
  themenfeld: string | null;
  lebenslage: string | null;
  keywords: string[];
  leikaKeys: string[];
}

export interface Catalogue {
  leika: Map<string, CatalogueLeika>;
  ozg: Map<string, CatalogueOzg>;
  /** Reference date named in the file (JSON `stand`); the CLI's --as-of overrides it. */
  dataAsOf: string | null;
}

export interface CatalogueError {
  /** "Zeile 7" for CSV (file lines, header = 1), "leistungen[3].leikaLeistungen[0]" for JSON. */
  location: string;
  field: string | null;
  value?: string;
  message: string;
}

export interface ParsedCatalogue {
  catalogue: Catalogue;
  errors: CatalogueError[];
}

export type CatalogueFormat = 'json' | 'csv';

const LEIKA_KEY = /^[0-9]{14}$/;
const OZG_ID = /^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$/;
const ISO_DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

export function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** JSON when the content starts with `{`, otherwise CSV; the file name's ending is not trusted. */
export function detectFormat(text: string): CatalogueFormat {
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('{')
    ? 'json'
    : 'csv';
}

export function parseCatalogue(text: string, format: CatalogueFormat = detectFormat(text)): ParsedCatalogue {
  return format === 'json' ? parseCatalogueJson(text) : parseCatalogueCsv(text);
}

/** Collects entries and checks that repeated keys say the same thing everywhere. */
class Builder {
  readonly leika = new Map<string, CatalogueLeika>();
  readonly ozg = new Map<string, CatalogueOzg>();
  readonly errors: CatalogueError[] = [];
  private readonly leikaSeenAt = new Map<string, string>();
  private readonly ozgSeenAt = new Map<string, string>();

  error(location: string, field: string | null, message: string, value?: unknown): void {
    this.errors.push({
      location,
      field,
      message,
      ...(value === undefined || value === null
        ? {}
        : { value: (typeof value === 'string' ? value : JSON.stringify(value)).slice(0, 200) }),
    });
  }

  text(location: string, field: string, value: unknown, required: boolean): string | null {
    if (value === undefined || value === null || value === '') {
      if (required) this.error(location, field, `${field} fehlt.`);
      return null;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.error(location, field, `${field} muss ein Text sein.`, JSON.stringify(value));
      return null;
    }
    const s = String(value).trim().replace(/\s+/g, ' ');
    if (s === '') {
      if (required) this.error(location, field, `${field} fehlt.`);
      return null;
    }
    if (s.length > 500) {
      this.error(location, field, `${field} ist länger als 500 Zeichen.`, s);
      return null;
    }
    // Line breaks and tabs of the source became spaces above; what is left would break the exports.
    if (hasControlCharacter(s)) {
      this.error(location, field, `${field} enthält ein Steuerzeichen.`, JSON.stringify(s));
      return null;
    }
    return s;
  }

  keywords(location: string, field: string, value: unknown): string[] {
    if (value === undefined || value === null || value === '') return [];
    const list = Array.isArray(value)
      ? value
      : typeof value === 'string'
        ? value.split('|')
        : (this.error(location, field, `${field} muss eine Liste von Texten sein.`, JSON.stringify(value)),
          []);
    const result: string[] = [];
    for (const item of list) {
      if (typeof item !== 'string') {
        this.error(location, field, `${field} muss eine Liste von Texten sein.`, JSON.stringify(item));
        continue;
      }
      const s = item.trim().replace(/\s+/g, ' ');
      if (s && !result.includes(s)) result.push(s);
    }
    return result;
  }

  addLeika(location: string, entry: Record<string, unknown>, fields: LeikaFields): string | null {
    const errorsBefore = this.errors.length;
    const rawKey = entry[fields.key];
    const key = this.text(location, fields.key, rawKey, true);
    if (key !== null && !LEIKA_KEY.test(key)) {
      this.error(location, fields.key, 'Ein LeiKa-Schlüssel hat genau 14 Ziffern.', key);
    }
    const name = this.text(location, fields.name, entry[fields.name], true);
    const typisierung = this.text(location, fields.typisierung, entry[fields.typisierung], false);
    if (typisierung !== null && !TYPISIERUNGEN.includes(typisierung)) {
      this.error(
        location,
        fields.typisierung,
        `Unbekannte Typisierung; erlaubt: ${TYPISIERUNGEN.join(', ')}.`,
        typisierung,
      );
    }
    const keywords = this.keywords(location, fields.keywords, entry[fields.keywords]);
    if (this.errors.length > errorsBefore || key === null || name === null) return null;
    const next: CatalogueLeika = { key, name, typisierung, keywords };
    const known = this.leika.get(key);
    if (!known) {
      this.leika.set(key, next);
      this.leikaSeenAt.set(key, location);
    } else if (known.name !== name || known.typisierung !== typisierung) {
      this.error(
        location,
        fields.key,
        `LeiKa-Schlüssel ${key} steht bereits in ${this.leikaSeenAt.get(key)} mit anderer Bezeichnung oder Typisierung.`,
        key,
      );
    } else {
      for (const k of keywords) if (!known.keywords.includes(k)) known.keywords.push(k);
    }
    return key;
  }

  addOzg(location: string, entry: Record<string, unknown>, fields: OzgFields): CatalogueOzg | null {
    const errorsBefore = this.errors.length;
    const id = this.text(location, fields.id, entry[fields.id], true);
    if (id !== null && !OZG_ID.test(id)) {
      this.error(
        location,
        fields.id,
        'Eine OZG-ID besteht aus Ziffern, Buchstaben, Punkt, Binde- oder Unterstrich (höchstens 40 Zeichen).',
        id,
      );
    }
    const name = this.text(location, fields.name, entry[fields.name], true);
    const rawThemenfeld = this.text(location, fields.themenfeld, entry[fields.themenfeld], false);
    const themenfeld = rawThemenfeld === null ? null : canonicalThemenfeld(rawThemenfeld);
    if (rawThemenfeld !== null && themenfeld === null) {
      this.error(
        location,
        fields.themenfeld,
        `Unbekanntes Themenfeld; erlaubt sind die 14 OZG-Themenfelder: ${OZG_THEMENFELDER.join(', ')}.`,
        rawThemenfeld,
      );
    }
    const lebenslage = this.text(location, fields.lebenslage, entry[fields.lebenslage], false);
    const keywords = this.keywords(location, fields.keywords, entry[fields.keywords]);
    if (this.errors.length > errorsBefore || id === null || name === null) return null;
    const known = this.ozg.get(id);
    if (!known) {
      const next: CatalogueOzg = { id, name, themenfeld, lebenslage, keywords, leikaKeys: [] };
      this.ozg.set(id, next);
      this.ozgSeenAt.set(id, location);
      return next;
    }
    if (known.name !== name || known.themenfeld !== themenfeld || known.lebenslage !== lebenslage) {
      this.error(
        location,
        fields.id,
        `OZG-ID ${id} steht bereits in ${this.ozgSeenAt.get(id)} mit anderer Bezeichnung, anderem Themenfeld oder anderer Lebenslage.`,
        id,
      );
      return null;
    }
    for (const k of keywords) if (!known.keywords.includes(k)) known.keywords.push(k);
    return known;
  }

  link(ozg: CatalogueOzg, leikaKey: string): void {
    if (!ozg.leikaKeys.includes(leikaKey)) ozg.leikaKeys.push(leikaKey);
  }

  result(dataAsOf: string | null): ParsedCatalogue {
    return { catalogue: { leika: this.leika, ozg: this.ozg, dataAsOf }, errors: this.errors };
  }
}

type LeikaField = 'key' | 'name' | 'typisierung' | 'keywords';
type OzgField = 'id' | 'name' | 'themenfeld' | 'lebenslage' | 'keywords';
/** Where a format keeps each field of an entry: field -> name in the file. */
type LeikaFields = Record<LeikaField, string>;
type OzgFields = Record<OzgField, string>;

/** The names of each field in the two formats side by side, as docs/catalogue.md lists them. */
const LEIKA_NAMES: Record<LeikaField, { json: string; csv: string }> = {
  key: { json: 'leikaSchluessel', csv: 'leika_schluessel' },
  name: { json: 'bezeichnung', csv: 'leika_bezeichnung' },
  typisierung: { json: 'typisierung', csv: 'typisierung' },
  keywords: { json: 'synonyme', csv: 'leika_synonyme' },
};
const OZG_NAMES: Record<OzgField, { json: string; csv: string }> = {
  id: { json: 'ozgId', csv: 'ozg_id' },
  name: { json: 'bezeichnung', csv: 'ozg_bezeichnung' },
  themenfeld: { json: 'themenfeld', csv: 'themenfeld' },
  lebenslage: { json: 'lebenslage', csv: 'lebenslage' },
  keywords: { json: 'synonyme', csv: 'ozg_synonyme' },
};

function namesIn<F extends string>(
  names: Record<F, { json: string; csv: string }>,
  format: CatalogueFormat,
): Record<F, string> {
  return Object.fromEntries(
    Object.entries<{ json: string; csv: string }>(names).map(([f, n]) => [f, n[format]]),
  ) as Record<F, string>;
}

const JSON_OZG: OzgFields = namesIn(OZG_NAMES, 'json');
const JSON_LEIKA: LeikaFields = namesIn(LEIKA_NAMES, 'json');
const CSV_OZG: OzgFields = namesIn(OZG_NAMES, 'csv');
const CSV_LEIKA: LeikaFields = namesIn(LEIKA_NAMES, 'csv');

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseCatalogueJson(text: string): ParsedCatalogue {
  const b = new Builder();
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    b.error('Datei', null, `Kein gültiges JSON: ${(e as Error).message}`);
    return b.result(null);
  }
  if (!isObject(doc) || !Array.isArray(doc.leistungen)) {
    b.error('Datei', 'leistungen', 'Erwartet wird ein Objekt mit der Liste „leistungen“.');
    return b.result(null);
  }
  let dataAsOf: string | null = null;
  if (doc.stand !== undefined && doc.stand !== null) {
    if (typeof doc.stand === 'string' && isIsoDate(doc.stand)) dataAsOf = doc.stand;
    else b.error('Datei', 'stand', '„stand“ muss ein Datum JJJJ-MM-TT sein.', doc.stand);
  }
  doc.leistungen.forEach((entry, i) => {
    const location = `leistungen[${i}]`;
    if (!isObject(entry)) return b.error(location, null, 'Eine Leistung muss ein Objekt sein.');
    const ozg = b.addOzg(location, entry, JSON_OZG);
    const leika = entry.leikaLeistungen ?? [];
    if (!Array.isArray(leika)) {
      return b.error(location, 'leikaLeistungen', '„leikaLeistungen“ muss eine Liste sein.');
    }
    leika.forEach((l, j) => {
      const where = `${location}.leikaLeistungen[${j}]`;
      if (!isObject(l)) return b.error(where, null, 'Eine LeiKa-Leistung muss ein Objekt sein.');
      const key = b.addLeika(where, l, JSON_LEIKA);
      if (ozg && key) b.link(ozg, key);
    });
  });
  // LeiKa services that belong to no OZG service yet.
  const single = doc.leikaLeistungenOhneOzg ?? [];
  if (!Array.isArray(single)) {
    b.error('Datei', 'leikaLeistungenOhneOzg', '„leikaLeistungenOhneOzg“ muss eine Liste sein.');
  } else {
    single.forEach((l, j) => {
      const where = `leikaLeistungenOhneOzg[${j}]`;
      if (!isObject(l)) return b.error(where, null, 'Eine LeiKa-Leistung muss ein Objekt sein.');
      b.addLeika(where, l, JSON_LEIKA);
    });
  }
  return b.result(dataAsOf);
}

/** CSV column names (lower case) -> field; German spellings as in the documented header. */
const CSV_COLUMNS: Record<string, keyof CsvRow> = {
  ozg_id: 'ozgId',
  'ozg-id': 'ozgId',
  ozg_bezeichnung: 'ozgName',
  ozg_leistung: 'ozgName',
  themenfeld: 'themenfeld',
  lebenslage: 'lebenslage',
  ozg_synonyme: 'ozgKeywords',
  leika_schluessel: 'leikaKey',
  leika_schlüssel: 'leikaKey',
  leistungsschluessel: 'leikaKey',
  leika_bezeichnung: 'leikaName',
  typisierung: 'typisierung',
  leika_synonyme: 'leikaKeywords',
};

interface CsvRow {
  ozgId?: string;
  ozgName?: string;
  themenfeld?: string;
  lebenslage?: string;
  ozgKeywords?: string;
  leikaKey?: string;
  leikaName?: string;
  typisierung?: string;
  leikaKeywords?: string;
}

export function parseCatalogueCsv(text: string): ParsedCatalogue {
  const b = new Builder();
  const content = text.replace(/^\uFEFF/, '');
  const headerLine = content.split(/\r?\n/, 1)[0] ?? '';
  if (headerLine.trim() === '') {
    b.error(
      'Zeile 1',
      null,
      'Die CSV-Datei ist leer; erwartet wird eine Kopfzeile (siehe docs/catalogue.md).',
    );
    return b.result(null);
  }
  const delimiter = headerLine.split(';').length >= headerLine.split(',').length ? ';' : ',';
  let records: string[][];
  try {
    // Empty lines are kept, so record i is file line i + 1.
    records = parse(content, { delimiter, relax_column_count: true, skip_empty_lines: false, trim: true });
  } catch (e) {
    b.error('Datei', null, `Die CSV-Datei ist fehlerhaft: ${(e as Error).message}`);
    return b.result(null);
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase());
  const keys = header.map((h) => CSV_COLUMNS[h]);
  header.forEach((h, i) => {
    if (keys[i] === undefined) b.error('Zeile 1', h, `Unbekannte Spalte „${h}“.`);
  });
  for (const required of ['leikaKey', 'leikaName'] as const) {
    if (!keys.includes(required)) {
      b.error(
        'Zeile 1',
        required === 'leikaKey' ? 'leika_schluessel' : 'leika_bezeichnung',
        'Pflichtspalte fehlt.',
      );
    }
  }
  if (new Set(keys).size !== keys.length)
    b.error('Zeile 1', null, 'Eine Spalte steht mehrfach in der Kopfzeile.');
  if (b.errors.length) return b.result(null);

  records.slice(1).forEach((fields, i) => {
    if (fields.every((f) => f === '')) return;
    const location = `Zeile ${i + 2}`;
    if (fields.length > keys.length) {
      b.error(location, null, `Die Zeile hat ${fields.length} Felder, die Kopfzeile ${keys.length}.`);
      return;
    }
    const row: CsvRow = {};
    keys.forEach((k, j) => {
      row[k!] = fields[j] ?? '';
    });
    const ozgEntry: Record<string, unknown> = {
      ozg_id: row.ozgId,
      ozg_bezeichnung: row.ozgName,
      themenfeld: row.themenfeld,
      lebenslage: row.lebenslage,
      ozg_synonyme: row.ozgKeywords,
    };
    const hasOzg = [row.ozgId, row.ozgName, row.themenfeld, row.lebenslage].some((v) => v);
    const ozg = hasOzg ? b.addOzg(location, ozgEntry, CSV_OZG) : null;
    const key = b.addLeika(
      location,
      {
        leika_schluessel: row.leikaKey,
        leika_bezeichnung: row.leikaName,
        typisierung: row.typisierung,
        leika_synonyme: row.leikaKeywords,
      },
      CSV_LEIKA,
    );
    if (ozg && key) b.link(ozg, key);
  });
  return b.result(null);
}
