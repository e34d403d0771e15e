/**
 * Amtlicher Regionalschlüssel (ARS): 12 digits, Land (2) + Regierungsbezirk (1) + Kreis (2) +
 * Gemeindeverband (4) + Gemeinde (3). A coarser region is its key cut short and padded with zeros,
 * and this project uses the all-zero key for "nationwide".
 */
import { err, ok, type Result } from './result.js';
import { shown } from './shown.js';
import { GRANULARITIES, type Granularity } from './vocabulary.js';

export const NATIONWIDE_ARS = '000000000000';

export type RegionLevel = 'bund' | 'land' | 'regierungsbezirk' | 'kreis' | 'gemeindeverband' | 'gemeinde';

/** Key length up to and including each level; everything after it is zero padding. */
const PREFIX_LENGTH: Record<RegionLevel, number> = {
  bund: 0,
  land: 2,
  regierungsbezirk: 3,
  kreis: 5,
  gemeindeverband: 9,
  gemeinde: 12,
};

/** Coarse to fine, so that comparing positions compares levels. */
const LEVEL_ORDER: readonly RegionLevel[] = [
  'bund',
  'land',
  'regierungsbezirk',
  'kreis',
  'gemeindeverband',
  'gemeinde',
];

/**
 * Berlin and Hamburg are Land, Kreis and Gemeinde at once and carry the Land key at every level
 * (Bremen is not: its two cities are Kreise 04011 and 04012).
 */
export const CITY_STATE_ARS: readonly string[] = ['020000000000', '110000000000'];

const ACCEPTED_LENGTHS = [2, 3, 5, 9, 12];
const MAX_LAND = 16;

export function parseArs(input: string): Result<string> {
  const value = input.trim();
  if (value === '') {
    return err(
      'ars_empty',
      'ARS fehlt: bitte den 12-stelligen Amtlichen Regionalschlüssel angeben (000000000000 für bundesweit).',
      'ARS is missing: give the 12-digit Amtlicher Regionalschlüssel (000000000000 for nationwide).',
    );
  }
  if (!/^\d+$/.test(value)) {
    return err(
      'ars_not_digits',
      `ARS muss aus Ziffern bestehen (2, 3, 5, 9 oder 12 Stellen), erhalten: "${shown(value)}"`,
      `ARS must consist of digits only (2, 3, 5, 9 or 12 of them), got: "${shown(value)}"`,
    );
  }
  // A lone zero is how people write "nationwide"; any other single digit is a typo.
  if (value === '0') return ok(NATIONWIDE_ARS);
  if (value.length === 8) {
    // The most common mix-up: the AGS leaves out the Gemeindeverband, so it cannot be padded.
    return err(
      'ars_length',
      `"${value}" hat 8 Stellen und ist vermutlich ein Amtlicher Gemeindeschlüssel (AGS). Erwartet wird der ` +
        'Amtliche Regionalschlüssel (ARS) mit 12 Stellen, der zusätzlich den Gemeindeverband (Stellen 6 bis 9) enthält.',
      `"${value}" has 8 digits and is probably an Amtlicher Gemeindeschlüssel (AGS). Expected is the 12-digit ` +
        'Amtlicher Regionalschlüssel (ARS), which also contains the Gemeindeverband (digits 6 to 9).',
    );
  }
  // Spreadsheets read 064110000000 as a number and drop the leading zero of Länder 01 to 09.
  if ([1, 4, 11].includes(value.length) && value[0] !== '0') {
    const meant = `0${value}`;
    return err(
      'ars_length',
      `ARS "${value}" hat ${value.length} Stellen: vermutlich hat eine Tabellenkalkulation die führende Null ` +
        `entfernt, gemeint ist wohl "${meant}". Bitte die ARS-Spalte als Text formatieren.`,
      `ARS "${value}" has ${value.length} digits: a spreadsheet probably dropped the leading zero; "${meant}" ` +
        'is probably meant. Please format the ARS column as text.',
    );
  }
  if (!ACCEPTED_LENGTHS.includes(value.length)) {
    return err(
      'ars_length',
      `ARS muss 2, 3, 5, 9 oder 12 Stellen haben, erhalten: "${shown(value)}" (${value.length} Stellen)`,
      `ARS must have 2, 3, 5, 9 or 12 digits, got: "${shown(value)}" (${value.length} digits)`,
    );
  }
  const ars = value.padEnd(12, '0');
  const land = Number(ars.slice(0, 2));
  if (land === 0) {
    if (ars === NATIONWIDE_ARS) return ok(ars);
    return err(
      'ars_inconsistent',
      `ARS "${value}" ist widersprüchlich: Land 00 gibt es nur im bundesweiten Schlüssel 000000000000.`,
      `ARS "${value}" is inconsistent: Land 00 only occurs in the nationwide key 000000000000.`,
    );
  }
  if (land > MAX_LAND) {
    return err(
      'ars_unknown_land',
      `ARS "${value}" nennt das unbekannte Land ${ars.slice(0, 2)}; die ersten beiden Stellen müssen 01 bis 16 sein.`,
      `ARS "${value}" names the unknown Land ${ars.slice(0, 2)}; the first two digits must be 01 to 16.`,
    );
  }
  // Every Gemeinde and Gemeindeverband lies in a Kreis (a kreisfreie Stadt is one), so Kreis 00 must end the key.
  if (ars.slice(3, 5) === '00' && /[1-9]/.test(ars.slice(5))) {
    return err(
      'ars_inconsistent',
      `ARS "${value}" ist widersprüchlich: ohne Kreis (Stellen 4 und 5 sind 00) gibt es keinen Gemeindeverband ` +
        'und keine Gemeinde.',
      `ARS "${value}" is inconsistent: without a Kreis (digits 4 and 5 are 00) there is no Gemeindeverband ` +
        'and no Gemeinde.',
    );
  }
  return ok(ars);
}

