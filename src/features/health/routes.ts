import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnavailable, errorBody } from '../../http/errors.js';

export function healthRoutes(app: FastifyInstance): void {
  // Liveness: the process answers. Says nothing about the database on purpose, so an orchestrator
  // does not restart healthy processes during a database outage.
  app.get('/healthz', { config: { access: 'public' } }, () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(app.db.kysely);
      return { status: 'ok', database: app.db.engine };
    } catch {
      // Answered here rather than thrown: a probe every few seconds during an outage would fill the log.
      const { code, message } = databaseUnavailable();
      return reply
        .status(503)
        .header('Retry-After', DATABASE_RETRY_AFTER_SECONDS)
        .send(errorBody(code, message));
    }
  });
}
