/**
 * Validation of delivered transaction counts. Every channel (form, CSV/Excel upload, API, Matomo)
 * goes through here, so a delivery is judged the same way however it arrives.
 */
import { arsLevel, granularityOf, mayDenote, parseArs, CITY_STATE_ARS, type RegionLevel } from './ars.js';
import { parseMonth } from './months.js';
import { err, ok, type DomainError, type Result } from './result.js';
import { shown } from './shown.js';
import type { Granularity } from './vocabulary.js';

/** The largest PostgreSQL `integer`; no single service, month and region comes near it. */
export const MAX_COUNT = 2_147_483_647;

export interface CountInput {
  month: unknown;
  ars: unknown;
  count: unknown;
}

export interface CountRow {
  month: string;
  ars: string;
  count: number;
}

export interface RowError {
  row: number;
  field: 'month' | 'ars' | 'count' | 'serviceId' | 'serviceKey' | 'row';
  value: string;
  code: string;
  message: string;
  messageEn: string;
}

export interface ValidationContext {
  now: Date;
  granularity: Granularity;
  regionExists: (ars12: string) => boolean;
  /**
   * Whether the register holds the key at this granularity. Only asked for keys whose shape is
   * coarser than the service's granularity but may still name such a region: a kreisfreie Stadt is a
   * Gemeinde under its Kreis key. Without it such keys are refused, except Berlin and Hamburg, which
   * are Kreis and Gemeinde under their Land key everywhere.
   */
  regionExistsAt?: (ars12: string, granularity: Granularity) => boolean;
}

export function parseCount(value: unknown): Result<number> {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    return err('count_missing', 'Anzahl fehlt.', 'Count is missing.');
  }
  if (typeof value === 'number') return checkRange(value, String(value));
  if (typeof value === 'bigint') return checkRange(Number(value), String(value));
  if (typeof value !== 'string') return notInteger(shown(value));

  const text = value.trim();
  if (/^\d+$/.test(text)) return checkRange(Number(text), text);
  if (/^-\d+([.,]\d+)?$/.test(text)) return negative(text);
  // "1.234" is a thousand in German and 1.234 in English; refusing it is the only safe reading.
  if (/^\d{1,3}([.,]\d{3})+$/.test(text)) {
    return err(
      'count_not_integer',
      `Anzahl bitte ohne Tausendertrennzeichen angeben (nur Ziffern, z. B. 1234), erhalten: "${shown(text)}"`,
      `Give the count without thousands separators (digits only, e.g. 1234), got: "${shown(text)}"`,
    );
  }
  return notInteger(text);
}

function checkRange(n: number, text: string): Result<number> {
  if (!Number.isInteger(n)) return notInteger(text);
  if (n < 0) return negative(text);
  if (n > MAX_COUNT) {
    return err(
      'count_too_large',
      `Anzahl ${shown(text)} ist zu groß; höchstens ${MAX_COUNT} sind möglich.`,
      `Count ${shown(text)} is too large; at most ${MAX_COUNT} is possible.`,
    );
  }
  // -0 would survive JSON as 0 anyway, but keep it out of comparisons and Object.is checks.
  return ok(n === 0 ? 0 : n);
}

function notInteger(text: string): Result<never> {
  return err(
    'count_not_integer',
    `Anzahl muss eine ganze Zahl aus Ziffern sein (z. B. 1234), erhalten: "${shown(text)}"`,
    `Count must be a whole number written in digits (e.g. 1234), got: "${shown(text)}"`,
  );
}

function negative(text: string): Result<never> {
  return err(
    'count_negative',
    `Anzahl darf nicht negativ sein, erhalten: "${shown(text)}"`,
    `Count must not be negative, got: "${shown(text)}"`,
  );
}

const SERVICE_PHRASE: Record<Granularity, [de: string, en: string]> = {
  bund: ['liefert bundesweit (ARS 000000000000)', 'reports nationwide (ARS 000000000000)'],
  land: ['liefert je Land', 'reports per Land'],
  kreis: ['liefert je Kreis', 'reports per Kreis'],
  gemeinde: ['liefert je Gemeinde', 'reports per Gemeinde'],
};

const KEY_PHRASE: Record<RegionLevel, [de: string, en: string]> = {
  bund: ['ist der bundesweite Schlüssel', 'is the nationwide key'],
  land: ['ist ein Land', 'is a Land'],
  regierungsbezirk: ['ist ein Regierungsbezirk', 'is a Regierungsbezirk'],
  kreis: ['ist ein Kreis', 'is a Kreis'],
  gemeindeverband: ['ist ein Gemeindeverband', 'is a Gemeindeverband'],
  gemeinde: ['ist eine Gemeinde', 'is a Gemeinde'],
};

