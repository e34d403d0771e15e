import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../http/errors.js';
import { sendPage } from '../../web/render.js';
import type { FieldErrors } from '../../web/form.js';
import {
  GranularityLockedError,
  createService,
  emptyServiceForm,
  listAuthorities,
  loadPublished,
  loadServiceForm,
  setServicePublished,
  readServiceForm,
  updateService,
  validateServiceForm,
  type ServiceForm,
} from './editor.js';
import { ServiceFormPage } from './editor-views.js';

type WithId = { Params: { id: string } };

const serviceIdOf = (request: FastifyRequest<WithId>) => Number(request.params.id);

/** Creating a service (any active user) and editing its master data (its managers). */
export function serviceEditorRoutes(app: FastifyInstance): void {
  const db = app.db.kysely;

  const showForm = async (
    reply: FastifyReply,
    props: {
      mode: 'create' | 'edit';
      serviceId?: number;
      form: ServiceForm;
      errors?: FieldErrors;
      notice?: string;
    },
    status = 200,
  ) =>
    sendPage(
      reply,
      <ServiceFormPage
        {...props}
        errors={props.errors ?? {}}
        authorities={await listAuthorities(db)}
        published={
          props.serviceId === undefined ? undefined : ((await loadPublished(db, props.serviceId)) ?? true)
        }
      />,
      status,
    );

  app.get('/dienste/neu', { config: { access: 'signed-in' } }, async (_request, reply) =>
    showForm(reply, { mode: 'create', form: emptyServiceForm() }),
  );

  app.post('/dienste/neu', { config: { access: 'signed-in' } }, async (request, reply) => {
    const form = readServiceForm(request.body);
    const result = await validateServiceForm(db, form);
    if ('errors' in result) return showForm(reply, { mode: 'create', form, errors: result.errors }, 422);
    const id = await createService(db, request.session!.user.id, result.data);
    return reply.redirect(`/dienste/${id}?angelegt=1`, 303);
  });

  app.get<WithId>(
    '/dienste/:id/bearbeiten',
    { config: { access: { manage: 'service', param: 'id' } } },
    async (request, reply) => {
      const loaded = await loadServiceForm(db, serviceIdOf(request));
      if (!loaded) throw notFound('Diesen Onlinedienst gibt es nicht.');
      return showForm(reply, { mode: 'edit', serviceId: serviceIdOf(request), form: loaded.form });
    },
  );

  app.post<WithId>(
    '/dienste/:id/bearbeiten',
    { config: { access: { manage: 'service', param: 'id' } } },
    async (request, reply) => {
      const serviceId = serviceIdOf(request);
      if (!(await loadServiceForm(db, serviceId))) throw notFound('Diesen Onlinedienst gibt es nicht.');
      const form = readServiceForm(request.body);
      const result = await validateServiceForm(db, form);
      if ('errors' in result)
        return showForm(reply, { mode: 'edit', serviceId, form, errors: result.errors }, 422);
      try {
        const changed = await updateService(
          db,
          { userId: request.session!.user.id, tokenId: null },
          serviceId,
          result.data,
        );
        if (changed.length === 0)
          return showForm(reply, { mode: 'edit', serviceId, form, notice: 'Es wurde nichts geändert.' });
      } catch (e) {
        if (!(e instanceof GranularityLockedError)) throw e;
        const errors = {
          granularity:
            'Die Granularität lässt sich nicht mehr ändern: Für diesen Onlinedienst sind schon Zahlen gespeichert. ' +
            'Bitte wenden Sie sich an die ZSK-Administration, wenn die Zahlen in anderer Granularität neu geliefert werden sollen.',
        };
        return showForm(reply, { mode: 'edit', serviceId, form, errors }, 409);
      }
      return reply.redirect(`/dienste/${serviceId}?gespeichert=1`, 303);
    },
  );

  // "nicht veröffentlichen": a form of its own on the edit page, so that switching it never sends the
  // master data along (and the portal API's bulk rows stay as they are).
  app.post<WithId>(
    '/dienste/:id/veroeffentlichung',
    { config: { access: { manage: 'service', param: 'id' } } },
    async (request, reply) => {
      const serviceId = serviceIdOf(request);
      const loaded = await loadServiceForm(db, serviceId);
      if (!loaded) throw notFound('Diesen Onlinedienst gibt es nicht.');
      const value = (request.body as Record<string, unknown> | undefined)?.veroeffentlicht;
      if (value !== 'ja' && value !== 'nein') {
        return showForm(
          reply,
          {
            mode: 'edit',
            serviceId,
            form: loaded.form,
            errors: { veroeffentlicht: 'Bitte wählen Sie, ob der Onlinedienst veröffentlicht wird.' },
          },
          422,
        );
      }
      await setServicePublished(
        db,
        { userId: request.session!.user.id, tokenId: null },
        serviceId,
        value === 'ja',
      );
      return reply.redirect(`/dienste/${serviceId}?gespeichert=1`, 303);
    },
  );
}