/** Callers pass keys that went through parseArs; anything else is a programming error. */
function assertArs12(ars12: string): void {
  if (!/^\d{12}$/.test(ars12)) throw new RangeError(`Expected a 12-digit ARS, got "${ars12}"`);
}

export function arsLevel(ars12: string): RegionLevel {
  assertArs12(ars12);
  // The finest part that is not zero decides; zero parts after it are padding.
  for (let i = LEVEL_ORDER.length - 1; i > 0; i--) {
    const level = LEVEL_ORDER[i] as RegionLevel;
    const previous = LEVEL_ORDER[i - 1] as RegionLevel;
    if (/[1-9]/.test(ars12.slice(PREFIX_LENGTH[previous], PREFIX_LENGTH[level]))) return level;
  }
  return 'bund';
}

export function parentArs(ars12: string): string | null {
  switch (arsLevel(ars12)) {
    case 'bund':
      return null;
    case 'land':
      return NATIONWIDE_ARS;
    case 'regierungsbezirk':
      return truncateArs(ars12, 'land');
    case 'kreis':
      // Most Länder have no Regierungsbezirke; their Kreise hang directly under the Land.
      return ars12[2] === '0' ? truncateArs(ars12, 'land') : truncateArs(ars12, 'regierungsbezirk');
    case 'gemeindeverband':
      return truncateArs(ars12, 'kreis');
    case 'gemeinde':
      return ars12.slice(5, 9) === '0000'
        ? truncateArs(ars12, 'kreis')
        : truncateArs(ars12, 'gemeindeverband');
  }
}

export function truncateArs(ars12: string, level: Granularity | RegionLevel): string {
  assertArs12(ars12);
  return ars12.slice(0, PREFIX_LENGTH[level]).padEnd(12, '0');
}

export function landOf(ars12: string): string {
  assertArs12(ars12);
  return ars12.slice(0, 2);
}

export function isCoarserOrEqual(a: Granularity, b: Granularity): boolean {
  return GRANULARITIES.indexOf(a) <= GRANULARITIES.indexOf(b);
}

/** Whether level `a` is strictly coarser than level `b`. */
export function isCoarserLevel(a: RegionLevel, b: RegionLevel): boolean {
  return LEVEL_ORDER.indexOf(a) < LEVEL_ORDER.indexOf(b);
}

export function granularityOf(ars12: string): Granularity | null {
  const level = arsLevel(ars12);
  return level === 'regierungsbezirk' || level === 'gemeindeverband' ? null : level;
}

/**
 * Whether the shape of a key allows it to stand for a region of this granularity. Beyond the key's
 * own level this covers the keys that name several levels at once: Berlin and Hamburg are also Kreis
 * and Gemeinde, and a kreisfreie Stadt is also a Gemeinde under its Kreis key (Darmstadt 064110000000).
 * The shape alone cannot tell a kreisfreie Stadt from a Landkreis; only the region register can.
 */
export function mayDenote(ars12: string, granularity: Granularity): boolean {
  const own = granularityOf(ars12);
  if (own === granularity) return true;
  if (CITY_STATE_ARS.includes(ars12)) return granularity === 'kreis' || granularity === 'gemeinde';
  return own === 'kreis' && granularity === 'gemeinde';
}

export function agsFromArs(ars12: string): string {
  assertArs12(ars12);
  return ars12.slice(0, 5) + ars12.slice(9, 12);
}
