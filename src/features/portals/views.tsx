import { RowAction } from '../../web/confirm.js';
import { CsrfField } from '../../web/csrf-field.js';
import { DataTable } from '../../web/data-table.js';
import {
  ErrorSummary,
  Notice,
  SelectField,
  SubmitButton,
  TextArea,
  TextField,
  type FieldErrors,
} from '../../web/form.js';
import { formatDateTime, formatInt } from '../../web/format.js';
import { Layout } from '../../web/layout.js';
import { usePageContext } from '../../web/page-context.js';
import type { PageNotice } from '../../web/notice.js';
import type { JoinRequest } from '../access/join-requests.js';
import {
  CANDIDATE_LIMIT,
  type ListError,
  type PortalDetail,
  type PortalErrors,
  type PortalInput,
  type PortalListRow,
} from './service.js';

export function PortalListPage({ portals }: { portals: PortalListRow[] }) {
  const { user } = usePageContext();
  return (
    <Layout title="Portale" current="/portale">
      <h1 class="kern-heading-large">Portale</h1>
      <p class="kern-body">
        Ein Portal bündelt viele Onlinedienste: Seine Verantwortlichen verwalten Zugang und Zugangsschlüssel
        für alle Onlinedienste des Portals und liefern deren Zahlen über eine Schnittstelle.
      </p>
      {user?.isAdmin ? (
        <p class="kern-body">
          <a class="kern-btn kern-btn--primary" href="/portale/neu">
            <span class="kern-label">Neues Portal anlegen</span>
          </a>
        </p>
      ) : null}
      {portals.length === 0 ? (
        <p class="kern-body">Noch keine Portale angelegt.</p>
      ) : (
        <DataTable
          id="portale"
          class="zsk-table"
          caption="Portale"
          columns={[
            { label: 'Portal' },
            { label: 'Behörde' },
            { label: 'Adresse' },
            { label: 'Onlinedienste', numeric: true },
          ]}
        >
          {portals.map((p) => (
            <tr class="kern-table__row" key={p.id}>
              <th scope="row" class="kern-table__cell">
                <a href={`/portale/${p.id}`}>{p.name}</a>
              </th>
              <td class="kern-table__cell">{p.authority ?? '–'}</td>
              <td class="kern-table__cell">{p.url ?? '–'}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(p.services)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Layout>
  );
}

export function NewPortalPage({ input, errors = {} }: { input?: PortalInput; errors?: PortalErrors }) {
  const fieldErrors = errors as FieldErrors;
  const first = Object.keys(errors)[0];
  return (
    <Layout title="Neues Portal" current="/portale">
      <div class="zsk-narrow">
        <p class="kern-body">
          <a href="/portale">Zurück zu den Portalen</a>
        </p>
        <h1 class="kern-heading-large">Neues Portal anlegen</h1>
        <ErrorSummary errors={fieldErrors} />
        <form method="post" action="/portale/neu" class="zsk-form" noValidate>
          <CsrfField />
          <TextField
            name="name"
            label="Name des Portals"
            value={input?.name}
            required
            error={errors.name}
            autofocus={first === 'name'}
          />
          <TextField
            name="url"
            label="Adresse (URL)"
            type="url"
            value={input?.url}
            error={errors.url}
            autofocus={first === 'url'}
            hint="z. B. https://verwaltung.bund.de"
          />
          <TextField
            name="authority"
            label="Betreibende Behörde"
            value={input?.authority}
            error={errors.authority}
            autofocus={first === 'authority'}
            hint="Eine noch unbekannte Behörde wird angelegt."
          />
          <TextArea
            name="managers"
            label="Verantwortliche (E-Mail-Adressen)"
            value={input?.managers}
            error={errors.managers}
            hint="Eine Adresse je Zeile. Personen mit Konto erhalten den Zugang sofort, alle anderen eine Einladung zur Registrierung; beide werden per E-Mail benachrichtigt."
          />
          <SubmitButton>Portal anlegen</SubmitButton>
        </form>
      </div>
    </Layout>
  );
}

export interface PortalPageProps {
  portal: PortalDetail;
  canManage: boolean;
  search: string;
  candidates: Array<{ id: number; name: string }>;
  /** Open requests of the portal, for its managers. */
  requests: JoinRequest[];
  selected?: string;
  list?: string;
  errors?: FieldErrors;
  listErrors?: ListError[];
  notice?: PageNotice;
}

export function PortalPage({
  portal,
  canManage,
  search,
  candidates,
  requests,
  selected,
  list,
  errors = {},
  listErrors = [],
  notice,
}: PortalPageProps) {
  const base = `/portale/${portal.id}`;
  const more = candidates.length > CANDIDATE_LIMIT;
  const shown = candidates.slice(0, CANDIDATE_LIMIT);
  return (
    <Layout title={`Portal: ${portal.name}`} current="/portale">
      <p class="kern-body">
        <a href="/portale">Zurück zu den Portalen</a>
      </p>
      <h1 class="kern-heading-large">Portal: {portal.name}</h1>
      <dl class="zsk-facts">
        <dt>Adresse</dt>
        <dd>{portal.url ? <a href={portal.url}>{portal.url}</a> : '–'}</dd>
        <dt>Betreibende Behörde</dt>
        <dd>{portal.authority ?? '–'}</dd>
        <dt>Onlinedienste</dt>
        <dd>{formatInt(portal.services.length)}</dd>
        <dt>Angelegt</dt>
        <dd>{formatDateTime(portal.createdAt)}</dd>
      </dl>
      {canManage ? (
        <ul class="zsk-links">
          <li>
            <a href={`${base}/zugang`}>Zugang für Personen verwalten</a>
          </li>
          <li>
            <a href={`${base}/schluessel`}>Zugangsschlüssel für die Liefer-API</a>
          </li>
        </ul>
      ) : null}
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <ErrorSummary errors={errors} />
      <section
        class="zsk-section"
        aria-labelledby={portal.services.length === 0 ? 'dienste-titel' : 'portal-dienste-caption'}
      >
        {portal.services.length === 0 ? (
          <>
            <h2 class="kern-heading-medium" id="dienste-titel">
              Onlinedienste des Portals
            </h2>
            <p class="kern-body">Das Portal enthält noch keine Onlinedienste.</p>
          </>
        ) : (
          <DataTable
            id="portal-dienste"
            class="zsk-table"
            caption={`Onlinedienste des Portals „${portal.name}“`}
            columns={[
              { label: 'Onlinedienst' },
              { label: 'Nummer', numeric: true },
              { label: 'Behörde' },
              { label: 'Im Portal seit', nowrap: true },
              ...(canManage ? [{ label: 'Aktion' }] : []),
            ]}
          >
            {portal.services.map((s) => (
              <tr class="kern-table__row" key={s.id}>
                <th scope="row" class="kern-table__cell">
                  <a href={`/dienste/${s.id}`}>{s.name}</a>
                </th>
                <td class="kern-table__cell kern-table__cell--numeric">{s.id}</td>
                <td class="kern-table__cell">{s.authority ?? '–'}</td>
                <td class="kern-table__cell zsk-nowrap">{formatDateTime(s.addedAt)}</td>
                {canManage ? (
                  <td class="kern-table__cell">
                    <RowAction
                      action={`${base}/dienste/entfernen`}
                      fields={{ dienst: String(s.id) }}
                      label="Entfernen"
                      hidden={`– ${s.name} aus dem Portal`}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      {canManage && requests.length > 0 ? (
        <section class="zsk-section" aria-labelledby="portal-anfragen-caption">
          <DataTable
            id="portal-anfragen"
            class="zsk-table"
            caption="Offene Anfragen an Onlinedienste"
            columns={[
              { label: 'Onlinedienst' },
              { label: 'Angefragt von' },
              { label: 'Am', nowrap: true },
              { label: 'Aktion' },
            ]}
          >
            {requests.map((r) => (
              <tr class="kern-table__row" key={r.id}>
                <th scope="row" class="kern-table__cell">
                  <a href={`/dienste/${r.service.id}`}>{r.service.name}</a>
                </th>
                <td class="kern-table__cell">{r.requestedBy ?? '–'}</td>
                <td class="kern-table__cell zsk-nowrap">{formatDateTime(r.createdAt)}</td>
                <td class="kern-table__cell">
                  <RowAction
                    action={`${base}/anfragen/zurueckziehen`}
                    fields={{ anfrage: String(r.id) }}
                    label="Zurückziehen"
                    hidden={`– Anfrage an ${r.service.name}`}
                  />
                </td>
              </tr>
            ))}
          </DataTable>
          <p class="kern-body">
            Diese Onlinedienste kommen zum Portal, sobald ihre Verantwortlichen oder die ZSK-Administration
            die Anfrage annehmen.
          </p>
        </section>
      ) : null}
      {canManage ? (
        <>
          <section class="zsk-section" aria-labelledby="hinzufuegen-titel">
            <h2 class="kern-heading-medium" id="hinzufuegen-titel">
              Onlinedienst hinzufügen
            </h2>
            <p class="kern-body">
              Onlinedienste, die Sie selbst verwalten, kommen sofort zum Portal. Für alle anderen werden ihre
              Verantwortlichen gefragt: Wer zum Portal gehört, wird von den Verantwortlichen des Portals
              mitverwaltet.
            </p>
            <form method="get" action={base} class="zsk-form zsk-form--inline" role="search">
              <TextField
                name="suche"
                label="Onlinedienste nach Namen suchen"
                type="text"
                value={search}
                hint="Schränkt die Auswahl darunter ein."
              />
              <button type="submit" class="kern-btn kern-btn--secondary">
                <span class="kern-label">Suchen</span>
              </button>
            </form>
            {shown.length === 0 ? (
              <p class="kern-body">
                {search
                  ? `Kein Onlinedienst außerhalb des Portals enthält „${search}“.`
                  : 'Alle Onlinedienste gehören schon zum Portal.'}
              </p>
            ) : (
              <form method="post" action={`${base}/dienste`} class="zsk-form zsk-form--inline" noValidate>
                <CsrfField />
                <input type="hidden" name="suche" value={search} />
                <SelectField
                  name="dienst"
                  label="Onlinedienst"
                  options={shown.map((s) => ({ value: String(s.id), label: `${s.name} (Nr. ${s.id})` }))}
                  value={selected}
                  placeholder="Bitte wählen"
                  required
                  error={errors.dienst}
                  autofocus={Boolean(errors.dienst)}
                  hint={
                    more
                      ? `Die ersten ${formatInt(CANDIDATE_LIMIT)} Treffer; die Suche grenzt weiter ein.`
                      : `${formatInt(shown.length)} Onlinedienste${search ? ` mit „${search}“ im Namen` : ''}, die noch nicht zum Portal gehören.`
                  }
                />
                <SubmitButton>Hinzufügen</SubmitButton>
              </form>
            )}
          </section>
          <section class="zsk-section" aria-labelledby="liste-titel">
            <h2 class="kern-heading-medium" id="liste-titel">
              Mehrere Onlinedienste aus einer Liste hinzufügen
            </h2>
            {listErrors.length > 0 ? (
              <div class="kern-alert kern-alert--danger" aria-labelledby="listenfehler-titel">
                <div class="kern-alert__header">
                  <span class="kern-title" id="listenfehler-titel">
                    Fehler in der Liste – es wurde nichts hinzugefügt
                  </span>
                </div>
                <div class="kern-alert__body">
                  <ul class="kern-list">
                    {listErrors.map((e) => (
                      <li key={`${e.row}-${e.message}`}>
                        {e.row > 0 ? `Zeile ${e.row}: ${e.message}` : e.message}
                      </li>
                    ))}
                  </ul>
                </div>
              </div>
            ) : null}
            <form method="post" action={`${base}/dienste/liste`} class="zsk-form zsk-narrow" noValidate>
              <CsrfField />
              <TextArea
                name="liste"
                label="Liste der Onlinedienste (CSV)"
                value={list}
                required
                error={errors.liste}
                hint="Je Zeile die Nummer oder der genaue Name eines Onlinedienstes, oder beides: „12;Elterngeld Digital“. Trennzeichen ; oder , – eine Kopfzeile (id, name) wird übersprungen. Ist eine Zeile fehlerhaft, wird nichts hinzugefügt."
              />
              <SubmitButton>Liste hinzufügen</SubmitButton>
            </form>
          </section>
        </>
      ) : null}
    </Layout>
  );
}
