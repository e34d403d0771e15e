/**
 * The time series of one online service in months, quarters or years: shared by the service page and
 * its embeddable variant (/einbetten/dienste/:id), so both show the same chart, table and labels.
 */
import { currentMonth, parseMonth } from '../../domain/months.js';
import {
  alignPeriod,
  bucketAxisLabel,
  bucketLabel,
  bucketMonths,
  parseResolution,
  type PeriodBucket,
  type Resolution,
} from '../../domain/periods.js';
import { renderTimeSeriesSvg } from '../../web/chart.js';
import { DataTable } from '../../web/data-table.js';
import { formatInt } from '../../web/format.js';
import { seriesSummary } from './views.js';
import type { SeriesPoint, ServicePageData } from './service.js';

export interface SeriesQuery {
  /** The chosen period, widened to whole quarters or years; undefined = none chosen. */
  period?: { from: string; to: string };
  resolution: Resolution;
  /** German messages naming the field; empty when the query is fine. */
  errors: string[];
  /** The fields as typed, to show them again. */
  form: { von: string; bis: string; aufloesung: string };
  invalid: { from?: boolean; to?: boolean; resolution?: boolean };
}

const text = (v: unknown) =>
  typeof v === 'string' ? v.trim() : Array.isArray(v) ? String(v[0] ?? '').trim() : '';

/** ?von=&bis=&aufloesung= of the service page and its embed; all optional. */
export function parseSeriesQuery(query: Record<string, unknown>, now: Date): SeriesQuery {
  const von = text(query.von);
  const bis = text(query.bis);
  const aufloesung = text(query.aufloesung);
  const form = { von, bis, aufloesung };
  const errors: string[] = [];
  const invalid: SeriesQuery['invalid'] = {};
  const resolution = parseResolution(aufloesung);
  if (!resolution.ok) {
    errors.push(resolution.error.message);
    invalid.resolution = true;
  }
  const res = resolution.ok ? resolution.value : 'monat';
  if (von === '' && bis === '') return { resolution: res, errors, form, invalid };
  const from = parseMonth(von, now);
  const to = parseMonth(bis, now);
  if (!from.ok) {
    errors.push(`Zeitraum von: ${from.error.message}`);
    invalid.from = true;
  }
  if (!to.ok) {
    errors.push(`Zeitraum bis: ${to.error.message}`);
    invalid.to = true;
  }
  if (from.ok && to.ok && from.value > to.value) {
    errors.push(`Der Zeitraum ist leer: „von“ (${from.value}) liegt nach „bis“ (${to.value}).`);
    invalid.from = true;
  }
  if (!from.ok || !to.ok || errors.length > 0) return { resolution: res, errors, form, invalid };
  const period = alignPeriod({ from: from.value, to: to.value }, res, currentMonth(now));
  // Shown as widened, so the fields say which months the quarters or years cover.
  return { period, resolution: res, errors, form: { ...form, von: period.from, bis: period.to }, invalid };
}

export interface SeriesView {
  resolution: Resolution;
  /** The months shown (the chosen period, else all from the first delivery). */
  months: SeriesPoint[];
  buckets: PeriodBucket[];
  summary: string;
  chartSvg: string | null;
}

const UNIT: Record<Resolution, { one: string; many: string; per: string }> = {
  monat: { one: 'Monat', many: 'Monate', per: 'Monat' },
  quartal: { one: 'Quartal', many: 'Quartale', per: 'Quartal' },
  jahr: { one: 'Jahr', many: 'Jahre', per: 'Jahr' },
};

export const perUnitTitle = (r: Resolution) => `Transaktionen je ${UNIT[r].per}`;

function bucketSummary(buckets: PeriodBucket[], resolution: Resolution): string {
  const delivered = buckets.filter((b) => b.total !== null);
  const first = buckets[0];
  const last = buckets.at(-1);
  if (!first || !last || delivered.length === 0)
    return 'Für diesen Onlinedienst liegen im Zeitraum keine Transaktionszahlen vor.';
  const total = delivered.reduce((s, b) => s + (b.total ?? 0), 0);
  const max = delivered.reduce((a, b) => ((b.total ?? 0) > (a.total ?? 0) ? b : a));
  const partial = buckets.filter((b) => !b.complete);
  const unit = UNIT[resolution];
  return (
    `Von ${bucketLabel({ ...first, complete: true })} bis ${bucketLabel({ ...last, complete: true })} ` +
    `wurden insgesamt ${formatInt(total)} Transaktionen gemeldet; der höchste Wert je ${unit.per} war ` +
    `${formatInt(max.total ?? 0)} (${bucketLabel(max)}).` +
    (partial.length > 0
      ? ` Nicht vollständig: ${partial.map((b) => bucketLabel(b)).join('; ')}.`
      : ` Alle ${unit.many} sind vollständig.`)
  );
}

