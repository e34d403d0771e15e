import { currentMonth, lastClosedMonth } from '../../domain/months.js';
import { rangeLabel, recentQuarters, type Resolution } from '../../domain/periods.js';
import { PeriodFields } from '../../web/period-fields.js';
import type { ComponentChildren } from 'preact';
import { DataTable, type Column } from '../../web/data-table.js';
import { ErrorList } from '../../web/form.js';
import { Layout } from '../../web/layout.js';
import { formatInt } from '../../web/format.js';
import { monthLabel } from '../../web/labels.js';
import type { DomainError } from '../../domain/result.js';
import type { Period, PortalReportRow, ServiceReportRow } from './queries.js';
import { reportSearch, sourceName, type ReportColumn, type ReportQuery, type ReportTable } from './report.js';
import type { ServiceReportPage as ServiceReportPageData } from './queries.js';
import { Pagination } from '../../web/pagination.js';
import { PeriodShortcuts } from '../../web/period-shortcuts.js';

export const REPORT_PATHS = { portale: '/berichte', dienste: '/berichte/dienste' } as const;

const REPORT_TABS = [
  { slug: 'portale', label: 'je Portal und Datenquelle' },
  { slug: 'dienste', label: 'je Onlinedienst' },
] as const;

function periodText(p: Period, resolution: Resolution = 'monat'): string {
  if (p.from && p.to && resolution !== 'monat')
    return rangeLabel(p.from, p.to, resolution, lastClosedMonth());
  if (p.from && p.to) return `${monthLabel(p.from)} bis ${monthLabel(p.to)}`;
  if (p.from) return `ab ${monthLabel(p.from)}`;
  if (p.to) return `bis ${monthLabel(p.to)}`;
  return 'alle gelieferten Monate';
}

/** Header cells with sort links: a click on the sorted column reverses it, figures start descending. */
function sortableColumns<R>(table: ReportTable<R>, query: ReportQuery): Column[] {
  const path = REPORT_PATHS[table.slug];
  return table.columns.map((c: ReportColumn<R>) => {
    const active = c.key === query.sort;
    const next = active ? (query.dir === 'asc' ? 'desc' : 'asc') : c.numeric ? 'desc' : 'asc';
    return {
      label: c.label,
      numeric: c.numeric,
      nowrap: c.nowrap,
      sort: {
        href: `${path}${reportSearch({ period: query.period, sort: c.key, dir: next, resolution: query.resolution })}`,
        state: active ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined,
        hint: next === 'asc' ? 'aufsteigend sortieren' : 'absteigend sortieren',
      },
    };
  });
}

interface FrameProps<R> {
  table: ReportTable<R>;
  query: ReportQuery;
  errors?: DomainError[];
  /** Calendar years with data, newest first (listDataYears). */
  years: number[];
  children?: ComponentChildren;
}

