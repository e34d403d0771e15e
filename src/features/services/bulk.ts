import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import { writeAudit, type Actor } from '../../db/audit.js';
import { transactionWithRetry } from '../../db/retry.js';
import type { Database } from '../../db/schema.js';
import { shown } from '../../domain/shown.js';
import { AppError } from '../../http/errors.js';
import {
  checkServiceForm,
  emptyServiceForm,
  GranularityLockedError,
  hasCounts,
  insertService,
  loadServiceForm,
  NEW_AUTHORITY,
  pendingChanges,
  updateServiceIn,
  type ServiceForm,
  type ServiceMasterData,
} from './editor.js';

/**
 * Master data of many services of one portal in one call (POST /api/v1/portals/{id}/services). Each
 * row names the service by the portal's own `serviceKey`: an unknown key creates a service of the
 * portal, a known one updates it, so sending the same list again changes nothing. The rules are the
 * editor's (checkServiceForm); this file only maps API rows onto the form and back.
 */

/** A row as received (JSON or CSV); the rules judge the values, so they are typed loosely. */
export interface ServiceRowInput {
  serviceKey?: unknown;
  name?: unknown;
  url?: unknown;
  authority?: unknown;
  type?: unknown;
  buildMode?: unknown;
  focus?: unknown;
  granularity?: unknown;
  description?: unknown;
  leika?: unknown;
  ozg?: unknown;
}

/** A broken rule of one row, in the shape of the delivery API's row errors. */
export interface RowError {
  row: number;
  /** The API's field name (serviceKey, name, url, authority, type, …). */
  field: string;
  value: string;
  code: string;
  message: string;
  messageEn: string;
}

export type ServiceOutcome = 'created' | 'updated' | 'unchanged';

export interface ServiceResult {
  row: number;
  serviceKey: string;
  /** null for a service a dry run would create. */
  serviceId: number | null;
  outcome: ServiceOutcome;
}

export interface ServiceBatchSummary {
  status: 'accepted' | 'partial' | 'rejected';
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: RowError[];
  services: ServiceResult[];
}

/** The API's field names, in the order of the CSV columns. */
export const SERVICE_COLUMNS = [
  'serviceKey',
  'name',
  'url',
  'authority',
  'type',
  'buildMode',
  'focus',
  'granularity',
  'leika',
  'ozg',
] as const;

/** Form field -> API field, for row errors in the words and with the value the supplier sent. */
const API_FIELD: Record<keyof ServiceForm, keyof ServiceRowInput> = {
  name: 'name',
  url: 'url',
  authorityId: 'authority',
  authorityName: 'authority',
  serviceType: 'type',
  buildMode: 'buildMode',
  isFocus: 'focus',
  granularity: 'granularity',
  description: 'description',
  leika: 'leika',
  ozg: 'ozg',
};

const SERVICE_KEY_MAX = 100;

/** Services one call of `POST …/services` (or `services import`) may create or update. */
export const MAX_SERVICE_ROWS = 5_000;

const csvError = (message: string) => new AppError(400, 'csv_invalid', message);

