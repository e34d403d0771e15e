import { sql, type Kysely, type Transaction } from 'kysely';
import type { Granularity } from '../../domain/vocabulary.js';
import { countRowValidator, type CountInput, type RowError } from '../../domain/counts.js';
import { monthToDate } from '../../domain/months.js';
import { shown } from '../../domain/shown.js';
import { parseId } from '../../http/ids.js';
import type { Actor } from '../../db/audit.js';
import { transactionWithRetry } from '../../db/retry.js';
import { lockServices, upsertCounts, type StoredCount } from '../../db/rollups/index.js';
import type { Channel, Database, DeliveryStatus } from '../../db/schema.js';
import { regionIndex } from '../regions/repository.js';

/** A row as received from any channel; portal deliveries name the service in each row, by id or key. */
export interface IncomingRow extends CountInput {
  serviceId?: unknown;
  /** The portal's own key of the service (portal_services.service_key). */
  serviceKey?: unknown;
}

export type DeliveryTarget = { kind: 'service'; serviceId: number } | { kind: 'portal'; portalId: number };

export interface IngestRequest {
  channel: Channel;
  actor: Actor;
  target: DeliveryTarget;
  rows: readonly IncomingRow[];
  /** Row number of rows[0] in what the supplier sent (2 for a CSV file with a header line). */
  firstRowNumber?: number;
  /** Row number of each row, where they are not consecutive (files whose blank lines were skipped). */
  rowNumbers?: readonly number[];
  /** Validate and summarise only; nothing is stored. */
  dryRun?: boolean;
  /** With dryRun: also return up to this many changed rows (old -> new), for an upload preview. */
  sampleChanges?: number;
  /** Store the valid rows even if others are invalid (otherwise one invalid row rejects all). */
  partial?: boolean;
  file?: { name: string; mediaType: string; content: Buffer };
  /**
   * Idempotency-Key of the request: `respond` gives the answer to replay for a retry, stored in the
   * same transaction as the delivery, so a committed key always has its answer.
   */
  idempotency?: { key: string; requestHash: string; respond: (summary: DeliverySummary) => unknown };
  /**
   * Called after each stored slice with the valid rows stored so far (and once with 0 before the
   * first): progress for people waiting on a large upload. Synchronous on purpose: the transaction
   * must not wait for whatever the caller does with it (on PGlite, one connection, a query outside
   * the transaction could only run after it).
   */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
  /** Runs last inside the delivery's transaction: what must commit or roll back with it. */
  alsoInTransaction?: (trx: Transaction<Database>, summary: DeliverySummary) => Promise<void>;
  now?: Date;
}

export interface DeliverySummary {
  deliveryId: number | null;
  status: DeliveryStatus;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first MAX_REPORTED_ERRORS errors in row order. */
  errors: RowError[];
  /** All errors, also those beyond `errors`. */
  errorCount: number;
  /** Only for a dry run asked with sampleChanges: the first changed rows in delivery order. */
  changes?: ChangedCount[];
}

export interface ChangedCount {
  serviceId: number;
  /** YYYY-MM */
  month: string;
  ars: string;
  old: number;
  new: number;
}

/** Rows per statement: large deliveries are stored in slices so memory stays flat. */
const SLICE = 10_000;
/**
 * A delivery with a million broken rows must not keep, store or answer a million errors: the first
 * ones show what is wrong, the count says how much.
 */
export const MAX_REPORTED_ERRORS = 1_000;

export class DeliveryTargetError extends Error {
  constructor(
    readonly code: 'service_not_found' | 'portal_not_found',
    message: string,
  ) {
    super(message);
  }
}

async function granularities(
  db: Kysely<Database>,
  target: DeliveryTarget,
): Promise<{ byId: Map<number, Granularity>; byKey: Map<string, number> }> {
  const query =
    target.kind === 'service'
      ? db
          .selectFrom('online_services')
          .select(['id', 'granularity', sql<string | null>`NULL`.as('service_key')])
          .where('id', '=', target.serviceId)
      : db
          .selectFrom('online_services')
          .innerJoin('portal_services', 'portal_services.service_id', 'online_services.id')
          .select(['online_services.id', 'online_services.granularity', 'portal_services.service_key'])
          .where('portal_services.portal_id', '=', target.portalId);
  const rows = await query.execute();
  if (target.kind === 'service' && rows.length === 0) {
    throw new DeliveryTargetError('service_not_found', `Onlinedienst ${target.serviceId} existiert nicht.`);
  }
  if (target.kind === 'portal') {
    const portal = await db
      .selectFrom('portals')
      .select('id')
      .where('id', '=', target.portalId)
      .executeTakeFirst();
    if (!portal)
      throw new DeliveryTargetError('portal_not_found', `Portal ${target.portalId} existiert nicht.`);
  }
  return {
    byId: new Map(rows.map((r) => [r.id, r.granularity])),
    byKey: new Map(rows.flatMap((r) => (r.service_key === null ? [] : [[r.service_key, r.id] as const]))),
  };
}

