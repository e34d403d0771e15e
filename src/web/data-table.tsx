import type { ComponentChildren } from 'preact';

export interface Column {
  label: string;
  /** Right-aligned figures with tabular digits. */
  numeric?: boolean;
  /** Short labels that must not break, e.g. "Daten von". */
  nowrap?: boolean;
  /** A sortable column: the header is a link to the table sorted by it (works without JavaScript). */
  sort?: ColumnSort;
}

export interface ColumnSort {
  /** The URL of the table sorted by this column (in the direction a click should give). */
  href: string;
  /** Set on the one column the table is sorted by; becomes aria-sort. */
  state?: 'ascending' | 'descending';
  /** Read after the label by screen readers, e.g. "aufsteigend sortieren". */
  hint: string;
}

export interface DataTableProps {
  /** Prefix of the caption's id; the scrolling region is labelled by the caption. */
  id: string;
  caption: ComponentChildren;
  columns: readonly Column[];
  small?: boolean;
  class?: string;
  /** The body rows (`<tr class="kern-table__row">`). */
  children: ComponentChildren;
}

/**
 * Every table of the portal: KERN table in a keyboard-focusable scrolling region named by its caption,
 * so wide tables stay usable on phones and screen readers announce what the region holds.
 */
export function DataTable({ id, caption, columns, small, class: extra, children }: DataTableProps) {
  const classes = ['kern-table', 'kern-table--striped', small ? 'kern-table--small' : '', extra ?? '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="kern-table-responsive" tabIndex={0} role="region" aria-labelledby={`${id}-caption`}>
      <table class={classes}>
        <caption id={`${id}-caption`} class="kern-title">
          {caption}
        </caption>
        <thead class="kern-table__head">
          <tr class="kern-table__row">
            {columns.map((c) => (
              <th
                key={c.label}
                scope="col"
                aria-sort={c.sort?.state}
                class={[
                  'kern-table__header',
                  c.numeric ? 'kern-table__header--numeric' : '',
                  c.nowrap ? 'zsk-nowrap' : '',
                ]
                  .filter(Boolean)
                  .join(' ')}
              >
                {c.sort ? <SortLink label={c.label} sort={c.sort} /> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="kern-table__body">{children}</tbody>
      </table>
    </div>
  );
}

const SORT_ARROW = { ascending: '▲', descending: '▼' } as const;

function SortLink({ label, sort }: { label: string; sort: ColumnSort }) {
  return (
    <a class="zsk-sort" href={sort.href}>
      {label}
      <span class="zsk-sort__arrow" aria-hidden="true">
        {sort.state ? SORT_ARROW[sort.state] : '↕'}
      </span>
      <span class="kern-sr-only">, {sort.hint}</span>
    </a>
  );
}
