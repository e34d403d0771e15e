import { sql, type Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../schema.js';
import { latestTwelveMonths } from '../../domain/months.js';
import { runningDifference } from './period-sums.js';

/*
 * The latest twelve closed months are the period every page opens with (start page, explorer,
 * reports). Any period is two subscripts of each service's running sums, but ranking 100,000 services
 * by it means computing every total and sorting. For this one period an expression index on exactly
 * that total lets PostgreSQL read the largest (or smallest) services in index order. Its month
 * numbers are constants, so the index belongs to one window: when a month closes, the next window's
 * index is built and the previous one dropped. The delivery path needs nothing: PostgreSQL keeps the
 * index with every row of rollup_service_running it writes. A GET never builds it; without the index
 * the same query scans the running sums, as for any other period.
 */

const PREFIX = 'rollup_service_running_recent_';

const indexName = (window: { to: string }) => `${PREFIX}${window.to.replace('-', '_')}`;

/**
 * Builds the index of the current window if it is missing and drops those of earlier windows.
 * Idempotent; at 100,000 services the build takes about 50 ms (writes to the running sums wait for it).
 */
export async function ensureRecentWindowIndex(
  db: Kysely<Database>,
  now: Date = new Date(),
): Promise<{ created: string | null; dropped: string[] }> {
  const window = latestTwelveMonths(now);
  const name = indexName(window);
  const existing = (
    await sql<{ name: string }>`
      SELECT indexname AS name FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = 'rollup_service_running'
        AND starts_with(indexname, ${PREFIX})`.execute(db)
  ).rows.map((r) => r.name);
  let created: string | null = null;
  if (!existing.includes(name)) {
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(name)}
              ON rollup_service_running ((${runningDifference('totals', window, null)}))`.execute(db);
    created = name;
  }
  const dropped = existing.filter((n) => n !== name);
  for (const old of dropped) await sql`DROP INDEX IF EXISTS ${sql.id(old)}`.execute(db);
  return { created, dropped };
}

/** Milliseconds until the next check: the start of the next month (UTC, as months are read), at most an hour. */
export function nextCheckIn(now: Date = new Date()): number {
  const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return Math.min(60 * 60 * 1000, Math.max(1_000, nextMonth - now.getTime() + 1_000));
}

/**
 * Keeps the window's index current while the app runs: at start (`ready`), a second after a month
 * closes, and every hour besides (a failed check is logged and tried again then; meanwhile the pages
 * scan the running sums, as for any other period). `stop` waits for a check in progress, so the
 * database is not closed under it.
 */
export function keepRecentWindowIndex(
  db: Kysely<Database>,
  log: FastifyBaseLogger,
): { ready: Promise<void>; stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  const check = () => {
    inFlight = ensureRecentWindowIndex(db)
      .then(({ created, dropped }) => {
        if (created || dropped.length > 0)
          log.info({ created, dropped }, 'Index der letzten zwölf Monate erneuert');
      })
      .catch((error: unknown) => {
        if (!stopped) log.warn({ err: error }, 'Index der letzten zwölf Monate nicht erneuert');
      })
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(() => void check(), nextCheckIn());
        // Never keeps a process alive that is otherwise done (CLI, tests).
        timer.unref();
      });
    return inFlight;
  };
  const ready = check();
  return {
    ready,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
