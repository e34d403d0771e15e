import { DataTable } from '../../web/data-table.js';
import { Layout } from '../../web/layout.js';
import { formatInt } from '../../web/format.js';
import { monthLabel } from '../../web/labels.js';
import { formatMonthDe } from '../../domain/months.js';
import type { StartPageData } from './service.js';

export interface StartCharts {
  /** Transactions per month over all services (ECharts SVG); null without data. */
  series: string | null;
  /** Choropleth of the Länder, latest twelve months; null without data per Land. */
  map: string | null;
}

const MAP_SOURCE = 'Kartengrundlage: © GeoBasis-DE / BKG (2017), VG250, vereinfacht.';

const landName = (l: { land: string; name: string | null }) =>
  l.land === '00' ? 'bundesweit (keinem Land zugeordnet)' : (l.name ?? l.land);

/** One sentence for the chart's accessible name and the text above it. */
function seriesSentence(series: StartPageData['series']): string {
  const delivered = series.filter((p) => p.total !== null);
  if (series.length === 0 || delivered.length === 0) return 'Es liegen noch keine Transaktionszahlen vor.';
  const max = delivered.reduce((a, b) => ((b.total ?? 0) > (a.total ?? 0) ? b : a));
  return (
    `Von ${monthLabel(series[0]!.month)} bis ${monthLabel(series.at(-1)!.month)} wurden über alle ` +
    `Onlinedienste ${formatInt(delivered.reduce((s, p) => s + (p.total ?? 0), 0))} Transaktionen gemeldet; ` +
    `der höchste Monatswert war ${formatInt(max.total ?? 0)} im ${monthLabel(max.month)}.`
  );
}

