import type { ComponentChildren } from 'preact';
import { assetUrl } from './assets.js';

/**
 * The frame of an embeddable chart (/einbetten/...): no header, navigation or footer, since it sits
 * inside another site's page; a heading, the content, the source with the permanent link (opening in
 * the whole window, not in the frame), and no script.
 */
export function EmbedLayout({
  title,
  permalink,
  children,
}: {
  title: string;
  /** The full view on the ZSK, for the source line. */
  permalink: string;
  children: ComponentChildren;
}) {
  return (
    <html lang="de">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} – Zentrale Statistik-Komponente`}</title>
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        {/* The same trimmed, fingerprinted stylesheet as every page (src/web/assets.ts). */}
        <link rel="stylesheet" href={assetUrl('zsk.css')} />
      </head>
      <body class="zsk-embed-page">
        <main class="zsk-embed-main">
          <h1 class="kern-heading-small">{title}</h1>
          {children}
          <p class="kern-body kern-body--small zsk-embed-source">
            Quelle: Zentrale Statistik-Komponente (ZSK),{' '}
            <a href={permalink} target="_top">
              vollständige Ansicht
            </a>
            . Lizenz: Datenlizenz Deutschland – Namensnennung – Version 2.0.
          </p>
        </main>
      </body>
    </html>
  );
}
