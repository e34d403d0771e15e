import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Database, UploadStatus } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { ingestDelivery, type DeliverySummary, type DeliveryTarget } from './ingest.js';
import { PENDING_HOURS, parseUpload, type UploadChannel } from './upload.js';

/**
 * Storing a confirmed upload with its progress in pending_uploads (migration 0012): claimed
 * (pending -> running), stored through the one write path while each slice reports its rows, and
 * marked done in the delivery's own transaction, so "done" and the delivery commit together. A failure
 * rolls the delivery back and marks the upload failed: nothing is stored.
 */

/** A running upload without a sign of life for this long belongs to a process that has ended. */
export const STALE_MINUTES = 5;

const targetFilter = (target: DeliveryTarget) =>
  target.kind === 'service'
    ? ({ column: 'service_id', id: target.serviceId } as const)
    : ({ column: 'portal_id', id: target.portalId } as const);

export interface ClaimedUpload {
  channel: UploadChannel;
  fileName: string;
  mediaType: string;
  content: Buffer;
  /** Rows of the file, as the preview counted them. */
  rowsTotal: number;
}

/**
 * Moves a previewed upload of this user from pending to running, in one statement: two clicks on
 * "Speichern" (or two instances) cannot store it twice. Null if there is no such pending upload.
 */
export async function claimPendingUpload(
  db: Kysely<Database>,
  id: string,
  userId: number,
  target: DeliveryTarget,
): Promise<ClaimedUpload | null> {
  const t = targetFilter(target);
  const row = await db
    .updateTable('pending_uploads')
    .set({
      status: 'running',
      rows_done: 0,
      rows_total: sql<number>`(preview->>'rowsTotal')::int`,
      progress_at: sql<Date>`now()`,
      // Storing may outlast the preview's validity; the status must stay readable meanwhile.
      expires_at: sql<Date>`now() + ${`${PENDING_HOURS} hours`}::interval`,
    })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where(t.column, '=', t.id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', sql<Date>`now()`)
    .returning(['channel', 'file_name', 'media_type', 'content', 'rows_total'])
    .executeTakeFirst();
  return row
    ? {
        channel: row.channel,
        fileName: row.file_name,
        mediaType: row.media_type,
        content: row.content,
        rowsTotal: row.rows_total ?? 0,
      }
    : null;
}

/** Cancel ("Verwerfen"): removes a pending upload that is not being stored. True if there was one. */
export async function discardPendingUpload(
  db: Kysely<Database>,
  id: string,
  userId: number,
  target: DeliveryTarget,
): Promise<boolean> {
  const t = targetFilter(target);
  const row = await db
    .deleteFrom('pending_uploads')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where(t.column, '=', t.id)
    .where('status', '=', 'pending')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export interface UploadProgress {
  id: string;
  fileName: string;
  status: UploadStatus;
  rowsDone: number;
  rowsTotal: number;
  deliveryId: number | null;
  failure: string | null;
}

/** The state of an upload of this user for this target; null if there is none (or it expired). */
export async function loadUploadProgress(
  db: Kysely<Database>,
  id: string,
  userId: number,
  target: DeliveryTarget,
): Promise<UploadProgress | null> {
  const t = targetFilter(target);
  const row = await db
    .selectFrom('pending_uploads')
    .select([
      'id',
      'file_name',
      'status',
      'rows_done',
      'rows_total',
      'delivery_id',
      'failure',
      sql<boolean>`status = 'running' AND progress_at < now() - ${`${STALE_MINUTES} minutes`}::interval`.as(
        'stale',
      ),
    ])
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where(t.column, '=', t.id)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row) return null;
  const progress: UploadProgress = {
    id: row.id,
    fileName: row.file_name,
    status: row.status,
    rowsDone: row.rows_done,
    rowsTotal: row.rows_total ?? 0,
    deliveryId: row.delivery_id,
    failure: row.failure,
  };
  return row.stale
    ? {
        ...progress,
        status: 'failed',
        failure:
          'Das Speichern wurde unterbrochen (etwa durch einen Neustart des Servers). Es wurde nichts gespeichert.',
      }
    : progress;
}

/**
 * Writes the progress outside the delivery's transaction, so other requests (and other instances)
 * see it while the transaction runs. Fire and forget: the transaction never waits for it. A late
 * write cannot undo "done" or "failed" (only running uploads are updated, and never backwards).
 */
function progressWriter(db: Kysely<Database>, id: string, log: FastifyBaseLogger) {
  const writes = new Set<Promise<unknown>>();
  return {
    report: (rowsDone: number, rowsTotal: number): void => {
      const write = db
        .updateTable('pending_uploads')
        .set({ rows_done: rowsDone, rows_total: rowsTotal, progress_at: sql<Date>`now()` })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('rows_done', '<=', rowsDone)
        .execute()
        .catch((error: unknown) => log.warn({ err: error, upload: id }, 'upload progress not written'));
      writes.add(write);
      void write.finally(() => writes.delete(write));
    },
    settled: () => Promise.all([...writes]),
  };
}

const FAILED =
  'Beim Speichern ist ein Fehler aufgetreten. Es wurde nichts gespeichert; bitte versuchen Sie es erneut.';

/**
 * Stores a claimed upload as one delivery (with its file) and records the outcome on the upload.
 * Resolves with the summary, or null if storing failed (the upload then says why).
 */
export async function storeClaimedUpload(
  db: Kysely<Database>,
  input: {
    id: string;
    userId: number;
    target: DeliveryTarget;
    upload: ClaimedUpload;
    log: FastifyBaseLogger;
  },
): Promise<DeliverySummary | null> {
  const progress = progressWriter(db, input.id, input.log);
  const { upload } = input;
  try {
    const parsed = await parseUpload(upload.channel, upload.content, input.target.kind === 'portal');
    const summary = await ingestDelivery(db, {
      channel: upload.channel,
      actor: { userId: input.userId, tokenId: null },
      target: input.target,
      rows: parsed.rows,
      rowNumbers: parsed.rowNumbers,
      file: { name: upload.fileName, mediaType: upload.mediaType, content: upload.content },
      onProgress: progress.report,
      alsoInTransaction: async (trx, s) => {
        await trx
          .updateTable('pending_uploads')
          .set({
            status: 'done',
            delivery_id: s.deliveryId,
            rows_done: sql<number>`coalesce(rows_total, 0)`,
            progress_at: sql<Date>`now()`,
            // The file now lives with the delivery (delivery_files); one copy is enough.
            content: Buffer.alloc(0),
          })
          .where('id', '=', input.id)
          .execute();
      },
    });
    await progress.settled();
    return summary;
  } catch (error) {
    await progress.settled();
    const message = error instanceof AppError && error.statusCode < 500 ? error.message : FAILED;
    if (!(error instanceof AppError)) input.log.error({ err: error, upload: input.id }, 'upload not stored');
    await db
      .updateTable('pending_uploads')
      .set({ status: 'failed', failure: message, progress_at: sql<Date>`now()` })
      .where('id', '=', input.id)
      .where('status', '=', 'running')
      .execute();
    return null;
  }
}
