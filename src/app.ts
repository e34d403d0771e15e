import path from 'node:path';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import compress from '@fastify/compress';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import { PROJECT_DIR } from './paths.js';
import type { Db } from './db/database.js';
import { keepRecentWindowIndex } from './db/rollups/recent-window.js';
import { installErrorHandlers } from './http/errors.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { serverAnsweringFirst } from './http/early-answer.js';
import { installIdParams } from './http/ids.js';
import { installFieldReader } from './http/fields.js';
import { healthRoutes } from './features/health/routes.js';
import { serviceRoutes } from './features/services/routes.js';
import { startRoutes } from './features/start/routes.js';
import { deliveryApiRoutes } from './features/deliveries/api.js';
import { registerOpenApi } from './http/openapi.js';
import { evaluationRoutes } from './features/evaluations/routes.js';
import { serviceEditorRoutes } from './features/services/editor-routes.js';
import { entryRoutes } from './features/deliveries/entry-routes.js';
import { uploadRoutes } from './features/deliveries/upload-routes.js';
import { historyRoutes } from './features/deliveries/history-routes.js';
import { requireAccessDeclarations } from './http/access.js';
import { installAccessGuard } from './http/guard.js';
import { accountRoutes } from './features/accounts/routes.js';
import { registrationRoutes } from './features/accounts/registration-routes.js';
import { approvalRoutes } from './features/accounts/approval-routes.js';
import { passwordResetRoutes } from './features/accounts/password-reset-routes.js';
import { oidcRoutes } from './features/accounts/oidc-routes.js';
import { renderErrorPage } from './features/accounts/error-page.js';
import { createMailer, type Mailer } from './features/mail/mailer.js';
import { reportRoutes } from './features/reports/routes.js';
import { explorerRoutes } from './features/explorer/routes.js';
import { accessRoutes } from './features/access/routes.js';
import { tokenRoutes } from './features/tokens/routes.js';
import { portalRoutes } from './features/portals/routes.js';
import { auditRoutes } from './features/audit/routes.js';
import { catalogueRoutes } from './features/catalogue/routes.js';
import { openDataApiRoutes, openDataValidators } from './features/open-data-api/routes.js';
import { openDataRoutes } from './features/open-data/routes.js';
import { embedRoutes } from './features/embeds/routes.js';
import { assetRoutes } from './web/assets.js';
import { siteRoutes } from './features/site/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
  }
}

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

export interface AppOptions {
  config: Config;
  db: Db;
  logger?: FastifyServerOptions['logger'];
  /** Defaults to SMTP (SMTP_URL) or the outbox directory. */
  mailer?: Mailer;
}

export async function buildApp({ config, db, logger = false, mailer }: AppOptions): Promise<FastifyInstance> {
  const issuedValidators = openDataValidators(config);
  const app = Fastify({
    // Answers the open-data API's 304s for validators it issued before Fastify's request cycle.
    serverFactory: serverAnsweringFirst((request, response) =>
      issuedValidators.answer(request, response, db),
    ),
    logger,
    bodyLimit: config.bodyLimitBytes,
    // The client address feeds the rate limits and the scheme the cookies and HSTS: both come from
    // X-Forwarded-* only when sent by a proxy the operator named.
    trustProxy: config.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('db', db);
  app.decorate('config', config);
  app.decorate('issuedValidators', issuedValidators);
  app.decorate('mailer', mailer ?? createMailer(config, app.log));
  // The index behind the default period's rankings (latest twelve months), built outside any request.
  let recentIndex: ReturnType<typeof keepRecentWindowIndex> | null = null;
  app.addHook('onReady', async () => {
    recentIndex = keepRecentWindowIndex(db.kysely, app.log);
    await recentIndex.ready;
  });
  app.addHook('onClose', async () => {
    await recentIndex?.stop();
  });
  // First of all: every route added from here on must declare who may call it.
  requireAccessDeclarations(app);

  installSecurityHeaders(app);
  // Before every route: it hooks into the routes added after it. Pages, CSS, JS, JSON and CSV are
  // compressed (types mime-db marks compressible); images, fonts, ZIP/XLSX and .gz files are not.
  // Request bodies stay as sent: the delivery API reads its own bodies.
  await app.register(compress, { encodings: ['br', 'gzip'], globalDecompression: false });
  await app.register(formbody);
  await app.register(cookie);
  // Self-hosted front-end assets: nothing is loaded from third-party servers.
  await app.register(fastifyStatic, {
    root: path.join(packageDir('@kern-ux/native'), 'dist'),
    prefix: '/assets/kern/',
    maxAge: '1d',
  });
  await app.register(fastifyStatic, {
    root: [
      path.join(packageDir('htmx.org'), 'dist'),
      path.join(packageDir('echarts'), 'dist'),
      path.join(PROJECT_DIR, 'public'),
    ],
    prefix: '/assets/',
    decorateReply: false,
    maxAge: '1h',
  });

  await app.register(assetRoutes);

  installErrorHandlers(app, renderErrorPage);
  installAccessGuard(app);
  installIdParams(app);
  installFieldReader(app);
  // Before the routes: @fastify/swagger collects them as they are added.
  await registerOpenApi(app);
  await app.register(healthRoutes);
  await app.register(accountRoutes);
  await app.register(registrationRoutes);
  await app.register(approvalRoutes);
  await app.register(passwordResetRoutes);
  await app.register(oidcRoutes);
  await app.register(deliveryApiRoutes);
  await app.register(startRoutes);
  await app.register(serviceRoutes);
  await app.register(evaluationRoutes);
  await app.register(reportRoutes);
  await app.register(explorerRoutes);
  await app.register(accessRoutes);
  await app.register(tokenRoutes);
  await app.register(portalRoutes);
  await app.register(auditRoutes);
  await app.register(catalogueRoutes);
  await app.register(openDataApiRoutes);
  await app.register(embedRoutes);
  await app.register(serviceEditorRoutes);
  await app.register(entryRoutes);
  await app.register(uploadRoutes);
  await app.register(historyRoutes);
  // Not app.register: the downloads' builder and its start and stop hooks belong to the root instance.
  await openDataRoutes(app);
  await app.register(siteRoutes);
  return app;
}
