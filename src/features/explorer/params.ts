import { addMonths, lastClosedMonth, parseMonth } from '../../domain/months.js';

/** What the explorer groups by; the keys are the values of the query parameter `nach`. */
export const DIMENSIONS = [
  { key: 'dienst', label: 'Onlinedienst' },
  { key: 'ozg', label: 'OZG-Leistung' },
  { key: 'themenfeld', label: 'Themenfeld' },
  { key: 'typ', label: 'Typ' },
  { key: 'fokus', label: 'Fokusleistung' },
  { key: 'land', label: 'Land' },
  { key: 'behoerde', label: 'Behörde' },
  { key: 'portal', label: 'Portal' },
] as const;

export type Dimension = (typeof DIMENSIONS)[number]['key'];

export const VALUE_MODES = [
  { key: 'absolut', label: 'absolut (Anzahl Transaktionen)' },
  { key: 'je1000', label: 'je 1.000 Einwohner' },
] as const;

export type ValueMode = (typeof VALUE_MODES)[number]['key'];

/**
 * Dimensions in which one online service can belong to several groups (n:m links), so the groups can
 * add up to more than the total.
 */
export const MULTI_MEMBERSHIP: ReadonlySet<Dimension> = new Set(['ozg', 'themenfeld', 'portal']);

export interface ExplorerParams {
  dimension: Dimension;
  from: string;
  to: string;
  mode: ValueMode;
  /** Online services to compare; empty = all. */
  serviceIds: number[];
}

export interface ExplorerFieldError {
  field: 'nach' | 'von' | 'bis' | 'wert' | 'dienst';
  message: string;
}

/** The form as typed, echoed back on errors so people can correct it. */
export interface ExplorerForm {
  nach: string;
  von: string;
  bis: string;
  wert: string;
  dienst: string[];
  /** Narrows the list of services to choose from (name contains it); not part of the question. */
  suche: string;
}

export type ParseResult =
  | { ok: true; params: ExplorerParams; form: ExplorerForm }
  | { ok: false; errors: ExplorerFieldError[]; form: ExplorerForm };

type Query = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** The default view: every service, by Land, over the latest twelve closed months. */
export function defaultForm(now: Date): ExplorerForm {
  const to = lastClosedMonth(now);
  return { nach: 'land', von: addMonths(to, -11), bis: to, wert: 'absolut', dienst: [], suche: '' };
}

/**
 * Reads the query string of GET /auswertungen. Missing parameters take their defaults; every wrong one
 * gets a German message naming the field, all at once.
 */
export function parseExplorerQuery(query: Query, now: Date): ParseResult {
  const defaults = defaultForm(now);
  const form: ExplorerForm = {
    nach: (first(query.nach) ?? defaults.nach).trim() || defaults.nach,
    von: (first(query.von) ?? defaults.von).trim() || defaults.von,
    bis: (first(query.bis) ?? defaults.bis).trim() || defaults.bis,
    wert: (first(query.wert) ?? defaults.wert).trim() || defaults.wert,
    dienst: all(query.dienst)
      .map((d) => d.trim())
      .filter(Boolean),
    suche: (first(query.suche) ?? '').trim().slice(0, 100),
  };
  const errors: ExplorerFieldError[] = [];

  const dimension = DIMENSIONS.find((d) => d.key === form.nach)?.key;
  if (!dimension) {
    errors.push({
      field: 'nach',
      message: `Unbekannte Gruppierung „${form.nach}“; möglich sind: ${DIMENSIONS.map((d) => d.key).join(', ')}.`,
    });
  }
  const mode = VALUE_MODES.find((m) => m.key === form.wert)?.key;
  if (!mode) {
    errors.push({
      field: 'wert',
      message: `Unbekannte Darstellung „${form.wert}“; möglich sind: absolut, je1000.`,
    });
  }
  const from = parseMonth(form.von, now);
  if (!from.ok) errors.push({ field: 'von', message: `Zeitraum von: ${from.error.message}` });
  const to = parseMonth(form.bis, now);
  if (!to.ok) errors.push({ field: 'bis', message: `Zeitraum bis: ${to.error.message}` });
  if (from.ok && to.ok && from.value > to.value) {
    errors.push({
      field: 'von',
      message: `Der Zeitraum ist leer: „von“ (${from.value}) liegt nach „bis“ (${to.value}).`,
    });
  }
  const badIds = form.dienst.filter((d) => !/^[1-9][0-9]{0,8}$/.test(d));
  if (badIds.length > 0) {
    errors.push({
      field: 'dienst',
      message: `Ungültige Onlinedienst-Nummer ${badIds.map((d) => `„${d}“`).join(', ')}.`,
    });
  }

  if (errors.length > 0 || !dimension || !mode || !from.ok || !to.ok) return { ok: false, errors, form };
  return {
    ok: true,
    form,
    params: {
      dimension,
      mode,
      from: from.value,
      to: to.value,
      serviceIds: [...new Set(form.dienst.map(Number))].sort((a, b) => a - b),
    },
  };
}
