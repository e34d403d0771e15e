import { sql, type Kysely } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/schema.js';

/**
 * Conditional GET for everything derived from the public data (open-data API, downloads): ETag and
 * Last-Modified come from data_version (migration 0022), which statement-level triggers bump on every
 * change of counts or master data, so a validator costs one primary-key read instead of the answer.
 */
export interface DataStamp {
  version: number;
  changedAt: Date;
}

export async function readDataStamp(db: Kysely<Database>): Promise<DataStamp> {
  const rows = await sql<{ version: string | number; changed_at: Date | string }>`
    SELECT version, changed_at FROM data_version`.execute(db);
  const row = rows.rows[0];
  return row
    ? { version: Number(row.version), changedAt: new Date(row.changed_at) }
    : { version: 0, changedAt: new Date(0) };
}

export interface Validators {
  etag: string;
  lastModified: Date;
}

/**
 * The validators of one representation. `variant` tells apart what the same URL answers differently
 * (format, audience). Answers with a default period depend on the calendar too ("the last twelve
 * months"), so the month is part of the ETag and Last-Modified is never before the month began.
 */
export function validatorsOf(stamp: DataStamp, variant: string, now: Date = new Date()): Validators {
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const month = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const changed = new Date(Math.max(stamp.changedAt.getTime(), monthStart.getTime()));
  // HTTP dates have whole seconds: rounding down would make If-Modified-Since match too early.
  changed.setUTCMilliseconds(0);
  const tag = `${stamp.version}-${month}-${variant}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return { etag: `"${tag}"`, lastModified: changed };
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, '');

/**
 * RFC 9110 13.1: If-None-Match (weak comparison) decides when present; If-Modified-Since only
 * without it, and only for a date the server could have sent.
 */
export function isNotModified(headers: FastifyRequest['headers'], v: Validators): boolean {
  const noneMatch = headers['if-none-match'];
  if (typeof noneMatch === 'string' && noneMatch.trim() !== '') {
    if (noneMatch.trim() === '*') return true;
    return noneMatch.split(',').some((tag) => opaque(tag) === opaque(v.etag));
  }
  const since = headers['if-modified-since'];
  if (typeof since === 'string' && since.trim() !== '') {
    const date = Date.parse(since);
    return Number.isFinite(date) && v.lastModified.getTime() <= date;
  }
  return false;
}

export interface ConditionalOptions {
  variant: string;
  /** Cache-Control max-age in seconds. */
  maxAge: number;
  /** Shared caches may keep it (public data) or only the visitor's browser (signed-in views). */
  shared: boolean;
  now?: Date;
}

/**
 * Sets ETag, Last-Modified and Cache-Control, and answers 304 when the client's copy is current.
 * Returns true when the 304 was sent: the caller then builds nothing.
 */
export async function answerIfNotModified(
  request: FastifyRequest,
  reply: FastifyReply,
  db: Kysely<Database>,
  options: ConditionalOptions,
): Promise<boolean> {
  const v = validatorsOf(await readDataStamp(db), options.variant, options.now);
  reply.header('ETag', v.etag);
  reply.header('Last-Modified', v.lastModified.toUTCString());
  reply.header('Cache-Control', `${options.shared ? 'public' : 'private'}, max-age=${options.maxAge}`);
  if (!isNotModified(request.headers, v)) return false;
  await reply.code(304).send();
  return true;
}
