import type { ComponentChildren } from 'preact';
import { assetUrl } from './assets.js';
import { CsrfField } from './csrf-field.js';
import { usePageContext } from './page-context.js';

export interface NavItem {
  href: string;
  label: string;
}

export interface LayoutProps {
  title: string;
  /** Path of the navigation entry to mark with aria-current; defaults to the request's path. */
  current?: string;
  /** The page's summary for search engines and link previews (meta description). */
  description?: string;
  children: ComponentChildren;
}

export const DEFAULT_DESCRIPTION =
  'Die Zentrale Statistik-Komponente (ZSK) zeigt, wie oft die Onlinedienste der öffentlichen Verwaltung in Deutschland genutzt werden: monatliche Transaktionszahlen nach Dienst und Region.';

/** Every page's footer: the pages the law requires on every public website, and the contact form. */
export const FOOTER_LINKS: NavItem[] = [
  { href: '/kontakt', label: 'Kontakt' },
  { href: '/impressum', label: 'Impressum' },
  { href: '/datenschutz', label: 'Datenschutz' },
  { href: '/barrierefreiheit', label: 'Barrierefreiheit' },
  { href: '/leichte-sprache', label: 'Leichte Sprache' },
];

const HTMX_CONFIG = {
  includeIndicatorStyles: false,
  // htmx 2 swaps no 4xx answer by default; a 400 of a page form is a fragment that says what is wrong.
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '400', swap: true, error: false },
    { code: '[45]..', swap: false, error: true },
    { code: '...', swap: false },
  ],
};

/** The navigation of signed-in users. */
export const DEFAULT_NAV: NavItem[] = [
  { href: '/dienste', label: 'Onlinedienste' },
  { href: '/meine-dienste', label: 'Meine Dienste' },
  { href: '/auswertungen', label: 'Auswertungen' },
  { href: '/vollstaendigkeit', label: 'Vollständigkeit' },
  { href: '/berichte', label: 'Berichte' },
  { href: '/portale', label: 'Portale' },
  { href: '/katalog/suche', label: 'Leistungskatalog' },
  { href: '/stammdaten', label: 'Stammdaten' },
  { href: '/dienste/neu', label: 'Onlinedienst anlegen' },
];

/** Added for administrators. */
export const ADMIN_NAV: NavItem[] = [
  { href: '/verwaltung/registrierungen', label: 'Registrierungen' },
  { href: '/verwaltung/konten', label: 'Konten' },
  { href: '/verwaltung/protokoll', label: 'Protokoll' },
];

/** The public part (ZSK_PUBLIC) for everyone, then the way in. */
export const SIGNED_OUT_NAV: NavItem[] = [
  { href: '/', label: 'Start' },
  { href: '/dienste', label: 'Onlinedienste' },
  { href: '/auswertungen', label: 'Auswertungen' },
  { href: '/vollstaendigkeit', label: 'Vollständigkeit' },
  { href: '/berichte', label: 'Berichte' },
  { href: '/opendata', label: 'Open Data' },
  { href: '/anmelden', label: 'Anmelden' },
  { href: '/registrieren', label: 'Registrieren' },
];

function Account() {
  const { user } = usePageContext();
  if (!user) return null;
  return (
    <form method="post" action="/abmelden" class="zsk-account__form">
      <CsrfField />
      <span class="kern-body kern-body--small">
        Angemeldet als <strong>{user.name}</strong>
        {user.isAdmin ? ' (Administration)' : ''}
      </span>
      <button type="submit" class="kern-btn kern-btn--tertiary kern-btn--x-small">
        <span class="kern-label">Abmelden</span>
      </button>
    </form>
  );
}

/** The frame of every page: KERN header, skip link, navigation, main landmark, footer. */
export function Layout({ title, current, description = DEFAULT_DESCRIPTION, children }: LayoutProps) {
  const { user, path } = usePageContext();
  const nav = user ? [...DEFAULT_NAV, ...(user.isAdmin ? ADMIN_NAV : [])] : SIGNED_OUT_NAV;
  const marked = current ?? path;
  return (
    <html lang="de">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} – Zentrale Statistik-Komponente`}</title>
        <meta name="description" content={description} />
        {/* htmx would inject its indicator styles inline, which the CSP (style-src 'self') blocks; app.css has them. */}
        <meta name="htmx-config" content={JSON.stringify(HTMX_CONFIG)} />
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        {/* One stylesheet: the KERN rules the pages use, the font faces and app.css (src/web/assets.ts). */}
        <link rel="stylesheet" href={assetUrl('zsk.css')} />
        <script src={assetUrl('htmx.min.js')} defer></script>
      </head>
      <body>
        <a class="zsk-skip-link" href="#inhalt">
          Zum Inhalt springen
        </a>
        <header class="zsk-header">
          <div class="kern-kopfzeile">
            <div class="kern-container kern-kopfzeile__content">
              <span class="kern-kopfzeile__flagge" aria-hidden="true">
                <svg viewBox="0 0 24 16" width="24" height="16" xmlns="http://www.w3.org/2000/svg">
                  <rect width="24" height="5.34" y="0" fill="#000" />
                  <rect width="24" height="5.33" y="5.33" fill="#D00" />
                  <rect width="24" height="5.33" y="10.66" fill="#FFCE00" />
                </svg>
              </span>
              <span class="kern-kopfzeile__label">Offizielle Website – Bundesrepublik Deutschland</span>
            </div>
          </div>
          <div class="kern-container zsk-brand">
            <div class="zsk-brand__title">
              <a class="zsk-brand__name" href="/">
                Zentrale Statistik-Komponente
              </a>
              <span class="zsk-brand__claim">
                Nutzungszahlen der Onlinedienste der öffentlichen Verwaltung
              </span>
            </div>
            <div class="zsk-account">
              <Account />
            </div>
          </div>
          {/* On narrow screens the navigation folds behind "Menü" (a native disclosure: no JavaScript,
              keyboard and screen readers know it); from 48rem on app.css shows it open without the button. */}
          <nav class="kern-container zsk-nav" aria-label="Hauptnavigation">
            <details class="zsk-menu">
              <summary class="zsk-menu__button">
                <span class="zsk-menu__icon" aria-hidden="true"></span>
                Menü
              </summary>
              <ul>
                {nav.map((item) => (
                  <li key={item.href}>
                    <a href={item.href} aria-current={item.href === marked ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </details>
          </nav>
        </header>
        <main id="inhalt" class="kern-container zsk-main" tabIndex={-1}>
          {children}
        </main>
        <footer class="zsk-footer">
          <div class="kern-container">
            <nav aria-label="Rechtliches und Kontakt">
              <ul class="zsk-footer__links">
                {FOOTER_LINKS.map((item) => (
                  <li key={item.href}>
                    <a
                      class="kern-link"
                      href={item.href}
                      aria-current={item.href === marked ? 'page' : undefined}
                    >
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <p class="kern-body kern-body--small">
              Zentrale Statistik-Komponente (ZSK) – Nutzungszahlen der Onlinedienste der öffentlichen
              Verwaltung. Die Nutzungszahlen enthalten keine personenbezogenen Daten; gespeichert werden nur
              die Angaben, die ein Konto braucht.
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}
