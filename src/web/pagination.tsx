/** Page numbers to show: first, last, and two either side of the current one; null = a gap (…). */
export function pageWindow(page: number, pages: number): (number | null)[] {
  const result: (number | null)[] = [];
  for (let p = 1; p <= pages; p++) {
    if (p === 1 || p === pages || Math.abs(p - page) <= 2) result.push(p);
    else if (result.at(-1) !== null) result.push(null);
  }
  return result;
}

/**
 * Links to the pages of a long list: previous, numbered pages (the current one marked with
 * aria-current) and next. Plain links, so paging works without JavaScript and every page has a URL.
 */
export function Pagination({
  page,
  pages,
  href,
  label = 'Seiten der Liste',
}: {
  page: number;
  pages: number;
  href: (page: number) => string;
  /** The accessible name of the navigation landmark; several lists on a page need different ones. */
  label?: string;
}) {
  if (pages <= 1) return null;
  return (
    <nav class="zsk-pagination" aria-label={label}>
      <ul>
        {page > 1 ? (
          <li>
            <a href={href(page - 1)} rel="prev">
              Zurück<span class="kern-sr-only"> zu Seite {page - 1}</span>
            </a>
          </li>
        ) : null}
        {pageWindow(page, pages).map((p, i) =>
          p === null ? (
            <li key={`gap-${i}`} aria-hidden="true">
              <span>…</span>
            </li>
          ) : (
            <li key={p}>
              <a href={href(p)} aria-current={p === page ? 'page' : undefined}>
                <span class="kern-sr-only">Seite </span>
                {p}
              </a>
            </li>
          ),
        )}
        {page < pages ? (
          <li>
            <a href={href(page + 1)} rel="next">
              Weiter<span class="kern-sr-only"> zu Seite {page + 1}</span>
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