/** The public start page: what the ZSK counts, its key figures, the trend, the leaders, the map. */
export function StartPage({ data, charts }: { data: StartPageData; charts: StartCharts }) {
  const { services, transactions, twelveMonths, yearToDate, series, lands, top } = data;
  const twelveText = `${monthLabel(twelveMonths.from)} bis ${monthLabel(twelveMonths.to)}`;
  const ytdText = `${monthLabel(yearToDate.from)} bis ${monthLabel(yearToDate.to)}`;
  const sentence = seriesSentence(series);
  const mapped = lands.filter((l) => l.land !== '00');
  const topLand = mapped.reduce<(typeof mapped)[number] | null>(
    (a, b) => (a && a.total >= b.total ? a : b),
    null,
  );
  return (
    <Layout title="Start" current="/">
      <h1 class="kern-heading-large">Nutzung der Onlinedienste der öffentlichen Verwaltung</h1>
      <p class="kern-body">
        Die Zentrale Statistik-Komponente (ZSK) sammelt jeden Monat, wie oft die Onlinedienste von Bund,
        Ländern und Kommunen genutzt werden: eine Transaktion ist ein Antrag, eine Anzeige oder eine Meldung,
        die online bei einer Behörde eingeht. Die Zahlen enthalten nichts über Personen und stehen allen
        offen.
      </p>

      <section aria-labelledby="kennzahlen">
        <h2 id="kennzahlen" class="kern-heading-medium">
          Kennzahlen
        </h2>
        <ul class="zsk-figures" aria-label="Onlinedienste">
          <li>
            <strong>{formatInt(services.connected)}</strong> Onlinedienste angebunden
          </li>
          <li>
            <strong>{formatInt(services.monthly)}</strong> liefern monatliche Zahlen
          </li>
          <li>
            <strong>{formatInt(services.gapFree)}</strong> davon lückenlos
          </li>
        </ul>
        <ul class="zsk-figures" aria-label="Transaktionen">
          <li>
            <strong>{transactions.lastMonth === null ? '–' : formatInt(transactions.lastMonth)}</strong>{' '}
            Transaktionen im {formatMonthDe(data.lastClosedMonth)}
          </li>
          <li>
            <strong>{formatInt(transactions.twelveMonths)}</strong> Transaktionen in den letzten zwölf Monaten
            ({twelveText})
          </li>
          <li>
            <strong>{formatInt(transactions.yearToDate)}</strong> Transaktionen seit Jahresbeginn ({ytdText})
          </li>
        </ul>
        <p class="kern-body kern-body--small">
          Stand: abgeschlossene Monate bis {formatMonthDe(data.lastClosedMonth)}. Lückenlos ist ein Dienst,
          der seit seinem ersten Monat jeden Monat geliefert hat; die Regeln stehen unter{' '}
          <a href="/vollstaendigkeit">Vollständigkeit</a>.
        </p>
      </section>

      <section aria-labelledby="verlauf">
        <h2 id="verlauf" class="kern-heading-medium">
          Transaktionen je Monat über alle Onlinedienste
        </h2>
        <p class="kern-body">{sentence}</p>
        {series.length > 0 ? (
          <div class="zsk-chart-and-table">
            {charts.series ? (
              <figure class="zsk-chart">
                <div
                  class="zsk-chart__svg"
                  role="img"
                  aria-label={`Liniendiagramm der Transaktionen je Monat: ${sentence}`}
                  // The SVG string comes from ECharts (numbers and month labels only), not from user input.
                  dangerouslySetInnerHTML={{ __html: charts.series }}
                />
                <figcaption class="kern-body kern-body--small">
                  Summe aller Onlinedienste je Monat. Die Werte stehen in der Tabelle.
                </figcaption>
              </figure>
            ) : null}
            <DataTable
              id="monate"
              small
              caption="Transaktionen je Monat"
              columns={[{ label: 'Monat' }, { label: 'Transaktionen', numeric: true }]}
            >
              {series.map((p) => (
                <tr class="kern-table__row" key={p.month}>
                  <th scope="row" class="kern-table__cell">
                    {monthLabel(p.month)}
                  </th>
                  <td class="kern-table__cell kern-table__cell--numeric">
                    {p.total === null ? <em>keine Daten</em> : formatInt(p.total)}
                  </td>
                </tr>
              ))}
            </DataTable>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="spitze">
        <h2 id="spitze" class="kern-heading-medium">
          Meistgenutzte Onlinedienste
        </h2>
        {top.length === 0 ? (
          <p class="kern-body">Für {twelveText} liegen keine Transaktionszahlen vor.</p>
        ) : (
          <DataTable
            id="spitze-tabelle"
            caption={
              <>
                Die {formatInt(top.length)} Onlinedienste mit den meisten Transaktionen, {twelveText}
              </>
            }
            columns={[
              { label: 'Rang', numeric: true },
              { label: 'Onlinedienst' },
              { label: 'Transaktionen', numeric: true },
            ]}
          >
            {top.map((s, i) => (
              <tr class="kern-table__row" key={s.id}>
                <td class="kern-table__cell kern-table__cell--numeric">{i + 1}</td>
                <th scope="row" class="kern-table__cell">
                  <a href={`/dienste/${s.id}`}>{s.name}</a>
                </th>
                <td class="kern-table__cell kern-table__cell--numeric">{formatInt(s.total)}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <p class="kern-body">
          <a href="/berichte/dienste">Alle Onlinedienste im Bericht</a>
        </p>
      </section>

      <section aria-labelledby="laender">
        <h2 id="laender" class="kern-heading-medium">
          Transaktionen nach Land
        </h2>
        <p class="kern-body">
          Die letzten zwölf abgeschlossenen Monate: {twelveText}. Bundesweit gemeldete Zahlen lassen sich
          keinem Land zuordnen; sie stehen in der Tabelle, nicht in der Karte.
        </p>
        {lands.length === 0 ? (
          <p class="kern-body">Für {twelveText} liegen keine Transaktionszahlen vor.</p>
        ) : (
          <div class="zsk-chart-and-table">
            {charts.map ? (
              <figure class="zsk-chart zsk-map">
                <div
                  class="zsk-chart__svg"
                  role="img"
                  aria-label={`Karte Deutschlands, Transaktionen nach Land, ${twelveText}${
                    topLand ? `; am meisten in ${landName(topLand)} mit ${formatInt(topLand.total)}` : ''
                  }. Die Werte stehen in der Tabelle.`}
                  // The SVG string comes from ECharts (outlines, colours and legend figures), not from user input.
                  dangerouslySetInnerHTML={{ __html: charts.map }}
                />
                <figcaption class="kern-body kern-body--small">
                  Je dunkler, desto mehr Transaktionen (Stufen in der Legende); weiß: keine Daten.{' '}
                  {MAP_SOURCE}
                </figcaption>
              </figure>
            ) : null}
            <DataTable
              id="laender-tabelle"
              caption={<>Transaktionen nach Land, {twelveText}</>}
              columns={[{ label: 'Land' }, { label: 'Transaktionen', numeric: true }]}
            >
              {lands.map((l) => (
                <tr class="kern-table__row" key={l.land} data-land={l.land}>
                  <th scope="row" class="kern-table__cell">
                    {landName(l)}
                  </th>
                  <td class="kern-table__cell kern-table__cell--numeric">{formatInt(l.total)}</td>
                </tr>
              ))}
            </DataTable>
          </div>
        )}
      </section>

      <section aria-labelledby="weiter">
        <h2 id="weiter" class="kern-heading-medium">
          Weiter erkunden
        </h2>
        <ul class="kern-list">
          <li>
            <a href="/dienste">Onlinedienste</a>: alle veröffentlichten Onlinedienste mit ihren Zahlen, zum
            Suchen und Filtern
          </li>
          <li>
            <a href="/auswertungen">Auswertungen</a>: Transaktionen nach Typ, OZG-Leistung, Themenfeld, Land,
            Behörde oder Portal
          </li>
          <li>
            <a href="/vollstaendigkeit">Vollständigkeit</a>: welche Onlinedienste regelmäßig liefern
          </li>
          <li>
            <a href="/berichte">Berichte</a>: Tabellen je Portal und je Onlinedienst, auch als CSV und Excel
          </li>
          <li>
            <a href="/opendata">Open Data</a>: Downloads und Schnittstelle zur freien Weiterverwendung
          </li>
        </ul>
      </section>
    </Layout>
  );
}