/** The series of the page: cut to the chosen period, summed to the resolution, drawn. */
export function buildSeriesView(
  data: ServicePageData,
  period: { from: string; to: string } | undefined,
  resolution: Resolution,
): SeriesView {
  const months = period
    ? data.series.filter((p) => p.month >= period.from && p.month <= period.to)
    : data.series;
  const buckets = bucketMonths(months, resolution);
  const summary =
    resolution === 'monat'
      ? seriesSummary(
          months,
          data.gaps.filter((g) => months.some((p) => p.month === g)),
        )
      : bucketSummary(buckets, resolution);
  const chartSvg =
    buckets.length === 0
      ? null
      : renderTimeSeriesSvg(
          buckets.map((b) => ({
            month: b.from,
            total: b.total,
            running: b.running,
            label: resolution === 'monat' ? undefined : bucketAxisLabel(b),
          })),
        );
  return { resolution, months, buckets, summary, chartSvg };
}

/** Chart and table of the series; the embed shows exactly this. */
export function SeriesFigure({ view, idPrefix = 'verlauf' }: { view: SeriesView; idPrefix?: string }) {
  const { resolution, buckets, summary, chartSvg } = view;
  const title = perUnitTitle(resolution);
  const months = resolution === 'monat';
  return (
    <div class="zsk-chart-and-table">
      {chartSvg ? (
        <figure class="zsk-chart">
          <div
            class="zsk-chart__svg"
            role="img"
            aria-label={`Liniendiagramm der ${title}: ${summary}`}
            // The SVG string comes from ECharts (numbers and period labels only), not from user input.
            dangerouslySetInnerHTML={{ __html: chartSvg }}
          />
          <figcaption class="kern-body kern-body--small">
            {title}.{' '}
            {months
              ? 'Schattierte Monate: keine Lieferung (Lücke); ein Punkt auf der Nulllinie ist eine gelieferte 0.'
              : 'Summen der gelieferten Monate; „(2/3)“: nur 2 von 3 Monaten liegen im Zeitraum oder sind abgeschlossen.'}{' '}
            Die Werte stehen in der Tabelle.
          </figcaption>
        </figure>
      ) : null}
      <DataTable
        id={months ? 'months' : `${idPrefix}-tabelle`}
        small
        caption={title}
        columns={
          months
            ? [{ label: 'Monat' }, { label: 'Transaktionen', numeric: true }]
            : [
                { label: UNIT[resolution].one },
                { label: 'Monate mit Lieferung', numeric: true },
                { label: 'Transaktionen', numeric: true },
              ]
        }
      >
        {buckets.map((b) => (
          <tr class="kern-table__row" key={b.key} data-period={months ? undefined : b.key}>
            <th scope="row" class="kern-table__cell">
              {bucketLabel(b)}
              {b.running ? (months ? ' (laufender Monat)' : ' (mit laufendem Monat)') : ''}
            </th>
            {months ? null : (
              <td class="kern-table__cell kern-table__cell--numeric">
                {formatInt(b.monthsDelivered)} von {formatInt(b.monthsExpected)}
              </td>
            )}
            <td class="kern-table__cell kern-table__cell--numeric">
              {b.total === null ? <em>keine Lieferung</em> : formatInt(b.total)}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}

/** The query string that reproduces the series (permanent link and embed). */
export function seriesSearch(q: Pick<SeriesQuery, 'period' | 'resolution'>): string {
  const params = new URLSearchParams();
  if (q.period) {
    params.set('von', q.period.from);
    params.set('bis', q.period.to);
  }
  if (q.resolution !== 'monat') params.set('aufloesung', q.resolution);
  const s = params.toString();
  return s ? `?${s}` : '';
}
