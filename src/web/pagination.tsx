import { err, ok, type Result } from '../domain/result.js';

const PAGE_NUMBER = /^[1-9][0-9]{0,8}$/;

/**
 * `?seite=N` of a paged list: absent or empty is page 1; anything but a whole number from 1 is refused
 * with one message for every list. A page past the end is the caller's to clamp (it shows the last).
 */
export function parsePageNumber(raw: unknown): Result<number> {
  if (raw === undefined || raw === '') return ok(1);
  if (typeof raw === 'string' && PAGE_NUMBER.test(raw)) return ok(Number(raw));
  const shown = (typeof raw === 'string' ? raw : JSON.stringify(raw)).slice(0, 20);
  return err(
    'page_invalid',
    `Ungültige Seitenzahl „${shown}“; erlaubt sind ganze Zahlen ab 1.`,
    `Invalid page "${shown}"; whole numbers from 1 are allowed.`,
  );
}

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
