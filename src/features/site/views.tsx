import { CsrfField } from '../../web/csrf-field.js';
import { ErrorSummary, Notice, SubmitButton, TextArea, TextField, type FieldErrors } from '../../web/form.js';
import { Layout } from '../../web/layout.js';
import { FEEDBACK_LIMITS, type FeedbackInput } from './feedback.js';
import { OperatorText } from './texts.js';

/** The conciliation body for disputes about accessibility of federal websites (§ 16 BGG). */
export const SCHLICHTUNGSSTELLE_URL = 'https://www.schlichtungsstelle-bgg.de';

const germanDate = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return `${Number(d)}.${Number(m)}.${y}`;
};

function Placeholder({ what, variable }: { what: string; variable: string }) {
  return (
    <Notice kind="warning">
      Platzhalter: Der Betreiber dieser Installation hat {what} noch nicht hinterlegt. Er legt den Text in
      einer Datei ab und nennt sie in der Einstellung {variable} (siehe Betriebshandbuch, docs/operations.md).
    </Notice>
  );
}

export interface LegalTextPageProps {
  operator: string;
  contactEmail: string;
  /** The operator's text; null shows the placeholder. */
  text: string | null;
}

export function ImpressumPage({ operator, contactEmail, text }: LegalTextPageProps) {
  return (
    <Layout
      title="Impressum"
      description="Impressum der Zentralen Statistik-Komponente: wer diese Website betreibt und wie Sie ihn erreichen."
    >
      <div class="zsk-narrow zsk-prose">
        <h1 class="kern-heading-large">Impressum</h1>
        {text ? (
          <OperatorText text={text} />
        ) : (
          <>
            <Placeholder what="sein Impressum" variable="ZSK_IMPRESSUM_FILE" />
            <h2 class="kern-heading-medium">Angaben nach § 5 DDG</h2>
            <p class="kern-body">{operator}</p>
            <p class="kern-body">
              Anschrift, vertretungsberechtigte Person und zuständige Aufsichtsbehörde ergänzt der Betreiber.
            </p>
            <h2 class="kern-heading-medium">Kontakt</h2>
            <p class="kern-body">
              E-Mail:{' '}
              <a class="kern-link" href={`mailto:${contactEmail}`}>
                {contactEmail}
              </a>
              <br />
              Oder schreiben Sie uns über das <a href="/kontakt">Kontaktformular</a>.
            </p>
          </>
        )}
      </div>
    </Layout>
  );
}

export function DatenschutzPage({ operator, contactEmail, text }: LegalTextPageProps) {
  return (
    <Layout
      title="Datenschutz"
      description="Datenschutzerklärung der Zentralen Statistik-Komponente: welche Daten beim Besuch, bei der Anmeldung und über das Kontaktformular verarbeitet werden."
    >
      <div class="zsk-narrow zsk-prose">
        <h1 class="kern-heading-large">Datenschutz</h1>
        {text ? (
          <OperatorText text={text} />
        ) : (
          <>
            <Placeholder what="seine Datenschutzerklärung" variable="ZSK_DATENSCHUTZ_FILE" />
            <p class="kern-body">
              Die folgenden Angaben beschreiben, was die Software verarbeitet. Verantwortlich im Sinne der
              DSGVO ist {operator}; Kontakt:{' '}
              <a class="kern-link" href={`mailto:${contactEmail}`}>
                {contactEmail}
              </a>
              .
            </p>
            <h2 class="kern-heading-medium">Nutzungszahlen</h2>
            <p class="kern-body">
              Die Transaktionszahlen der Onlinedienste sind Zählungen je Monat und Region. Sie enthalten keine
              personenbezogenen Daten.
            </p>
            <h2 class="kern-heading-medium">Besuch der Website</h2>
            <p class="kern-body">
              Der Server protokolliert jede Anfrage mit Zeit, Adresse der Seite, Ergebnis und IP-Adresse, um
              Fehler zu finden und Angriffe abzuwehren. Es gibt keine Analyse- oder Werbedienste und keine
              Inhalte von fremden Servern.
            </p>
            <h2 class="kern-heading-medium">Cookies</h2>
            <ul class="kern-list">
              <li>
                <code>zsk_csrf</code>: schützt Formulare vor untergeschobenen Anfragen; technisch notwendig.
              </li>
              <li>
                <code>zsk_session</code>: hält Sie nach der Anmeldung angemeldet; endet mit der Abmeldung.
              </li>
            </ul>
            <h2 class="kern-heading-medium">Konto</h2>
            <p class="kern-body">
              Für ein Konto speichert die ZSK Name, E-Mail-Adresse, Behörde und den Zweck des Zugangs sowie,
              wer wann Daten geliefert oder geändert hat (Protokoll).
            </p>
            <h2 class="kern-heading-medium">Kontaktformular</h2>
            <p class="kern-body">
              Ihre Nachricht und, wenn Sie sie angeben, Ihr Name und Ihre E-Mail-Adresse werden gespeichert
              und per E-Mail an die Administration der ZSK geschickt. Sie werden nur zur Bearbeitung Ihrer
              Nachricht verwendet und nicht veröffentlicht.
            </p>
          </>
        )}
      </div>
    </Layout>
  );
}

