import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/**
 * The OpenAPI 3 document is generated from the TypeBox route schemas, so it cannot drift from what
 * the routes validate. Only tagged routes (the API) appear; pages and health checks stay out.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ZSK-Lieferschnittstelle / ZSK delivery API',
        version: '1',
        description:
          'Transaktionszahlen der Onlinedienste liefern und lesen. Authentifizierung mit einem ' +
          'Zugangsschlüssel (`Authorization: Bearer zsk_…`), den das ZSK-Team je Onlinedienst oder Portal ' +
          'ausgibt. Fehler haben immer die Form `{ "error": { "code", "message", "details" } }`.\n\n' +
          'Deliver and read the transaction counts of online services. Authenticate with an access ' +
          'token (`Authorization: Bearer zsk_…`) issued per online service or portal.',
        license: { name: 'EUPL-1.2', url: 'https://eupl.eu/1.2/de/' },
      },
      tags: [
        {
          name: 'Open Data',
          description:
            'Offene Daten ohne Zugangsschlüssel: veröffentlichte Onlinedienste, ihre Transaktionszahlen und ' +
            'Summen als JSON, CSV oder JSON-stat 2.0 (docs/open-data-api.md). / Open data, no token needed.',
        },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'Zugangsschlüssel / access token' },
        },
      },
    },
    hideUntagged: true,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    // Swagger UI sets a few inline styles; allowed on these pages only, scripts stay 'self'.
    transformStaticCSP: (header) => header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  });
}
