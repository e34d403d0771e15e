import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  // Liveness: the process answers. Says nothing about the database on purpose, so an orchestrator
  // does not restart healthy processes during a database outage.
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(app.db.kysely);
      return { status: 'ok', database: app.db.engine };
    } catch {
      return reply.status(503).send({
        error: { code: 'database_unavailable', message: 'Die Datenbank antwortet nicht.', details: [] },
      });
    }
  });
}
