import { DataTable } from '../../web/data-table.js';
import { Layout } from '../../web/layout.js';
import { formatInt } from '../../web/format.js';
import { GRANULARITY_LABEL, SERVICE_TYPE_LABEL, monthLabel } from '../../web/labels.js';
import type { ServiceOverviewRow } from './queries.js';

export function ServiceListPage({ services }: { services: ServiceOverviewRow[] }) {
  const delivering = services.filter((s) => s.monthsDelivered > 0).length;
  const total = services.reduce((sum, s) => sum + s.total, 0);
  return (
    <Layout title="Onlinedienste" current="/">
      <h1 class="kern-heading-large">Onlinedienste</h1>
      <p class="kern-body">
        Angebundene Onlinedienste mit dem ersten und letzten Monat, für den Transaktionszahlen vorliegen, der
        Granularität ihrer Daten und der Summe aller gemeldeten Transaktionen.
      </p>
      <ul class="zsk-figures" aria-label="Kennzahlen">
        <li>
          <strong>{formatInt(services.length)}</strong> Onlinedienste angebunden
        </li>
        <li>
          <strong>{formatInt(delivering)}</strong> liefern Daten
        </li>
        <li>
          <strong>{formatInt(total)}</strong> Transaktionen insgesamt
        </li>
      </ul>
      <DataTable
        id="services"
        class="zsk-table"
        caption="Onlinedienste und ihre Transaktionszahlen"
        columns={[
          { label: 'Onlinedienst' },
          { label: 'Behörde' },
          { label: 'Typ' },
          { label: 'Granularität' },
          { label: 'Daten von', nowrap: true },
          { label: 'Daten bis', nowrap: true },
          { label: 'Transaktionen', numeric: true },
        ]}
      >
        {services.map((s) => (
          <tr class="kern-table__row" key={s.id}>
            <th scope="row" class="kern-table__cell">
              <a href={`/dienste/${s.id}`}>{s.name}</a>
              {s.isFocus ? (
                <>
                  {' '}
                  <span class="kern-badge kern-badge--info kern-badge--small">
                    <span class="kern-label">Fokusleistung</span>
                  </span>
                </>
              ) : null}
            </th>
            <td class="kern-table__cell">{s.authority ?? '–'}</td>
            <td class="kern-table__cell zsk-nowrap">{SERVICE_TYPE_LABEL[s.serviceType]}</td>
            <td class="kern-table__cell zsk-nowrap">{GRANULARITY_LABEL[s.granularity]}</td>
            <td class="kern-table__cell zsk-nowrap">{monthLabel(s.firstMonth)}</td>
            <td class="kern-table__cell zsk-nowrap">{monthLabel(s.lastMonth)}</td>
            <td class="kern-table__cell kern-table__cell--numeric zsk-nowrap">
              {s.monthsDelivered > 0 ? formatInt(s.total) : '–'}
            </td>
          </tr>
        ))}
      </DataTable>
      {services.length === 0 ? <p class="kern-body">Noch keine Onlinedienste angelegt.</p> : null}
    </Layout>
  );
}
