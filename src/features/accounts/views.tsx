import { CsrfField } from '../../web/csrf-field.js';
import { ErrorSummary, Notice, SubmitButton, TextField, type FieldErrors } from '../../web/form.js';
import { Layout } from '../../web/layout.js';

export interface LoginPageProps {
  email?: string;
  next?: string;
  errors?: FieldErrors;
  notice?: string;
  oidcEnabled: boolean;
}

export function LoginPage({ email, next, errors = {}, notice, oidcEnabled }: LoginPageProps) {
  return (
    <Layout title="Anmelden" current="/anmelden">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">Anmelden</h1>
        <p class="kern-body">
          Die Zentrale Statistik-Komponente sammelt, wie oft die Onlinedienste der Verwaltung genutzt werden.
          Angemeldete Personen sehen die Auswertungen aller Onlinedienste; Datenliefernde pflegen hier ihre
          Onlinedienste und liefern Transaktionszahlen.
        </p>
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        {oidcEnabled ? (
          <>
            <p class="kern-body">
              <a
                class="kern-btn kern-btn--primary"
                href={`/anmelden/oidc${next ? `?weiter=${encodeURIComponent(next)}` : ''}`}
              >
                <span class="kern-label">Mit dem Behördenkonto anmelden (Keycloak)</span>
              </a>
            </p>
            <h2 class="kern-heading-medium">Oder mit einem lokalen Konto</h2>
          </>
        ) : null}
        <ErrorSummary errors={errors} title="Die Anmeldung ist nicht gelungen" />
        <form method="post" action="/anmelden" class="zsk-form" noValidate>
          <CsrfField />
          {next ? <input type="hidden" name="weiter" value={next} /> : null}
          <TextField
            name="email"
            label="E-Mail-Adresse"
            type="email"
            value={email}
            autocomplete="username"
            required
            error={errors.email}
            autofocus={Boolean(errors.email)}
          />
          <TextField
            name="password"
            label="Passwort"
            type="password"
            autocomplete="current-password"
            required
            error={errors.password}
          />
          <SubmitButton>Anmelden</SubmitButton>
        </form>
        <p class="kern-body">
          <a href="/passwort-vergessen">Passwort vergessen?</a>
        </p>
        <p class="kern-body">
          Noch kein Konto? <a href="/registrieren">Registrieren Sie sich</a> – ohne PDF-Formular, die
          Freischaltung erfolgt durch die ZSK-Administration.
        </p>
      </div>
    </Layout>
  );
}

export function ErrorPage({ status, message }: { status: number; message: string }) {
  const title =
    status === 404
      ? 'Nicht gefunden'
      : status === 403
        ? 'Keine Berechtigung'
        : status === 429
          ? 'Zu viele Anfragen'
          : status === 503
            ? 'Vorübergehend nicht erreichbar'
            : 'Fehler';
  return (
    <Layout title={title}>
      <h1 class="kern-heading-large">{title}</h1>
      <Notice kind="danger">{message}</Notice>
      <p class="kern-body">
        <a href="/">Zur Startseite</a>
      </p>
    </Layout>
  );
}
