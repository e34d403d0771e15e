import type { RowError } from '../../domain/counts.js';
import { addMonths } from '../../domain/months.js';
import { CsrfField } from '../../web/csrf-field.js';
import { formatInt } from '../../web/format.js';
import { ErrorSummary, Notice, SubmitButton } from '../../web/form.js';
import { GRANULARITY_LABEL, monthLabel } from '../../web/labels.js';
import { Layout } from '../../web/layout.js';
import { cellName, GRID_MAX_REGIONS, type Grid } from './entry.js';
import type { TargetInfo } from './history.js';
import { TargetLinks } from './history-views.js';

export interface EntryPageProps {
  info: TargetInfo;
  month: string;
  latest: string;
  grid: Grid;
  /** Values as typed, when the form comes back with errors. */
  values?: Record<string, unknown>;
  errors?: Map<string, RowError>;
  notice?: { kind: 'success' | 'info' | 'danger'; text: string; deliveryId?: number };
}

export function EntryPage({ info, month, latest, grid, values, errors, notice }: EntryPageProps) {
  const tooMany = grid.regions.length > GRID_MAX_REGIONS;
  const regionName = new Map(grid.regions.map((r) => [r.ars, r.name]));
  const summary = Object.fromEntries(
    [...(errors ?? new Map<string, RowError>())].map(([cell, e]) => {
      const [, m, ars] = cell.split('_') as [string, string, string];
      return [cell, `${regionName.get(ars) ?? ars}, ${monthLabel(m)}: ${e.message}`];
    }),
  );
  const previous = addMonths(month, -1);
  const next = month < latest ? addMonths(month, 1) : null;
  const action = `${info.base}/erfassen?monat=${month}`;
  return (
    <Layout title={`Zahlen erfassen: ${info.name}`}>
      <h1 class="kern-heading-large">Zahlen erfassen</h1>
      <p class="kern-body">
        Onlinedienst <strong>{info.name}</strong>, Granularität {GRANULARITY_LABEL[info.granularity!]}. Tragen
        Sie die Zahl der Transaktionen je Gebiet und Monat ein. Leere Felder bleiben unverändert; eine 0 heißt
        „keine Transaktion“. Gespeichert wird alles als eine Lieferung.
      </p>
      <TargetLinks info={info} canManage />
      {notice ? (
        <Notice kind={notice.kind}>
          {notice.text}
          {notice.deliveryId ? (
            <>
              {' '}
              <a href={`/lieferungen/${notice.deliveryId}`}>Lieferung ansehen</a>
            </>
          ) : null}
        </Notice>
      ) : null}
      <ErrorSummary
        errors={summary}
        title="Bitte korrigieren Sie die markierten Felder; noch ist nichts gespeichert"
      />
      <form method="get" action={`${info.base}/erfassen`} class="zsk-inline-form">
        <div class="kern-form-input">
          <label class="kern-label" for="monat">
            Letzter angezeigter Monat
          </label>
          <input
            class="kern-form-input__input"
            id="monat"
            type="month"
            name="monat"
            value={month}
            max={latest}
            min="2000-01"
          />
        </div>
        <button type="submit" class="kern-btn kern-btn--secondary">
          <span class="kern-label">Monate anzeigen</span>
        </button>
      </form>
      <p class="kern-body">
        <a href={`${info.base}/erfassen?monat=${previous}`}>Einen Monat früher</a>
        {next ? (
          <>
            {' · '}
            <a href={`${info.base}/erfassen?monat=${next}`}>Einen Monat später</a>
          </>
        ) : null}
      </p>
      {tooMany ? (
        <Notice kind="info">
          Für {formatInt(grid.regions.length)} Gebiete ist das Formular zu lang. Bitte nutzen Sie das{' '}
          <a href={`${info.base}/hochladen`}>Hochladen einer Datei</a>.
        </Notice>
      ) : (
        <form method="post" action={action} class="zsk-form" novalidate>
          <CsrfField />
          <div class="kern-table-responsive" tabIndex={0} role="region" aria-labelledby="erfassung-caption">
            <table class="kern-table kern-table--small zsk-entry-grid">
              <caption id="erfassung-caption" class="kern-title">
                Transaktionen je Gebiet, {monthLabel(grid.months[0]!)} bis {monthLabel(month)}
              </caption>
              <thead class="kern-table__head">
                <tr class="kern-table__row">
                  <th scope="col" class="kern-table__header">
                    Gebiet
                  </th>
                  {grid.months.map((m) => (
                    <th scope="col" class="kern-table__header kern-table__header--numeric" key={m}>
                      {monthLabel(m)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody class="kern-table__body">
                {grid.regions.map((r) => (
                  <tr class="kern-table__row" key={r.ars}>
                    <th scope="row" class="kern-table__cell">
                      {r.name} <span class="zsk-muted">({r.ars})</span>
                    </th>
                    {grid.months.map((m) => {
                      const name = cellName(m, r.ars);
                      const id = `feld-${name}`;
                      const error = errors?.get(name);
                      const stored = grid.stored.get(`${m}/${r.ars}`);
                      const typed = values?.[name];
                      const value =
                        typeof typed === 'string' ? typed : stored === undefined ? '' : String(stored);
                      return (
                        <td class={`kern-table__cell${error ? ' zsk-cell--error' : ''}`} key={m}>
                          <label class="zsk-visually-hidden" for={id}>
                            {r.name}, {monthLabel(m)}
                          </label>
                          <input
                            class={`kern-form-input__input zsk-count-input${error ? ' kern-form-input__input--error' : ''}`}
                            id={id}
                            name={name}
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            value={value}
                            aria-invalid={error ? 'true' : undefined}
                            aria-describedby={error ? `${id}-fehler` : undefined}
                          />
                          {error ? (
                            <p class="kern-error zsk-cell-error" id={`${id}-fehler`}>
                              {error.message}
                            </p>
                          ) : null}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="zsk-actions">
            <SubmitButton>Als Lieferung speichern</SubmitButton>
          </div>
        </form>
      )}
    </Layout>
  );
}
