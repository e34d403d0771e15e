import type { FastifyInstance } from 'fastify';
import { sendPage } from '../../web/render.js';
import { requestPasswordReset, resetPassword, resetTarget } from './password-reset.js';
import {
  ForgotPasswordPage,
  NewPasswordPage,
  PasswordChangedPage,
  ResetLinkInvalidPage,
  ResetSentPage,
} from './password-reset-views.js';
import { throttled } from './routes.js';

type Form = Record<string, string | undefined>;
const INVALID_STATUS = { expired: 410, used: 410, unknown: 404 } as const;

/** Password reset by mailed link (issue #4). */
export async function passwordResetRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { gesendet?: string } }>(
    '/passwort-vergessen',
    { config: { access: 'public' } },
    async (request, reply) =>
      sendPage(reply, request.query.gesendet ? <ResetSentPage /> : <ForgotPasswordPage />),
  );

  app.get<{ Querystring: { token?: string; geaendert?: string } }>(
    '/passwort-neu',
    { config: { access: 'public' } },
    async (request, reply) => {
      if (request.query.geaendert) return sendPage(reply, <PasswordChangedPage />);
      const token = request.query.token ?? '';
      const target = await resetTarget(app, token);
      if (target.state === 'valid') return sendPage(reply, <NewPasswordPage token={token} />);
      return sendPage(
        reply,
        <ResetLinkInvalidPage expired={target.state === 'expired'} />,
        INVALID_STATUS[target.state],
      );
    },
  );

  await throttled(app, (child) => {
    child.post<{ Body: Form }>(
      '/passwort-vergessen',
      { config: { access: 'public' } },
      async (request, reply) => {
        const email = (request.body.email ?? '').trim();
        if (!email) {
          return sendPage(
            reply,
            <ForgotPasswordPage errors={{ email: 'Bitte geben Sie die E-Mail-Adresse Ihres Kontos ein.' }} />,
            422,
          );
        }
        await requestPasswordReset(app, email);
        return reply.redirect('/passwort-vergessen?gesendet=1', 303);
      },
    );

    child.post<{ Body: Form }>('/passwort-neu', { config: { access: 'public' } }, async (request, reply) => {
      const token = request.body.token ?? '';
      const result = await resetPassword(
        app,
        token,
        request.body.password ?? '',
        request.body.passwordConfirm ?? '',
      );
      if (result.ok) return reply.redirect('/passwort-neu?geaendert=1', 303);
      if ('errors' in result)
        return sendPage(reply, <NewPasswordPage token={token} errors={result.errors} />, 422);
      return sendPage(
        reply,
        <ResetLinkInvalidPage expired={result.state === 'expired'} />,
        INVALID_STATUS[result.state],
      );
    });
  });
}
