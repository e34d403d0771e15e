import type { ComponentChildren } from 'preact';

export interface NavItem {
  href: string;
  label: string;
}

export interface LayoutProps {
  title: string;
  /** Path of the current page, to mark the navigation entry with aria-current. */
  current?: string;
  nav?: NavItem[];
  /** Rendered in the header's right corner (sign-in state, logout button). */
  account?: ComponentChildren;
  children: ComponentChildren;
}

const HTMX_CONFIG = { includeIndicatorStyles: false };

export const DEFAULT_NAV: NavItem[] = [
  { href: '/', label: 'Onlinedienste' },
  { href: '/vollstaendigkeit', label: 'Vollständigkeit' },
  { href: '/katalog/suche', label: 'Leistungskatalog' },
  { href: '/stammdaten', label: 'Stammdaten' },
];

/** The frame of every page: KERN header, skip link, navigation, main landmark, footer. */
export function Layout({ title, current, nav = DEFAULT_NAV, account, children }: LayoutProps) {
  return (
    <html lang="de">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} – Zentrale Statistik-Komponente`}</title>
        {/* htmx would inject its indicator styles inline, which the CSP (style-src 'self') blocks; app.css has them. */}
        <meta name="htmx-config" content={JSON.stringify(HTMX_CONFIG)} />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/kern/fonts/fira-sans.css" />
        <link rel="stylesheet" href="/assets/kern/kern.min.css" />
        <link rel="stylesheet" href="/assets/app.css" />
        <script src="/assets/htmx.min.js" defer></script>
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
            <div class="zsk-account">{account}</div>
          </div>
          <nav class="kern-container zsk-nav" aria-label="Hauptnavigation">
            <ul>
              {nav.map((item) => (
                <li key={item.href}>
                  <a href={item.href} aria-current={item.href === current ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="inhalt" class="kern-container zsk-main" tabIndex={-1}>
          {children}
        </main>
        <footer class="zsk-footer">
          <div class="kern-container">
            <p class="kern-body kern-body--small">
              Zentrale Statistik-Komponente (ZSK) – Nutzungszahlen der Onlinedienste der öffentlichen
              Verwaltung. Es werden keine personenbezogenen Daten gespeichert.
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}