export interface BarrierefreiheitPageProps {
  operator: string;
  contactEmail: string;
  statementDate: string;
  /** Replaces the part on compliance and known barriers. */
  text: string | null;
}

export function BarrierefreiheitPage({
  operator,
  contactEmail,
  statementDate,
  text,
}: BarrierefreiheitPageProps) {
  return (
    <Layout
      title="Erklärung zur Barrierefreiheit"
      description="Erklärung zur Barrierefreiheit der Zentralen Statistik-Komponente nach § 12b BGG und BITV 2.0: Stand, bekannte Barrieren, Kontakt und Schlichtungsverfahren."
    >
      <div class="zsk-narrow zsk-prose">
        <h1 class="kern-heading-large">Erklärung zur Barrierefreiheit</h1>
        <p class="kern-body">
          {operator} ist bemüht, diese Website im Einklang mit § 12a des Behindertengleichstellungsgesetzes
          (BGG) und der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei zugänglich zu
          machen. Diese Erklärung gilt für die Zentrale Statistik-Komponente (ZSK) unter dieser Adresse.
        </p>
        {text ? (
          <OperatorText text={text} />
        ) : (
          <>
            <h2 class="kern-heading-medium">Stand der Vereinbarkeit mit den Anforderungen</h2>
            <p class="kern-body">
              Diese Website ist mit den Anforderungen der BITV 2.0 (Europäische Norm EN 301 549, die auf den
              Web Content Accessibility Guidelines WCAG 2.1 Stufe AA beruht){' '}
              <strong>teilweise vereinbar</strong>. Die unten genannten Inhalte sind nicht vollständig
              barrierefrei.
            </p>
            <h2 class="kern-heading-medium">Nicht barrierefreie Inhalte</h2>
            <ul class="kern-list">
              <li>
                <strong>Diagramme und Karten:</strong> Verläufe und die Karten der Länder und Kreise sind
                Grafiken; die Farbabstufung der Karten ist ohne gutes Farbsehen schwer zu unterscheiden.
                Grund: Eine Grafik kann viele Werte nur visuell zusammenfassen. Alternative: Neben jedem
                Diagramm und jeder Karte steht eine Tabelle mit denselben Zahlen, und ein Satz fasst das
                Wichtigste zusammen.
              </li>
              <li>
                <strong>Downloads (CSV, Excel):</strong> Die Dateien sind Datentabellen ohne weitere
                Strukturinformationen. Grund: Sie sind für die Weiterverarbeitung gedacht. Alternative:
                Dieselben Zahlen stehen als Tabellen auf den Seiten.
              </li>
              <li>
                <strong>API-Dokumentation (/api/docs):</strong> Die Oberfläche stammt aus einem Fremdprodukt
                (Swagger UI) und wurde nicht vollständig geprüft. Grund: Sie richtet sich an Fachleute, die
                Schnittstellen anbinden. Alternative: Die Beschreibung der Schnittstelle als OpenAPI-Dokument
                (/api/docs/json) und Auskunft über das Kontaktformular.
              </li>
            </ul>
            <h2 class="kern-heading-medium">Erstellung dieser Erklärung</h2>
            <p class="kern-body">
              Die Erklärung beruht auf einer Selbstbewertung: automatische Prüfungen jeder Seite (axe, WCAG
              2.1 A und AA), Bedienung nur mit der Tastatur und Prüfung der Darstellung bei 320 Pixel Breite
              und 400 % Vergrößerung.
            </p>
          </>
        )}
        <p class="kern-body">
          Diese Erklärung wurde am <time dateTime={statementDate}>{germanDate(statementDate)}</time> erstellt
          bzw. zuletzt überprüft.
        </p>
        <h2 class="kern-heading-medium">Barrieren melden: Kontakt zu den Feedback-Kontaktpersonen</h2>
        <p class="kern-body">
          Sind Ihnen Mängel beim barrierefreien Zugang zu Inhalten aufgefallen? Brauchen Sie Inhalte in einer
          anderen Form? Dann schreiben Sie uns über das <a href="/kontakt">Kontaktformular</a> oder per E-Mail
          an{' '}
          <a class="kern-link" href={`mailto:${contactEmail}`}>
            {contactEmail}
          </a>
          .
        </p>
        <h2 class="kern-heading-medium">Schlichtungsverfahren</h2>
        <p class="kern-body">
          Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten, können Sie einen Antrag auf
          ein Schlichtungsverfahren bei der Schlichtungsstelle nach § 16 BGG stellen. Die Schlichtungsstelle
          BGG hat die Aufgabe, bei Konflikten zwischen Menschen mit Behinderungen und öffentlichen Stellen des
          Bundes eine außergerichtliche Streitbeilegung zu unterstützen. Das Verfahren ist kostenlos; Sie
          brauchen keinen Rechtsbeistand.
        </p>
        <p class="kern-body">
          Weitere Informationen und den Antrag finden Sie auf der{' '}
          <a class="kern-link" href={SCHLICHTUNGSSTELLE_URL}>
            Website der Schlichtungsstelle BGG
          </a>
          . Sie erreichen die Schlichtungsstelle BGG auch per E-Mail an{' '}
          <a class="kern-link" href="mailto:info@schlichtungsstelle-bgg.de">
            info@schlichtungsstelle-bgg.de
          </a>
          .
        </p>
      </div>
    </Layout>
  );
}

