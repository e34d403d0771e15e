import { DataTable } from '../../web/data-table.js';
import { ErrorList } from '../../web/form.js';
import { Layout } from '../../web/layout.js';
import { formatInt } from '../../web/format.js';
import { monthLabel, overdueLabel } from '../../web/labels.js';
import { Pagination } from '../../web/pagination.js';
import { formatMonthDe } from '../../domain/months.js';
import type { CompletenessSummary } from '../../domain/completeness.js';
import { PRIORITY_GROUPS } from '../../domain/vocabulary.js';
import { COMPLETENESS_PAGE_SIZE, type CompletenessReport } from './service.js';
import { COMPLETENESS_FILTERS, type CompletenessFilter } from './completeness-queries.js';
import { Definition, yesNo } from './views.js';

/** The completeness page /vollstaendigkeit: who delivers monthly, who is gap-free, who is overdue. */
const completenessHref = (filter: CompletenessFilter, page: number) => {
  const params = new URLSearchParams();
  if (filter !== 'alle') params.set('zeigen', filter);
  if (page > 1) params.set('seite', String(page));
  const query = params.toString();
  return `/vollstaendigkeit${query ? `?${query}` : ''}#je-dienst`;
};

const filterLabel = (filter: CompletenessFilter) =>
  COMPLETENESS_FILTERS.find((f) => f.key === filter)?.label ?? filter;

function listedSentence(report: CompletenessReport): string {
  if (report.listed === 0) return `Keine Onlinedienste in der Auswahl „${filterLabel(report.filter)}“.`;
  const first = (report.page - 1) * COMPLETENESS_PAGE_SIZE + 1;
  const last = first + report.services.length - 1;
  return (
    `Auswahl „${filterLabel(report.filter)}“: ${formatInt(report.listed)} Onlinedienste, nach Namen geordnet; ` +
    `gezeigt ${formatInt(first)} bis ${formatInt(last)}.`
  );
}

export function CompletenessQueryErrorPage({ errors }: { errors: string[] }) {
  return (
    <Layout title="Vollständigkeit – ungültige Auswahl" current="/vollstaendigkeit">
      <h1 class="kern-heading-large">Vollständigkeit der Lieferungen</h1>
      <ErrorList title="Die Auswahl ist ungültig" errors={errors} />
      <p class="kern-body">
        <a href="/vollstaendigkeit">Zur Übersicht der Vollständigkeit</a>
      </p>
    </Layout>
  );
}

function summarySentence(s: CompletenessSummary): string {
  return (
    `${formatInt(s.connected)} Onlinedienste angebunden, ${formatInt(s.monthly)} liefern monatlich, ` +
    `${formatInt(s.gapFree)} lückenlos, ${formatInt(s.overdue)} überfällig`
  );
}

