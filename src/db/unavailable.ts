/**
 * Whether an error says the database cannot be reached or has ended the session, rather than that
 * the statement was wrong: a restart, a failover, a network break or a server refusing connections.
 * Such a request may succeed when sent again once the database is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailable)) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception) and the passing states of class 57: admin_shutdown
    // (57P01, what pg_ctl stop/restart -m fast and pg_terminate_backend send), crash_shutdown and
    // cannot_connect_now (still starting); too_many_connections passes as well.
    if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
    if (SOCKET_CODES.has(code)) return true;
  }
  return PG_CONNECTION_MESSAGES.some((m) => error.message.startsWith(m));
}

/** Node's codes for a connection that could not be made or broke. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** node-postgres and pg-pool raise these as plain errors without a code (pg 8.23, pg-pool 3.14). */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
];
