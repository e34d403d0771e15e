import type { FastifyInstance } from 'fastify';
import { sendPage } from '../../web/render.js';
import { invitedEmail } from './invitations.js';
import { inspectOneTimeToken } from './one-time-tokens.js';
import {
  authorityNames,
  readRegistration,
  register,
  resendVerification,
  validateRegistration,
  verifyEmail,
} from './registration.js';
import {
  RegistrationPage,
  RegistrationSentPage,
  VerifiedPage,
  VerifyLinkInvalidPage,
  VerifyPage,
} from './registration-views.js';
import { throttled } from './routes.js';

type Form = Record<string, string | undefined>;

const INVALID_STATUS = { expired: 410, used: 410, unknown: 404 } as const;

/** Self-service registration and e-mail verification (issue #4). */
export async function registrationRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db.kysely;

  app.get<{ Querystring: { einladung?: string; gesendet?: string } }>(
    '/registrieren',
    { config: { access: 'public' } },
    async (request, reply) => {
      if (request.query.gesendet) return sendPage(reply, <RegistrationSentPage />);
      const invitation = request.query.einladung ?? '';
      const invited = invitation ? await invitedEmail(db, invitation) : null;
      return sendPage(
        reply,
        <RegistrationPage
          authorities={await authorityNames(db)}
          values={{ invitation }}
          invitedEmail={invited}
          invitationInvalid={Boolean(invitation) && invited === null}
        />,
      );
    },
  );

  app.get<{ Querystring: { token?: string; bestaetigt?: string } }>(
    '/registrieren/bestaetigen',
    { config: { access: 'public' } },
    async (request, reply) => {
      if (request.query.bestaetigt) return sendPage(reply, <VerifiedPage />);
      const token = request.query.token ?? '';
      const state = await inspectOneTimeToken(db, token, 'verify_email');
      if (state.state === 'valid') return sendPage(reply, <VerifyPage token={token} />);
      return sendPage(
        reply,
        <VerifyLinkInvalidPage state={state.state} token={token} />,
        INVALID_STATUS[state.state],
      );
    },
  );

  await throttled(app, (child) => {
    child.post<{ Body: Form }>('/registrieren', { config: { access: 'public' } }, async (request, reply) => {
      const input = readRegistration(request.body);
      const invited = input.invitation ? await invitedEmail(db, input.invitation) : null;
      if (invited) input.email = invited;
      const errors = validateRegistration(input);
      if (Object.keys(errors).length > 0) {
        return sendPage(
          reply,
          <RegistrationPage
            authorities={await authorityNames(db)}
            values={input}
            errors={errors}
            invitedEmail={invited}
          />,
          422,
        );
      }
      await register(app, input);
      return reply.redirect('/registrieren?gesendet=1', 303);
    });

    child.post<{ Body: Form }>(
      '/registrieren/bestaetigen',
      { config: { access: 'public' } },
      async (request, reply) => {
        const token = request.body.token ?? '';
        const result = await verifyEmail(app, token);
        if (result === 'verified') return reply.redirect('/registrieren/bestaetigen?bestaetigt=1', 303);
        return sendPage(
          reply,
          <VerifyLinkInvalidPage state={result} token={token} />,
          INVALID_STATUS[result],
        );
      },
    );

    // Same answer whatever the token was: it must not tell whether an account still waits.
    child.post<{ Body: Form }>(
      '/registrieren/neuer-link',
      { config: { access: 'public' } },
      async (request, reply) => {
        await resendVerification(app, request.body.token);
        return reply.redirect('/registrieren?gesendet=1', 303);
      },
    );
  });
}
