import type { FastifyInstance, FastifyReply } from 'fastify';
import { ConfirmPage } from '../../web/confirm.js';
import type { FieldErrors } from '../../web/form.js';
import { sendPage } from '../../web/render.js';
import { field, invalidForm } from '../../http/forms.js';
import { loadTarget, targetLabel, targetPath, type Target, type TargetKind } from '../../http/target.js';
import { parseId } from '../../http/ids.js';
import type { PageNotice } from '../../web/notice.js';
import { loadMyServices } from '../access/service.js';
import type { SessionUser } from '../../http/sessions.js';
import { listTokens, tokenBelongsTo } from './queries.js';
import { createAccessToken, revokeAccessToken } from './tokens.js';
import {
  PERSONAL_TOKENS_PATH,
  PersonalTokenPage,
  TokenPage,
  type PersonalTokenPageProps,
  type TokenPageProps,
} from './views.js';

type IdParams = { Params: { id: string } };

/** Longer than any sensible rotation period; a token without an end is "leave empty". */
export const MAX_TOKEN_DAYS = 3650;
const MAX_LABEL = 100;

async function showTokenPage(
  app: FastifyInstance,
  reply: FastifyReply,
  target: Target,
  extra: Omit<TokenPageProps, 'target' | 'tokens' | 'publicUrl'> = {},
  status = 200,
) {
  const tokens = await listTokens(app.db.kysely, target);
  return sendPage(
    reply,
    <TokenPage target={target} tokens={tokens} publicUrl={app.config.publicUrl} {...extra} />,
    status,
  );
}

/** The creating form's fields and their problems. */
function readTokenForm(body: unknown): { label: string; days: string; errors: FieldErrors } {
  const label = field(body, 'label');
  const days = field(body, 'days');
  const errors: FieldErrors = {};
  if (!label) errors.label = 'Bitte geben Sie eine Bezeichnung ein.';
  else if (label.length > MAX_LABEL)
    errors.label = `Die Bezeichnung darf höchstens ${MAX_LABEL} Zeichen lang sein.`;
  if (days && (!/^[0-9]+$/.test(days) || Number(days) < 1 || Number(days) > MAX_TOKEN_DAYS)) {
    errors.days = `Bitte geben Sie eine ganze Zahl von 1 bis ${MAX_TOKEN_DAYS} ein oder lassen Sie das Feld leer.`;
  }
  return { label, days, errors };
}

function tokenRoutesFor(app: FastifyInstance, kind: TargetKind, prefix: string): void {
  const access = { manage: kind, param: 'id' } as const;

  app.get<IdParams & { Querystring: { erledigt?: string } }>(
    `${prefix}/:id/schluessel`,
    { config: { access } },
    async (request, reply) => {
      const target = await loadTarget(app.db.kysely, kind, request.params.id);
      const notice: PageNotice | undefined =
        request.query.erledigt === 'widerrufen'
          ? { kind: 'success', text: 'Der Zugangsschlüssel wurde widerrufen; er öffnet die API nicht mehr.' }
          : undefined;
      return showTokenPage(app, reply, target, { notice });
    },
  );

  app.post<IdParams>(`${prefix}/:id/schluessel`, { config: { access } }, async (request, reply) => {
    const target = await loadTarget(app.db.kysely, kind, request.params.id);
    const { label, days, errors } = readTokenForm(request.body);
    if (Object.keys(errors).length > 0) {
      return showTokenPage(app, reply, target, { errors, form: { label, days } }, 422);
    }
    // tokens.ts writes the token and its audit row in one transaction.
    const { token } = await createAccessToken(app.db.kysely, {
      ...(kind === 'service' ? { serviceId: target.id } : { portalId: target.id }),
      label,
      expiresInDays: days ? Number(days) : undefined,
      createdBy: request.session!.user.id,
    });
    return showTokenPage(app, reply, target, { created: { label, token } });
  });

  app.post<IdParams>(
    `${prefix}/:id/schluessel/widerrufen`,
    { config: { access } },
    async (request, reply) => {
      const target = await loadTarget(app.db.kysely, kind, request.params.id);
      const tokenId = parseId(field(request.body, 'schluessel'));
      if (tokenId === null) throw invalidForm('Bitte wählen Sie einen Zugangsschlüssel aus.');
      const base = targetPath(target);
      if (!(await tokenBelongsTo(app.db.kysely, target, tokenId))) {
        return showTokenPage(app, reply, target, {
          notice: {
            kind: 'info',
            text: `Diesen Zugangsschlüssel gibt es beim ${targetLabel(target)} nicht.`,
          },
        });
      }
      if (field(request.body, 'bestaetigt') !== 'ja') {
        const token = (await listTokens(app.db.kysely, target)).find((t) => t.id === tokenId);
        return sendPage(
          reply,
          <ConfirmPage
            title="Zugangsschlüssel widerrufen?"
            question={`Der Zugangsschlüssel „${token?.label ?? tokenId}“ (${token?.prefix ?? ''}…) öffnet die Liefer-API danach nicht mehr. Programme, die ihn benutzen, brauchen einen neuen Schlüssel. Das lässt sich nicht rückgängig machen.`}
            action={`${base}/schluessel/widerrufen`}
            fields={{ schluessel: String(tokenId) }}
            confirmLabel="Ja, widerrufen"
            cancelHref={`${base}/schluessel`}
          />,
        );
      }
      await revokeAccessToken(app.db.kysely, tokenId, { userId: request.session!.user.id, tokenId: null });
      return reply.redirect(`${base}/schluessel?erledigt=widerrufen`, 303);
    },
  );
}

