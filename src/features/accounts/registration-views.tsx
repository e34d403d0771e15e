import { LAENDER } from '../../domain/laender.js';
import { CsrfField } from '../../web/csrf-field.js';
import {
  CheckboxField,
  ErrorSummary,
  Notice,
  SelectField,
  SubmitButton,
  TextArea,
  TextField,
  type FieldErrors,
} from '../../web/form.js';
import { Layout } from '../../web/layout.js';
import type { RegistrationInput } from './registration.js';

const LAND_OPTIONS = Object.entries(LAENDER).map(([value, label]) => ({ value, label }));

export interface RegistrationPageProps {
  values?: Partial<RegistrationInput>;
  errors?: FieldErrors;
  authorities: string[];
  /** Set when the page was opened from a valid invitation: the address is fixed. */
  invitedEmail?: string | null;
  /** The invitation link was given but is no longer valid. */
  invitationInvalid?: boolean;
}

export function RegistrationPage({
  values = {},
  errors = {},
  authorities,
  invitedEmail,
  invitationInvalid,
}: RegistrationPageProps) {
  return (
    <Layout title="Registrieren" current="/registrieren">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">Registrieren</h1>
        <p class="kern-body">
          Mit einem Konto sehen Sie die Auswertungen aller Onlinedienste; als verantwortliche Person liefern
          Sie Transaktionszahlen Ihrer Onlinedienste. Nach der Registrierung bestätigen Sie Ihre
          E-Mail-Adresse, danach schaltet die ZSK-Administration Ihren Zugang frei. Ein PDF-Formular ist nicht
          nötig.
        </p>
        {invitedEmail ? (
          <Notice>
            Sie wurden eingeladen. Nach der Freischaltung können Sie die Onlinedienste bzw. Portale verwalten,
            für die Sie eingeladen wurden.
          </Notice>
        ) : null}
        {invitationInvalid ? (
          <Notice kind="warning">
            Diese Einladung ist abgelaufen oder wurde bereits verwendet. Sie können sich trotzdem
            registrieren; bitten Sie die einladende Person gegebenenfalls um eine neue Einladung.
          </Notice>
        ) : null}
        <ErrorSummary errors={errors} />
        <form method="post" action="/registrieren" class="zsk-form" noValidate>
          <CsrfField />
          {invitedEmail ? <input type="hidden" name="einladung" value={values.invitation} /> : null}
          <TextField
            name="authority"
            label="Behörde"
            value={values.authority}
            hint="Wählen Sie Ihre Behörde aus den Vorschlägen oder geben Sie ihren vollständigen Namen ein."
            autocomplete="organization"
            list="behoerden"
            required
            error={errors.authority}
          />
          <datalist id="behoerden">
            {authorities.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <SelectField
            name="land"
            label="Land der Behörde"
            options={LAND_OPTIONS}
            value={values.land}
            placeholder="Bund oder keine Angabe"
            error={errors.land}
          />
          <TextField
            name="name"
            label="Ihr Name"
            value={values.name}
            autocomplete="name"
            required
            error={errors.name}
          />
          <TextField
            name="email"
            label="Dienstliche E-Mail-Adresse"
            type="email"
            value={invitedEmail ?? values.email}
            hint={
              invitedEmail
                ? 'Die Adresse, an die Ihre Einladung ging; sie kann nicht geändert werden.'
                : undefined
            }
            autocomplete="email"
            readOnly={Boolean(invitedEmail)}
            required
            error={errors.email}
          />
          <TextArea
            name="purpose"
            label="Wofür benötigen Sie den Zugang?"
            hint="Zum Beispiel: Ich liefere die Nutzungszahlen des Onlinedienstes „Wohngeld“ unseres Landes."
            value={values.purpose}
            required
            error={errors.purpose}
          />
          <TextField
            name="password"
            label="Passwort"
            type="password"
            hint="Mindestens 12 Zeichen. Nicht erlaubt sind verbreitete Passwörter und der Teil Ihrer E-Mail-Adresse vor dem „@“. Ein Satz aus mehreren Wörtern ist leicht zu merken und sicher."
            autocomplete="new-password"
            required
            error={errors.password}
          />
          <TextField
            name="passwordConfirm"
            label="Passwort wiederholen"
            type="password"
            autocomplete="new-password"
            required
            error={errors.passwordConfirm}
          />
          <CheckboxField name="consent" checked={values.consent} error={errors.consent}>
            Ich willige ein, dass meine Angaben (Behörde, Name, E-Mail-Adresse, Zweck) zur Prüfung und
            Verwaltung meines Zugangs verarbeitet werden. Ich kann die Einwilligung jederzeit gegenüber der
            ZSK-Administration widerrufen.
          </CheckboxField>
          <SubmitButton>Registrieren</SubmitButton>
        </form>
        <p class="kern-body">
          Sie haben schon ein Konto? <a href="/anmelden">Melden Sie sich an</a>.
        </p>
      </div>
    </Layout>
  );
}

export function RegistrationSentPage() {
  return (
    <Layout title="Registrierung gesendet" current="/registrieren">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">Bitte prüfen Sie Ihr Postfach</h1>
        <Notice kind="success">Vielen Dank. Wir haben Ihnen eine E-Mail gesendet.</Notice>
        <p class="kern-body">
          Bitte bestätigen Sie Ihre E-Mail-Adresse über den Link in der E-Mail; er ist 24 Stunden gültig.
          Danach prüft die ZSK-Administration Ihre Registrierung, und Sie erhalten eine E-Mail, sobald Ihr
          Zugang freigeschaltet ist.
        </p>
        <p class="kern-body">
          Keine E-Mail erhalten? Prüfen Sie bitte auch den Spam-Ordner. Wenn Sie sich mit derselben Adresse
          erneut registrieren, senden wir Ihnen einen neuen Link.
        </p>
      </div>
    </Layout>
  );
}

/** The page behind the mailed link: a GET changes nothing, only the button confirms. */
export function VerifyPage({ token }: { token: string }) {
  return (
    <Layout title="E-Mail-Adresse bestätigen" current="/registrieren">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">E-Mail-Adresse bestätigen</h1>
        <p class="kern-body">
          Bitte bestätigen Sie, dass Sie sich bei der Zentralen Statistik-Komponente registriert haben. Danach
          prüft die ZSK-Administration Ihre Registrierung.
        </p>
        <form method="post" action="/registrieren/bestaetigen" class="zsk-form">
          <CsrfField />
          <input type="hidden" name="token" value={token} />
          <SubmitButton>E-Mail-Adresse bestätigen</SubmitButton>
        </form>
      </div>
    </Layout>
  );
}

export function VerifiedPage() {
  return (
    <Layout title="E-Mail-Adresse bestätigt" current="/registrieren">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">E-Mail-Adresse bestätigt</h1>
        <Notice kind="success">Vielen Dank, Ihre E-Mail-Adresse ist bestätigt.</Notice>
        <p class="kern-body">
          Die ZSK-Administration prüft jetzt Ihre Registrierung. Sie erhalten eine E-Mail, sobald Ihr Zugang
          freigeschaltet ist; danach können Sie sich <a href="/anmelden">anmelden</a>.
        </p>
      </div>
    </Layout>
  );
}

/** An expired, used or unknown verification link, with the way on. */
export function VerifyLinkInvalidPage({
  state,
  token,
}: {
  state: 'expired' | 'used' | 'unknown';
  token: string;
}) {
  return (
    <Layout title="Link nicht mehr gültig" current="/registrieren">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">
          {state === 'expired' ? 'Der Link ist abgelaufen' : 'Der Link ist nicht mehr gültig'}
        </h1>
        {state === 'expired' ? (
          <>
            <Notice kind="warning">
              Bestätigungslinks gelten 24 Stunden. Dieser Link ist abgelaufen, Ihre E-Mail-Adresse ist noch
              nicht bestätigt.
            </Notice>
            <p class="kern-body">
              Wir senden Ihnen gern einen neuen Link an die Adresse, mit der Sie sich registriert haben.
            </p>
            <form method="post" action="/registrieren/neuer-link" class="zsk-form">
              <CsrfField />
              <input type="hidden" name="token" value={token} />
              <SubmitButton>Neuen Link senden</SubmitButton>
            </form>
          </>
        ) : (
          <>
            <Notice kind="warning">
              Dieser Link wurde bereits verwendet oder ist unvollständig. Wenn Sie Ihre Adresse schon
              bestätigt haben, prüft die ZSK-Administration Ihre Registrierung; Sie erhalten dann eine E-Mail.
            </Notice>
            <p class="kern-body">
              Haben Sie Ihre Adresse noch nicht bestätigt?{' '}
              <a href="/registrieren">Registrieren Sie sich erneut</a> mit derselben Adresse; wir senden Ihnen
              dann einen neuen Link.
            </p>
          </>
        )}
      </div>
    </Layout>
  );
}