/** Leichte Sprache: short sentences, one statement each, hard words explained where they appear. */
export function LeichteSprachePage() {
  return (
    <Layout
      title="Leichte Sprache"
      description="Informationen in Leichter Sprache: Was ist die Zentrale Statistik-Komponente? Wie benutzen Sie diese Internet-Seite?"
    >
      <div class="zsk-narrow zsk-prose zsk-easy">
        <h1 class="kern-heading-large">Leichte Sprache</h1>
        <h2 class="kern-heading-medium">Was ist diese Internet-Seite?</h2>
        <p class="kern-body">Diese Internet-Seite heißt: Zentrale Statistik-Komponente.</p>
        <p class="kern-body">Die Abkürzung ist: ZSK.</p>
        <p class="kern-body">Die ZSK gehört zur Verwaltung in Deutschland.</p>
        <p class="kern-body">
          Verwaltung bedeutet: Ämter und Behörden.
          <br />
          Zum Beispiel: das Bürger-Amt in Ihrer Stadt.
        </p>
        <h2 class="kern-heading-medium">Was sind Online-Dienste?</h2>
        <p class="kern-body">Viele Anträge können Sie im Internet stellen.</p>
        <p class="kern-body">Dann müssen Sie nicht zum Amt gehen.</p>
        <p class="kern-body">
          Zum Beispiel:
          <br />
          Sie beantragen Eltern-Geld im Internet.
        </p>
        <p class="kern-body">So ein Antrag im Internet heißt: Online-Dienst.</p>
        <h2 class="kern-heading-medium">Was zeigt die ZSK?</h2>
        <p class="kern-body">Die ZSK zählt: Wie oft benutzen Menschen einen Online-Dienst?</p>
        <p class="kern-body">Die Ämter schicken diese Zahlen jeden Monat an die ZSK.</p>
        <p class="kern-body">Die ZSK zeigt die Zahlen für jeden Monat.</p>
        <p class="kern-body">Die ZSK zeigt die Zahlen auch für jedes Bundes-Land.</p>
        <p class="kern-body">
          Bundes-Länder sind zum Beispiel: Bayern, Hessen und Berlin.
          <br />
          Deutschland hat 16 Bundes-Länder.
        </p>
        <h2 class="kern-heading-medium">Sind meine Daten in der ZSK?</h2>
        <p class="kern-body">Nein.</p>
        <p class="kern-body">Die ZSK speichert nur Zahlen.</p>
        <p class="kern-body">Die ZSK speichert keine Namen.</p>
        <p class="kern-body">Niemand kann sehen: Wer hat einen Antrag gestellt?</p>
        <h2 class="kern-heading-medium">Wie benutze ich diese Internet-Seite?</h2>
        <p class="kern-body">Oben auf jeder Seite ist das Menü.</p>
        <p class="kern-body">
          Das Menü ist eine Liste.
          <br />
          In der Liste stehen alle Seiten.
        </p>
        <p class="kern-body">Auf einem Handy ist das Menü zu.</p>
        <p class="kern-body">Dann drücken Sie auf das Wort: Menü.</p>
        <p class="kern-body">Dann geht das Menü auf.</p>
        <p class="kern-body">Auf manchen Seiten gibt es Tabellen.</p>
        <p class="kern-body">
          Eine Tabelle zeigt Zahlen in Reihen und Spalten.
          <br />
          Die Zahlen in den Tabellen sind die gleichen wie in den Bildern.
        </p>
        <p class="kern-body">Sie können die Seite auch nur mit der Tastatur benutzen.</p>
        <p class="kern-body">Mit der Taste Tab gehen Sie zum nächsten Link.</p>
        <h2 class="kern-heading-medium">Ganz unten auf jeder Seite</h2>
        <p class="kern-body">Ganz unten auf jeder Seite sind diese Links:</p>
        <ul class="kern-list">
          <li>
            <a href="/kontakt">Kontakt</a>: Hier können Sie uns schreiben.
          </li>
          <li>
            <a href="/impressum">Impressum</a>: Hier steht, wer die Internet-Seite macht.
          </li>
          <li>
            <a href="/datenschutz">Datenschutz</a>: Hier steht, was mit Daten passiert.
          </li>
          <li>
            <a href="/barrierefreiheit">Barrierefreiheit</a>: Hier steht, was auf der Seite noch schwer zu
            benutzen ist.
          </li>
        </ul>
        <h2 class="kern-heading-medium">Sie haben eine Frage?</h2>
        <p class="kern-body">Oder etwas ist schwer zu verstehen?</p>
        <p class="kern-body">Dann schreiben Sie uns.</p>
        <p class="kern-body">
          Dafür gibt es die Seite: <a href="/kontakt">Kontakt</a>.
        </p>
        <p class="kern-body">Sie müssen Ihren Namen nicht sagen.</p>
      </div>
    </Layout>
  );
}

