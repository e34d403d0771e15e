import type { ComponentChildren } from 'preact';

export interface Column {
  label: string;
  /** Right-aligned figures with tabular digits. */
  numeric?: boolean;
  /** Short labels that must not break, e.g. "Daten von". */
  nowrap?: boolean;
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
                class={[
                  'kern-table__header',
                  c.numeric ? 'kern-table__header--numeric' : '',
                  c.nowrap ? 'zsk-nowrap' : '',
                ]
                  .filter(Boolean)
                  .join(' ')}
              >
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="kern-table__body">{children}</tbody>
      </table>
    </div>
  );
}
