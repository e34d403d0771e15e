import { CsrfField } from '../../web/csrf-field.js';
import { ErrorSummary, Notice, SubmitButton, TextField, type FieldErrors } from '../../web/form.js';
import { Layout } from '../../web/layout.js';

export function ForgotPasswordPage({ email, errors = {} }: { email?: string; errors?: FieldErrors }) {
  return (
    <Layout title="Passwort vergessen" current="/anmelden">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">Passwort vergessen</h1>
        <p class="kern-body">
          Geben Sie die E-Mail-Adresse Ihres Kontos an. Wir senden Ihnen einen Link, mit dem Sie ein neues
          Passwort setzen; er ist eine Stunde gültig.
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/passwort-vergessen" class="zsk-form" noValidate>
          <CsrfField />
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
          <SubmitButton>Link senden</SubmitButton>
        </form>
        <p class="kern-body">
          <a href="/anmelden">Zurück zur Anmeldung</a>
        </p>
      </div>
    </Layout>
  );
}

export function ResetSentPage() {
  return (
    <Layout title="Link gesendet" current="/anmelden">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">Bitte prüfen Sie Ihr Postfach</h1>
        <Notice kind="success">
          Wenn zu dieser Adresse ein aktives Konto besteht, haben wir einen Link zum Setzen eines neuen
          Passworts gesendet.
        </Notice>
        <p class="kern-body">
          Der Link ist eine Stunde gültig. Keine E-Mail erhalten? Prüfen Sie bitte auch den Spam-Ordner oder{' '}
          <a href="/passwort-vergessen">fordern Sie einen neuen Link an</a>.
        </p>
      </div>
    </Layout>
  );
}

export function NewPasswordPage({ token, errors = {} }: { token: string; errors?: FieldErrors }) {
  return (
    <Layout title="Neues Passwort" current="/anmelden">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">Neues Passwort setzen</h1>
        <p class="kern-body">
          Nach dem Speichern werden alle bisherigen Anmeldungen Ihres Kontos beendet, auch auf anderen
          Geräten.
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/passwort-neu" class="zsk-form" noValidate>
          <CsrfField />
          <input type="hidden" name="token" value={token} />
          <TextField
            name="password"
            label="Neues Passwort"
            type="password"
            hint="Mindestens 12 Zeichen. Nicht erlaubt sind verbreitete Passwörter und der Teil Ihrer E-Mail-Adresse vor dem „@“."
            autocomplete="new-password"
            required
            error={errors.password}
            autofocus={Boolean(errors.password)}
          />
          <TextField
            name="passwordConfirm"
            label="Neues Passwort wiederholen"
            type="password"
            autocomplete="new-password"
            required
            error={errors.passwordConfirm}
            autofocus={Boolean(errors.passwordConfirm) && !errors.password}
          />
          <SubmitButton>Passwort speichern</SubmitButton>
        </form>
      </div>
    </Layout>
  );
}

export function PasswordChangedPage() {
  return (
    <Layout title="Passwort geändert" current="/anmelden">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">Passwort geändert</h1>
        <Notice kind="success">
          Ihr neues Passwort ist gespeichert. Alle bisherigen Anmeldungen sind beendet.
        </Notice>
        <p class="kern-body">
          <a href="/anmelden">Jetzt anmelden</a>
        </p>
      </div>
    </Layout>
  );
}

export function ResetLinkInvalidPage({ expired }: { expired: boolean }) {
  return (
    <Layout title="Link nicht mehr gültig" current="/anmelden">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">
          {expired ? 'Der Link ist abgelaufen' : 'Der Link ist nicht mehr gültig'}
        </h1>
        <Notice kind="warning">
          {expired
            ? 'Links zum Setzen eines neuen Passworts gelten eine Stunde.'
            : 'Dieser Link wurde bereits verwendet, durch einen neueren ersetzt oder ist unvollständig.'}
        </Notice>
        <p class="kern-body">
          <a href="/passwort-vergessen">Fordern Sie einen neuen Link an</a>.
        </p>
      </div>
    </Layout>
  );
}
