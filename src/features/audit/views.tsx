import { DataTable } from '../../web/data-table.js';
import { ErrorSummary, SelectField, TextField, type FieldErrors } from '../../web/form.js';
import { formatDateTime } from '../../web/format.js';
import { Layout } from '../../web/layout.js';
import { ACTION_LABEL, ENTITY_LABEL, actionLabel, entityHref, entityLabel } from './labels.js';
import { diffLines, type AuditRow } from './queries.js';

/**
 * The filter as it came in the query string: echoed into the form and into the paging links. A type
 * alias rather than an interface, so that Object.entries() knows its values are strings.
 */
export type AuditQuery = {
  aktion?: string;
  objekt?: string;
  objektId?: string;
  akteur?: string;
  von?: string;
  bis?: string;
  lieferung?: string;
};

export function auditHref(query: AuditQuery, before?: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  if (before !== undefined) params.set('vor', String(before));
  const text = params.toString();
  return `/verwaltung/protokoll${text ? `?${text}` : ''}`;
}

function options(labels: Record<string, string>, current: string | undefined) {
  const known = Object.entries(labels)
    .map(([value, label]) => ({ value, label: `${label} (${value})` }))
    .sort((a, b) => a.label.localeCompare(b.label, 'de'));
  return current && !(current in labels) ? [...known, { value: current, label: current }] : known;
}

function Who({ row }: { row: AuditRow }) {
  if (row.actorUser) return <>{row.actorUser}</>;
  if (row.actorToken) {
    return (
      <>
        Zugangsschlüssel „{row.actorToken.label}“ (<code>{row.actorToken.prefix}…</code>)
      </>
    );
  }
  return <>System</>;
}

function Change({ row }: { row: AuditRow }) {
  const lines = diffLines(row.oldValue, row.newValue);
  if (lines.length === 0) return <>–</>;
  return (
    <ul class="zsk-diff">
      {lines.map((l) => (
        <li key={l.key}>
          {l.key ? <code>{l.key}</code> : null}
          {l.key ? ': ' : ''}
          {l.old !== undefined ? <code>{l.old}</code> : null}
          {l.old !== undefined ? ' → ' : ''}
          {l.new !== undefined ? <code>{l.new}</code> : l.old !== undefined ? '(entfernt)' : null}
        </li>
      ))}
    </ul>
  );
}

export interface AuditPageProps {
  query: AuditQuery;
  rows: AuditRow[];
  more: boolean;
  /** The keyset of this page, when it is not the first. */
  before?: number;
  errors?: FieldErrors;
}

export function AuditPage({ query, rows, more, before, errors = {} }: AuditPageProps) {
  const last = rows.at(-1);
  return (
    <Layout title="Protokoll" current="/verwaltung/protokoll">
      <h1 class="kern-heading-large">Protokoll</h1>
      <p class="kern-body">
        Jede Änderung mit altem und neuem Wert, wer sie vorgenommen hat und wann (deutsche Zeit). Die neuesten
        Einträge stehen oben.
      </p>
      <ErrorSummary errors={errors} title="Der Filter ist ungültig" />
      <form
        method="get"
        action="/verwaltung/protokoll"
        class="zsk-form zsk-form--inline"
        aria-label="Protokoll filtern"
      >
        <SelectField
          name="aktion"
          label="Aktion"
          options={options(ACTION_LABEL, query.aktion)}
          value={query.aktion}
          placeholder="alle"
        />
        <SelectField
          name="objekt"
          label="Objekt"
          options={options(ENTITY_LABEL, query.objekt)}
          value={query.objekt}
          placeholder="alle"
        />
        <TextField name="objektId" label="Objekt-Nummer" value={query.objektId} />
        <TextField
          name="akteur"
          label="Wer"
          value={query.akteur}
          hint="Name, E-Mail, Schlüssel oder „System“"
        />
        <TextField name="von" label="Von" type="date" value={query.von} error={errors.von} />
        <TextField name="bis" label="Bis" type="date" value={query.bis} error={errors.bis} />
        {query.lieferung ? <input type="hidden" name="lieferung" value={query.lieferung} /> : null}
        <button type="submit" class="kern-btn kern-btn--primary">
          <span class="kern-label">Filtern</span>
        </button>
        <a class="kern-btn kern-btn--secondary" href="/verwaltung/protokoll">
          <span class="kern-label">Filter zurücksetzen</span>
        </a>
      </form>
      {query.lieferung ? <p class="kern-body">Nur Einträge der Lieferung {query.lieferung}.</p> : null}
      {rows.length === 0 ? (
        <p class="kern-body">
          Keine Einträge{Object.values(query).some(Boolean) ? ' zu diesem Filter' : ''}.
        </p>
      ) : (
        <DataTable
          id="protokoll"
          class="zsk-table"
          caption={before ? 'Protokolleinträge (ältere Seite)' : 'Protokolleinträge, neueste zuerst'}
          columns={[
            { label: 'Zeitpunkt', nowrap: true },
            { label: 'Wer' },
            { label: 'Was' },
            { label: 'Objekt' },
            { label: 'Alt → neu' },
            { label: 'Lieferung' },
          ]}
        >
          {rows.map((row) => {
            const href = entityHref(row.entity, row.entityId);
            const entity = `${entityLabel(row.entity)} ${row.entityId}`;
            return (
              <tr class="kern-table__row" key={row.id}>
                <th scope="row" class="kern-table__cell zsk-nowrap">
                  {formatDateTime(row.at)}
                </th>
                <td class="kern-table__cell">
                  <Who row={row} />
                </td>
                <td class="kern-table__cell">{actionLabel(row.action)}</td>
                <td class="kern-table__cell">{href ? <a href={href}>{entity}</a> : entity}</td>
                <td class="kern-table__cell">
                  <Change row={row} />
                </td>
                <td class="kern-table__cell">
                  {row.deliveryId !== null ? (
                    <a href={auditHref({ lieferung: String(row.deliveryId) })}>Lieferung {row.deliveryId}</a>
                  ) : (
                    '–'
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
      {before !== undefined || more ? (
        <nav aria-label="Seiten des Protokolls" class="zsk-section">
          <ul class="zsk-links">
            {before !== undefined ? (
              <li>
                <a href={auditHref(query)}>Neueste Einträge</a>
              </li>
            ) : null}
            {more && last ? (
              <li>
                <a href={auditHref(query, last.id)}>Ältere Einträge</a>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </Layout>
  );
}
