import { DataTable } from '../../web/data-table.js';
import type { ComponentChildren } from 'preact';
import { Layout } from '../../web/layout.js';
import { formatDecimal, formatInt } from '../../web/format.js';
import { GRANULARITY_LABEL, SERVICE_TYPE_LABEL, monthLabel, overdueLabel } from '../../web/labels.js';
import { formatMonthDe } from '../../domain/months.js';
import { type ServicePageData, type SeriesPoint, type YearOnYear } from './service.js';
import { PeriodFields, type PeriodFieldsProps } from '../../web/period-fields.js';
import { EmbedSnippet } from '../../web/embed-snippet.js';
import { bucketMonths } from '../../domain/periods.js';
import { perUnitTitle, SeriesFigure, type SeriesView } from './series.js';
import type { BuildMode } from '../../domain/vocabulary.js';

const BUILD_MODE_LABEL: Record<BuildMode, string> = {
  efa: 'Einer für Alle (EfA)',
  own: 'Eigenentwicklung',
};

export const yesNo = (b: boolean) => (b ? 'ja' : 'nein');

function formatPercent(p: number): string {
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${formatDecimal(Math.abs(p))} %`;
}

/** One sentence that says what the chart shows. */
export function seriesSummary(series: SeriesPoint[], gaps: string[]): string {
  const delivered = series.filter((p) => p.total !== null);
  const first = series[0];
  const last = series.at(-1);
  if (!first || !last || delivered.length === 0)
    return 'Für diesen Onlinedienst liegen noch keine Transaktionszahlen vor.';
  const total = delivered.reduce((sum, p) => sum + (p.total ?? 0), 0);
  const max = delivered.reduce((a, b) => ((b.total ?? 0) > (a.total ?? 0) ? b : a));
  const gapText =
    gaps.length === 0
      ? 'ohne Lücke'
      : `${formatInt(gaps.length)} ${gaps.length === 1 ? 'Monat' : 'Monate'} ohne Lieferung (${gaps.map(monthLabel).join(', ')})`;
  return (
    `Von ${monthLabel(first.month)} bis ${monthLabel(last.month)} wurden in ${formatInt(delivered.length)} von ` +
    `${formatInt(series.length)} Monaten insgesamt ${formatInt(total)} Transaktionen gemeldet, ${gapText}; ` +
    `der höchste Monatswert war ${formatInt(max.total ?? 0)} im ${monthLabel(max.month)}.`
  );
}

function yearOnYearText(y: YearOnYear): string {
  const month = formatMonthDe(y.month);
  const previous = formatMonthDe(y.previousMonth);
  if (y.total === null) return `Für ${month} liegt keine Lieferung vor; keine Veränderung berechenbar.`;
  if (y.previousTotal === null)
    return `${month}: ${formatInt(y.total)} Transaktionen; für ${previous} liegt keine Lieferung vor, keine Veränderung berechenbar.`;
  if (y.changePercent === null)
    return `${month}: ${formatInt(y.total)} Transaktionen gegenüber 0 im ${previous}; keine prozentuale Veränderung berechenbar.`;
  return `${month}: ${formatInt(y.total)} Transaktionen gegenüber ${formatInt(y.previousTotal)} im ${previous} (${formatPercent(y.changePercent)}).`;
}

export function Definition({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <>
      <dt class="kern-body kern-body--bold">{term}</dt>
      <dd class="kern-body">{children}</dd>
    </>
  );
}

/** Server-rendered choropleth SVGs; null where there is nothing to map. */
export interface ServiceMaps {
  laender: string | null;
  kreise: string | null;
}

const MAP_SOURCE = 'Kartengrundlage: © GeoBasis-DE / BKG (2017), VG250, vereinfacht.';

/** The map's accessible name: what it shows and where the most transactions are. */
function mapLabel(what: string, period: string, rows: { name: string; total: number }[]): string {
  const top = rows.reduce<{ name: string; total: number } | null>(
    (a, b) => (a && a.total >= b.total ? a : b),
    null,
  );
  return `Karte Deutschlands, ${what}, ${period}${top ? `; am meisten in ${top.name} mit ${formatInt(top.total)}` : ''}. Die Werte stehen in der Tabelle.`;
}

function MapFigure({ svg, label }: { svg: string; label: string }) {
  return (
    <figure class="zsk-chart zsk-map">
      <div
        class="zsk-chart__svg"
        role="img"
        aria-label={label}
        // The SVG string comes from ECharts (outlines, colours and legend figures), not from user input.
        dangerouslySetInnerHTML={{ __html: svg }}
      />
      <figcaption class="kern-body kern-body--small">
        Je dunkler, desto mehr Transaktionen (Stufen in der Legende); weiß: keine Daten. {MAP_SOURCE}
      </figcaption>
    </figure>
  );
}

function PeriodForm({
  serviceId,
  form,
  errors,
  invalid,
}: {
  serviceId: number;
  form: { von: string; bis: string; aufloesung: string };
  errors: string[];
  invalid: PeriodFieldsProps['invalid'];
}) {
  return (
    <form
      class="zsk-period-form"
      method="get"
      action={`/dienste/${serviceId}#verlauf`}
      aria-labelledby="zeitraum"
    >
      <h2 id="zeitraum" class="kern-heading-medium">
        Zeitraum und Auflösung
      </h2>
      {errors.length > 0 ? (
        <div class="kern-alert kern-alert--danger" role="alert">
          <div class="kern-alert__body">
            <ul class="kern-list">
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
      <PeriodFields
        values={{ from: form.von, to: form.bis, resolution: form.aufloesung }}
        invalid={invalid}
        hints={{
          from: 'leer: Verlauf ab der ersten Lieferung, Länder und Kreise der letzten zwölf Monate',
          to: 'leer: bis zum letzten Monat',
        }}
      />
      <button class="kern-btn kern-btn--secondary" type="submit">
        <span class="kern-label">Anzeigen</span>
      </button>
    </form>
  );
}

export interface ServicePageProps {
  data: ServicePageData;
  chartSvg: string | null;
  maps?: ServiceMaps;
  periodErrors?: string[];
  periodForm?: { von: string; bis: string; aufloesung?: string };
  periodInvalid?: PeriodFieldsProps['invalid'];
  /** The series in the chosen resolution; without it, the months of data.series. */
  seriesView?: SeriesView;
  /** Permanent link and embeddable variant of the series chart (absolute URLs). */
  embed?: { permalink: string; embedUrl: string };
  /** With it, the page links to the delivery pages of the service (manage links for managers). */
  serviceId?: number;
  canManage?: boolean;
  /** Signed-in people see the delivery history and whether the service is published. */
  signedIn?: boolean;
  notice?: string;
}

export function ServicePage({
  data,
  chartSvg,
  maps,
  periodErrors = [],
  periodForm,
  periodInvalid = {},
  seriesView,
  embed,
  serviceId,
  canManage = false,
  signedIn = false,
  notice,
}: ServicePageProps) {
  const { service: s, series, gaps, overdue, yearOnYear, lands, kreise, landPeriod } = data;
  const periodText = `${monthLabel(landPeriod.from)} bis ${monthLabel(landPeriod.to)}`;
  const landName = (l: { land: string; name: string | null }) =>
    l.land === '00' ? 'bundesweit' : (l.name ?? l.land);
  const view: SeriesView = seriesView ?? {
    resolution: 'monat',
    months: series,
    buckets: bucketMonths(series, 'monat'),
    summary: seriesSummary(series, gaps),
    chartSvg,
  };
  return (
    <Layout title={s.name} current="/dienste">
      <p class="kern-body">
        <a href="/dienste">Alle Onlinedienste</a>
      </p>
      <h1 class="kern-heading-large">{s.name}</h1>
      {signedIn && !s.published ? (
        <p class="kern-body">
          <span class="kern-badge kern-badge--warning">
            <span class="kern-label">nicht veröffentlicht</span>
          </span>{' '}
          Dieser Onlinedienst erscheint in keiner öffentlichen Ausgabe und in keiner öffentlichen Summe;
          angemeldete Personen sehen ihn.
        </p>
      ) : null}
      {notice ? (
        <div class="kern-alert kern-alert--success" role="status">
          <div class="kern-alert__body">
            <p class="kern-body">{notice}</p>
          </div>
        </div>
      ) : null}
      {serviceId !== undefined && signedIn ? (
        <nav aria-label={`Seiten zu ${s.name}`} class="zsk-subnav">
          <ul>
            {canManage ? (
              <>
                <li>
                  <a href={`/dienste/${serviceId}/erfassen`}>Zahlen erfassen</a>
                </li>
                <li>
                  <a href={`/dienste/${serviceId}/hochladen`}>Datei hochladen</a>
                </li>
                <li>
                  <a href={`/dienste/${serviceId}/bearbeiten`}>Stammdaten bearbeiten</a>
                </li>
              </>
            ) : null}
            <li>
              <a href={`/dienste/${serviceId}/lieferungen`}>Lieferungen</a>
            </li>
          </ul>
        </nav>
      ) : null}

      <section aria-labelledby="stammdaten">
        <h2 id="stammdaten" class="kern-heading-medium">
          Stammdaten
        </h2>
        <dl class="zsk-facts">
          <Definition term="Behörde">{s.authority ?? '–'}</Definition>
          <Definition term="Typ">{SERVICE_TYPE_LABEL[s.serviceType]}</Definition>
          <Definition term="Granularität">{GRANULARITY_LABEL[s.granularity]}</Definition>
          <Definition term="Umsetzung">{BUILD_MODE_LABEL[s.buildMode]}</Definition>
          <Definition term="Fokusleistung">{yesNo(s.isFocus)}</Definition>
          <Definition term="Portal">{s.portals ?? '–'}</Definition>
          <Definition term="Adresse">{s.url ? <a href={s.url}>{s.url}</a> : '–'}</Definition>
          <Definition term="Daten von">{monthLabel(s.firstMonth)}</Definition>
          <Definition term="Daten bis">{monthLabel(s.lastMonth)}</Definition>
          <Definition term="Überfällig">{overdueLabel(overdue)}</Definition>
          <Definition term="Gelieferte Monate">{formatInt(s.monthsDelivered)}</Definition>
          <Definition term="Transaktionen insgesamt">{formatInt(s.total)}</Definition>
        </dl>
      </section>

      <PeriodForm
        serviceId={s.id}
        form={{
          von: periodForm?.von ?? (data.defaultPeriod ? '' : landPeriod.from),
          bis: periodForm?.bis ?? (data.defaultPeriod ? '' : landPeriod.to),
          aufloesung: periodForm?.aufloesung ?? view.resolution,
        }}
        errors={periodErrors}
        invalid={periodInvalid}
      />

      <section aria-labelledby="verlauf">
        <h2 id="verlauf" class="kern-heading-medium">
          {perUnitTitle(view.resolution)}
        </h2>
        <p class="kern-body" id="verlauf-zusammenfassung">
          {view.summary}
        </p>
        {view.buckets.length > 0 ? <SeriesFigure view={view} /> : null}
        {embed && view.buckets.length > 0 ? (
          <EmbedSnippet
            id="verlauf-teilen"
            permalink={embed.permalink}
            embedUrl={embed.embedUrl}
            title={`${perUnitTitle(view.resolution)}: ${s.name}`}
          />
        ) : null}
      </section>

      <section aria-labelledby="vorjahr">
        <h2 id="vorjahr" class="kern-heading-medium">
          Veränderung zum Vorjahresmonat
        </h2>
        <p class="kern-body">{yearOnYearText(yearOnYear)}</p>
      </section>

      <section aria-labelledby="laender">
        <h2 id="laender" class="kern-heading-medium">
          Transaktionen nach Land
        </h2>
        <p class="kern-body">
          {data.defaultPeriod ? 'Die letzten zwölf abgeschlossenen Monate' : 'Gewählter Zeitraum'}:{' '}
          {periodText}.
        </p>
        {lands.length === 0 ? (
          <p class="kern-body">Für {periodText} liegen keine Transaktionszahlen vor.</p>
        ) : (
          <div class="zsk-chart-and-table">
            {maps?.laender ? (
              <MapFigure
                svg={maps.laender}
                label={mapLabel(
                  'Transaktionen nach Land',
                  periodText,
                  lands.filter((l) => l.land !== '00').map((l) => ({ name: landName(l), total: l.total })),
                )}
              />
            ) : null}
            <DataTable
              id="lands"
              caption={<>Transaktionen nach Land, {periodText}</>}
              columns={[
                { label: 'Land' },
                { label: 'Monate mit Daten', numeric: true },
                { label: 'Transaktionen', numeric: true },
              ]}
            >
              {lands.map((l) => (
                <tr class="kern-table__row" key={l.land} data-land={l.land}>
                  <th scope="row" class="kern-table__cell">
                    {landName(l)}
                  </th>
                  <td class="kern-table__cell kern-table__cell--numeric">{formatInt(l.months)}</td>
                  <td class="kern-table__cell kern-table__cell--numeric">{formatInt(l.total)}</td>
                </tr>
              ))}
            </DataTable>
          </div>
        )}
        {lands.length > 0 && !maps?.laender ? (
          <p class="kern-body">
            Bundesweit gemeldete Zahlen lassen sich keinem Land zuordnen; daher keine Karte.
          </p>
        ) : null}
      </section>

      {kreise ? (
        <section aria-labelledby="kreise">
          <h2 id="kreise" class="kern-heading-medium">
            Transaktionen nach Kreis
          </h2>
          {kreise.length === 0 ? (
            <p class="kern-body">Für {periodText} liegen keine Zahlen auf Kreis- oder Gemeindeebene vor.</p>
          ) : (
            <>
              <p class="kern-body">{periodText}; Zahlen je Gemeinde sind zu ihrem Kreis zusammengezählt.</p>
              <div class="zsk-chart-and-table">
                {maps?.kreise ? (
                  <MapFigure
                    svg={maps.kreise}
                    label={mapLabel(
                      'Transaktionen nach Kreis',
                      periodText,
                      kreise.map((k) => ({ name: k.name ?? k.ars, total: k.total })),
                    )}
                  />
                ) : null}
                <DataTable
                  id="kreise-tabelle"
                  caption={<>Transaktionen nach Kreis, {periodText}</>}
                  columns={[
                    { label: 'Kreis' },
                    { label: 'Monate mit Daten', numeric: true },
                    { label: 'Transaktionen', numeric: true },
                  ]}
                >
                  {kreise.map((k) => (
                    <tr class="kern-table__row" key={k.ars} data-ars={k.ars}>
                      <th scope="row" class="kern-table__cell">
                        {k.name ?? k.ars}
                      </th>
                      <td class="kern-table__cell kern-table__cell--numeric">{formatInt(k.months)}</td>
                      <td class="kern-table__cell kern-table__cell--numeric">{formatInt(k.total)}</td>
                    </tr>
                  ))}
                </DataTable>
              </div>
            </>
          )}
        </section>
      ) : null}
    </Layout>
  );
}

export function NotFoundPage({ message }: { message: string }) {
  return (
    <Layout title="Nicht gefunden">
      <h1 class="kern-heading-large">Nicht gefunden</h1>
      <div class="kern-alert kern-alert--danger" role="alert">
        <div class="kern-alert__body">
          <p class="kern-body">{message}</p>
        </div>
      </div>
      <p class="kern-body">
        <a href="/dienste">Zur Liste der Onlinedienste</a>
      </p>
    </Layout>
  );
}