function ReportFrame<R>({ table, query, errors, years, children }: FrameProps<R>) {
  const path = REPORT_PATHS[table.slug];
  const exportSearch = reportSearch(query);
  return (
    <Layout title={`Berichte: ${table.title}`} current="/berichte">
      <h1 class="kern-heading-large">Berichte</h1>
      <p class="kern-body">
        Transaktionszahlen in der Form der Berichte des Bundes: je Portal und Datenquelle oder je
        Onlinedienst, mit dem ersten und letzten Monat, für den Daten vorliegen, der Granularität und der
        Summe der Transaktionen. Ein Klick auf eine Spaltenüberschrift sortiert die Tabelle.
      </p>
      <nav class="zsk-report-nav" aria-label="Berichte">
        <ul>
          {REPORT_TABS.map((t) => (
            <li key={t.slug}>
              <a
                href={`${REPORT_PATHS[t.slug]}${reportSearch({ period: query.period, resolution: query.resolution })}`}
                aria-current={t.slug === table.slug ? 'page' : undefined}
              >
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {errors && errors.length > 0 ? (
        <ErrorList
          title="Die Angaben sind ungültig"
          heading="h2"
          id="fehler"
          errors={errors.map((e) => e.message)}
        />
      ) : null}
      <PeriodShortcuts
        years={years}
        latest={currentMonth()}
        current={query.period}
        first={{ label: 'Alle Monate', period: { from: null, to: null } }}
        quarters={query.resolution === 'quartal' ? recentQuarters(currentMonth(), 8) : undefined}
        href={(period) =>
          `${path}${reportSearch({ period, sort: query.sort, dir: query.dir, resolution: query.resolution })}`
        }
      />
      <form method="get" action={path} class="zsk-period" aria-labelledby="zeitraum">
        <h2 id="zeitraum" class="kern-sr-only">
          Zeitraum
        </h2>
        <input type="hidden" name="sortierung" value={query.sort} />
        <input type="hidden" name="richtung" value={query.dir} />
        <PeriodFields
          values={{
            from: query.period.from ?? '',
            to: query.period.to ?? '',
            resolution: query.resolution ?? 'monat',
          }}
          names={{ from: 'von', to: 'bis' }}
          ids={{ from: 'feld-von', to: 'feld-bis', resolution: 'feld-aufloesung' }}
          hints={{ from: 'leer: ab dem ersten Monat', to: 'leer: bis zum letzten Monat' }}
        />
        <button class="kern-btn kern-btn--primary" type="submit">
          <span class="kern-label">Anzeigen</span>
        </button>
      </form>
      {errors && errors.length > 0 ? null : (
        <>
          <p class="kern-body">
            Zeitraum: {periodText(query.period, query.resolution)}.{' '}
            {query.period.from || query.period.to ? <a href={path}>Alle Monate anzeigen</a> : null}
          </p>
          <ul class="zsk-downloads" aria-label="Herunterladen">
            <li>
              <a href={`/berichte/${table.slug}.csv${exportSearch}`} download>
                Tabelle als CSV herunterladen
              </a>
            </li>
            <li>
              <a href={`/berichte/${table.slug}.xlsx${exportSearch}`} download>
                Tabelle als Excel-Datei (XLSX) herunterladen
              </a>
            </li>
          </ul>
          {children}
        </>
      )}
    </Layout>
  );
}

const numeric = 'kern-table__cell kern-table__cell--numeric zsk-nowrap';

export function PortalReportPage(props: {
  table: ReportTable<PortalReportRow>;
  query: ReportQuery;
  rows: PortalReportRow[];
  years: number[];
  errors?: DomainError[];
}) {
  const { table, query, rows } = props;
  return (
    <ReportFrame table={table} query={query} errors={props.errors} years={props.years}>
      <DataTable
        id="report"
        class="zsk-table"
        caption={`${table.title}, ${periodText(query.period, query.resolution)}`}
        columns={sortableColumns(table, query)}
      >
        {rows.map((r) => (
          <tr class="kern-table__row" key={`${r.kind}-${r.sourceId ?? 0}`}>
            <th scope="row" class="kern-table__cell">
              {sourceName(r)}
            </th>
            <td class="kern-table__cell">{r.kind === 'portal' ? 'Portal' : 'Einzelanbindung'}</td>
            <td class={numeric}>{formatInt(r.services)}</td>
            <td class="kern-table__cell zsk-nowrap">{monthLabel(r.firstMonth)}</td>
            <td class="kern-table__cell zsk-nowrap">{monthLabel(r.lastMonth)}</td>
            <td class="kern-table__cell">{table.columns[5]!.text(r) || '–'}</td>
            <td class={numeric}>{formatInt(r.transactions)}</td>
          </tr>
        ))}
      </DataTable>
      {rows.length === 0 ? <p class="kern-body">Noch keine Portale oder Onlinedienste angelegt.</p> : null}
      <p class="kern-body kern-body--small">
        Onlinedienste, die zu keinem Portal gehören, stehen je Behörde in einer Zeile „Einzelanbindung“. Ein
        Onlinedienst, der zu mehreren Portalen gehört, zählt bei jedem dieser Portale; die Zeilen lassen sich
        daher nicht zu einer Gesamtsumme addieren (die steht im Bericht je Onlinedienst).
      </p>
    </ReportFrame>
  );
}

export const SERVICE_REPORT_PAGE_SIZE = 100;

export function ServiceReportPage(props: {
  table: ReportTable<ServiceReportRow>;
  query: ReportQuery;
  rows: ServiceReportRow[];
  figures: ServiceReportPageData['figures'];
  page: number;
  pageCount: number;
  years: number[];
  errors?: DomainError[];
}) {
  const { table, query, rows, figures, page, pageCount } = props;
  const firstRow = (page - 1) * SERVICE_REPORT_PAGE_SIZE + 1;
  return (
    <ReportFrame table={table} query={query} errors={props.errors} years={props.years}>
      <p class="kern-body" id="summe">
        {formatInt(figures.services)} Onlinedienste, davon {formatInt(figures.withData)} mit Daten im
        Zeitraum; {formatInt(figures.transactions)} Transaktionen insgesamt.
        {pageCount > 1
          ? ` Gezeigt ${formatInt(firstRow)} bis ${formatInt(firstRow + rows.length - 1)}; die Exporte enthalten alle.`
          : ''}
      </p>
      <DataTable
        id="report"
        class="zsk-table"
        caption={`${table.title}, ${periodText(query.period, query.resolution)}${pageCount > 1 ? `, Seite ${formatInt(page)} von ${formatInt(pageCount)}` : ''}`}
        columns={sortableColumns(table, query)}
      >
        {rows.map((r) => (
          <tr class="kern-table__row" key={r.id}>
            <th scope="row" class="kern-table__cell">
              <a href={`/dienste/${r.id}`}>{r.name}</a>
            </th>
            <td class="kern-table__cell">{r.authority ?? '–'}</td>
            <td class="kern-table__cell">{table.columns[2]!.text(r)}</td>
            <td class="kern-table__cell zsk-nowrap">{monthLabel(r.firstMonth)}</td>
            <td class="kern-table__cell zsk-nowrap">{monthLabel(r.lastMonth)}</td>
            <td class="kern-table__cell zsk-nowrap">{table.columns[5]!.text(r)}</td>
            <td class={numeric}>{formatInt(r.transactions)}</td>
          </tr>
        ))}
      </DataTable>
      {rows.length === 0 ? <p class="kern-body">Noch keine Onlinedienste angelegt.</p> : null}
      <Pagination
        page={page}
        pages={pageCount}
        href={(p) => `/berichte/dienste${reportSearch({ ...query, page: p })}`}
        label="Seiten des Berichts"
      />
    </ReportFrame>
  );
}

export function ReportErrorPage<R>(props: {
  table: ReportTable<R>;
  query: ReportQuery;
  errors: DomainError[];
  years: number[];
}) {
  return <ReportFrame table={props.table} query={props.query} errors={props.errors} years={props.years} />;
}
