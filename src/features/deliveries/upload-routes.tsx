import { wantsFragment } from '../../http/negotiation.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { lastClosedMonth, monthsBetween, parseMonth } from '../../domain/months.js';
import { formatInt } from '../../web/format.js';
import { shown } from '../../domain/shown.js';
import { verifyCsrf } from '../../http/csrf.js';
import { AppError, notFound } from '../../http/errors.js';
import { sendFragment, sendPage } from '../../web/render.js';
import { MAX_FILE_ROWS } from './csv.js';
import { ingestDelivery } from './ingest.js';
import { loadDelivery, loadTargetInfo, type TargetInfo } from './history.js';
import {
  claimPendingUpload,
  discardPendingUpload,
  loadUploadProgress,
  storeClaimedUpload,
  type UploadProgress,
} from './upload-progress.js';
import {
  CSV_MEDIA_TYPE,
  PREVIEW_CHANGES,
  PREVIEW_ERRORS,
  MAX_TEMPLATE_MONTHS,
  XLSX_MEDIA_TYPE,
  channelOf,
  csvTemplate,
  findPendingUpload,
  parseUpload,
  savePendingUpload,
  templateRows,
  xlsxTemplate,
  type UploadPreview,
} from './upload.js';
import { PreviewPage, UploadPage, UploadProgressBody, UploadProgressPage } from './upload-views.js';

type Params = {
  Params: { id: string; upload?: string };
  Querystring: { monat?: string; von?: string; bis?: string; format?: string };
};

/**
 * The months of a template: `von` to `bis` (either alone is one month), or `monat` as before, or the
 * last closed month. At most MAX_TEMPLATE_MONTHS, in order.
 */
function templateMonths(query: Params['Querystring']): { from: string; to: string } {
  const read = (value: string | undefined, name: string) => {
    if (!value) return null;
    const parsed = parseMonth(value);
    if (!parsed.ok) throw new AppError(400, 'month_invalid', `${name}: ${parsed.error.message}`);
    return parsed.value;
  };
  const from = read(query.von, 'Von') ?? read(query.monat, 'Monat');
  const to = read(query.bis, 'Bis');
  const first = from ?? to ?? lastClosedMonth();
  const last = to ?? first;
  if (first > last)
    throw new AppError(400, 'period_invalid', `Der Zeitraum beginnt (${first}) nach seinem Ende (${last}).`);
  if (monthsBetween(first, last) + 1 > MAX_TEMPLATE_MONTHS)
    throw new AppError(
      400,
      'period_too_long',
      `Eine Vorlage umfasst höchstens ${MAX_TEMPLATE_MONTHS} Monate; bitte den Zeitraum teilen.`,
    );
  return { from: first, to: last };
}

const PROGRESS_GONE =
  'Zu dieser Adresse gibt es keine Lieferung, die gespeichert wird: Sie ist abgelaufen oder gehört zu einem anderen Konto.';
const GONE = 'Diese Vorschau gibt es nicht mehr: Sie wurde gespeichert, verworfen oder ist abgelaufen.';

const KINDS = [
  { kind: 'service', prefix: '/dienste' },
  { kind: 'portal', prefix: '/portale' },
] as const;

/**
 * Upload of CSV and Excel files for a service or a portal: template, check (a dry run through the one
 * write path), preview, confirm or cancel. The file waits in pending_uploads between check and confirm.
 */
