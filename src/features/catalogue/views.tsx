import { DataTable } from '../../web/data-table.js';
import { Layout } from '../../web/layout.js';
import { formatDateTime, formatInt } from '../../web/format.js';
import {
  SEARCH_DEFAULT_LIMIT,
  SEARCH_MAX_LENGTH,
  SEARCH_MIN_LENGTH,
  type CatalogueHit,
  type CatalogueStatus,
  type ThemenfeldCount,
} from './search.js';
import type { StoredImport } from './import.js';

/** 'YYYY-MM-DD' -> '30.06.2025' */
export const formatDateDe = (d: string | null): string =>
  d ? d.split('-').reverse().join('.') : 'unbekannt';

export interface SearchState {
  q: string;
  /** Results offer a button to take a service over into a form (the create-service form). */
  pick: boolean;
  hits: CatalogueHit[];
}

function statusText({ q, hits }: SearchState): string {
  if (q.length < SEARCH_MIN_LENGTH) return `Bitte mindestens ${SEARCH_MIN_LENGTH} Zeichen eingeben.`;
  if (hits.length === 0) return `Keine Treffer für „${q}“.`;
  return hits.length >= SEARCH_DEFAULT_LIMIT
    ? `Die ${formatInt(hits.length)} besten Treffer für „${q}“; ein genauerer Begriff grenzt weiter ein.`
    : `${formatInt(hits.length)} Treffer für „${q}“.`;
}

/**
 * The result list, alone (answer to htmx) or inside the page. Each row carries the keys as data
 * attributes; in pick mode a button per row lets the form that embeds the search take them over.
 * For htmx the status line comes along out of band, so screen readers hear the count, not the
 * whole table.
 */
export function CatalogueResults({ state, oob }: { state: SearchState; oob: boolean }) {
  return (
    <>
      {oob ? <CatalogueStatusLine state={state} oob /> : null}
      <CatalogueHits state={state} />
    </>
  );
}

/**
 * The live region with the number of hits. It stays in the page; htmx replaces only its text
 * (out-of-band innerHTML), because a replaced live region is not reliably announced.
 */
function CatalogueStatusLine({ state, oob }: { state: SearchState; oob: boolean }) {
  return (
    <p id="katalog-status" class="kern-body" role="status" {...(oob ? { 'hx-swap-oob': 'innerHTML' } : {})}>
      {statusText(state)}
    </p>
  );
}

