import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';

/**
 * What the public data look like, as one number: data_version (migration 0022), which statement-level
 * triggers bump on every change of counts or master data. The validators of the open-data API and the
 * caches of the public pages key on it.
 */
export interface DataStamp {
  version: number;
  changedAt: Date;
}

/**
 * How long a stamp this process read is used without asking again, when this process has written
 * nothing since. Bounds how late a change made by another process (a second instance, the `zsk`
 * command) reaches this one's validators and page caches; changes made through this process count at
 * once (Db.writes).
 */
export const STAMP_REUSE_MS = 1_000;

interface Read {
  /** Db.writes() when the read began: a later write of this process makes the read outdated. */
  writes: number;
  startedAt: number;
  stamp: Promise<DataStamp>;
  /** The stamp once read. */
  value?: DataStamp;
}

const latest = new WeakMap<Db, Read>();

/**
 * The current stamp. A conditional request that costs a query is one the bare route answers three
 * times as fast (bench:public), so the stamp is read at most once per STAMP_REUSE_MS, and concurrent
 * requests share the read under way, as long as no write of this process completed after the read
 * began: a request after a delivery always sees the delivery.
 */
export function readDataStamp(db: Db, now: number = Date.now()): Promise<DataStamp> {
  const last = reusableRead(db, now);
  if (last) return last.stamp;
  const read: Read = { writes: db.writes(), startedAt: now, stamp: queryDataStamp(db.kysely) };
  latest.set(db, read);
  read.stamp.then(
    (value) => {
      read.value = value;
    },
    // A failed read (database away) must not be reused.
    () => {
      if (latest.get(db) === read) latest.delete(db);
    },
  );
  return read.stamp;
}

/**
 * The current stamp where readDataStamp would answer it from memory without waiting, else undefined:
 * for answers given before any promise (the early 304s of IssuedValidators).
 */
export function knownDataStamp(db: Db, now: number = Date.now()): DataStamp | undefined {
  return reusableRead(db, now)?.value;
}

function reusableRead(db: Db, now: number): Read | undefined {
  const last = latest.get(db);
  return last && last.writes === db.writes() && now - last.startedAt < STAMP_REUSE_MS ? last : undefined;
}

async function queryDataStamp(db: Kysely<Database>): Promise<DataStamp> {
  const rows = await sql<{ version: string | number; changed_at: Date | string }>`
    SELECT version, changed_at FROM data_version`.execute(db);
  const row = rows.rows[0];
  return row
    ? { version: Number(row.version), changedAt: new Date(row.changed_at) }
    : { version: 0, changedAt: new Date(0) };
}