interface PortalServices {
  byId: Map<number, Granularity>;
  byKey: Map<string, number>;
  /** Ids that rows name and that exist outside this portal: named „in another portal“, not „unknown“. */
  elsewhere: Set<number>;
}

/** At most 20 of the portal's ids or keys, for a message that says what would have been right. */
function listed(values: Iterable<string | number>): string {
  const all = [...values].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
  );
  if (all.length === 0) return 'keine';
  return all.slice(0, 20).join(', ') + (all.length > 20 ? ` … (${all.length} insgesamt)` : '');
}

/** The numeric ids rows of a portal delivery name that are not in the portal but exist elsewhere. */
async function idsElsewhere(
  db: Kysely<Database>,
  rows: readonly IncomingRow[],
  inPortal: Map<number, Granularity>,
): Promise<Set<number>> {
  const named = new Set<number>();
  for (const raw of rows) {
    const id = parseServiceId(raw.serviceId);
    if (id !== null && !inPortal.has(id)) named.add(id);
    if (named.size >= 1000) break;
  }
  if (named.size === 0) return named;
  const found = await db
    .selectFrom('online_services')
    .select('id')
    .where('id', 'in', [...named])
    .execute();
  return new Set(found.map((r) => r.id));
}

/** A service id as JSON number or CSV text: plain decimal digits only, like ids everywhere. */
function parseServiceId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  return typeof value === 'string' ? parseId(value.trim()) : null;
}

/**
 * The portal's service a row names by serviceKey or serviceId, or the row's error, which says exactly
 * what is wrong: not a number, no such service, a service of another portal, or an unknown key, with
 * the portal's own ids or keys to choose from.
 */
function portalServiceOf(raw: IncomingRow, rowNumber: number, services: PortalServices): number | RowError {
  if (raw.serviceKey !== undefined && raw.serviceKey !== null && raw.serviceKey !== '') {
    const key = (typeof raw.serviceKey === 'string' ? raw.serviceKey : JSON.stringify(raw.serviceKey)).trim();
    const id = services.byKey.get(key);
    if (id === undefined)
      return rowError(
        rowNumber,
        'serviceKey',
        raw.serviceKey,
        'service_key_unknown',
        `Einen Onlinedienst mit dem Schlüssel „${shown(key)}“ gibt es in diesem Portal nicht; seine Schlüssel: ${listed(services.byKey.keys())}.`,
        `This portal has no online service with the key "${shown(key)}"; its keys: ${listed(services.byKey.keys())}.`,
      );
    return id;
  }
  const sid = parseServiceId(raw.serviceId);
  const ids = listed(services.byId.keys());
  if (sid === null)
    return rowError(
      rowNumber,
      'serviceId',
      raw.serviceId,
      'service_id_invalid',
      `„${shown(raw.serviceId ?? '')}“ ist keine Nummer eines Onlinedienstes (serviceId: eine positive ganze Zahl; die Onlinedienste dieses Portals: ${ids}).`,
      `"${shown(raw.serviceId ?? '')}" is no online service id (serviceId: a positive whole number; this portal's services: ${ids}).`,
    );
  if (!services.byId.has(sid)) {
    return services.elsewhere.has(sid)
      ? rowError(
          rowNumber,
          'serviceId',
          raw.serviceId,
          'service_not_in_portal',
          `Onlinedienst ${sid} gehört nicht zu diesem Portal (die Onlinedienste dieses Portals: ${ids}).`,
          `Online service ${sid} does not belong to this portal (this portal's services: ${ids}).`,
        )
      : rowError(
          rowNumber,
          'serviceId',
          raw.serviceId,
          'service_unknown',
          `Einen Onlinedienst ${sid} gibt es nicht (die Onlinedienste dieses Portals: ${ids}).`,
          `There is no online service ${sid} (this portal's services: ${ids}).`,
        );
  }
  return sid;
}