function CatalogueHits({ state }: { state: SearchState }) {
  const { hits, pick } = state;
  return (
    <>
      {hits.length > 0 ? (
        <DataTable
          id="katalog-treffer"
          caption="Treffer im Leistungskatalog"
          columns={[
            { label: 'Leistung (LeiKa)' },
            { label: 'LeiKa-Schlüssel', nowrap: true },
            { label: 'OZG-Leistung' },
            { label: 'Themenfeld' },
            { label: pick ? 'Auswahl' : 'Onlinedienste' },
          ]}
        >
          {hits.map((h) => (
            <tr
              class="kern-table__row"
              key={`${h.leikaKey}-${h.ozgId ?? ''}`}
              data-leika-key={h.leikaKey}
              data-ozg-id={h.ozgId ?? undefined}
            >
              <th scope="row" class="kern-table__cell">
                {h.leikaName}
                {h.typisierung ? <span class="zsk-muted"> (Typ {h.typisierung})</span> : null}
              </th>
              <td class="kern-table__cell zsk-nowrap zsk-key">{h.leikaKey}</td>
              <td class="kern-table__cell">
                {h.ozgName ? (
                  <>
                    {h.ozgName} <span class="zsk-muted">({h.ozgId})</span>
                  </>
                ) : (
                  '–'
                )}
              </td>
              <td class="kern-table__cell">{h.themenfeld ?? '–'}</td>
              <td class="kern-table__cell">
                {pick ? (
                  <button
                    type="button"
                    class="kern-btn kern-btn--secondary zsk-pick"
                    data-leika-key={h.leikaKey}
                    data-leika-name={h.leikaName}
                    data-ozg-id={h.ozgId ?? ''}
                    data-ozg-name={h.ozgName ?? ''}
                    data-themenfeld={h.themenfeld ?? ''}
                  >
                    <span class="kern-label">
                      Übernehmen<span class="kern-sr-only">: {h.leikaName}</span>
                    </span>
                  </button>
                ) : h.ozgId ? (
                  <a href={`/?ozg=${encodeURIComponent(h.ozgId)}`}>
                    Anzeigen<span class="kern-sr-only"> (Onlinedienste zu {h.ozgName})</span>
                  </a>
                ) : (
                  '–'
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </>
  );
}

/** The search form; with htmx it asks for results while people type. */
export function CatalogueSearchForm({ state }: { state: SearchState }) {
  return (
    <form
      method="get"
      action="/katalog/suche"
      role="search"
      class="zsk-search"
      aria-label="Leistungskatalog durchsuchen"
    >
      <div class="kern-form-input">
        <label class="kern-label" for="katalog-q">
          Leistung, Stichwort oder Schlüssel
        </label>
        <div class="kern-hint" id="katalog-q-hint">
          Zum Beispiel „Elterngeld“, „Kfz-Zulassung“ oder die ersten Ziffern eines LeiKa-Schlüssels.
          Tippfehler werden toleriert.
        </div>
        <input
          class="kern-form-input__input"
          type="search"
          id="katalog-q"
          name="suche"
          value={state.q}
          maxLength={SEARCH_MAX_LENGTH}
          autocomplete="off"
          aria-describedby="katalog-q-hint"
          aria-controls="katalog-ergebnisse"
          hx-get="/katalog/suche"
          hx-trigger="input changed delay:300ms, search"
          hx-target="#katalog-ergebnisse"
          hx-include="closest form"
          hx-replace-url="true"
        />
      </div>
      {state.pick ? <input type="hidden" name="auswahl" value="1" /> : null}
      <button type="submit" class="kern-btn kern-btn--primary">
        <span class="kern-label">Suchen</span>
      </button>
    </form>
  );
}

export function CatalogueSearchPage({ state, status }: { state: SearchState; status: CatalogueStatus }) {
  return (
    <Layout title="Leistungskatalog" current="/katalog/suche">
      <h1 class="kern-heading-large">Leistungskatalog durchsuchen</h1>
      <p class="kern-body">
        Verwaltungsleistungen des Leistungskatalogs (LeiKa) mit ihrer OZG-Leistung und ihrem Themenfeld.{' '}
        <CatalogueAge status={status} />
      </p>
      <CatalogueSearchForm state={state} />
      <CatalogueStatusLine state={state} oob={false} />
      <div id="katalog-ergebnisse">
        <CatalogueResults state={state} oob={false} />
      </div>
    </Layout>
  );
}

export function CatalogueAge({ status }: { status: CatalogueStatus }) {
  if (!status.lastImport) return <>Es wurde noch kein Leistungskatalog importiert.</>;
  return (
    <>
      Stand des Katalogs: {formatDateDe(status.lastImport.dataAsOf)}, importiert am{' '}
      {formatDateTime(status.lastImport.importedAt)} (<a href="/stammdaten">Stammdaten</a>).
    </>
  );
}

interface DiffCounts {
  new: number;
  changed: number;
  withdrawn: number;
  unchanged: number;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function catalogueCounts(summary: Record<string, unknown>, part: 'leika' | 'ozg'): DiffCounts {
  const p = summary[part] as { counts?: Record<string, unknown> } | undefined;
  const c = p?.counts ?? {};
  return {
    new: num(c.new),
    changed: num(c.changed),
    withdrawn: num(c.withdrawn),
    unchanged: num(c.unchanged),
  };
}

export function MasterDataPage({
  status,
  themenfelder,
  imports,
}: {
  status: CatalogueStatus;
  themenfelder: ThemenfeldCount[];
  imports: StoredImport[];
}) {
  const catalogueImports = imports.filter((i) => i.kind === 'catalogue');
  const regionImports = imports.filter((i) => i.kind === 'regions');
  return (
    <Layout title="Stammdaten" current="/stammdaten">
      <h1 class="kern-heading-large">Stammdaten</h1>
      <p class="kern-body">
        Die ZSK führt eine eigene Kopie des Leistungskatalogs (LeiKa-Schlüssel, OZG-Leistungen) und der
        Regionen. Hier steht, wie aktuell sie ist und was jeder Import geändert hat. Zurückgezogene Einträge
        bleiben gespeichert, weil Onlinedienste auf sie verweisen können.
      </p>
      <ul class="zsk-figures" aria-label="Kennzahlen des Leistungskatalogs">
        <li>
          <strong>{status.lastImport ? formatDateDe(status.lastImport.dataAsOf) : '–'}</strong> Stand des
          Leistungskatalogs
        </li>
        <li>
          <strong>{formatInt(status.ozgActive)}</strong> OZG-Leistungen
        </li>
        <li>
          <strong>{formatInt(status.leikaActive)}</strong> LeiKa-Leistungen
        </li>
        <li>
          <strong>{formatInt(status.leikaWithdrawn + status.ozgWithdrawn)}</strong> zurückgezogen
        </li>
      </ul>

      <h2 class="kern-heading-medium zsk-section-heading">Importe des Leistungskatalogs</h2>
      {catalogueImports.length === 0 ? (
        <p class="kern-body">
          Noch kein Import. Einlesen mit <code>npm run zsk -- catalogue import DATEI</code>.
        </p>
      ) : (
        <DataTable
          id="katalog-importe"
          caption="Importe des Leistungskatalogs mit ihren Änderungen (LeiKa-Leistungen / OZG-Leistungen)"
          small
          columns={[
            { label: 'Importiert am', nowrap: true },
            { label: 'Datenstand', nowrap: true },
            { label: 'Quelle' },
            { label: 'Neu', numeric: true },
            { label: 'Geändert', numeric: true },
            { label: 'Zurückgezogen', numeric: true },
            { label: 'Unverändert', numeric: true },
          ]}
        >
          {catalogueImports.map((i) => {
            const leika = catalogueCounts(i.summary, 'leika');
            const ozg = catalogueCounts(i.summary, 'ozg');
            const cell = (k: keyof DiffCounts) => (
              <td class="kern-table__cell kern-table__cell--numeric zsk-nowrap">
                {formatInt(leika[k])} / {formatInt(ozg[k])}
              </td>
            );
            return (
              <tr class="kern-table__row" key={i.id}>
                <th scope="row" class="kern-table__cell zsk-nowrap">
                  {formatDateTime(i.importedAt)}
                </th>
                <td class="kern-table__cell zsk-nowrap">{formatDateDe(i.dataAsOf)}</td>
                <td class="kern-table__cell">{i.source}</td>
                {cell('new')}
                {cell('changed')}
                {cell('withdrawn')}
                {cell('unchanged')}
              </tr>
            );
          })}
        </DataTable>
      )}

      <h2 class="kern-heading-medium zsk-section-heading">OZG-Leistungen je Themenfeld</h2>
      <DataTable
        id="themenfelder"
        caption="Aktive OZG- und LeiKa-Leistungen je Themenfeld"
        small
        columns={[
          { label: 'Themenfeld' },
          { label: 'OZG-Leistungen', numeric: true },
          { label: 'LeiKa-Leistungen', numeric: true },
        ]}
      >
        {themenfelder.map((t) => (
          <tr class="kern-table__row" key={t.themenfeld}>
            <th scope="row" class="kern-table__cell">
              {t.themenfeld}
            </th>
            <td class="kern-table__cell kern-table__cell--numeric">{formatInt(t.ozg)}</td>
            <td class="kern-table__cell kern-table__cell--numeric">{formatInt(t.leika)}</td>
          </tr>
        ))}
      </DataTable>

      <h2 class="kern-heading-medium zsk-section-heading">Importe der Regionen</h2>
      {regionImports.length === 0 ? (
        <p class="kern-body">
          Noch kein Import des Gemeindeverzeichnisses; es gelten die mitgelieferten Länder und Kreise.
          Einlesen mit <code>npm run zsk -- regions import DATEI</code>.
        </p>
      ) : (
        <DataTable
          id="regionen-importe"
          caption="Importe des Gemeindeverzeichnisses (GV100AD)"
          small
          columns={[
            { label: 'Importiert am', nowrap: true },
            { label: 'Datenstand', nowrap: true },
            { label: 'Quelle' },
            { label: 'Neu', numeric: true },
            { label: 'Geändert', numeric: true },
            { label: 'Unverändert', numeric: true },
          ]}
        >
          {regionImports.map((i) => (
            <tr class="kern-table__row" key={i.id}>
              <th scope="row" class="kern-table__cell zsk-nowrap">
                {formatDateTime(i.importedAt)}
              </th>
              <td class="kern-table__cell zsk-nowrap">{formatDateDe(i.dataAsOf)}</td>
              <td class="kern-table__cell">{i.source}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(num(i.summary.created))}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(num(i.summary.updated))}</td>
              <td class="kern-table__cell kern-table__cell--numeric">
                {formatInt(num(i.summary.unchanged))}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </Layout>
  );
}