export async function uploadRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db.kysely;
  const maxBytes = app.config.bodyLimitBytes;
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 12 } });
  // Uploads stored in the background (confirmed by htmx): closing the app waits for them, so a
  // shutdown does not cut a transaction off halfway (it would roll back, but the upload would stay
  // "running" until it counts as stale).
  const storing = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...storing]);
  });
  const deliveryOf = async (progress: UploadProgress) =>
    progress.deliveryId === null ? null : loadDelivery(db, progress.deliveryId);

  for (const { kind, prefix } of KINDS) {
    const access = { manage: kind, param: 'id' } as const;

    const target = (request: FastifyRequest<Params>): Promise<TargetInfo> =>
      loadTargetInfo(db, kind, request.params.id);
    const showUpload = (
      reply: FastifyReply,
      info: TargetInfo,
      message?: string,
      status = 200,
      notice?: string,
    ) =>
      sendPage(
        reply,
        <UploadPage
          info={info}
          month={lastClosedMonth()}
          errors={message ? { datei: message } : {}}
          maxMiB={Math.round(maxBytes / 1024 / 1024)}
          notice={notice}
        />,
        status,
      );

    app.get<Params & { Querystring: { verworfen?: string } }>(
      `${prefix}/:id/hochladen`,
      { config: { access } },
      async (request, reply) =>
        showUpload(
          reply,
          await target(request),
          undefined,
          200,
          request.query.verworfen === '1'
            ? 'Die Datei wurde verworfen; es wurde nichts gespeichert.'
            : undefined,
        ),
    );

    app.get<Params>(`${prefix}/:id/hochladen/vorlage`, { config: { access } }, async (request, reply) => {
      const info = await target(request);
      const { from, to } = templateMonths(request.query);
      const rows = await templateRows(db, info.target, from, to);
      if (!rows)
        throw new AppError(
          400,
          'template_too_large',
          `Die Vorlage für ${from} bis ${to} hätte mehr als ${formatInt(MAX_FILE_ROWS)} Zeilen. Bitte einen kürzeren Zeitraum wählen.`,
        );
      const portal = kind === 'portal';
      const months = from === to ? from : `${from}-bis-${to}`;
      const base = `zsk-vorlage-${kind === 'service' ? 'dienst' : 'portal'}-${request.params.id}-${months}`;
      if (request.query.format === 'xlsx') {
        return reply
          .type(XLSX_MEDIA_TYPE)
          .header('content-disposition', `attachment; filename="${base}.xlsx"`)
          .send(await xlsxTemplate(rows, portal));
      }
      return reply
        .type(CSV_MEDIA_TYPE)
        .header('content-disposition', `attachment; filename="${base}.csv"`)
        .send(csvTemplate(rows, portal));
    });

    app.post<Params>(
      `${prefix}/:id/hochladen`,
      { config: { access, csrf: 'manual' } },
      async (request, reply) => {
        const info = await target(request);
        if (!request.isMultipart())
          throw new AppError(
            415,
            'unsupported_media_type',
            'Bitte senden Sie die Datei als multipart/form-data.',
          );
        let csrf: string | undefined;
        let file: { name: string; content: Buffer } | null = null;
        try {
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              const content = await part.toBuffer();
              if (part.fieldname === 'datei' && part.filename) file = { name: part.filename, content };
            } else if (part.fieldname === '_csrf' && typeof part.value === 'string') {
              csrf = part.value;
            }
          }
        } catch (e) {
          if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
            verifyCsrf(request, csrf ?? '');
            return showUpload(
              reply,
              info,
              `Die Datei ist größer als ${Math.round(maxBytes / 1024 / 1024)} MiB. Bitte teilen Sie die Lieferung auf.`,
              413,
            );
          }
          throw e;
        }
        verifyCsrf(request, csrf ?? '');
        if (!file || file.content.length === 0)
          return showUpload(reply, info, 'Bitte wählen Sie eine CSV- oder Excel-Datei aus.', 422);

        const started = performance.now();
        let preview: UploadPreview;
        let channel: 'csv' | 'xlsx';
        try {
          channel = channelOf(file.name, file.content);
          const parsed = await parseUpload(channel, file.content, kind === 'portal');
          const summary = await ingestDelivery(db, {
            channel,
            actor: { userId: request.session!.user.id, tokenId: null },
            target: info.target,
            rows: parsed.rows,
            rowNumbers: parsed.rowNumbers,
            dryRun: true,
            sampleChanges: PREVIEW_CHANGES,
          });
          preview = {
            status: summary.status,
            rowsTotal: parsed.rows.length,
            created: summary.created,
            updated: summary.updated,
            unchanged: summary.unchanged,
            rejected: summary.rejected,
            errorCount: summary.errorCount,
            errors: summary.errors.slice(0, PREVIEW_ERRORS),
            changes: summary.changes ?? [],
            checkMs: Math.round(performance.now() - started),
          };
        } catch (e) {
          // Refusals of the file (4xx) are told on the page; anything else is logged and only a
          // German message is shown: exception texts are for the log, never for the page.
          if (e instanceof AppError && e.statusCode < 500) {
            if (e.cause) request.log.info({ err: e.cause, code: e.code }, 'upload refused');
            return showUpload(reply, info, e.message, 422);
          }
          request.log.error({ err: e }, 'upload not checked');
          return showUpload(
            reply,
            info,
            'Die Datei konnte nicht geprüft werden. Bitte versuchen Sie es erneut; hilft das nicht, wenden Sie sich an das ZSK-Team.',
            500,
          );
        }
        if (preview.rowsTotal === 0)
          return showUpload(reply, info, 'Die Datei enthält nur die Kopfzeile, aber keine Zahlen.', 422);
        const id = await savePendingUpload(db, {
          userId: request.session!.user.id,
          target: info.target,
          channel,
          fileName: shown(file.name, 200),
          mediaType: channel === 'xlsx' ? XLSX_MEDIA_TYPE : CSV_MEDIA_TYPE,
          content: file.content,
          preview,
        });
        return reply.redirect(`${info.base}/hochladen/${id}`, 303);
      },
    );

    app.get<Params>(`${prefix}/:id/hochladen/:upload`, { config: { access } }, async (request, reply) => {
      const info = await target(request);
      const pending = await findPendingUpload(
        db,
        request.params.upload!,
        request.session!.user.id,
        info.target,
      );
      if (!pending) {
        // Confirmed already: the preview's address leads to the upload's progress (or its delivery).
        const progress = await loadUploadProgress(
          db,
          request.params.upload!,
          request.session!.user.id,
          info.target,
        );
        if (progress) return reply.redirect(`${info.base}/hochladen/${progress.id}/fortschritt`, 303);
        throw notFound(GONE);
      }
      const ars = [...new Set(pending.preview.changes.map((c) => c.ars))];
      const names = ars.length
        ? await db.selectFrom('regions').select(['ars', 'name']).where('ars', 'in', ars).execute()
        : [];
      return sendPage(
        reply,
        <PreviewPage
          info={info}
          pending={pending}
          regionNames={new Map(names.map((n) => [n.ars, n.name]))}
        />,
      );
    });

    app.get<Params>(
      `${prefix}/:id/hochladen/:upload/fortschritt`,
      { config: { access } },
      async (request, reply) => {
        const info = await target(request);
        const progress = await loadUploadProgress(
          db,
          request.params.upload!,
          request.session!.user.id,
          info.target,
        );
        reply.header('vary', 'HX-Request');
        if (!progress && wantsFragment(request)) {
          // An answer the poll swaps in (a 404 would not be swapped, and polling would go on).
          const gone: UploadProgress = {
            id: request.params.upload!,
            fileName: '',
            status: 'failed',
            rowsDone: 0,
            rowsTotal: 0,
            deliveryId: null,
            failure: PROGRESS_GONE,
          };
          return sendFragment(reply, <UploadProgressBody info={info} progress={gone} delivery={null} />);
        }
        if (!progress) throw notFound(PROGRESS_GONE);
        if (wantsFragment(request)) {
          return sendFragment(
            reply,
            <UploadProgressBody info={info} progress={progress} delivery={await deliveryOf(progress)} />,
          );
        }
        if (progress.status === 'pending')
          return reply.redirect(`${info.base}/hochladen/${progress.id}`, 303);
        if (progress.status === 'done' && progress.deliveryId !== null)
          return reply.redirect(`/lieferungen/${progress.deliveryId}?gespeichert=1`, 303);
        return sendPage(reply, <UploadProgressPage info={info} progress={progress} delivery={null} />);
      },
    );

    /**
     * Confirm or cancel. With htmx (the confirm button) storing runs in the background and the answer
     * is the progress page, whose progress region polls the status every second. Without JavaScript
     * the form post waits until the delivery is stored and then shows it, as before; no refresh.
     */
    app.post<Params>(`${prefix}/:id/hochladen/:upload`, { config: { access } }, async (request, reply) => {
      const info = await target(request);
      const action = (request.body as Record<string, unknown> | undefined)?.aktion;
      const userId = request.session!.user.id;
      const id = request.params.upload!;
      const statusUrl = `${info.base}/hochladen/${id}/fortschritt`;
      if (action !== 'speichern') {
        if (!(await discardPendingUpload(db, id, userId, info.target))) throw notFound(GONE);
        return reply.redirect(`${info.base}/hochladen?verworfen=1`, 303);
      }
      const upload = await claimPendingUpload(db, id, userId, info.target);
      if (!upload) {
        // A second click or a resent form: the upload is being stored, or was.
        const progress = await loadUploadProgress(db, id, userId, info.target);
        if (!progress || progress.status === 'pending') throw notFound(GONE);
        if (!wantsFragment(request)) return reply.redirect(statusUrl, 303);
        reply.header('HX-Push-Url', statusUrl);
        return sendPage(
          reply,
          <UploadProgressPage info={info} progress={progress} delivery={await deliveryOf(progress)} focus />,
        );
      }
      const store = () =>
        storeClaimedUpload(db, { id, userId, target: info.target, upload, log: request.log });
      if (wantsFragment(request)) {
        // Started once the answer is out: parsing and PGlite's in-process queries would otherwise
        // keep the event loop from sending it until the delivery is stored. A client gone before the
        // answer (close without finish) does not stop it either.
        const sent = new Promise<void>((resolve) => {
          reply.raw.once('finish', resolve);
          reply.raw.once('close', resolve);
        });
        const job = sent.then(store);
        storing.add(job);
        void job
          .catch((error: unknown) => request.log.error({ err: error, upload: id }, 'upload not stored'))
          .finally(() => storing.delete(job));
        reply.header('HX-Push-Url', statusUrl);
        return sendPage(
          reply,
          <UploadProgressPage
            info={info}
            progress={{
              id,
              fileName: upload.fileName,
              status: 'running',
              rowsDone: 0,
              rowsTotal: upload.rowsTotal,
              deliveryId: null,
              failure: null,
            }}
            delivery={null}
            focus
          />,
        );
      }
      const summary = await store();
      return reply.redirect(summary ? `/lieferungen/${summary.deliveryId}?gespeichert=1` : statusUrl, 303);
    });
  }
}
