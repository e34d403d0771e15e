import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { LAENDER } from '../../domain/laender.js';
import { monthRange, parseMonth } from '../../domain/months.js';
import { AppError } from '../../http/errors.js';
import { csvLine } from '../../web/csv.js';
import { DASHBOARD_COLUMNS } from './dictionary.js';
import { dashboardMonth, type DashboardRow } from './queries.js';

/** The Dashboard Digitale Verwaltung's own field names, plus monat and transaktionen. */
export interface DashboardRecord {
  leika_key: string;
  ozgid: string;
  ars: string;
  bundesland: string;
  monat: string;
  transaktionen: number;
}

const QUERY_NAMES = new Set(['from', 'to']);

export interface DashboardQuery {
  from: string;
  to: string;
}

/**
 * from and to (YYYY-MM, both optional: the months with data). Unknown parameters, malformed months and a reversed period are 400 with every problem named.
 */
export function parseDashboardQuery(
  raw: Record<string, unknown>,
  period: { first: string; last: string } | null,
  now: Date = new Date(),
): DashboardQuery | null {
  const details: { field: string; code: string; message: string }[] = [];
  for (const name of Object.keys(raw)) {
    if (!QUERY_NAMES.has(name)) {
      details.push({
        field: name,
        code: 'unknown_parameter',
        message: `Unbekannter Parameter „${name.slice(0, 40)}“; erlaubt sind from und to.`,
      });
    }
  }
  const month = (name: 'from' | 'to'): string | null => {
    const value = raw[name];
    if (value === undefined) return null;
    // The field reader (src/http/fields.ts) has made a repeated parameter its first value.
    if (typeof value !== 'string') return null;
    const parsed = parseMonth(value, now);
    if (!parsed.ok) {
      details.push({ field: name, code: parsed.error.code, message: `${name}: ${parsed.error.message}` });
      return null;
    }
    return parsed.value;
  };
  const from = month('from');
  const to = month('to');
  if (from && to && from > to) {
    details.push({
      field: 'from',
      code: 'period_reversed',
      message: `from (${from}) liegt nach to (${to}).`,
    });
  }
  if (details.length > 0) {
    throw new AppError(400, 'validation_failed', details.map((d) => d.message).join(' '), details);
  }
  if (!period) return null;
  const start = from ?? period.first;
  const end = to ?? period.last;
  return { from: start, to: end };
}

const bundesland = (ars: string) =>
  ars === '000000000000' ? 'bundesweit' : (LAENDER[ars.slice(0, 2)] ?? '');

function record(r: DashboardRow): DashboardRecord {
  return {
    leika_key: r.leikaKey,
    ozgid: r.ozgId,
    ars: r.ars,
    bundesland: bundesland(r.ars),
    monat: r.month,
    transaktionen: r.transactions,
  };
}

/** Month by month, so a period of years is never held in memory at once. */
async function* records(
  db: Kysely<Database>,
  query: DashboardQuery | null,
): AsyncGenerator<DashboardRecord[]> {
  if (!query) return;
  for (const month of monthRange(query.from, query.to)) {
    const rows = await dashboardMonth(db, month);
    if (rows.length > 0) yield rows.map(record);
  }
}

export async function* dashboardJson(
  db: Kysely<Database>,
  query: DashboardQuery | null,
  meta: { license: string; attribution: string },
): AsyncGenerator<string> {
  yield (
    `{"lizenz":${JSON.stringify(meta.license)},"namensnennung":${JSON.stringify(meta.attribution)},` +
    `"from":${JSON.stringify(query?.from ?? null)},"to":${JSON.stringify(query?.to ?? null)},"daten":[`
  );
  let first = true;
  for await (const batch of records(db, query)) {
    let text = '';
    for (const r of batch) {
      text += (first ? '\n' : ',\n') + JSON.stringify(r);
      first = false;
    }
    yield text;
  }
  yield '\n]}\n';
}

export async function* dashboardCsv(
  db: Kysely<Database>,
  query: DashboardQuery | null,
): AsyncGenerator<string> {
  yield '\uFEFF' + csvLine(DASHBOARD_COLUMNS.map((c) => c.name));
  for await (const batch of records(db, query)) {
    yield batch
      .map((r) => csvLine([r.leika_key, r.ozgid, r.ars, r.bundesland, r.monat, r.transaktionen]))
      .join('');
  }
}