export interface ContactPageProps {
  values?: Partial<FeedbackInput>;
  errors?: FieldErrors;
  contactEmail: string;
}

export function ContactPage({ values = {}, errors = {}, contactEmail }: ContactPageProps) {
  const first = Object.keys(errors)[0];
  return (
    <Layout
      title="Kontakt"
      description="Schreiben Sie der Zentralen Statistik-Komponente: Fragen, Hinweise auf Fehler oder Barrieren und Anregungen."
    >
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">Kontakt</h1>
        <p class="kern-body">
          Sie haben eine Frage, einen Fehler gefunden oder eine Barriere bemerkt? Schreiben Sie uns. Ihre
          Nachricht geht an die Administration der ZSK. Name und E-Mail-Adresse sind freiwillig; ohne
          E-Mail-Adresse können wir Ihnen nicht antworten.
        </p>
        <p class="kern-body">
          Sie können auch eine E-Mail schreiben an{' '}
          <a class="kern-link" href={`mailto:${contactEmail}`}>
            {contactEmail}
          </a>
          .
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/kontakt" class="zsk-form" noValidate>
          <CsrfField />
          {values.page ? <input type="hidden" name="seite" value={values.page} /> : null}
          <TextField
            name="name"
            label="Ihr Name"
            value={values.name}
            autocomplete="name"
            error={errors.name}
            autofocus={first === 'name'}
          />
          <TextField
            name="email"
            label="Ihre E-Mail-Adresse"
            type="email"
            value={values.email}
            hint="Nur wenn Sie eine Antwort möchten."
            autocomplete="email"
            error={errors.email}
            autofocus={first === 'email'}
          />
          <TextArea
            name="nachricht"
            label="Ihre Nachricht"
            hint={`Höchstens ${FEEDBACK_LIMITS.message.toLocaleString('de-DE')} Zeichen. Bitte schreiben Sie keine Passwörter oder Zugangsschlüssel in die Nachricht.`}
            value={values.message}
            required
            maxLength={FEEDBACK_LIMITS.message}
            error={errors.nachricht}
            autofocus={first === 'nachricht'}
          />
          <SubmitButton>Nachricht senden</SubmitButton>
        </form>
        <p class="kern-body">
          Was mit Ihren Angaben geschieht, steht in der <a href="/datenschutz">Datenschutzerklärung</a>.
        </p>
      </div>
    </Layout>
  );
}

export function ContactSentPage() {
  return (
    <Layout title="Nachricht gesendet">
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">Vielen Dank für Ihre Nachricht</h1>
        <Notice kind="success">
          Ihre Nachricht ist bei uns angekommen und an die Administration der ZSK weitergeleitet.
        </Notice>
        <p class="kern-body">
          Wenn Sie Ihre E-Mail-Adresse angegeben haben, antworten wir Ihnen so bald wie möglich. Sie müssen
          nichts weiter tun.
        </p>
        <p class="kern-body">
          <a href="/">Zur Startseite</a>
        </p>
      </div>
    </Layout>
  );
}
