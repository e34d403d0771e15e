import { currentMonth, lastClosedMonth } from '../../domain/months.js';
import { rangeLabel, recentQuarters } from '../../domain/periods.js';
import { PeriodFields } from '../../web/period-fields.js';
import { EmbedSnippet } from '../../web/embed-snippet.js';
import { TextField } from '../../web/form.js';
import { PeriodShortcuts, type PeriodChoice } from '../../web/period-shortcuts.js';
import { DataTable } from '../../web/data-table.js';
import { Layout } from '../../web/layout.js';
import { formatDecimal, formatInt } from '../../web/format.js';
import { monthLabel } from '../../web/labels.js';
import { MAX_BARS } from '../../web/chart.js';
import { DIMENSIONS, VALUE_MODES, type ExplorerFieldError, type ExplorerForm } from './params.js';
import { OPTIONS_ALL_UP_TO, OPTIONS_FOUND, TOP_SERVICES, type ServiceOptions } from './queries.js';
import type { ExplorerResult } from './service.js';

const dimensionLabel = (key: string) => DIMENSIONS.find((d) => d.key === key)?.label ?? key;

const services = (n: number) => `${formatInt(n)} ${n === 1 ? 'Onlinedienst' : 'Onlinediensten'}`;

/** '01/2026 bis 06/2026', or in quarters and years 'Q1/2026 bis Q2/2026' with incomplete ones marked. */
export function explorerPeriodText(p: ExplorerResult['params']): string {
  const resolution = p.resolution ?? 'monat';
  if (resolution === 'monat') return `${monthLabel(p.from)} bis ${monthLabel(p.to)}`;
  return rangeLabel(p.from, p.to, resolution, lastClosedMonth());
}

/** The query string of a result, the same for the page, its permanent link and its embed. */
export function explorerSearch(p: ExplorerResult['params']): string {
  const params = new URLSearchParams({ nach: p.dimension, von: p.from, bis: p.to, wert: p.mode });
  if (p.resolution && p.resolution !== 'monat') params.set('aufloesung', p.resolution);
  for (const id of p.serviceIds) params.append('dienst', String(id));
  return `?${params}`;
}

/** The sentence above the chart; it is also the chart's accessible name. */
export function explorerSummary(r: ExplorerResult): string {
  const period = explorerPeriodText(r.params);
  const scope =
    r.params.serviceIds.length > 0
      ? `den ${services(r.params.serviceIds.length)} der Auswahl`
      : 'allen Onlinediensten';
  if (r.total === 0 && r.groups.length === 0) {
    return `Im Zeitraum ${period} liegen von ${scope} keine Transaktionszahlen vor.`;
  }
  const head = `Im Zeitraum ${period} wurden bei ${services(r.services)} insgesamt ${formatInt(r.total)} Transaktionen gezählt.`;
  const top = r.groups[0];
  if (!top) return head;
  const by = dimensionLabel(r.params.dimension);
  if (r.params.mode === 'je1000') {
    if (top.perThousand === null) return head;
    return `${head} Den höchsten Wert je 1.000 Einwohner (Gruppierung: ${by}) hat „${top.label}“ mit ${formatDecimal(top.perThousand)} (${formatInt(top.total)} Transaktionen).`;
  }
  return `${head} Die größte Gruppe nach ${by} ist „${top.label}“ mit ${formatInt(top.total)} Transaktionen (${formatDecimal(top.sharePercent)} %).`;
}