function fitsGranularity(ars: string, ctx: ValidationContext): boolean {
  if (granularityOf(ars) === ctx.granularity) return true;
  if (!mayDenote(ars, ctx.granularity)) return false;
  if (ctx.regionExistsAt) return ctx.regionExistsAt(ars, ctx.granularity);
  return CITY_STATE_ARS.includes(ars);
}

function checkArs(value: unknown, ctx: ValidationContext): Result<string> {
  if (typeof value === 'number') {
    // Spreadsheets and JSON numbers drop the leading zero of Länder 01 to 09.
    return err(
      'ars_not_string',
      `ARS muss als Text angegeben werden, weil Zahlen die führende Null verlieren; erhalten: ${value}`,
      `ARS must be given as text, because numbers lose the leading zero; got: ${value}`,
    );
  }
  if (value === null || value === undefined) return parseArs('');
  if (typeof value !== 'string') {
    return err(
      'ars_not_string',
      `ARS muss als Text aus Ziffern angegeben werden, erhalten: ${shown(value)}`,
      `ARS must be given as text of digits, got: ${shown(value)}`,
    );
  }
  const parsed = parseArs(value);
  if (!parsed.ok) return parsed;
  const ars = parsed.value;
  if (!fitsGranularity(ars, ctx)) {
    const [serviceDe, serviceEn] = SERVICE_PHRASE[ctx.granularity];
    const [keyDe, keyEn] = KEY_PHRASE[arsLevel(ars)];
    return err(
      'ars_granularity',
      `Dieser Onlinedienst ${serviceDe}; ${ars} ${keyDe}`,
      `This online service ${serviceEn}; ${ars} ${keyEn}`,
    );
  }
  if (!ctx.regionExists(ars)) {
    return err(
      'ars_unknown',
      `ARS ${ars} ist im Regionalverzeichnis nicht bekannt.`,
      `ARS ${ars} is not in the register of regions.`,
    );
  }
  return parsed;
}

function checkMonth(value: unknown, now: Date): Result<string> {
  if (value === null || value === undefined) return parseMonth('', now);
  if (typeof value !== 'string') {
    // Typically a spreadsheet that turned "2024-04" into a date or the number 202404.
    return err(
      'month_not_string',
      `Monat muss als Text im Format JJJJ-MM angegeben werden (z. B. 2024-04), erhalten: ${shown(value)}`,
      `Month must be given as text in the format YYYY-MM (e.g. 2024-04), got: ${shown(value)}`,
    );
  }
  return parseMonth(value, now);
}

interface RowCheck {
  month: Result<string>;
  ars: Result<string>;
  count: Result<number>;
  errors: RowError[];
}

/**
 * Month and ARS checks are pure functions of the value and the context, so within one context each
 * distinct text is checked once: a delivery of 10,000 rows typically repeats a few months and a few
 * hundred regions.
 */
function rowChecker(ctx: ValidationContext): (input: CountInput, rowNumber: number) => RowCheck {
  const months = new Map<string, Result<string>>();
  const arss = new Map<string, Result<string>>();
  const memo = <T>(cache: Map<string, T>, value: unknown, check: (v: unknown) => T): T => {
    if (typeof value !== 'string') return check(value);
    let result = cache.get(value);
    if (result === undefined) cache.set(value, (result = check(value)));
    return result;
  };
  return (input, rowNumber) => {
    const month = memo(months, input.month, (v) => checkMonth(v, ctx.now));
    const ars = memo(arss, input.ars, (v) => checkArs(v, ctx));
    const count = parseCount(input.count);
    const errors: RowError[] = [];
    const collect = (field: 'month' | 'ars' | 'count', result: Result<unknown>, value: unknown): void => {
      if (!result.ok) errors.push(rowError(rowNumber, field, shown(value), result.error));
    };
    collect('month', month, input.month);
    collect('ars', ars, input.ars);
    collect('count', count, input.count);
    return { month, ars, count, errors };
  };
}

function rowError(row: number, field: RowError['field'], value: string, error: DomainError): RowError {
  return { row, field, value, ...error };
}

/**
 * A validator for many rows against one context; each call reports every problem of its row at once,
 * so that a fixed upload does not fail on the next field.
 */
export function countRowValidator(
  ctx: ValidationContext,
): (input: CountInput, rowNumber: number) => { row: CountRow } | { errors: RowError[] } {
  const check = rowChecker(ctx);
  return (input, rowNumber) => {
    const { month, ars, count, errors } = check(input, rowNumber);
    if (month.ok && ars.ok && count.ok)
      return { row: { month: month.value, ars: ars.value, count: count.value } };
    return { errors };
  };
}
