import type { UserStatus } from '../../db/schema.js';
import { LAENDER } from '../../domain/laender.js';
import { CsrfField } from '../../web/csrf-field.js';
import { DataTable } from '../../web/data-table.js';
import { Notice } from '../../web/form.js';
import { formatDateTime } from '../../web/format.js';
import { Layout } from '../../web/layout.js';
import type { AccountRow } from './account-admin.js';
import type { PendingRegistration } from './approval.js';

export const STATUS_LABEL: Record<UserStatus, string> = {
  pending_verification: 'E-Mail nicht bestätigt',
  pending_approval: 'Wartet auf Freischaltung',
  active: 'Aktiv',
  rejected: 'Abgelehnt',
  disabled: 'Deaktiviert',
};

const RESULT: Record<string, string> = {
  freigeschaltet: 'Die Registrierung ist freigeschaltet; die Person wurde per E-Mail benachrichtigt.',
  abgelehnt: 'Die Registrierung ist abgelehnt; die Person hat die Begründung per E-Mail erhalten.',
  erledigt: 'Diese Registrierung wurde bereits bearbeitet.',
};

function Registration({ r, error, reason }: { r: PendingRegistration; error?: string; reason?: string }) {
  const reasonId = `feld-grund-${r.id}`;
  return (
    <section class="zsk-registration" aria-labelledby={`registrierung-${r.id}`}>
      <h2 class="kern-heading-medium" id={`registrierung-${r.id}`}>
        {r.name}
      </h2>
      <dl class="kern-description-list">
        <div class="kern-description-list-item">
          <dt class="kern-description-list-item__key">Behörde</dt>
          <dd class="kern-description-list-item__value">
            {r.authority ?? '–'}
            {r.land ? ` (${LAENDER[r.land] ?? r.land})` : ''}
          </dd>
        </div>
        <div class="kern-description-list-item">
          <dt class="kern-description-list-item__key">E-Mail-Adresse</dt>
          <dd class="kern-description-list-item__value">{r.email}</dd>
        </div>
        <div class="kern-description-list-item">
          <dt class="kern-description-list-item__key">Zweck</dt>
          <dd class="kern-description-list-item__value">{r.purpose ?? '–'}</dd>
        </div>
        <div class="kern-description-list-item">
          <dt class="kern-description-list-item__key">Registriert am</dt>
          <dd class="kern-description-list-item__value">{formatDateTime(r.createdAt)}</dd>
        </div>
        {r.invitations.length > 0 ? (
          <div class="kern-description-list-item">
            <dt class="kern-description-list-item__key">Eingeladen für</dt>
            <dd class="kern-description-list-item__value">{r.invitations.join(', ')}</dd>
          </div>
        ) : null}
      </dl>
      <form method="post" action={`/verwaltung/registrierungen/${r.id}/freischalten`} class="zsk-form">
        <CsrfField />
        <button type="submit" class="kern-btn kern-btn--primary" aria-label={`Freischalten: ${r.name}`}>
          <span class="kern-label">Freischalten</span>
        </button>
      </form>
      <form method="post" action={`/verwaltung/registrierungen/${r.id}/ablehnen`} class="zsk-form" noValidate>
        <CsrfField />
        <div class={`kern-form-input${error ? ' kern-form-input--error' : ''}`}>
          <label class="kern-label" for={reasonId}>
            Begründung der Ablehnung<span class="kern-sr-only"> für {r.name}</span>
          </label>
          <div class="kern-hint" id={`${reasonId}-hinweis`}>
            Die Person erhält die Begründung per E-Mail.
          </div>
          {error ? (
            <p class="kern-error" id={`${reasonId}-fehler`}>
              {error}
            </p>
          ) : null}
          <textarea
            class={`kern-form-input__input${error ? ' kern-form-input__input--error' : ''}`}
            id={reasonId}
            name="reason"
            rows={3}
            required
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={`${reasonId}-hinweis${error ? ` ${reasonId}-fehler` : ''}`}
            autofocus={Boolean(error)}
          >
            {reason ?? ''}
          </textarea>
        </div>
        <button type="submit" class="kern-btn kern-btn--secondary" aria-label={`Ablehnen: ${r.name}`}>
          <span class="kern-label">Ablehnen</span>
        </button>
      </form>
    </section>
  );
}

