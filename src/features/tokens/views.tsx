import { RowAction } from '../../web/confirm.js';
import { CsrfField } from '../../web/csrf-field.js';
import { DataTable } from '../../web/data-table.js';
import { ErrorSummary, Notice, SubmitButton, TextField, type FieldErrors } from '../../web/form.js';
import { formatDateTime } from '../../web/format.js';
import { Layout } from '../../web/layout.js';
import { targetAccusative, targetLabel, targetPath, type Target } from '../../http/target.js';
import type { PageNotice } from '../../web/notice.js';
import type { TokenRow, TokenStatus } from './queries.js';

const STATUS_LABEL: Record<TokenStatus, string> = {
  active: 'aktiv',
  expired: 'abgelaufen',
  revoked: 'widerrufen',
};

/** The curl call of the README's API section, for the target the token was made for. */
export function curlExample(publicUrl: string, target: Target, token: string): string {
  const row =
    target.kind === 'service'
      ? '{"month":"2024-04","ars":"060000000000","count":153}'
      : '{"serviceId":1,"month":"2024-04","ars":"060000000000","count":153}';
  const path = target.kind === 'service' ? `services/${target.id}` : `portals/${target.id}`;
  return [
    `curl -X PUT ${publicUrl}/api/v1/${path}/counts \\`,
    `  -H "Authorization: Bearer ${token}" \\`,
    `  -H 'Content-Type: application/json' -H 'Idempotency-Key: 2024-04' \\`,
    `  -d '{"counts":[${row}]}'`,
  ].join('\n');
}

export interface TokenPageProps {
  target: Target;
  tokens: TokenRow[];
  publicUrl: string;
  /** Only in the answer to the creating POST: the token itself, never shown again. */
  created?: { label: string; token: string };
  form?: { label?: string; days?: string };
  errors?: FieldErrors;
  notice?: PageNotice;
}

export function TokenPage({
  target,
  tokens,
  publicUrl,
  created,
  form = {},
  errors = {},
  notice,
}: TokenPageProps) {
  const base = targetPath(target);
  const title = `Zugangsschlüssel: ${target.name}`;
  return (
    <Layout title={title} current="/meine-dienste">
      <p class="kern-body">
        <a href={base}>Zurück zum {targetLabel(target)}</a>
      </p>
      <h1 class="kern-heading-large">{title}</h1>
      <p class="kern-body">
        Mit einem Zugangsschlüssel liefert ein Programm Transaktionszahlen über die Liefer-API{' '}
        {target.kind === 'service'
          ? 'für diesen Onlinedienst'
          : 'für alle Onlinedienste dieses Portals (jede Zeile nennt ihre serviceId oder den eigenen serviceKey) und verwaltet deren Stammdaten'}
        . Gespeichert wird nur ein Hash: Der Schlüssel wird einmal angezeigt und ist danach nicht mehr
        abrufbar. Die Beschreibung der API steht unter <a href="/api/docs">/api/docs</a>.
      </p>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      {created ? (
        <CreatedToken created={created} curl={curlExample(publicUrl, target, created.token)} />
      ) : null}
      <ErrorSummary errors={errors} />
      <CreateTokenForm action={`${base}/schluessel`} form={form} errors={errors} />
      <TokenTable
        tokens={tokens}
        revokeAction={`${base}/schluessel/widerrufen`}
        caption={`Zugangsschlüssel für ${targetAccusative(target)}`}
      />
      <p class="kern-body zsk-section">
        <a href={`${base}/zugang`}>Zugang für Personen verwalten</a>
      </p>
    </Layout>
  );
}

/** The token of the creating POST's answer: shown this once, with a call to copy. */
export function CreatedToken({ created, curl }: { created: { label: string; token: string }; curl: string }) {
  return (
    <section class="kern-alert kern-alert--success zsk-section" aria-labelledby="neu-titel">
      <div class="kern-alert__header">
        <h2 class="kern-title" id="neu-titel" tabIndex={-1}>
          Zugangsschlüssel „{created.label}“ erstellt
        </h2>
      </div>
      <div class="kern-alert__body">
        <p class="kern-body">
          <strong>Kopieren Sie den Schlüssel jetzt</strong> (markieren und Strg+C): Er wird nur dieses eine
          Mal angezeigt. Geht er verloren, widerrufen Sie ihn und erstellen einen neuen.
        </p>
        <p class="kern-body">
          <code class="zsk-secret" id="neuer-schluessel">
            {created.token}
          </code>
        </p>
        <p class="kern-body">Beispiel: ein Aufruf mit curl</p>
        <pre class="zsk-code" tabIndex={0} aria-label="Beispielaufruf mit curl">
          <code>{curl}</code>
        </pre>
      </div>
    </section>
  );
}

export function CreateTokenForm({
  action,
  form,
  errors,
}: {
  action: string;
  form: { label?: string; days?: string };
  errors: FieldErrors;
}) {
  return (
    <section class="zsk-section" aria-labelledby="erstellen-titel">
      <h2 class="kern-heading-medium" id="erstellen-titel">
        Neuen Zugangsschlüssel erstellen
      </h2>
      <form method="post" action={action} class="zsk-form zsk-narrow" noValidate>
        <CsrfField />
        <TextField
          name="label"
          label="Bezeichnung"
          value={form.label}
          required
          error={errors.label}
          autofocus={Boolean(errors.label)}
          hint="Wofür der Schlüssel ist, z. B. „Fachverfahren Produktion“."
        />
        <TextField
          name="days"
          label="Gültig für Tage"
          type="number"
          value={form.days}
          error={errors.days}
          autofocus={!errors.label && Boolean(errors.days)}
          hint="Leer lassen für einen Schlüssel ohne Ablaufdatum."
        />
        <SubmitButton>Zugangsschlüssel erstellen</SubmitButton>
      </form>
    </section>
  );
}