function ErrorSummary({ errors }: { errors: ExplorerFieldError[] }) {
  return (
    <div class="kern-alert kern-alert--danger" role="alert" id="fehler">
      <div class="kern-alert__header">
        <span class="kern-title">Die Auswahl ist ungültig</span>
      </div>
      <div class="kern-alert__body">
        <ul class="kern-list">
          {errors.map((e) => (
            <li key={e.field + e.message}>
              <a href={`#feld-${e.field}`}>{e.message}</a>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

export interface ExplorerResultProps {
  result: ExplorerResult | null;
  errors: ExplorerFieldError[];
  chartSvg: string | null;
  /** With it (the ZSK's address), the result offers its permanent link and an embed snippet. */
  publicUrl?: string;
}

/** Sent with an htmx answer: replaces the empty status line of the page out of band. */
export function ExplorerStatus({ result }: { result: ExplorerResult | null }) {
  return (
    <p id="ergebnis-status" class="kern-sr-only" role="status" hx-swap-oob="true">
      {result ? `Ergebnis aktualisiert. ${explorerSummary(result)}` : 'Die Auswahl ist ungültig.'}
    </p>
  );
}

/** The region htmx swaps: the result, or what is wrong with the form. */
export function ExplorerResultView({ result, errors, chartSvg, publicUrl }: ExplorerResultProps) {
  if (!result) return <ErrorSummary errors={errors} />;
  const summary = explorerSummary(result);
  const by = dimensionLabel(result.params.dimension);
  const perK = result.params.mode === 'je1000';
  const byService = result.params.dimension === 'dienst';
  return (
    <>
      <h2 class="kern-heading-medium" id="ergebnis-titel">
        Transaktionen nach {by}, {explorerPeriodText(result.params)}
      </h2>
      <p class="kern-body" id="ergebnis-zusammenfassung">
        {summary}
      </p>
      {byService && result.params.serviceIds.length === 0 ? (
        <p class="kern-body" id="top-hinweis">
          Ohne Auswahl zeigt die Gruppierung nach Onlinedienst die {formatInt(TOP_SERVICES)} Onlinedienste mit
          den meisten Transaktionen im Zeitraum. Zum Vergleich bestimmter Dienste wählen Sie diese oben aus.
        </p>
      ) : null}
      {result.multiMembership ? (
        <p class="kern-body">
          Ein Onlinedienst kann mehreren Gruppen dieser Art angehören und zählt dann in jeder; die Gruppen
          ergeben zusammen dann mehr als die Gesamtzahl.
        </p>
      ) : null}
      {perK ? (
        <p class="kern-body">
          {result.populationBasis === 'land'
            ? 'Je 1.000 Einwohner: bezogen auf die Bevölkerung des jeweiligen Landes; bundesweit gemeldete Zahlen ohne Länderaufteilung auf die Bevölkerung Deutschlands.'
            : `Je 1.000 Einwohner: diese Gruppierung hat keine eigene Bevölkerung, daher bezogen auf die Bevölkerung Deutschlands (${result.germanPopulation === null ? 'unbekannt' : formatInt(result.germanPopulation)}). Die Werte sind damit nur untereinander vergleichbar; regional aufgeschlüsselt nur bei der Gruppierung nach Land.`}{' '}
          Bevölkerung: Statistisches Bundesamt, Stand 31.12.2024.
        </p>
      ) : null}
      {result.groups.length === 0 ? null : (
        <div class="zsk-chart-then-table">
          {chartSvg ? <GroupsChart result={result} chartSvg={chartSvg} by={by} summary={summary} /> : null}
          {chartSvg && publicUrl ? (
            <EmbedSnippet
              id="ergebnis-teilen"
              permalink={`${publicUrl}/auswertungen${explorerSearch(result.params)}`}
              embedUrl={`${publicUrl}/einbetten/auswertungen${explorerSearch(result.params)}`}
              title={`Transaktionen nach ${by}, ${explorerPeriodText(result.params)}`}
            />
          ) : null}
          <GroupsTable result={result} by={by} servicesColumn={!byService} linkServices={byService} />
        </div>
      )}
    </>
  );
}

/** The bar chart of the groups, with its text alternative; shared by the explorer and its embed. */
export function GroupsChart({
  result,
  chartSvg,
  by,
  summary,
}: {
  result: ExplorerResult;
  chartSvg: string;
  by: string;
  summary: string;
}) {
  const valueName = result.params.mode === 'je1000' ? 'Transaktionen je 1.000 Einwohner' : 'Transaktionen';
  return (
    <figure class="zsk-chart">
      <div
        class="zsk-chart__svg"
        role="img"
        aria-label={`Balkendiagramm ${valueName} nach ${by}: ${summary}`}
        // The SVG comes from ECharts, which escapes the group names it draws.
        dangerouslySetInnerHTML={{ __html: chartSvg }}
      />
      <figcaption class="kern-body kern-body--small">
        {valueName} nach {by}, größte zuerst
        {result.groups.length > MAX_BARS
          ? `; gezeigt die ${formatInt(MAX_BARS)} größten von ${formatInt(result.groups.length)} Gruppen, alle stehen in der Tabelle`
          : '; die Werte stehen in der Tabelle'}
        .
      </figcaption>
    </figure>
  );
}

/**
 * The table of the groups beside the chart. The embed leaves out the services column and the links
 * (a link would open the ZSK inside the other site's frame).
 */
export function GroupsTable({
  result,
  by,
  servicesColumn,
  linkServices,
}: {
  result: ExplorerResult;
  by: string;
  servicesColumn: boolean;
  linkServices: boolean;
}) {
  return (
    <DataTable
      id="gruppen"
      small
      class="zsk-table"
      caption={<>Transaktionen nach {by}</>}
      columns={[
        { label: by },
        ...(servicesColumn ? [{ label: 'Onlinedienste', numeric: true }] : []),
        { label: 'Transaktionen', numeric: true },
        { label: 'Anteil', numeric: true },
        { label: 'je 1.000 Einwohner', numeric: true },
      ]}
    >
      {result.groups.map((g) => (
        <tr class="kern-table__row" key={g.key} data-group={g.key}>
          <th scope="row" class="kern-table__cell">
            {linkServices ? <a href={`/dienste/${g.key}`}>{g.label}</a> : g.label}
          </th>
          {servicesColumn ? (
            <td class="kern-table__cell kern-table__cell--numeric">
              {g.services === null ? '–' : formatInt(g.services)}
            </td>
          ) : null}
          <td class="kern-table__cell kern-table__cell--numeric">{formatInt(g.total)}</td>
          <td class="kern-table__cell kern-table__cell--numeric zsk-nowrap">
            {formatDecimal(g.sharePercent)} %
          </td>
          <td class="kern-table__cell kern-table__cell--numeric">
            {g.perThousand === null ? '–' : formatDecimal(g.perThousand)}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function fieldClass(errors: ExplorerFieldError[], field: ExplorerFieldError['field'], base: string): string {
  return errors.some((e) => e.field === field) ? `${base} ${base}--error` : base;
}

export interface ExplorerPageProps extends ExplorerResultProps {
  form: ExplorerForm;
  options: ServiceOptions;
  /** Calendar years with data, newest first, and the default period, as one-click choices. */
  years: number[];
  latestTwelve: PeriodChoice;
}

/** The explorer's address for a form state (the question only; an empty search is left out). */
export function explorerHref(form: ExplorerForm): string {
  const params = new URLSearchParams({ nach: form.nach, von: form.von, bis: form.bis, wert: form.wert });
  if (form.aufloesung && form.aufloesung !== 'monat') params.set('aufloesung', form.aufloesung);
  for (const id of form.dienst) params.append('dienst', id);
  if (form.suche) params.set('suche', form.suche);
  return `/auswertungen?${params}`;
}

export function ExplorerPage({
  form,
  options,
  result,
  errors,
  chartSvg,
  years,
  latestTwelve,
  publicUrl,
}: ExplorerPageProps) {
  const invalid = (field: ExplorerFieldError['field']) =>
    errors.some((e) => e.field === field) ? true : undefined;
  const chosen = new Set(form.dienst);
  return (
    <Layout title="Auswertungen" current="/auswertungen">
      <h1 class="kern-heading-large">Auswertungen</h1>
      <p class="kern-body">
        Transaktionszahlen mehrerer Onlinedienste vergleichen und nach einem Merkmal zusammenfassen. Ohne
        Auswahl von Onlinediensten zählen alle.
      </p>
      <PeriodShortcuts
        years={years}
        latest={currentMonth()}
        current={{ from: form.von, to: form.bis }}
        first={{ label: 'Letzte 12 Monate', period: latestTwelve }}
        quarters={form.aufloesung === 'quartal' ? recentQuarters(currentMonth(), 8) : undefined}
        href={(period) => explorerHref({ ...form, von: period.from ?? '', bis: period.to ?? '' })}
      />
      <form
        class="zsk-explorer-form"
        method="get"
        action="/auswertungen"
        hx-get="/auswertungen"
        hx-target="#ergebnis"
        hx-push-url="true"
      >
        <div class="zsk-form-row">
          <div class="kern-form-input">
            <label class="kern-label" for="feld-nach">
              Gruppieren nach
            </label>
            <div class="kern-form-input__select-wrapper">
              <select
                class={fieldClass(errors, 'nach', 'kern-form-input__select')}
                id="feld-nach"
                name="nach"
                aria-invalid={invalid('nach')}
              >
                {DIMENSIONS.map((d) => (
                  <option key={d.key} value={d.key} selected={d.key === form.nach}>
                    {d.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </div>
        <PeriodFields
          values={{ from: form.von, to: form.bis, resolution: form.aufloesung }}
          ids={{ from: 'feld-von', to: 'feld-bis', resolution: 'feld-aufloesung' }}
          invalid={{
            from: invalid('von') === true,
            to: invalid('bis') === true,
            resolution: invalid('aufloesung') === true,
          }}
        />
        <fieldset class={fieldClass(errors, 'wert', 'kern-fieldset')} id="feld-wert">
          <legend class="kern-label">Werte</legend>
          <div class="kern-fieldset__body kern-fieldset__body--horizontal">
            {VALUE_MODES.map((m) => (
              <div class="kern-form-check" key={m.key}>
                <input
                  class="kern-form-check__radio"
                  id={`wert-${m.key}`}
                  type="radio"
                  name="wert"
                  value={m.key}
                  checked={m.key === form.wert}
                />
                <label class="kern-label" for={`wert-${m.key}`}>
                  {m.label}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        <fieldset class={fieldClass(errors, 'dienst', 'kern-fieldset')} id="feld-dienst">
          <legend class="kern-label">Onlinedienste vergleichen (keine Auswahl: alle)</legend>
          {options.total > OPTIONS_ALL_UP_TO ? (
            <TextField
              name="suche"
              type="search"
              label="Onlinedienste suchen (Teil des Namens)"
              hint={`Von ${formatInt(options.total)} Onlinediensten stehen hier die ausgewählten und bis zu ${formatInt(OPTIONS_FOUND)} zum Suchbegriff passende zur Wahl; „Auswerten“ sucht.`}
              value={form.suche}
            />
          ) : null}
          <div class="kern-fieldset__body zsk-choice-list">
            {options.options.map((o) => (
              <div class="kern-form-check" key={o.id}>
                <input
                  class="kern-form-check__checkbox"
                  id={`dienst-${o.id}`}
                  type="checkbox"
                  name="dienst"
                  value={String(o.id)}
                  checked={chosen.has(String(o.id))}
                />
                <label class="kern-label" for={`dienst-${o.id}`}>
                  {o.name}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="kern-btn-wrapper">
          <button class="kern-btn kern-btn--primary" type="submit">
            <span class="kern-label">Auswerten</span>
          </button>
          <span class="htmx-indicator kern-body" aria-hidden="true">
            wird berechnet …
          </span>
        </div>
      </form>
      {/* Screen readers hear the new summary when htmx replaces the result (the region itself is not live). */}
      <p id="ergebnis-status" class="kern-sr-only" role="status"></p>
      <section id="ergebnis" aria-label="Ergebnis" class="zsk-explorer-result">
        <ExplorerResultView result={result} errors={errors} chartSvg={chartSvg} publicUrl={publicUrl} />
      </section>
    </Layout>
  );
}