export interface QueuePageProps {
  registrations: PendingRegistration[];
  result?: string;
  /** A rejection without reason: which registration, the message and what was typed. */
  rejectError?: { userId: number; message: string; reason: string };
}

export function QueuePage({ registrations, result, rejectError }: QueuePageProps) {
  return (
    <Layout title="Registrierungen" current="/verwaltung/registrierungen">
      <h1 class="kern-heading-large">Registrierungen</h1>
      <p class="kern-body">
        Registrierungen mit bestätigter E-Mail-Adresse, die älteste zuerst. Schalten Sie Personen frei, deren
        Behörde und Zweck plausibel sind; eine Ablehnung braucht eine Begründung, die die Person per E-Mail
        erhält.
      </p>
      {result && RESULT[result] ? <Notice kind="success">{RESULT[result]}</Notice> : null}
      {rejectError ? (
        <div class="kern-alert kern-alert--danger" role="alert">
          <div class="kern-alert__body">
            <p class="kern-body">
              <a href={`#feld-grund-${rejectError.userId}`}>{rejectError.message}</a>
            </p>
          </div>
        </div>
      ) : null}
      {registrations.length === 0 ? (
        <p class="kern-body">Zurzeit wartet keine Registrierung auf Freischaltung.</p>
      ) : (
        registrations.map((r) => (
          <Registration
            key={r.id}
            r={r}
            error={rejectError?.userId === r.id ? rejectError.message : undefined}
            reason={rejectError?.userId === r.id ? rejectError.reason : undefined}
          />
        ))
      )}
    </Layout>
  );
}

const ACCOUNT_RESULT: Record<string, { kind: 'success' | 'danger'; text: string }> = {
  deaktiviert: {
    kind: 'success',
    text: 'Das Konto ist deaktiviert; alle Anmeldungen des Kontos sind beendet.',
  },
  aktiviert: { kind: 'success', text: 'Das Konto ist wieder aktiv.' },
  selbst: { kind: 'danger', text: 'Ihr eigenes Konto können Sie nicht deaktivieren.' },
  erledigt: { kind: 'danger', text: 'Das Konto hatte diesen Status bereits nicht mehr.' },
};

const ACCOUNT_COLUMNS = [
  { label: 'Name' },
  { label: 'E-Mail-Adresse' },
  { label: 'Behörde' },
  { label: 'Status' },
  { label: 'Letzte Anmeldung', nowrap: true },
  { label: 'Aktion' },
] as const;

export function AccountsPage({ accounts, result }: { accounts: AccountRow[]; result?: string }) {
  const notice = result ? ACCOUNT_RESULT[result] : undefined;
  return (
    <Layout title="Konten" current="/verwaltung/konten">
      <h1 class="kern-heading-large">Konten</h1>
      <p class="kern-body">
        Alle Konten mit Status und letzter Anmeldung. Ein deaktiviertes Konto kann sich nicht mehr anmelden;
        seine laufenden Anmeldungen enden sofort.
      </p>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <DataTable
        id="konten"
        caption={`${accounts.length} Konten`}
        columns={ACCOUNT_COLUMNS}
        small
        class="zsk-table"
      >
        {accounts.map((a) => (
          <tr class="kern-table__row" key={a.id}>
            <th scope="row" class="kern-table__header">
              {a.name}
              {a.isAdmin ? ' (Administration)' : ''}
            </th>
            <td class="kern-table__cell">{a.email}</td>
            <td class="kern-table__cell">{a.authority ?? '–'}</td>
            <td class="kern-table__cell">{STATUS_LABEL[a.status]}</td>
            <td class="kern-table__cell zsk-nowrap">
              {a.lastLoginAt ? formatDateTime(a.lastLoginAt) : 'nie'}
            </td>
            <td class="kern-table__cell">
              {a.status === 'active' || a.status === 'disabled' ? (
                <form
                  method="post"
                  action={`/verwaltung/konten/${a.id}/${a.status === 'active' ? 'deaktivieren' : 'aktivieren'}`}
                >
                  <CsrfField />
                  <button
                    type="submit"
                    class="kern-btn kern-btn--tertiary kern-btn--x-small"
                    aria-label={`${a.status === 'active' ? 'Deaktivieren' : 'Aktivieren'}: ${a.name}`}
                  >
                    <span class="kern-label">{a.status === 'active' ? 'Deaktivieren' : 'Aktivieren'}</span>
                  </button>
                </form>
              ) : (
                '–'
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </Layout>
  );
}
