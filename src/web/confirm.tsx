import { CsrfField } from './csrf-field.js';
import { Layout } from './layout.js';

export interface ConfirmPageProps {
  title: string;
  /** What will happen, in one or two sentences. */
  question: string;
  /** Where the confirmed form goes (the same POST route, now with bestaetigt=ja). */
  action: string;
  fields: Record<string, string>;
  confirmLabel: string;
  cancelHref: string;
}

/**
 * The confirmation step of an action that cannot be undone. A page of its own instead of a script
 * dialog: it works without JavaScript, and keyboard and screen-reader users meet an ordinary form.
 */
export function ConfirmPage({ title, question, action, fields, confirmLabel, cancelHref }: ConfirmPageProps) {
  return (
    <Layout title={title}>
      <div class="zsk-narrow">
        <h1 class="kern-heading-large">{title}</h1>
        <p class="kern-body">{question}</p>
        <form method="post" action={action} class="zsk-form zsk-form--inline">
          <CsrfField />
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <input type="hidden" name="bestaetigt" value="ja" />
          <button type="submit" class="kern-btn kern-btn--primary">
            <span class="kern-label">{confirmLabel}</span>
          </button>
          <a class="kern-btn kern-btn--secondary" href={cancelHref}>
            <span class="kern-label">Abbrechen</span>
          </a>
        </form>
      </div>
    </Layout>
  );
}

/**
 * A small POST form with one button, for actions in table rows; `hidden` names the row for screen readers
 * (zsk-sr-only, not kern-sr-only: KERN styles an x-small button holding kern-sr-only as an icon button).
 */
export function RowAction({
  action,
  fields,
  label,
  hidden,
}: {
  action: string;
  fields: Record<string, string>;
  label: string;
  hidden: string;
}) {
  return (
    <form method="post" action={action} class="zsk-row-action">
      <CsrfField />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class="kern-btn kern-btn--secondary kern-btn--x-small">
        <span class="kern-label">
          {label}
          <span class="zsk-sr-only"> {hidden}</span>
        </span>
      </button>
    </form>
  );
}
