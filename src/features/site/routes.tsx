import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { AppError } from '../../http/errors.js';
import { sendPage } from '../../web/render.js';
import { readFeedback, submitFeedback, validateFeedback } from './feedback.js';
import { readOperatorText } from './texts.js';
import {
  BarrierefreiheitPage,
  ContactPage,
  ContactSentPage,
  DatenschutzPage,
  ImpressumPage,
  LeichteSprachePage,
} from './views.js';

type Form = Record<string, string | undefined>;

/**
 * The pages every public website of the federal administration needs (issue 15): Impressum,
 * Datenschutz, the accessibility statement (§ 12b BGG), Leichte Sprache and a contact form. Public
 * whatever ZSK_PUBLIC says: a closed installation needs them on its sign-in page too.
 */
export async function siteRoutes(app: FastifyInstance): Promise<void> {
  const site = app.config.site;
  const impressum = readOperatorText('ZSK_IMPRESSUM_FILE', site.impressumFile);
  const datenschutz = readOperatorText('ZSK_DATENSCHUTZ_FILE', site.datenschutzFile);
  const barrierefreiheit = readOperatorText('ZSK_BARRIEREFREIHEIT_FILE', site.barrierefreiheitFile);
  const common = { operator: site.operator, contactEmail: site.contactEmail };

  app.get('/impressum', { config: { access: 'public' } }, async (_request, reply) =>
    sendPage(reply, <ImpressumPage {...common} text={impressum} />),
  );
  app.get('/datenschutz', { config: { access: 'public' } }, async (_request, reply) =>
    sendPage(reply, <DatenschutzPage {...common} text={datenschutz} />),
  );
  app.get('/barrierefreiheit', { config: { access: 'public' } }, async (_request, reply) =>
    sendPage(
      reply,
      <BarrierefreiheitPage {...common} statementDate={site.statementDate} text={barrierefreiheit} />,
    ),
  );
  app.get('/leichte-sprache', { config: { access: 'public' } }, async (_request, reply) =>
    sendPage(reply, <LeichteSprachePage />),
  );

  app.get<{ Querystring: { gesendet?: string; seite?: string } }>(
    '/kontakt',
    { config: { access: 'public' } },
    async (request, reply) => {
      if (request.query.gesendet) return sendPage(reply, <ContactSentPage />);
      const { page } = readFeedback({ seite: request.query.seite });
      return sendPage(reply, <ContactPage contactEmail={site.contactEmail} values={{ page }} />);
    },
  );

  // A context of its own, so the limit counts contact messages only.
  await app.register(async (child) => {
    await child.register(rateLimit, {
      max: site.feedbackRateLimit,
      timeWindow: '1 hour',
      keyGenerator: (request) => `feedback:${request.ip}`,
      errorResponseBuilder: (_request, context) =>
        new AppError(
          429,
          'rate_limited',
          `Von Ihrer Adresse kamen in der letzten Stunde zu viele Nachrichten. Bitte versuchen Sie es in ${Math.ceil(context.ttl / 60_000)} Minuten erneut oder schreiben Sie eine E-Mail an ${site.contactEmail}.`,
        ),
    });
    child.post<{ Body: Form }>('/kontakt', { config: { access: 'public' } }, async (request, reply) => {
      const input = readFeedback(request.body);
      const errors = validateFeedback(input);
      if (Object.keys(errors).length > 0) {
        return sendPage(
          reply,
          <ContactPage contactEmail={site.contactEmail} values={input} errors={errors} />,
          422,
        );
      }
      await submitFeedback(app, input);
      return reply.redirect('/kontakt?gesendet=1', 303);
    });
  });
}