function rowError(
  row: number,
  field: RowError['field'],
  value: unknown,
  code: string,
  de: string,
  en: string,
) {
  return { row, field, value: shown(value), code, message: de, messageEn: en } satisfies RowError;
}

/**
 * Validates every row against the domain rules and the region master data; keeps the first
 * MAX_REPORTED_ERRORS errors and counts all.
 */
export async function validateDelivery(
  db: Kysely<Database>,
  request: IngestRequest,
): Promise<{ valid: StoredCount[]; errors: RowError[]; errorCount: number }> {
  const services = await granularities(db, request.target);
  const elsewhere =
    request.target.kind === 'portal'
      ? await idsElsewhere(db, request.rows, services.byId)
      : new Set<number>();
  const regions = await regionIndex.get(db);
  const now = request.now ?? new Date();
  const first = request.firstRowNumber ?? 1;
  const valid: StoredCount[] = [];
  const errors: RowError[] = [];
  let errorCount = 0;
  const report = (found: RowError[]) => {
    errorCount += found.length;
    for (const e of found) if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
  };
  /*
   * The one duplicate-row rule, for every channel and the upload preview alike (both run this
   * function): a row is refused when an earlier valid row of the delivery names the same service,
   * month and region (keys compared normalised), so which of two values counts never depends on order
   * in the store. Rows with errors take no part: the error they already carry is the one to fix.
   */
  const seen = new Map<string, number>();
  const validators = new Map<Granularity, ReturnType<typeof countRowValidator>>();
  const validatorFor = (granularity: Granularity) => {
    let validate = validators.get(granularity);
    if (!validate) {
      validate = countRowValidator({
        now,
        granularity,
        regionExists: (ars) => regions.all.has(ars),
        regionExistsAt: (ars, g) => regions.byGranularity.get(g)!.has(ars),
      });
      validators.set(granularity, validate);
    }
    return validate;
  };
  request.rows.forEach((raw, i) => {
    const rowNumber = request.rowNumbers?.[i] ?? first + i;
    let serviceId: number;
    if (request.target.kind === 'service') {
      serviceId = request.target.serviceId;
    } else {
      const found = portalServiceOf(raw, rowNumber, { ...services, elsewhere });
      if (typeof found !== 'number') {
        report([found]);
        return;
      }
      serviceId = found;
    }
    const granularity = services.byId.get(serviceId)!;
    const result = validatorFor(granularity)(raw, rowNumber);
    if ('errors' in result) {
      report(result.errors);
      return;
    }
    const key = `${serviceId}/${result.row.month}/${result.row.ars}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      report([
        rowError(
          rowNumber,
          'row',
          `${result.row.month};${result.row.ars}`,
          'duplicate_row',
          `Monat ${result.row.month} und Region ${result.row.ars} kommen schon in Zeile ${earlier} vor.`,
          `Month ${result.row.month} and region ${result.row.ars} already occur in row ${earlier}.`,
        ),
      ]);
      return;
    }
    seen.set(key, rowNumber);
    valid.push({
      serviceId,
      month: monthToDate(result.row.month),
      ars: result.row.ars,
      count: result.row.count,
    });
  });
  return { valid, errors, errorCount };
}

/**
 * The one write path for counts from every channel (API, form, CSV, Excel, demo): validate, then
 * store atomically as one delivery with its summary, the audit of every changed value and the
 * roll-ups. An invalid row rejects the whole delivery unless `partial` is set; a rejected delivery is
 * recorded for the supplier's history but changes no count.
 */
export async function ingestDelivery(db: Kysely<Database>, request: IngestRequest): Promise<DeliverySummary> {
  const { valid, errors, errorCount } = await validateDelivery(db, request);
  const rejectedAll = errorCount > 0 && !request.partial;
  const rejectedRows = rejectedAll ? request.rows.length : request.rows.length - valid.length;
  const status: DeliveryStatus = rejectedAll ? 'rejected' : errorCount > 0 ? 'partial' : 'accepted';

  if (request.dryRun) {
    const changes: ChangedCount[] | undefined = request.sampleChanges !== undefined ? [] : undefined;
    const preview = rejectedAll
      ? { created: 0, updated: 0, unchanged: 0 }
      : await previewCounts(db, valid, changes && { into: changes, limit: request.sampleChanges! });
    return {
      deliveryId: null,
      status,
      ...preview,
      rejected: rejectedRows,
      errors,
      errorCount,
      ...(changes && { changes }),
    };
  }

  return transactionWithRetry(db, async (trx) => {
    const months = valid.map((v) => v.month).sort();
    const delivery = await trx
      .insertInto('deliveries')
      .values({
        service_id: request.target.kind === 'service' ? request.target.serviceId : null,
        portal_id: request.target.kind === 'portal' ? request.target.portalId : null,
        channel: request.channel,
        user_id: request.actor.userId,
        token_id: request.actor.tokenId,
        status,
        rows_total: request.rows.length,
        errors: JSON.stringify(errors),
        first_month: rejectedAll ? null : (months[0] ?? null),
        last_month: rejectedAll ? null : (months[months.length - 1] ?? null),
        idempotency_key: request.idempotency?.key ?? null,
        request_hash: request.idempotency?.requestHash ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const totals = { created: 0, updated: 0, unchanged: 0 };
    if (!rejectedAll) {
      await lockServices(
        trx,
        valid.map((v) => v.serviceId),
      );
      request.onProgress?.(0, valid.length);
      for (let i = 0; i < valid.length; i += SLICE) {
        const s = await upsertCounts(trx, valid.slice(i, i + SLICE), delivery.id, request.actor);
        totals.created += s.created;
        totals.updated += s.updated;
        totals.unchanged += s.unchanged;
        request.onProgress?.(Math.min(i + SLICE, valid.length), valid.length);
      }
    }
    const summary: DeliverySummary = {
      deliveryId: delivery.id,
      status,
      ...totals,
      rejected: rejectedRows,
      errors,
      errorCount,
    };
    await trx
      .updateTable('deliveries')
      .set({
        ...totals,
        rejected: rejectedRows,
        response: request.idempotency ? JSON.stringify(request.idempotency.respond(summary)) : null,
      })
      .where('id', '=', delivery.id)
      .execute();
    if (request.file) {
      await trx
        .insertInto('delivery_files')
        .values({
          delivery_id: delivery.id,
          file_name: request.file.name,
          media_type: request.file.mediaType,
          content: request.file.content,
        })
        .execute();
    }
    await request.alsoInTransaction?.(trx, summary);
    return summary;
  });
}

/** What storing would do, without storing: compares with the stored values. */
export async function previewCounts(
  db: Kysely<Database>,
  rows: readonly StoredCount[],
  sample?: { into: ChangedCount[]; limit: number },
): Promise<{ created: number; updated: number; unchanged: number }> {
  const totals = { created: 0, updated: 0, unchanged: 0 };
  for (let i = 0; i < rows.length; i += SLICE) {
    const slice = rows.slice(i, i + SLICE);
    // Arrays instead of one parameter per value: 10,000 (service, month, ARS) tuples as bind
    // parameters broke PGlite's extended protocol ("unnamed prepared statement does not exist").
    const existing = (
      await sql<{ service_id: number; month: string; ars: string; count: number }>`
        SELECT c.service_id, c.month, c.ars, c.count
        FROM unnest(${slice.map((r) => r.serviceId)}::int[], ${slice.map((r) => r.month)}::date[],
                    ${slice.map((r) => r.ars)}::text[]) AS i(service_id, month, ars)
        CROSS JOIN LATERAL (
          SELECT * FROM counts c
          WHERE c.service_id = i.service_id AND c.month = i.month AND c.ars = i.ars
          OFFSET 0
        ) c`.execute(db)
    ).rows;
    const stored = new Map(existing.map((e) => [`${e.service_id}/${e.month}/${e.ars}`, e.count]));
    for (const r of slice) {
      const old = stored.get(`${r.serviceId}/${r.month}/${r.ars}`);
      if (old === undefined) totals.created++;
      else if (old === r.count) totals.unchanged++;
      else {
        totals.updated++;
        if (sample && sample.into.length < sample.limit) {
          sample.into.push({
            serviceId: r.serviceId,
            month: r.month.slice(0, 7),
            ars: r.ars,
            old,
            new: r.count,
          });
        }
      }
    }
  }
  return totals;
}
