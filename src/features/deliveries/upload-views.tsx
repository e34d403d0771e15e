import { CsrfField } from '../../web/csrf-field.js';
import { DataTable } from '../../web/data-table.js';
import { formatInt } from '../../web/format.js';
import { ErrorSummary, Notice, SubmitButton, type FieldErrors } from '../../web/form.js';
import { monthLabel } from '../../web/labels.js';
import { Layout } from '../../web/layout.js';
import type { DeliveryRow, TargetInfo } from './history.js';
import { CHANNEL_LABEL, Figures, RowErrorTable, TargetLinks, kindWord } from './history-views.js';
import { MAX_TEMPLATE_MONTHS, PENDING_HOURS, type PendingUpload } from './upload.js';
import type { UploadProgress } from './upload-progress.js';

export function UploadPage({
  info,
  month,
  errors = {},
  maxMiB,
  notice,
}: {
  info: TargetInfo;
  month: string;
  errors?: FieldErrors;
  maxMiB: number;
  notice?: string;
}) {
  const portal = info.target.kind === 'portal';
  const columns = portal ? 'serviceId;monat;ars;anzahl' : 'monat;ars;anzahl';
  return (
    <Layout title={`Datei hochladen: ${info.name}`}>
      <h1 class="kern-heading-large">Datei hochladen</h1>
      <p class="kern-body">
        {kindWord(info)} <strong>{info.name}</strong>. Laden Sie eine CSV-Datei oder eine Excel-Arbeitsmappe
        (.xlsx) mit den Spalten <code>{columns}</code> hoch. Vor dem Speichern sehen Sie, welche Zahlen neu
        sind, welche sich ändern und welche Zeilen Fehler enthalten.
      </p>
      <TargetLinks info={info} canManage />
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorSummary errors={errors} />
      <h2 class="kern-heading-medium">Vorlage herunterladen</h2>
      <p class="kern-body">
        Die Vorlage enthält eine Zeile je Monat und Gebiet{portal ? ' und Onlinedienst des Portals' : ''} für
        den gewählten Zeitraum (höchstens {MAX_TEMPLATE_MONTHS} Monate, zum Nachliefern); schon gespeicherte
        Zahlen sind eingetragen. CSV: Semikolon als Trennzeichen, UTF-8.
      </p>
      <form method="get" action={`${info.base}/hochladen/vorlage`} class="zsk-inline-form">
        <div class="kern-form-input">
          <label class="kern-label" for="vorlage-von">
            Von (Monat)
          </label>
          <input class="kern-form-input__input" id="vorlage-von" type="month" name="von" value={month} />
        </div>
        <div class="kern-form-input">
          <label class="kern-label" for="vorlage-bis">
            Bis (Monat)
          </label>
          <input class="kern-form-input__input" id="vorlage-bis" type="month" name="bis" value={month} />
        </div>
        <button type="submit" name="format" value="csv" class="kern-btn kern-btn--secondary">
          <span class="kern-label">Vorlage als CSV</span>
        </button>
        <button type="submit" name="format" value="xlsx" class="kern-btn kern-btn--secondary">
          <span class="kern-label">Vorlage als Excel</span>
        </button>
      </form>
      <h2 class="kern-heading-medium">Datei prüfen lassen</h2>
      <form
        method="post"
        action={`${info.base}/hochladen`}
        enctype="multipart/form-data"
        class="zsk-form"
        data-upload-form
      >
        <CsrfField />
        <div class={`kern-form-input${errors.datei ? ' kern-form-input--error' : ''}`}>
          <label class="kern-label" for="feld-datei">
            Datei (CSV oder .xlsx, höchstens {maxMiB} MiB)
          </label>
          {errors.datei ? (
            <p class="kern-error" id="feld-datei-fehler">
              {errors.datei}
            </p>
          ) : null}
          <input
            class="kern-form-input__input"
            id="feld-datei"
            type="file"
            name="datei"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            required
            aria-invalid={errors.datei ? 'true' : undefined}
            aria-describedby={errors.datei ? 'feld-datei-fehler' : undefined}
          />
        </div>
        <div class="zsk-actions">
          <SubmitButton>Datei prüfen</SubmitButton>
        </div>
        <p class="kern-body zsk-upload-progress" role="status" data-upload-progress hidden>
          <span class="kern-loader kern-loader--visible" aria-hidden="true"></span> Die Datei wird hochgeladen
          und geprüft. Große Dateien (100.000 Zeilen) brauchen einige Sekunden.
        </p>
      </form>
      <script src="/assets/upload-form.js" defer></script>
    </Layout>
  );
}

