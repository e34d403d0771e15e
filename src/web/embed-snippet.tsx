/**
 * Below each public chart: the permanent link of the view and an <iframe> snippet of its embeddable
 * variant (/einbetten/...), in a read-only text area that can be selected and copied without JavaScript.
 */
export function EmbedSnippet({
  id,
  permalink,
  embedUrl,
  title,
  height = 640,
}: {
  /** Unique on the page. */
  id: string;
  /** Absolute URL of this view with its parameters. */
  permalink: string;
  /** Absolute URL of the embeddable variant. */
  embedUrl: string;
  /** The iframe's title (its accessible name on the other site). */
  title: string;
  height?: number;
}) {
  const snippet = `<iframe src="${escapeAttribute(embedUrl)}" title="${escapeAttribute(title)}" width="100%" height="${height}" style="border:0" loading="lazy"></iframe>`;
  return (
    <details class="zsk-embed" id={id}>
      <summary class="kern-body">Teilen und einbetten</summary>
      <p class="kern-body">
        Dauerhafter Link zu dieser Ansicht: <a href={permalink}>{permalink}</a>
      </p>
      <p class="kern-body">
        Einbettbare Fassung (Diagramm und Tabelle ohne Navigation): <a href={embedUrl}>{embedUrl}</a>
      </p>
      <div class="kern-form-input">
        <label class="kern-label" for={`${id}-code`}>
          HTML-Code zum Einbetten in eine andere Website
        </label>
        <div class="kern-hint" id={`${id}-code-hinweis`}>
          Den Code markieren und kopieren; er zeigt diese Ansicht mit denselben Angaben.
        </div>
        <textarea
          class="kern-form-input__input zsk-embed__code"
          id={`${id}-code`}
          readOnly
          rows={4}
          aria-describedby={`${id}-code-hinweis`}
        >
          {snippet}
        </textarea>
      </div>
    </details>
  );
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
