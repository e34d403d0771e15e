import type { Role } from '../../db/schema.js';
import { RowAction } from '../../web/confirm.js';
import { CsrfField } from '../../web/csrf-field.js';
import { DataTable } from '../../web/data-table.js';
import { ErrorSummary, Notice, SubmitButton, TextField, type FieldErrors } from '../../web/form.js';
import { formatDateTime, formatInt } from '../../web/format.js';
import { Layout } from '../../web/layout.js';
import { usePageContext } from '../../web/page-context.js';
import type { JoinRequest } from './join-requests.js';
import type { PageNotice } from '../../web/notice.js';
import type { AccessEntry, MyServices, OpenInvitation } from './service.js';
import { targetAccusative, targetLabel, targetPath, type Target } from '../../http/target.js';

export const ROLE_LABEL: Record<Role, string> = {
  service_manager: 'Verantwortlich für den Onlinedienst',
  portal_manager: 'Verantwortlich für das Portal',
};

export function MyServicesPage({ data, requests }: { data: MyServices; requests: JoinRequest[] }) {
  const { user } = usePageContext();
  const empty = data.services.length === 0 && data.portals.length === 0;
  return (
    <Layout title="Meine Dienste" current="/meine-dienste">
      <h1 class="kern-heading-large">Meine Dienste</h1>
      <p class="kern-body">
        Die Onlinedienste und Portale, die Sie verwalten: wer Zugang hat, Zugangsschlüssel für die Liefer-API
        und – bei Portalen – welche Onlinedienste dazugehören.
      </p>
      {user?.isAdmin ? (
        <Notice>
          Als Administratorin oder Administrator verwalten Sie alle Onlinedienste und Portale:{' '}
          <a href="/dienste">alle Onlinedienste</a>, <a href="/portale">alle Portale</a>.
        </Notice>
      ) : null}
      {requests.length > 0 ? (
        <section class="zsk-section" aria-labelledby="anfragen-caption">
          <DataTable
            id="anfragen"
            class="zsk-table"
            caption="Portale, die Onlinedienste aufnehmen möchten"
            columns={[{ label: 'Onlinedienst' }, { label: 'Portal' }, { label: 'Am', nowrap: true }]}
          >
            {requests.map((r) => (
              <tr class="kern-table__row" key={r.id}>
                <th scope="row" class="kern-table__cell">
                  <a href={`/dienste/${r.service.id}/zugang`}>
                    {r.service.name}
                    <span class="kern-sr-only"> – Anfrage entscheiden</span>
                  </a>
                </th>
                <td class="kern-table__cell">
                  <a href={`/portale/${r.portal.id}`}>{r.portal.name}</a>
                </td>
                <td class="kern-table__cell zsk-nowrap">{formatDateTime(r.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        </section>
      ) : null}
      {data.portals.length > 0 ? (
        <section class="zsk-section" aria-labelledby="meine-portale-caption">
          <DataTable
            id="meine-portale"
            class="zsk-table"
            caption="Portale, die Sie verwalten"
            columns={[{ label: 'Portal' }, { label: 'Onlinedienste', numeric: true }, { label: 'Verwalten' }]}
          >
            {data.portals.map((p) => (
              <tr class="kern-table__row" key={p.id}>
                <th scope="row" class="kern-table__cell">
                  <a href={`/portale/${p.id}`}>{p.name}</a>
                </th>
                <td class="kern-table__cell kern-table__cell--numeric">{formatInt(p.services)}</td>
                <td class="kern-table__cell">
                  <ManageLinks target={{ kind: 'portal', id: p.id, name: p.name }} />
                </td>
              </tr>
            ))}
          </DataTable>
        </section>
      ) : null}
      {data.services.length > 0 ? (
        <section class="zsk-section" aria-labelledby="meine-dienste-caption">
          <DataTable
            id="meine-dienste"
            class="zsk-table"
            caption="Onlinedienste, die Sie verwalten"
            columns={[{ label: 'Onlinedienst' }, { label: 'Über' }, { label: 'Verwalten' }]}
          >
            {data.services.map((s) => (
              <tr class="kern-table__row" key={s.id}>
                <th scope="row" class="kern-table__cell">
                  <a href={`/dienste/${s.id}`}>{s.name}</a>
                </th>
                <td class="kern-table__cell">{s.viaPortal ? `Portal „${s.viaPortal}“` : 'direkt'}</td>
                <td class="kern-table__cell">
                  <ManageLinks target={{ kind: 'service', id: s.id, name: s.name }} />
                </td>
              </tr>
            ))}
          </DataTable>
        </section>
      ) : null}
      <p class="kern-body zsk-section">
        <a href="/meine-dienste/schluessel">Persönliche Zugangsschlüssel</a> – für Programme, die in Ihrem
        Namen liefern und Stammdaten der Onlinedienste verwalten, die Sie verwalten.
      </p>
      {empty && !user?.isAdmin ? (
        <p class="kern-body">
          Sie verwalten noch keinen Onlinedienst und kein Portal. Den Zugang erteilen die Verantwortlichen
          eines Onlinedienstes oder die ZSK-Administration.
        </p>
      ) : null}
    </Layout>
  );
}

function ManageLinks({ target }: { target: Target }) {
  const base = targetPath(target);
  return (
    <ul class="zsk-links">
      <li>
        <a href={`${base}/zugang`}>
          Zugang<span class="kern-sr-only"> zu {target.name}</span>
        </a>
      </li>
      <li>
        <a href={`${base}/schluessel`}>
          Zugangsschlüssel<span class="kern-sr-only"> für {target.name}</span>
        </a>
      </li>
    </ul>
  );
}

export interface AccessPageProps {
  target: Target;
  entries: AccessEntry[];
  invitations: OpenInvitation[];
  /** Open requests of portals to take the service in (services only). */
  requests?: JoinRequest[];
  email?: string;
  errors?: FieldErrors;
  notice?: PageNotice;
}

export function AccessPage({
  target,
  entries,
  invitations,
  requests = [],
  email,
  errors = {},
  notice,
}: AccessPageProps) {
  const base = targetPath(target);
  const title = `Zugang: ${target.name}`;
  return (
    <Layout title={title} current="/meine-dienste">
      <p class="kern-body">
        <a href={base}>Zurück zum {targetLabel(target)}</a>
      </p>
      <h1 class="kern-heading-large">{title}</h1>
      <p class="kern-body">
        Wer hier eingetragen ist, verwaltet {targetAccusative(target)}: Zugang für weitere Personen und
        Zugangsschlüssel für die Liefer-API
        {target.kind === 'portal' ? ', die Onlinedienste des Portals und deren Zugang' : ''}. Die
        ZSK-Administration hat immer Zugang.
        {target.kind === 'service'
          ? ' Verantwortliche eines Portals, zu dem der Onlinedienst gehört, haben ebenfalls Zugang; ihn verwaltet das Portal.'
          : ''}
      </p>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <ErrorSummary errors={errors} />
      {requests.length > 0 ? <JoinRequests base={base} requests={requests} /> : null}
      <section class="zsk-section" aria-labelledby="hinzufuegen-titel">
        <h2 class="kern-heading-medium" id="hinzufuegen-titel">
          Zugang erteilen
        </h2>
        <form method="post" action={`${base}/zugang`} class="zsk-form zsk-narrow" noValidate>
          <CsrfField />
          <TextField
            name="email"
            label="E-Mail-Adresse"
            type="email"
            value={email}
            autocomplete="off"
            required
            error={errors.email}
            autofocus={Boolean(errors.email)}
            hint="Hat die Person ein Konto, erhält sie den Zugang sofort. Sonst bekommt sie eine Einladung zur Registrierung (30 Tage gültig). In beiden Fällen wird sie per E-Mail benachrichtigt."
          />
          <SubmitButton>Zugang erteilen</SubmitButton>
        </form>
      </section>
      <section
        class="zsk-section"
        aria-labelledby={entries.length === 0 ? 'personen-titel' : 'personen-caption'}
      >
        {entries.length === 0 ? (
          <>
            <h2 class="kern-heading-medium" id="personen-titel">
              Personen mit Zugang
            </h2>
            <p class="kern-body">Noch niemand außer der ZSK-Administration.</p>
          </>
        ) : (
          <DataTable
            id="personen"
            class="zsk-table"
            caption={`Personen mit Zugang zum ${targetLabel(target)}`}
            columns={[
              { label: 'Name' },
              { label: 'E-Mail-Adresse' },
              { label: 'Rolle' },
              { label: 'Erteilt von' },
              { label: 'Seit', nowrap: true },
              { label: 'Aktion' },
            ]}
          >
            {entries.map((e) => (
              <tr class="kern-table__row" key={`${e.userId}-${e.viaPortal?.id ?? 0}`}>
                <th scope="row" class="kern-table__cell">
                  {e.name}
                  {e.status !== 'active' ? ' (Konto nicht aktiv)' : ''}
                </th>
                <td class="kern-table__cell">{e.email}</td>
                <td class="kern-table__cell">
                  {ROLE_LABEL[e.role]}
                  {e.viaPortal ? (
                    <>
                      {' '}
                      <a href={`/portale/${e.viaPortal.id}`}>„{e.viaPortal.name}“</a>
                    </>
                  ) : null}
                </td>
                <td class="kern-table__cell">{e.grantedBy ?? '–'}</td>
                <td class="kern-table__cell zsk-nowrap">{formatDateTime(e.since)}</td>
                <td class="kern-table__cell">
                  {e.membershipId !== null ? (
                    <RowAction
                      action={`${base}/zugang/entziehen`}
                      fields={{ mitgliedschaft: String(e.membershipId) }}
                      label="Entziehen"
                      hidden={`– Zugang von ${e.name}`}
                    />
                  ) : (
                    'über das Portal'
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <section
        class="zsk-section"
        aria-labelledby={invitations.length === 0 ? 'einladungen-titel' : 'einladungen-caption'}
      >
        {invitations.length === 0 ? (
          <>
            <h2 class="kern-heading-medium" id="einladungen-titel">
              Offene Einladungen
            </h2>
            <p class="kern-body">Keine offenen Einladungen.</p>
          </>
        ) : (
          <DataTable
            id="einladungen"
            class="zsk-table"
            caption="Offene Einladungen"
            columns={[
              { label: 'E-Mail-Adresse' },
              { label: 'Eingeladen von' },
              { label: 'Am', nowrap: true },
              { label: 'Gültig bis', nowrap: true },
              { label: 'Aktion' },
            ]}
          >
            {invitations.map((i) => (
              <tr class="kern-table__row" key={i.ref}>
                <th scope="row" class="kern-table__cell">
                  {i.email}
                </th>
                <td class="kern-table__cell">{i.grantedBy ?? '–'}</td>
                <td class="kern-table__cell zsk-nowrap">{formatDateTime(i.createdAt)}</td>
                <td class="kern-table__cell zsk-nowrap">{formatDateTime(i.expiresAt)}</td>
                <td class="kern-table__cell">
                  <RowAction
                    action={`${base}/zugang/entziehen`}
                    fields={{ einladung: i.ref }}
                    label="Zurückziehen"
                    hidden={`– Einladung an ${i.email}`}
                  />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <p class="kern-body zsk-section">
        <a href={`${base}/schluessel`}>Zugangsschlüssel für die Liefer-API verwalten</a>
      </p>
    </Layout>
  );
}

/** Portals asking to take the service in: its managers accept or decline. */
function JoinRequests({ base, requests }: { base: string; requests: JoinRequest[] }) {
  return (
    <section class="zsk-section" aria-labelledby="portalanfragen-caption">
      <DataTable
        id="portalanfragen"
        class="zsk-table"
        caption="Anfragen von Portalen, den Onlinedienst aufzunehmen"
        columns={[
          { label: 'Portal' },
          { label: 'Angefragt von' },
          { label: 'Am', nowrap: true },
          { label: 'Aktion' },
        ]}
      >
        {requests.map((r) => (
          <tr class="kern-table__row" key={r.id}>
            <th scope="row" class="kern-table__cell">
              <a href={`/portale/${r.portal.id}`}>{r.portal.name}</a>
            </th>
            <td class="kern-table__cell">{r.requestedBy ?? '–'}</td>
            <td class="kern-table__cell zsk-nowrap">{formatDateTime(r.createdAt)}</td>
            <td class="kern-table__cell">
              <RowAction
                action={`${base}/portalanfragen/annehmen`}
                fields={{ anfrage: String(r.id) }}
                label="Annehmen"
                hidden={`– Anfrage von ${r.portal.name}`}
              />{' '}
              <RowAction
                action={`${base}/portalanfragen/ablehnen`}
                fields={{ anfrage: String(r.id) }}
                label="Ablehnen"
                hidden={`– Anfrage von ${r.portal.name}`}
              />
            </td>
          </tr>
        ))}
      </DataTable>
      <p class="kern-body">
        Gehört der Onlinedienst zu einem Portal, verwalten dessen Verantwortliche ihn mit: Zugang,
        Zugangsschlüssel und Lieferungen mit den Originaldateien. Die Zugangsschlüssel des Portals liefern
        dann auch für ihn.
      </p>
    </section>
  );
}