export function PreviewPage({
  info,
  pending,
  regionNames,
}: {
  info: TargetInfo;
  pending: PendingUpload;
  regionNames: Map<string, string>;
}) {
  const p = pending.preview;
  const ok = p.errorCount === 0;
  const action = `${info.base}/hochladen/${pending.id}`;
  return (
    <Layout title={`Vorschau: ${pending.fileName}`}>
      <h1 class="kern-heading-large">Vorschau der Lieferung</h1>
      <p class="kern-body">
        {kindWord(info)} <strong>{info.name}</strong>, Datei <strong>{pending.fileName}</strong> (
        {CHANNEL_LABEL[pending.channel]}). Noch ist nichts gespeichert.
      </p>
      {ok ? (
        <Notice kind="success">
          Alle {formatInt(p.rowsTotal)} Zeilen sind gültig. Prüfen Sie die Änderungen und speichern Sie die
          Lieferung.
        </Notice>
      ) : (
        <Notice kind="danger">
          {formatInt(p.errorCount)} {p.errorCount === 1 ? 'Fehler' : 'Fehler'} in der Datei. Bitte korrigieren
          Sie die Datei und laden Sie sie erneut hoch; gespeichert wird nur eine fehlerfreie Datei.
        </Notice>
      )}
      <Figures d={p} />
      {!ok ? (
        <RowErrorTable
          id="zeilenfehler"
          caption={
            p.errorCount > p.errors.length
              ? `Fehlerhafte Zeilen (die ersten ${formatInt(p.errors.length)} von ${formatInt(p.errorCount)})`
              : 'Fehlerhafte Zeilen'
          }
          errors={p.errors}
        />
      ) : null}
      {ok && p.changes.length > 0 ? (
        <DataTable
          id="aenderungen"
          small
          caption={
            p.updated > p.changes.length
              ? `Geänderte Zahlen (die ersten ${formatInt(p.changes.length)} von ${formatInt(p.updated)})`
              : 'Geänderte Zahlen'
          }
          columns={[
            ...(info.target.kind === 'portal' ? [{ label: 'Onlinedienst' }] : []),
            { label: 'Monat' },
            { label: 'Gebiet' },
            { label: 'Bisher', numeric: true },
            { label: 'Neu', numeric: true },
          ]}
        >
          {p.changes.map((c) => (
            <tr class="kern-table__row" key={`${c.serviceId}/${c.month}/${c.ars}`}>
              {info.target.kind === 'portal' ? <td class="kern-table__cell">{c.serviceId}</td> : null}
              <td class="kern-table__cell zsk-nowrap">{monthLabel(c.month)}</td>
              <th scope="row" class="kern-table__cell">
                {regionNames.get(c.ars) ?? c.ars} <span class="zsk-muted">({c.ars})</span>
              </th>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(c.old)}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(c.new)}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <p class="kern-body kern-body--small">
        Geprüft in {formatInt(p.checkMs)} ms. Die Vorschau bleibt {PENDING_HOURS} Stunden gültig.
      </p>
      <form method="post" action={action} class="zsk-actions">
        <CsrfField />
        {ok ? (
          // With htmx the delivery is stored in the background and the progress page's content
          // replaces this one; without JavaScript the form post waits and then shows the delivery.
          <button
            type="submit"
            name="aktion"
            value="speichern"
            class="kern-btn kern-btn--primary"
            hx-post={action}
            hx-select="#inhalt"
            hx-target="#inhalt"
            hx-swap="outerHTML"
            hx-disabled-elt="this"
          >
            <span class="kern-label">Lieferung speichern</span>
          </button>
        ) : null}
        <button type="submit" name="aktion" value="verwerfen" class="kern-btn kern-btn--secondary">
          <span class="kern-label">Verwerfen</span>
        </button>
      </form>
      {!ok ? (
        <p class="kern-body">
          <a href={`${info.base}/hochladen`}>Korrigierte Datei hochladen</a>
        </p>
      ) : null}
    </Layout>
  );
}

const percentOf = (p: UploadProgress) =>
  p.rowsTotal > 0 ? Math.min(100, Math.floor((p.rowsDone * 100) / p.rowsTotal)) : 0;

/**
 * What the progress region shows: while running a <progress> bar with percent and rows, polled every
 * second (hx-get); done or failed it carries no trigger, so the polling stops with it.
 */
export function UploadProgressBody({
  info,
  progress: p,
  delivery,
}: {
  info: TargetInfo;
  progress: UploadProgress;
  delivery: DeliveryRow | null;
}) {
  const url = `${info.base}/hochladen/${p.id}/fortschritt`;
  if (p.status === 'done' && p.deliveryId !== null) {
    const rejected = delivery?.status === 'rejected';
    return (
      <div id="upload-fortschritt-inhalt">
        <Notice kind={rejected ? 'danger' : 'success'}>
          {rejected
            ? 'Die Lieferung wurde abgelehnt; es wurde keine Zahl gespeichert.'
            : 'Die Lieferung ist gespeichert.'}
        </Notice>
        {delivery ? <Figures d={delivery} /> : null}
        <p class="kern-body">
          <a href={`/lieferungen/${p.deliveryId}`}>Lieferung {p.deliveryId} ansehen</a>
        </p>
      </div>
    );
  }
  if (p.status === 'failed' || p.status === 'done') {
    return (
      <div id="upload-fortschritt-inhalt">
        <Notice kind="danger">{p.failure ?? 'Die Lieferung wurde nicht gespeichert.'}</Notice>
        <p class="kern-body">
          <a href={`${info.base}/hochladen`}>Datei erneut hochladen</a>
        </p>
      </div>
    );
  }
  const percent = percentOf(p);
  return (
    <div id="upload-fortschritt-inhalt" hx-get={url} hx-trigger="every 1s" hx-swap="outerHTML">
      <label class="kern-label" for="upload-fortschritt-balken">
        Fortschritt beim Speichern von {p.fileName}
      </label>
      <progress
        id="upload-fortschritt-balken"
        class="zsk-progress"
        max={100}
        value={percent}
        aria-describedby="upload-fortschritt-text"
      >
        {percent} %
      </progress>
      <p class="kern-body" id="upload-fortschritt-text">
        {percent} % – {formatInt(p.rowsDone)} von {formatInt(p.rowsTotal)} Zeilen gespeichert
      </p>
      <p class="kern-body kern-body--small">
        Die Seite zeigt den Stand von selbst an. <a href={url}>Stand neu laden</a>
      </p>
    </div>
  );
}

/**
 * The progress with its heading. The role="status" wrapper stays while the body inside is replaced,
 * so screen readers announce each new stand and the result.
 */
export function UploadProgressRegion({
  info,
  progress,
  delivery,
  focus = false,
}: {
  info: TargetInfo;
  progress: UploadProgress;
  delivery: DeliveryRow | null;
  /** After the confirm button (htmx) the button is gone: focus moves here instead of to the body. */
  focus?: boolean;
}) {
  return (
    <section
      id="upload-fortschritt"
      class="zsk-upload-status"
      aria-labelledby="upload-fortschritt-titel"
      tabIndex={-1}
      autofocus={focus || undefined}
    >
      <h2 class="kern-heading-medium" id="upload-fortschritt-titel">
        Speichern der Lieferung
      </h2>
      <div role="status">
        <UploadProgressBody info={info} progress={progress} delivery={delivery} />
      </div>
    </section>
  );
}

/**
 * The progress page. After the confirm button (htmx) its main content replaces the preview's, and its
 * address is pushed to the history, so reloading shows the same page (or the delivery once stored).
 */
export function UploadProgressPage({
  info,
  progress,
  delivery,
  focus = false,
}: {
  info: TargetInfo;
  progress: UploadProgress;
  delivery: DeliveryRow | null;
  focus?: boolean;
}) {
  return (
    <Layout title={`Lieferung speichern: ${progress.fileName}`}>
      <h1 class="kern-heading-large">Lieferung speichern</h1>
      <p class="kern-body">
        {kindWord(info)} <strong>{info.name}</strong>, Datei <strong>{progress.fileName}</strong>.
      </p>
      <UploadProgressRegion info={info} progress={progress} delivery={delivery} focus={focus} />
    </Layout>
  );
}