async function showPersonalPage(
  app: FastifyInstance,
  reply: FastifyReply,
  user: SessionUser,
  extra: Pick<PersonalTokenPageProps, 'created' | 'form' | 'errors' | 'notice'> = {},
  status = 200,
) {
  const db = app.db.kysely;
  const [tokens, mine] = await Promise.all([
    listTokens(db, { kind: 'person', id: user.id }),
    loadMyServices(db, user.id),
  ]);
  const portal = mine.portals[0];
  const service = mine.services[0];
  const example = portal
    ? { kind: 'portal' as const, id: portal.id }
    : service
      ? { kind: 'service' as const, id: service.id }
      : null;
  return sendPage(
    reply,
    <PersonalTokenPage
      tokens={tokens}
      publicUrl={app.config.publicUrl}
      example={example}
      manages={user.isAdmin || example !== null}
      {...extra}
    />,
    status,
  );
}

/**
 * Personal tokens (issue 13): every signed-in person may hold them; what they open is decided per
 * request by what the person manages then (tokens.ts, scopeCovers), so the page needs no role.
 */
function personalTokenRoutes(app: FastifyInstance): void {
  const access = 'signed-in' as const;
  app.get<{ Querystring: { erledigt?: string } }>(
    PERSONAL_TOKENS_PATH,
    { config: { access } },
    async (request, reply) => {
      const notice: PageNotice | undefined =
        request.query.erledigt === 'widerrufen'
          ? { kind: 'success', text: 'Der Zugangsschlüssel wurde widerrufen; er öffnet die API nicht mehr.' }
          : undefined;
      return showPersonalPage(app, reply, request.session!.user, { notice });
    },
  );

  app.post(PERSONAL_TOKENS_PATH, { config: { access } }, async (request, reply) => {
    const user = request.session!.user;
    const { label, days, errors } = readTokenForm(request.body);
    if (Object.keys(errors).length > 0)
      return showPersonalPage(app, reply, user, { errors, form: { label, days } }, 422);
    const { token } = await createAccessToken(app.db.kysely, {
      userId: user.id,
      label,
      expiresInDays: days ? Number(days) : undefined,
      createdBy: user.id,
    });
    return showPersonalPage(app, reply, user, { created: { label, token } });
  });

  app.post(`${PERSONAL_TOKENS_PATH}/widerrufen`, { config: { access } }, async (request, reply) => {
    const user = request.session!.user;
    const tokenId = parseId(field(request.body, 'schluessel'));
    if (tokenId === null) throw invalidForm('Bitte wählen Sie einen Zugangsschlüssel aus.');
    const owner = { kind: 'person', id: user.id } as const;
    if (!(await tokenBelongsTo(app.db.kysely, owner, tokenId)))
      return showPersonalPage(app, reply, user, {
        notice: {
          kind: 'info',
          text: 'Diesen Zugangsschlüssel gibt es bei Ihren persönlichen Schlüsseln nicht.',
        },
      });
    if (field(request.body, 'bestaetigt') !== 'ja') {
      const token = (await listTokens(app.db.kysely, owner)).find((t) => t.id === tokenId);
      return sendPage(
        reply,
        <ConfirmPage
          title="Zugangsschlüssel widerrufen?"
          question={`Der Zugangsschlüssel „${token?.label ?? tokenId}“ (${token?.prefix ?? ''}…) öffnet die API danach nicht mehr. Programme, die ihn benutzen, brauchen einen neuen Schlüssel. Das lässt sich nicht rückgängig machen.`}
          action={`${PERSONAL_TOKENS_PATH}/widerrufen`}
          fields={{ schluessel: String(tokenId) }}
          confirmLabel="Ja, widerrufen"
          cancelHref={PERSONAL_TOKENS_PATH}
        />,
      );
    }
    await revokeAccessToken(app.db.kysely, tokenId, { userId: user.id, tokenId: null });
    return reply.redirect(`${PERSONAL_TOKENS_PATH}?erledigt=widerrufen`, 303);
  });
}

/** Access tokens in the UI; the CLI (`zsk token create`) stays for administrators. */
export function tokenRoutes(app: FastifyInstance): void {
  tokenRoutesFor(app, 'service', '/dienste');
  tokenRoutesFor(app, 'portal', '/portale');
  personalTokenRoutes(app);
}