export function CompletenessPage({ report }: { report: CompletenessReport }) {
  const groupLabel = new Map(PRIORITY_GROUPS.map((g) => [g.key, g.label]));
  return (
    <Layout title="Vollständigkeit" current="/vollstaendigkeit">
      <h1 class="kern-heading-large">Vollständigkeit der Lieferungen</h1>
      <p class="kern-body">
        Stand: letzter abgeschlossener Monat {formatMonthDe(report.lastClosedMonth)}; eine fehlende Lieferung
        für diesen Monat gilt nach dem {formatInt(report.graceDays)}. Tag des laufenden Monats als überfällig.
        Maßgeblich für „überfällig“ ist damit derzeit {formatMonthDe(report.dueMonth)}.{' '}
        <a href="#begriffe">Begriffe</a>
      </p>
      <p class="kern-body kern-body--large" id="gesamt">
        {summarySentence(report.summary)}.
      </p>
      <ul class="zsk-figures" aria-label="Kennzahlen">
        <li>
          <strong>{formatInt(report.summary.connected)}</strong> angebunden
        </li>
        <li>
          <strong>{formatInt(report.summary.monthly)}</strong> liefern monatlich
        </li>
        <li>
          <strong>{formatInt(report.summary.gapFree)}</strong> lückenlos
        </li>
        <li>
          <strong>{formatInt(report.summary.overdue)}</strong> überfällig
        </li>
      </ul>

      <DataTable
        id="groups"
        caption="Vollständigkeit nach Prioritätsgruppe"
        columns={[
          { label: 'Gruppe' },
          { label: 'angebunden', numeric: true },
          { label: 'liefern monatlich', numeric: true },
          { label: 'lückenlos', numeric: true },
          { label: 'überfällig', numeric: true },
        ]}
      >
        {report.groups.map((g) => (
          <tr class="kern-table__row" key={g.key} data-group={g.key}>
            <th scope="row" class="kern-table__cell">
              {g.label}
            </th>
            <td class="kern-table__cell kern-table__cell--numeric">{formatInt(g.summary.connected)}</td>
            <td class="kern-table__cell kern-table__cell--numeric">{formatInt(g.summary.monthly)}</td>
            <td class="kern-table__cell kern-table__cell--numeric">{formatInt(g.summary.gapFree)}</td>
            <td class="kern-table__cell kern-table__cell--numeric">{formatInt(g.summary.overdue)}</td>
          </tr>
        ))}
      </DataTable>

      <section aria-labelledby="ueberfaellig">
        <h2 id="ueberfaellig" class="kern-heading-medium">
          Überfällige Onlinedienste
        </h2>
        {report.overdue.length === 0 ? (
          <p class="kern-body">Kein Onlinedienst ist überfällig.</p>
        ) : (
          <>
            <ul class="kern-list" id="overdue-list">
              {report.overdue.map((s) => (
                <li key={s.id}>
                  <a href={`/dienste/${s.id}`}>{s.name}</a>
                  {s.lastMonth
                    ? ` – überfällig seit ${monthLabel(s.overdueSince)}, zuletzt geliefert: ${monthLabel(s.lastMonth)}`
                    : ' – noch keine Lieferung'}
                </li>
              ))}
            </ul>
            {report.summary.overdue > report.overdue.length ? (
              <p class="kern-body">
                <a href={completenessHref('ueberfaellig', 1)}>
                  Alle {formatInt(report.summary.overdue)} überfälligen Onlinedienste in der Tabelle zeigen
                </a>
              </p>
            ) : null}
          </>
        )}
      </section>

      <section aria-labelledby="je-dienst">
        <h2 id="je-dienst" class="kern-heading-medium">
          Vollständigkeit je Onlinedienst
        </h2>
        <nav aria-label="Auswahl der Tabelle" class="zsk-filter-links">
          <ul>
            {COMPLETENESS_FILTERS.map((f) => (
              <li key={f.key}>
                <a
                  href={completenessHref(f.key, 1)}
                  aria-current={f.key === report.filter ? 'true' : undefined}
                >
                  {f.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p class="kern-body" id="table-scope">
          {listedSentence(report)}
        </p>
        {report.services.length === 0 ? null : (
          <DataTable
            id="completeness"
            caption={`Auswahl „${filterLabel(report.filter)}“, Seite ${formatInt(report.page)} von ${formatInt(report.pageCount)}`}
            columns={[
              { label: 'Onlinedienst' },
              { label: 'Gruppe' },
              { label: 'monatlich' },
              { label: 'lückenlos' },
              { label: 'zuletzt geliefert' },
              { label: 'überfällig' },
              { label: 'Lücken', numeric: true },
            ]}
          >
            {report.services.map((s) => (
              <tr class="kern-table__row" key={s.id} data-service-id={s.id}>
                <th scope="row" class="kern-table__cell">
                  <a href={`/dienste/${s.id}`}>{s.name}</a>
                </th>
                <td class="kern-table__cell">{groupLabel.get(s.group)}</td>
                <td class="kern-table__cell">{yesNo(s.monthly)}</td>
                <td class="kern-table__cell">{yesNo(s.gapFree)}</td>
                <td class="kern-table__cell">{monthLabel(s.lastMonth)}</td>
                <td class="kern-table__cell">{overdueLabel(s)}</td>
                <td class="kern-table__cell kern-table__cell--numeric">
                  {formatInt(s.gaps.length)}
                  {s.gaps.length > 0 && s.gaps.length <= 6 ? ` (${s.gaps.map(monthLabel).join(', ')})` : ''}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pagination
          page={report.page}
          pages={report.pageCount}
          href={(p) => completenessHref(report.filter, p)}
          label="Seiten der Tabelle"
        />
      </section>

      <section aria-labelledby="begriffe">
        <h2 id="begriffe" class="kern-heading-medium">
          Begriffe
        </h2>
        <dl class="zsk-facts">
          <Definition term="monatlich">
            Der Onlinedienst hat für mindestens einen Monat Zahlen geliefert.
          </Definition>
          <Definition term="lückenlos">
            Für jeden Monat vom ersten gelieferten Monat bis zum letzten abgeschlossenen Monat liegt eine
            Lieferung vor; eine gelieferte 0 zählt als Lieferung.
          </Definition>
          <Definition term="überfällig">
            Noch nie geliefert, oder für den letzten Monat, dessen Frist abgelaufen ist, fehlt die Lieferung:
            der letzte abgeschlossene Monat nach {formatInt(report.graceDays)} Tagen Nachfrist, in diesen
            Tagen der Monat davor. „seit“ nennt den ersten Monat ohne Lieferung bis dahin.
          </Definition>
          <Definition term="Gruppe">
            Jeder Dienst zählt zu genau einer Gruppe: Fokusleistungen zuerst, die übrigen nach ihrem Typ.
          </Definition>
        </dl>
      </section>
    </Layout>
  );
}