/** CSV with a header naming the columns (any order, case-insensitive); `;` or `,` as delimiter. */
export function parseServiceCsv(text: string): { rows: ServiceRowInput[]; firstRowNumber: number } {
  const content = text.replace(/^\uFEFF/, '');
  const headerLine = content.split(/\r?\n/, 1)[0] ?? '';
  const expected = SERVICE_COLUMNS.join(';');
  if (headerLine.trim() === '')
    throw csvError(`Die CSV-Datei ist leer; erwartet wird die Kopfzeile ${expected}.`);
  const delimiter = headerLine.split(';').length >= headerLine.split(',').length ? ';' : ',';
  let records: string[][];
  try {
    // Empty lines are kept so that row numbers stay the file's line numbers.
    records = parse(content, { delimiter, relax_column_count: true, skip_empty_lines: false, trim: true });
  } catch (e) {
    throw csvError(`Die CSV-Datei ist fehlerhaft: ${(e as Error).message}`);
  }
  while (records.length > 1 && records[records.length - 1]!.every((f) => f === '')) records.pop();
  const byLower = new Map<string, string>(SERVICE_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const header = (records[0] ?? []).map((h) => byLower.get(h.toLowerCase()));
  const unknown = (records[0] ?? []).filter((_, i) => header[i] === undefined);
  if (unknown.length)
    throw csvError(
      `Unbekannte Spalte ${unknown.map((u) => `„${u}“`).join(', ')} in der Kopfzeile; erwartet: ${expected}.`,
    );
  const required = ['serviceKey', 'name', 'type', 'buildMode', 'granularity'];
  if (required.some((c) => !header.includes(c)) || new Set(header).size !== header.length)
    throw csvError(
      `Die Kopfzeile muss die Spalten ${required.join(';')} je einmal enthalten (alle Spalten: ${expected}).`,
    );
  const rows = records.slice(1).map((fields) => {
    const row: Record<string, string> = {};
    header.forEach((column, i) => {
      if (column) row[column] = fields[i] ?? '';
    });
    return row;
  });
  return { rows, firstRowNumber: 2 };
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const keyList = (v: unknown): string => (Array.isArray(v) ? v.map(String).join(',') : text(v));

/** true / false, or undefined when the value is no yes or no. */
function yesNo(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return false;
  const s = (typeof v === 'string' ? v : JSON.stringify(v)).trim().toLowerCase();
  if (['', 'nein', 'no', 'false', '0'].includes(s)) return false;
  if (['ja', 'yes', 'true', '1', 'x'].includes(s)) return true;
  return undefined;
}

/**
 * The row as the editor's form, on top of the stored form for a known service: a field the row leaves
 * out (a JSON key or CSV column not sent) keeps its stored value, an empty one clears it. So a
 * supplier whose file has no `ozg` column does not wipe the OZG links someone set on the web page.
 */
export function rowToForm(row: ServiceRowInput, stored: ServiceForm | null): ServiceForm {
  const base = stored ?? emptyServiceForm();
  const authority = row.authority === undefined ? undefined : text(row.authority);
  return {
    name: text(row.name),
    url: row.url === undefined ? base.url : text(row.url),
    authorityId: authority === undefined ? base.authorityId : authority ? NEW_AUTHORITY : '',
    authorityName: authority ?? '',
    serviceType: text(row.type),
    buildMode: text(row.buildMode),
    isFocus: row.focus === undefined ? base.isFocus : (yesNo(row.focus) ?? false),
    granularity: text(row.granularity),
    description: row.description === undefined ? base.description : text(row.description),
    leika: row.leika === undefined ? base.leika : keyList(row.leika),
    ozg: row.ozg === undefined ? base.ozg : keyList(row.ozg),
  };
}

function rowError(
  row: number,
  field: string,
  value: unknown,
  code: string,
  de: string,
  en: string,
): RowError {
  // Echoed values are cut and made visible like the delivery API's (src/domain/shown.ts).
  return {
    row,
    field,
    value: shown(Array.isArray(value) ? value.join(',') : (value ?? '')),
    code,
    message: de,
    messageEn: en,
  };
}

/** The master data of one row, or its errors, in the API's field names. */
export async function checkServiceRow(
  db: Kysely<Database>,
  row: ServiceRowInput,
  rowNumber: number,
  stored: ServiceForm | null,
): Promise<{ data: ServiceMasterData } | { errors: RowError[] }> {
  const errors: RowError[] = [];
  if (yesNo(row.focus) === undefined)
    errors.push(
      rowError(
        rowNumber,
        'focus',
        row.focus,
        'focus_invalid',
        'Fokusleistung bitte als ja oder nein (true/false) angeben.',
        'focus must be yes or no (true/false).',
      ),
    );
  const checked = await checkServiceForm(db, rowToForm(row, stored));
  if ('problems' in checked)
    for (const p of checked.problems)
      errors.push(
        rowError(rowNumber, API_FIELD[p.field], row[API_FIELD[p.field]], p.code, p.message, p.messageEn),
      );
  if (errors.length || !('data' in checked)) return { errors };
  return { data: checked.data };
}

function checkServiceKey(value: unknown, rowNumber: number): { key: string } | { error: RowError } {
  const key = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (!key)
    return {
      error: rowError(
        rowNumber,
        'serviceKey',
        value,
        'service_key_missing',
        'Der Schlüssel des Onlinedienstes (serviceKey) fehlt.',
        'serviceKey is missing.',
      ),
    };
  // Control characters would make the key invisible in lists and files.
  // eslint-disable-next-line no-control-regex
  if (key.length > SERVICE_KEY_MAX || /[\u0000-\u001f\u007f]/.test(key))
    return {
      error: rowError(
        rowNumber,
        'serviceKey',
        value,
        'service_key_invalid',
        `Der Schlüssel darf höchstens ${SERVICE_KEY_MAX} Zeichen lang sein und keine Steuerzeichen enthalten.`,
        `serviceKey may have at most ${SERVICE_KEY_MAX} characters and no control characters.`,
      ),
    };
  return { key };
}

interface PlannedRow {
  row: number;
  key: string;
  data: ServiceMasterData;
  serviceId: number | null;
  outcome: ServiceOutcome;
}

/** The services of the portal with a key among `keys`: key -> service id. */
async function servicesByKey(
  db: Kysely<Database>,
  portalId: number,
  keys: string[],
): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('portal_services')
    .select(['service_key', 'service_id'])
    .where('portal_id', '=', portalId)
    .where('service_key', 'in', keys)
    .execute();
  return new Map(rows.map((r) => [r.service_key!, r.service_id]));
}

/** Validates every row and decides what it would do; all errors at once. */
async function planRows(
  db: Kysely<Database>,
  portalId: number,
  rows: readonly ServiceRowInput[],
  firstRowNumber: number,
): Promise<{ planned: PlannedRow[]; errors: RowError[] }> {
  const keyOf = rows.map((r, i) => checkServiceKey(r.serviceKey, firstRowNumber + i));
  const existing = await servicesByKey(
    db,
    portalId,
    keyOf.flatMap((k) => ('key' in k ? [k.key] : [])),
  );
  const planned: PlannedRow[] = [];
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of rows.entries()) {
    const rowNumber = firstRowNumber + i;
    const k = keyOf[i]!;
    if ('error' in k) {
      errors.push(k.error);
      continue;
    }
    const earlier = seen.get(k.key);
    if (earlier !== undefined) {
      errors.push(
        rowError(
          rowNumber,
          'serviceKey',
          k.key,
          'service_key_duplicate',
          `Der Schlüssel „${k.key}“ kommt schon in Zeile ${earlier} vor.`,
          `serviceKey "${k.key}" already occurs in row ${earlier}.`,
        ),
      );
      continue;
    }
    seen.set(k.key, rowNumber);
    const serviceId = existing.get(k.key) ?? null;
    const stored = serviceId === null ? null : await loadServiceForm(db, serviceId);
    const checked = await checkServiceRow(db, raw, rowNumber, stored?.form ?? null);
    if ('errors' in checked) {
      errors.push(...checked.errors);
      continue;
    }
    let outcome: ServiceOutcome = 'created';
    if (stored) {
      const changed = await pendingChanges(db, stored.stored, checked.data);
      outcome = changed.length ? 'updated' : 'unchanged';
      if (changed.includes('granularity') && (await hasCounts(db, serviceId!))) {
        errors.push(granularityLocked(rowNumber, raw.granularity));
        continue;
      }
    }
    planned.push({ row: rowNumber, key: k.key, data: checked.data, serviceId, outcome });
  }
  return { planned, errors };
}