export function TokenTable({
  tokens,
  revokeAction,
  caption,
}: {
  tokens: TokenRow[];
  revokeAction: string;
  caption: string;
}) {
  return (
    <section class="zsk-section" aria-labelledby={tokens.length === 0 ? 'liste-titel' : 'schluessel-caption'}>
      {tokens.length === 0 ? (
        <>
          <h2 class="kern-heading-medium" id="liste-titel">
            Vorhandene Zugangsschlüssel
          </h2>
          <p class="kern-body">Noch keine Zugangsschlüssel.</p>
        </>
      ) : (
        <DataTable
          id="schluessel"
          class="zsk-table"
          caption={caption}
          columns={[
            { label: 'Bezeichnung' },
            { label: 'Beginnt mit', nowrap: true },
            { label: 'Erstellt von' },
            { label: 'Erstellt am', nowrap: true },
            { label: 'Zuletzt benutzt', nowrap: true },
            { label: 'Gültig bis', nowrap: true },
            { label: 'Status' },
            { label: 'Aktion' },
          ]}
        >
          {tokens.map((t) => (
            <tr class="kern-table__row" key={t.id}>
              <th scope="row" class="kern-table__cell">
                {t.label}
              </th>
              <td class="kern-table__cell zsk-nowrap">
                <code>{t.prefix}…</code>
              </td>
              <td class="kern-table__cell">{t.createdBy ?? 'Kommandozeile'}</td>
              <td class="kern-table__cell zsk-nowrap">{formatDateTime(t.createdAt)}</td>
              <td class="kern-table__cell zsk-nowrap">
                {t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'nie'}
              </td>
              <td class="kern-table__cell zsk-nowrap">
                {t.expiresAt ? formatDateTime(t.expiresAt) : 'unbegrenzt'}
              </td>
              <td class="kern-table__cell">
                {STATUS_LABEL[t.status]}
                {t.revokedAt ? ` am ${formatDateTime(t.revokedAt)}` : ''}
              </td>
              <td class="kern-table__cell">
                {t.status === 'active' ? (
                  <RowAction
                    action={revokeAction}
                    fields={{ schluessel: String(t.id) }}
                    label="Widerrufen"
                    hidden={`– Schlüssel „${t.label}“`}
                  />
                ) : (
                  '–'
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

export interface PersonalTokenPageProps {
  tokens: TokenRow[];
  publicUrl: string;
  /** Something the person manages, for the example call; null when they manage nothing yet. */
  example: { kind: 'portal' | 'service'; id: number } | null;
  manages: boolean;
  created?: { label: string; token: string };
  form?: { label?: string; days?: string };
  errors?: FieldErrors;
  notice?: PageNotice;
}

/** The example call of a personal token: the first thing its owner manages. */
export function personalCurlExample(
  publicUrl: string,
  example: PersonalTokenPageProps['example'],
  token: string,
): string {
  const auth = `  -H "Authorization: Bearer ${token}"`;
  if (example?.kind === 'service')
    return [
      `curl -X PATCH ${publicUrl}/api/v1/services/${example.id} \\`,
      `${auth} \\`,
      `  -H 'Content-Type: application/json' -d '{"url":"https://dienst.example.de"}'`,
    ].join('\n');
  return [`curl ${publicUrl}/api/v1/portals/${example?.id ?? '<Portal-Id>'}/services \\`, auth].join('\n');
}

export const PERSONAL_TOKENS_PATH = '/meine-dienste/schluessel';

/** Personal tokens under „Meine Dienste“: they act for whatever their owner manages. */
export function PersonalTokenPage({
  tokens,
  publicUrl,
  example,
  manages,
  created,
  form = {},
  errors = {},
  notice,
}: PersonalTokenPageProps) {
  const title = 'Persönliche Zugangsschlüssel';
  return (
    <Layout title={title} current="/meine-dienste">
      <p class="kern-body">
        <a href="/meine-dienste">Zurück zu Meine Dienste</a>
      </p>
      <h1 class="kern-heading-large">{title}</h1>
      <p class="kern-body">
        Ein persönlicher Zugangsschlüssel handelt für Sie: Mit ihm liefert ein Programm Zahlen und verwaltet
        die Stammdaten der Onlinedienste und Portale, die Sie verwalten – immer so viele, wie Sie gerade
        verwalten. Endet Ihr Zugang zu einem Dienst oder Ihr Konto, endet auch das, was der Schlüssel darf.
        Gespeichert wird nur ein Hash: Der Schlüssel wird einmal angezeigt. Die Beschreibung der API steht
        unter <a href="/api/docs">/api/docs</a>.
      </p>
      {manages ? null : (
        <Notice>
          Sie verwalten noch keinen Onlinedienst und kein Portal; ein persönlicher Schlüssel öffnet deshalb
          noch nichts.
        </Notice>
      )}
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      {created ? (
        <CreatedToken created={created} curl={personalCurlExample(publicUrl, example, created.token)} />
      ) : null}
      <ErrorSummary errors={errors} />
      <CreateTokenForm action={PERSONAL_TOKENS_PATH} form={form} errors={errors} />
      <TokenTable
        tokens={tokens}
        revokeAction={`${PERSONAL_TOKENS_PATH}/widerrufen`}
        caption="Ihre persönlichen Zugangsschlüssel"
      />
    </Layout>
  );
}
