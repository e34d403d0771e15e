import type { FastifyInstance } from 'fastify';
import { sendPage } from '../../web/render.js';
import { listServiceOverview } from './queries.js';
import { ServiceListPage } from './views.js';

export async function serviceRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { config: { access: 'signed-in' } }, async (_request, reply) => {
    const services = await listServiceOverview(app.db.kysely);
    return sendPage(reply, <ServiceListPage services={services} />);
  });
}
