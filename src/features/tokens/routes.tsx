import type { FastifyInstance, FastifyReply } from 'fastify';
import { ConfirmPage } from '../../web/confirm.js';
import type { FieldErrors } from '../../web/form.js';
import { sendPage } from '../../web/render.js';
import {
  field,
  invalidForm,
  loadTarget,
  parseId,
  targetLabel,
  targetPath,
  type Target,
  type TargetKind,
} from '../access/target.js';
import type { PageNotice } from '../access/views.js';
import { listTokens, tokenBelongsTo } from './queries.js';
import { createAccessToken, revokeAccessToken } from './tokens.js';
import { TokenPage, type TokenPageProps } from './views.js';

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
    const label = field(request.body, 'label');
    const days = field(request.body, 'days');
    const errors: FieldErrors = {};
    if (!label) errors.label = 'Bitte geben Sie eine Bezeichnung ein.';
    else if (label.length > MAX_LABEL)
      errors.label = `Die Bezeichnung darf höchstens ${MAX_LABEL} Zeichen lang sein.`;
    if (days && (!/^[0-9]+$/.test(days) || Number(days) < 1 || Number(days) > MAX_TOKEN_DAYS)) {
      errors.days = `Bitte geben Sie eine ganze Zahl von 1 bis ${MAX_TOKEN_DAYS} ein oder lassen Sie das Feld leer.`;
    }
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

/** Access tokens in the UI; the CLI (`zsk token create`) stays for administrators. */
export async function tokenRoutes(app: FastifyInstance): Promise<void> {
  tokenRoutesFor(app, 'service', '/dienste');
  tokenRoutesFor(app, 'portal', '/portale');
}
