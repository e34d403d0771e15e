import { CsrfField } from '../../web/csrf-field.js';
import { Checkbox, RadioGroup, type RadioOption } from '../../web/choice-fields.js';
import {
  ErrorSummary,
  SelectField,
  SubmitButton,
  TextArea,
  TextField,
  type FieldErrors,
} from '../../web/form.js';
import { Layout } from '../../web/layout.js';
import { NEW_AUTHORITY, type ServiceForm } from './editor.js';

/** Types as the OZG defines them by who regulates and who executes (docs: /work/shared/domain.md). */
export const SERVICE_TYPE_OPTIONS: readonly RadioOption[] = [
  { value: '1', label: 'Typ 1', hint: 'Der Bund regelt die Leistung und führt sie selbst aus.' },
  {
    value: '2/3',
    label: 'Typ 2/3',
    hint: 'Der Bund regelt die Leistung; Länder oder Kommunen führen sie aus.',
  },
  { value: '4', label: 'Typ 4', hint: 'Ein Land regelt die Leistung und führt sie selbst aus.' },
  { value: '5', label: 'Typ 5', hint: 'Ein Land regelt die Leistung; die Kommunen führen sie aus.' },
];

export const BUILD_MODE_OPTIONS: readonly RadioOption[] = [
  {
    value: 'efa',
    label: 'Einer für Alle (EfA)',
    hint: 'Ein Land entwickelt den Dienst, andere Länder nutzen ihn mit.',
  },
  {
    value: 'own',
    label: 'Eigenentwicklung',
    hint: 'Der Dienst wird nur von der eigenen Verwaltung betrieben.',
  },
];

export const GRANULARITY_OPTIONS: readonly RadioOption[] = [
  { value: 'bund', label: 'Bundesweit', hint: 'Eine Zahl je Monat für ganz Deutschland.' },
  { value: 'land', label: 'Je Land', hint: 'Eine Zahl je Monat für jedes der 16 Länder.' },
  {
    value: 'kreis',
    label: 'Je Kreis',
    hint: 'Eine Zahl je Monat für jeden Kreis und jede kreisfreie Stadt.',
  },
  { value: 'gemeinde', label: 'Je Gemeinde', hint: 'Eine Zahl je Monat für jede Gemeinde.' },
];

export interface ServiceFormPageProps {
  mode: 'create' | 'edit';
  serviceId?: number;
  form: ServiceForm;
  errors: FieldErrors;
  authorities: { id: number; name: string }[];
  /** Shown above the form, e.g. "nothing changed". */
  notice?: string;
  /** Edit mode: whether the service is published (the switch below the master data). */
  published?: boolean;
}

const PUBLISHED_OPTIONS: readonly RadioOption[] = [
  {
    value: 'ja',
    label: 'Veröffentlichen',
    hint: 'Stammdaten und Zahlen erscheinen auf den öffentlichen Seiten, in den Downloads und in der Schnittstelle.',
  },
  {
    value: 'nein',
    label: 'Nicht veröffentlichen',
    hint: 'Der Dienst erscheint in keiner öffentlichen Ausgabe und in keiner öffentlichen Summe, z. B. solange seine Daten getestet werden. Angemeldete Personen sehen ihn weiter.',
  },
];

/** The publish switch of a service, a form of its own below the master data. */
function PublishForm({
  serviceId,
  published,
  error,
}: {
  serviceId: number;
  published: boolean;
  error?: string;
}) {
  return (
    <section aria-labelledby="veroeffentlichung">
      <h2 id="veroeffentlichung" class="kern-heading-medium">
        Veröffentlichung
      </h2>
      <form method="post" action={`/dienste/${serviceId}/veroeffentlichung`} class="zsk-form" novalidate>
        <CsrfField />
        <RadioGroup
          name="veroeffentlicht"
          legend="Öffentlicher Teil der ZSK"
          options={PUBLISHED_OPTIONS}
          value={published ? 'ja' : 'nein'}
          error={error}
        />
        <div class="zsk-actions">
          <SubmitButton>Veröffentlichung speichern</SubmitButton>
        </div>
      </form>
    </section>
  );
}

/** The catalogue search assistant: revealed by service-form.js, filled by GET /katalog/suche. */
function CatalogueAssistant() {
  return (
    <section class="zsk-catalogue-assist" aria-labelledby="katalog-titel" data-catalogue-assist hidden>
      <h2 class="kern-heading-small" id="katalog-titel">
        Leistung im Katalog suchen
      </h2>
      <p class="kern-body kern-body--small">
        Suchen Sie nach dem Namen der Leistung. Mit „Übernehmen“ werden LeiKa-Schlüssel, OZG-Leistung und Name
        in das Formular eingetragen.
      </p>
      <div class="kern-form-input">
        <label class="kern-label" for="katalog-suche">
          Suchbegriff
        </label>
        <input
          class="kern-form-input__input"
          id="katalog-suche"
          type="search"
          name="suche"
          autocomplete="off"
          hx-get="/katalog/suche?auswahl=1"
          hx-trigger="input changed delay:400ms, search"
          hx-target="#katalog-ergebnisse"
          hx-sync="this:replace"
          aria-controls="katalog-ergebnisse"
        />
      </div>
      <div id="katalog-ergebnisse" class="zsk-catalogue-results" aria-live="polite"></div>
      <p class="zsk-visually-hidden" id="katalog-status" role="status" aria-live="polite"></p>
    </section>
  );
}

