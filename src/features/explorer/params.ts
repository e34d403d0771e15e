import { currentMonth, latestTwelveMonths, parseMonth } from '../../domain/months.js';
import { alignPeriod, parseResolution, type Resolution } from '../../domain/periods.js';

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
  /** Month, quarter or year (default month): the period is widened to whole quarters or years. */
  resolution?: Resolution;
}

export interface ExplorerFieldError {
  field: 'nach' | 'von' | 'bis' | 'wert' | 'dienst' | 'aufloesung';
  message: string;
}

/** The form as typed, echoed back on errors so people can correct it. */
export interface ExplorerForm {
  nach: string;
  von: string;
  bis: string;
  wert: string;
  aufloesung: string;
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
  const { from, to } = latestTwelveMonths(now);
  return {
    nach: 'land',
    von: from,
    bis: to,
    wert: 'absolut',
    aufloesung: 'monat',
    dienst: [],
    suche: '',
  };
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
    aufloesung: (first(query.aufloesung) ?? defaults.aufloesung).trim() || defaults.aufloesung,
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
  const resolution = parseResolution(form.aufloesung);
  if (!resolution.ok) errors.push({ field: 'aufloesung', message: resolution.error.message });
  const badIds = form.dienst.filter((d) => !/^[1-9][0-9]{0,8}$/.test(d));
  if (badIds.length > 0) {
    errors.push({
      field: 'dienst',
      message: `Ungültige Onlinedienst-Nummer ${badIds.map((d) => `„${d}“`).join(', ')}.`,
    });
  }

  if (errors.length > 0 || !dimension || !mode || !from.ok || !to.ok || !resolution.ok)
    return { ok: false, errors, form };
  const period = alignPeriod({ from: from.value, to: to.value }, resolution.value, currentMonth(now));
  return {
    ok: true,
    // Shown as widened, so the fields say which months the quarters or years cover.
    form: { ...form, von: period.from, bis: period.to },
    params: {
      dimension,
      mode,
      resolution: resolution.value,
      from: period.from,
      to: period.to,
      serviceIds: [...new Set(form.dienst.map(Number))].sort((a, b) => a - b),
    },
  };
}
