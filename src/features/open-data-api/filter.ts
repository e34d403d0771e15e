import { SERVICE_TYPES } from '../../domain/vocabulary.js';
import { err, ok, type Result } from '../../domain/result.js';
import { shown } from '../../domain/shown.js';
import { MAX_ID } from '../../http/ids.js';

/**
 * The `filter` parameter of /api/open/v1/aggregates: conditions separated by `,`, each `key:value`,
 * several values of one key separated by `|` (any of them), e.g. `typ:2/3|4,land:06`. All
 * conditions must hold. docs/open-data-api.md documents the keys.
 */
export const FILTER_KEYS = [
  'service',
  'typ',
  'fokus',
  'ozg',
  'leika',
  'themenfeld',
  'land',
  'authority',
  'portal',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export type Filter = { key: FilterKey; values: string[] }[];

const isId = (v: string) => /^[1-9][0-9]{0,9}$/.test(v) && Number(v) <= MAX_ID;

const VALUE_RULES: Record<FilterKey, { valid: (v: string) => boolean; expected: string }> = {
  service: { valid: isId, expected: 'eine Onlinedienst-Id (positive ganze Zahl)' },
  authority: { valid: isId, expected: 'eine Behörden-Id (positive ganze Zahl)' },
  portal: { valid: isId, expected: 'eine Portal-Id (positive ganze Zahl)' },
  typ: { valid: (v) => (SERVICE_TYPES as readonly string[]).includes(v), expected: SERVICE_TYPES.join(', ') },
  fokus: { valid: (v) => v === 'ja' || v === 'nein', expected: 'ja oder nein' },
  land: {
    valid: (v) => /^[0-9]{2}$/.test(v) && Number(v) <= 16,
    expected: 'ein zweistelliger Länderschlüssel 01 bis 16 (00 = bundesweit)',
  },
  leika: { valid: (v) => /^[0-9]{14}$/.test(v), expected: 'ein 14-stelliger LeiKa-Schlüssel' },
  ozg: { valid: (v) => v.length > 0 && v.length <= 100, expected: 'eine OZG-Leistungs-Id' },
  themenfeld: { valid: (v) => v.length > 0 && v.length <= 200, expected: 'der Name eines Themenfelds' },
};

export function parseFilter(input: string | undefined): Result<Filter> {
  const text = (input ?? '').trim();
  if (text === '') return ok([]);
  const filter: Filter = [];
  for (const part of text.split(',')) {
    const colon = part.indexOf(':');
    const key = (colon < 0 ? part : part.slice(0, colon)).trim();
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      return err(
        'invalid_filter',
        `Parameter „filter“: unbekannter Schlüssel „${shown(key, 40)}“; möglich sind ${FILTER_KEYS.join(', ')}.`,
        `Parameter "filter": unknown key "${shown(key, 40)}".`,
      );
    }
    const values =
      colon < 0
        ? []
        : part
            .slice(colon + 1)
            .split('|')
            .map((v) => v.trim());
    const rule = VALUE_RULES[key as FilterKey];
    const wrong = values.length === 0 ? '' : values.find((v) => !rule.valid(v));
    if (wrong !== undefined) {
      return err(
        'invalid_filter',
        `Parameter „filter“: „${shown(wrong, 40)}“ ist kein gültiger Wert für ${key}; erwartet ist ${rule.expected} (Form ${key}:Wert|Wert).`,
        `Parameter "filter": "${shown(wrong, 40)}" is no valid value for ${key}.`,
      );
    }
    filter.push({ key: key as FilterKey, values });
  }
  return ok(filter);
}
