import { DataTable } from '../../web/data-table.js';
import { Pagination } from '../../web/pagination.js';
import { Layout } from '../../web/layout.js';
import { formatInt } from '../../web/format.js';
import { GRANULARITY_LABEL, SERVICE_TYPE_LABEL, monthLabel, overdueLabel } from '../../web/labels.js';
import { OZG_THEMENFELDER } from '../../domain/catalogue.js';
import {
  NO_FILTER,
  isFiltered,
  serviceListHref,
  type FilterOptions,
  type ServiceFilter,
  type ServiceListPage as ServiceListData,
} from './list.js';
import type { ServiceType } from '../../domain/vocabulary.js';

interface SelectProps {
  id: string;
  name: string;
  label: string;
  value: string | null;
  options: { value: string; label: string }[];
}

function FilterSelect({ id, name, label, value, options }: SelectProps) {
  return (
    <div class="kern-form-input">
      <label class="kern-label" for={id}>
        {label}
      </label>
      <div class="kern-form-input__select-wrapper">
        <select class="kern-form-input__select" id={id} name={name}>
          <option value="">alle</option>
          {options.map((o) => (
            <option key={o.value} value={o.value} selected={o.value === value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

function FilterForm({ filter, options }: { filter: ServiceFilter; options: FilterOptions }) {
  return (
    <form method="get" action="/dienste" class="zsk-filters" aria-label="Onlinedienste suchen und filtern">
      <div class="kern-form-input">
        <label class="kern-label" for="filter-q">
          Name
        </label>
        <input
          class="kern-form-input__input"
          type="search"
          id="filter-q"
          name="suche"
          value={filter.q}
          maxLength={100}
          autocomplete="off"
        />
      </div>
      <FilterSelect
        id="filter-typ"
        name="typ"
        label="Typ"
        value={filter.type}
        options={(Object.keys(SERVICE_TYPE_LABEL) as ServiceType[]).map((t) => ({
          value: t,
          label: SERVICE_TYPE_LABEL[t],
        }))}
      />
      <FilterSelect
        id="filter-themenfeld"
        name="themenfeld"
        label="Themenfeld"
        value={filter.themenfeld}
        options={OZG_THEMENFELDER.map((t) => ({ value: t, label: t }))}
      />
      <FilterSelect
        id="filter-ozg"
        name="ozg"
        label="OZG-Leistung"
        value={filter.ozg}
        options={options.ozg.map((o) => ({ value: o.id, label: o.name }))}
      />
      <FilterSelect
        id="filter-land"
        name="land"
        label="Land der Behörde"
        value={filter.land}
        options={options.laender.map((l) => ({ value: l.land, label: l.name }))}
      />
      <FilterSelect
        id="filter-behoerde"
        name="behoerde"
        label="Behörde"
        value={filter.authority === null ? null : String(filter.authority)}
        options={options.authorities.map((a) => ({ value: String(a.id), label: a.name }))}
      />
      <FilterSelect
        id="filter-portal"
        name="portal"
        label="Portal"
        value={filter.portal === null ? null : String(filter.portal)}
        options={options.portals.map((p) => ({ value: String(p.id), label: p.name }))}
      />
      <div class="zsk-filters__actions">
        <button type="submit" class="kern-btn kern-btn--primary">
          <span class="kern-label">Anzeigen</span>
        </button>
        {isFiltered(filter) ? <a href="/dienste">Filter zurücksetzen</a> : null}
      </div>
    </form>
  );
}

export function ServiceListPage({ data, options }: { data: ServiceListData; options: FilterOptions }) {
  const { rows, figures, filter, page, pages } = data;
  const filtered = isFiltered(filter);
  return (
    <Layout title="Onlinedienste" current="/dienste">
      <h1 class="kern-heading-large">Onlinedienste</h1>
      <p class="kern-body">
        Angebundene Onlinedienste mit dem ersten und letzten Monat, für den Transaktionszahlen vorliegen, den
        Lücken seitdem, der Granularität ihrer Daten und der Summe aller gemeldeten Transaktionen. Überfällig
        ist ein Dienst, dem der letzte Monat fehlt, dessen Lieferfrist abgelaufen ist; „seit“ nennt den ersten
        Monat ohne Lieferung davor. Die Regeln stehen unter <a href="/vollstaendigkeit">Vollständigkeit</a>.
      </p>
      <FilterForm filter={filter} options={options} />
      <ul
        class="zsk-figures"
        aria-label={filtered ? 'Kennzahlen der gefilterten Onlinedienste' : 'Kennzahlen'}
      >
        <li>
          <strong>{formatInt(figures.services)}</strong>{' '}
          {filtered ? 'Onlinedienste gefunden' : 'Onlinedienste angebunden'}
        </li>
        <li>
          <strong>{formatInt(figures.delivering)}</strong> liefern Daten
        </li>
        <li>
          <strong>{formatInt(figures.transactions)}</strong> Transaktionen insgesamt
        </li>
      </ul>
      {rows.length > 0 ? (
        <DataTable
          id="services"
          class="zsk-table"
          small
          caption={
            pages > 1
              ? `Onlinedienste und ihre Transaktionszahlen, Seite ${page} von ${pages}`
              : 'Onlinedienste und ihre Transaktionszahlen'
          }
          columns={[
            { label: 'Onlinedienst' },
            { label: 'Behörde' },
            { label: 'OZG-Leistung' },
            { label: 'Typ' },
            { label: 'Granularität' },
            { label: 'Daten von', nowrap: true },
            { label: 'Daten bis', nowrap: true },
            { label: 'Lücken', numeric: true },
            { label: 'Überfällig' },
            { label: 'Transaktionen', numeric: true },
          ]}
        >
          {rows.map((s) => (
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
              <td class="kern-table__cell">{s.ozg ?? '–'}</td>
              <td class="kern-table__cell zsk-nowrap">{SERVICE_TYPE_LABEL[s.serviceType]}</td>
              <td class="kern-table__cell zsk-nowrap">{GRANULARITY_LABEL[s.granularity]}</td>
              <td class="kern-table__cell zsk-nowrap">{monthLabel(s.firstMonth)}</td>
              <td class="kern-table__cell zsk-nowrap">{monthLabel(s.lastMonth)}</td>
              <td class="kern-table__cell kern-table__cell--numeric">
                {s.monthly ? formatInt(s.gaps.length) : '–'}
              </td>
              <td class="kern-table__cell zsk-nowrap">
                {s.overdue ? <span class="zsk-status-overdue">{overdueLabel(s)}</span> : 'nein'}
              </td>
              <td class="kern-table__cell kern-table__cell--numeric zsk-nowrap">
                {s.monthly ? formatInt(s.total) : '–'}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {rows.length === 0 ? (
        <p class="kern-body">
          {filtered ? (
            <>
              Keine Onlinedienste für diese Auswahl. <a href={serviceListHref(NO_FILTER)}>Alle anzeigen</a>
            </>
          ) : (
            'Noch keine Onlinedienste angelegt.'
          )}
        </p>
      ) : null}
      <Pagination page={page} pages={pages} href={(p) => serviceListHref(filter, p)} />
    </Layout>
  );
}