export function ServiceFormPage({
  mode,
  serviceId,
  form,
  errors,
  authorities,
  notice,
  published,
}: ServiceFormPageProps) {
  const title = mode === 'create' ? 'Onlinedienst anlegen' : 'Stammdaten bearbeiten';
  const action = mode === 'create' ? '/dienste/neu' : `/dienste/${serviceId}/bearbeiten`;
  const firstError = Object.keys(errors)[0];
  return (
    <Layout title={title} current={mode === 'create' ? '/dienste/neu' : undefined}>
      <h1 class="kern-heading-large">{title}</h1>
      {mode === 'create' ? (
        <p class="kern-body">
          Wer einen Onlinedienst anlegt, wird seine verantwortliche Person: Sie können danach Zahlen erfassen,
          Dateien hochladen und die Stammdaten ändern.
        </p>
      ) : (
        <p class="kern-body">
          <a href={`/dienste/${serviceId}`}>Zurück zum Onlinedienst</a>
        </p>
      )}
      {notice ? (
        <div class="kern-alert kern-alert--info" role="status">
          <div class="kern-alert__body">
            <p class="kern-body">{notice}</p>
          </div>
        </div>
      ) : null}
      <ErrorSummary errors={errors} />
      <CatalogueAssistant />
      <form method="post" action={action} class="zsk-form" novalidate>
        <CsrfField />
        <TextField
          name="name"
          label="Name des Onlinedienstes"
          value={form.name}
          error={errors.name}
          required
          autofocus={firstError === 'name'}
        />
        <TextField
          name="url"
          label="Adresse (URL)"
          type="url"
          value={form.url}
          error={errors.url}
          hint="Die Startseite des Onlinedienstes, z. B. https://dienst.example.de"
        />
        <SelectField
          name="authorityId"
          label="Betreibende Behörde"
          error={errors.authorityId}
          hint="Wählen Sie „Neue Behörde eintragen“, wenn die Behörde noch nicht in der Liste steht."
          placeholder="Keine Angabe"
          value={form.authorityId}
          options={[
            ...authorities.map((a) => ({ value: String(a.id), label: a.name })),
            { value: NEW_AUTHORITY, label: 'Neue Behörde eintragen …' },
          ]}
        />
        <TextField
          name="authorityName"
          label="Name der neuen Behörde"
          value={form.authorityName}
          error={errors.authorityName}
          hint="Nur ausfüllen, wenn oben „Neue Behörde eintragen“ gewählt ist."
        />
        <RadioGroup
          name="serviceType"
          legend="Typ der Leistung"
          options={SERVICE_TYPE_OPTIONS}
          value={form.serviceType}
          error={errors.serviceType}
          hint="Wer regelt die Leistung, wer führt sie aus? Die ZSK erfragt alle Leistungen des Bundes (Typ 1, 2/3) und lädt Typ 4/5 ein."
        />
        <RadioGroup
          name="buildMode"
          legend="Umsetzung"
          options={BUILD_MODE_OPTIONS}
          value={form.buildMode}
          error={errors.buildMode}
        />
        <fieldset class="kern-fieldset">
          <legend class="kern-label">Priorität</legend>
          <div class="kern-fieldset__body">
            <Checkbox
              name="isFocus"
              label="Fokusleistung"
              checked={form.isFocus}
              hint="Eine der 16 Leistungen mit besonderer Priorität, z. B. Ummeldung, Elterngeld, Wohngeld."
            />
          </div>
        </fieldset>
        <RadioGroup
          name="granularity"
          legend="Granularität der Daten"
          options={GRANULARITY_OPTIONS}
          value={form.granularity}
          error={errors.granularity}
          hint={
            mode === 'edit'
              ? 'Sobald Zahlen gespeichert sind, lässt sich die Granularität nicht mehr ändern.'
              : 'Für welche Gebiete meldet der Dienst seine Zahlen?'
          }
        />
        <TextArea
          name="description"
          label="Beschreibung"
          value={form.description}
          error={errors.description}
        />
        <TextField
          name="leika"
          label="LeiKa-Schlüssel"
          value={form.leika}
          error={errors.leika}
          hint="14-stellige Leistungsschlüssel, mehrere durch Komma getrennt, z. B. 99123456760000"
        />
        <TextField
          name="ozg"
          label="OZG-Leistungen"
          value={form.ozg}
          error={errors.ozg}
          hint="Kennungen der OZG-Leistungen, mehrere durch Komma getrennt"
        />
        <div class="zsk-actions">
          <SubmitButton>{mode === 'create' ? 'Onlinedienst anlegen' : 'Änderungen speichern'}</SubmitButton>
        </div>
      </form>
      {mode === 'edit' && serviceId !== undefined ? (
        <PublishForm serviceId={serviceId} published={published ?? true} error={errors.veroeffentlicht} />
      ) : null}
      <script src="/assets/service-form.js" defer></script>
    </Layout>
  );
}