const granularityLocked = (rowNumber: number, value: unknown) =>
  rowError(
    rowNumber,
    'granularity',
    value,
    'granularity_locked',
    'Die Granularität lässt sich nicht mehr ändern: Für diesen Onlinedienst sind schon Zahlen gespeichert.',
    'The granularity cannot change any more: counts are stored for this service.',
  );

export interface ServiceBatchRequest {
  portalId: number;
  actor: Actor;
  rows: readonly ServiceRowInput[];
  firstRowNumber: number;
  dryRun: boolean;
  partial: boolean;
}

/**
 * Validates all rows, then (unless a dry run, or an error without `partial`) creates and updates the
 * services in one transaction with an audit record of every change. New services belong to the
 * portal directly: the caller is the portal, there is no person to make their manager.
 */
export async function saveServiceBatch(
  db: Kysely<Database>,
  request: ServiceBatchRequest,
): Promise<ServiceBatchSummary> {
  // Each row costs a few queries inside one transaction: a bound keeps one call from holding the
  // database (on PGlite: its only connection) for minutes. Larger lists go in several calls.
  if (request.rows.length > MAX_SERVICE_ROWS)
    throw new AppError(
      422,
      'limit_exceeded',
      `Höchstens ${MAX_SERVICE_ROWS.toLocaleString('de-DE')} Onlinedienste je Aufruf; die Liste hat ${request.rows.length.toLocaleString('de-DE')}. Bitte aufteilen.`,
      [{ limit: 'rows', max: MAX_SERVICE_ROWS }],
    );
  const { planned, errors } = await planRows(db, request.portalId, request.rows, request.firstRowNumber);
  const rejectedAll = errors.length > 0 && !request.partial;
  const summary = (results: ServiceResult[]): ServiceBatchSummary => ({
    status: rejectedAll ? 'rejected' : errors.length ? 'partial' : 'accepted',
    created: results.filter((r) => r.outcome === 'created').length,
    updated: results.filter((r) => r.outcome === 'updated').length,
    unchanged: results.filter((r) => r.outcome === 'unchanged').length,
    rejected: rejectedAll ? request.rows.length : request.rows.length - planned.length,
    errors,
    services: results,
  });
  const asResult = (p: PlannedRow, serviceId = p.serviceId): ServiceResult => ({
    row: p.row,
    serviceKey: p.key,
    serviceId,
    outcome: p.outcome,
  });
  if (rejectedAll) return summary([]);
  if (request.dryRun) return summary(planned.map((p) => asResult(p)));

  try {
    const results = await transactionWithRetry(db, async (trx) => {
      const done: ServiceResult[] = [];
      for (const p of planned) {
        if (p.outcome === 'unchanged') {
          done.push(asResult(p));
        } else if (p.serviceId !== null) {
          await updateServiceIn(trx, request.actor, p.serviceId, p.data);
          done.push(asResult(p));
        } else {
          const serviceId = await insertService(trx, request.actor, p.data);
          // A new service has no counts yet, so it has no figures in the explorer's portal groups to
          // move (addInTransaction in portals/service.ts regroups for services that have).
          await trx
            .insertInto('portal_services')
            .values({ portal_id: request.portalId, service_id: serviceId, service_key: p.key })
            .execute();
          await writeAudit(trx, request.actor, {
            action: 'portal.service_add',
            entity: 'portal',
            entityId: request.portalId,
            newValue: { serviceId, serviceKey: p.key },
          });
          done.push(asResult(p, serviceId));
        }
      }
      return done;
    });
    return summary(results);
  } catch (e) {
    // A delivery stored counts between the check and the write: the row's plan no longer holds.
    if (e instanceof GranularityLockedError)
      throw new AppError(
        409,
        'granularity_locked',
        'Die Granularität lässt sich nicht mehr ändern: Für einen der Onlinedienste wurden inzwischen Zahlen gespeichert.',
      );
    if ((e as { code?: string }).code === '23505')
      throw new AppError(
        409,
        'service_key_conflict',
        'Ein Schlüssel wurde gleichzeitig von einer anderen Anfrage vergeben; bitte erneut senden.',
      );
    throw e;
  }
}
