import type { ComponentChildren } from 'preact';

/** Field name -> message, in the order the fields appear on the form. */
export type FieldErrors = Record<string, string>;

/** The id of a field and the ids its aria-describedby points at (hint, then error). */
export function fieldIds(name: string, hint?: string, error?: string): { id: string; describedBy?: string } {
  const id = `feld-${name}`;
  const describedBy = [hint ? `${id}-hinweis` : '', error ? `${id}-fehler` : ''].filter(Boolean).join(' ');
  return { id, describedBy: describedBy || undefined };
}

/** Hint and error under a label or legend, with the ids fieldIds() refers to. */
export function HintAndError({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint ? (
        <div class="kern-hint" id={`${id}-hinweis`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <p class="kern-error" id={`${id}-fehler`}>
          {error}
        </p>
      ) : null}
    </>
  );
}

/** The KERN frame of one input: label (marked optional unless required), hint, error, the control. */
function FieldFrame({
  id,
  label,
  required,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  required?: boolean;
  hint?: string;
  error?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`kern-form-input${error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={id}>
        {label}
        {required ? null : <span class="kern-label__optional"> – optional</span>}
      </label>
      <HintAndError id={id} hint={hint} error={error} />
      {children}
    </div>
  );
}

export interface TextFieldProps {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'url' | 'number' | 'date' | 'month' | 'search';
  value?: string;
  error?: string;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  /** Pass when the form is re-shown with errors: the first wrong field gets the focus. */
  autofocus?: boolean;
  /** Id of a <datalist> with suggestions. */
  list?: string;
  readOnly?: boolean;
}

/** A KERN input with label, hint and error, wired together by aria-describedby. */
export function TextField({
  name,
  label,
  type = 'text',
  value,
  error,
  hint,
  autocomplete,
  required,
  autofocus,
  list,
  readOnly,
}: TextFieldProps) {
  const { id, describedBy } = fieldIds(name, hint, error);
  return (
    <FieldFrame id={id} label={label} required={required} hint={hint} error={error}>
      <input
        class={`kern-form-input__input${error ? ' kern-form-input__input--error' : ''}`}
        id={id}
        name={name}
        // preact types <input> as one variant per type; a union of types fits none of them.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={type as 'text'}
        value={type === 'password' ? undefined : value}
        autocomplete={autocomplete}
        required={required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
        autofocus={autofocus}
        list={list}
        readOnly={readOnly}
      />
    </FieldFrame>
  );
}

export interface TextAreaProps {
  name: string;
  label: string;
  value?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  /** The server's limit, so the browser stops typing there too. */
  maxLength?: number;
  /** Pass when the form is re-shown with errors: the first wrong field gets the focus. */
  autofocus?: boolean;
}

export function TextArea({ name, label, value, error, hint, required, maxLength, autofocus }: TextAreaProps) {
  const { id, describedBy } = fieldIds(name, hint, error);
  return (
    <FieldFrame id={id} label={label} required={required} hint={hint} error={error}>
      <textarea
        class={`kern-form-input__input${error ? ' kern-form-input__input--error' : ''}`}
        id={id}
        name={name}
        rows={4}
        required={required}
        maxLength={maxLength}
        autofocus={autofocus}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
      >
        {value ?? ''}
      </textarea>
    </FieldFrame>
  );
}

/**
 * The list of errors above a form (GOV.UK/KERN pattern): announced at once, each entry a link to its
 * field, so keyboard and screen-reader users get straight to what needs fixing.
 */
export function ErrorSummary({
  errors,
  title = 'Bitte korrigieren Sie Ihre Angaben',
}: {
  errors: FieldErrors;
  title?: string;
}) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="kern-alert kern-alert--danger" role="alert" aria-labelledby="fehler-titel">
      <div class="kern-alert__header">
        <span class="kern-title" id="fehler-titel">
          {title}
        </span>
      </div>
      <div class="kern-alert__body">
        <ul class="kern-list">
          {entries.map(([field, message]) => (
            <li key={field}>{field.startsWith('_') ? message : <a href={`#feld-${field}`}>{message}</a>}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/**
 * Messages about a query or a link rather than about one form field, so nothing to jump to: pages and
 * embeds that cannot read what they were asked show them in this one alert. `heading` keeps the title
 * in the page's outline where the page has no other heading for it.
 */
export function ErrorList({
  title,
  errors,
  heading = 'span',
  id,
}: {
  title: string;
  errors: string[];
  heading?: 'h2' | 'span';
  id?: string;
}) {
  const Title = heading;
  return (
    <div class="kern-alert kern-alert--danger" role="alert" id={id}>
      <div class="kern-alert__header">
        <Title class="kern-title">{title}</Title>
      </div>
      <div class="kern-alert__body">
        <ul class="kern-list">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** A one-line notice: success after an action, or information. */
export function Notice({
  kind = 'info',
  children,
}: {
  kind?: 'info' | 'success' | 'warning' | 'danger';
  children: ComponentChildren;
}) {
  return (
    <div class={`kern-alert kern-alert--${kind}`} role={kind === 'danger' ? 'alert' : 'status'}>
      <div class="kern-alert__body">
        <p class="kern-body">{children}</p>
      </div>
    </div>
  );
}

export function SubmitButton({ children, secondary }: { children: ComponentChildren; secondary?: boolean }) {
  return (
    <button type="submit" class={`kern-btn ${secondary ? 'kern-btn--secondary' : 'kern-btn--primary'}`}>
      <span class="kern-label">{children}</span>
    </button>
  );
}

export interface SelectFieldProps {
  name: string;
  label: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  value?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  /** The text of a first, empty option (e.g. „Bitte wählen“); none when omitted. */
  placeholder?: string;
  autofocus?: boolean;
}

/** A KERN select with label, hint and error, wired like TextField. */
export function SelectField({
  name,
  label,
  options,
  value,
  error,
  hint,
  required,
  placeholder,
  autofocus,
}: SelectFieldProps) {
  const { id, describedBy } = fieldIds(name, hint, error);
  return (
    <FieldFrame id={id} label={label} required={required} hint={hint} error={error}>
      <div class="kern-form-input__select-wrapper">
        <select
          class={`kern-form-input__select${error ? ' kern-form-input__select--error' : ''}`}
          id={id}
          name={name}
          required={required}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy}
          autofocus={autofocus}
        >
          {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value} selected={o.value === value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
    </FieldFrame>
  );
}

/** A single KERN checkbox, e.g. a consent; the label is the whole statement the person agrees to. */
export function CheckboxField({
  name,
  value = 'ja',
  checked,
  error,
  children,
}: {
  name: string;
  value?: string;
  checked?: boolean;
  error?: string;
  children: ComponentChildren;
}) {
  const id = `feld-${name}`;
  return (
    <div class={`kern-form-check${error ? ' kern-form-check--error' : ''}`}>
      {error ? (
        <p class="kern-error" id={`${id}-fehler`}>
          {error}
        </p>
      ) : null}
      <input
        class={`kern-form-check__checkbox${error ? ' kern-form-check__checkbox--error' : ''}`}
        type="checkbox"
        id={id}
        name={name}
        value={value}
        checked={checked}
        required
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-fehler` : undefined}
      />
      <label class="kern-label" for={id}>
        {children}
      </label>
    </div>
  );
}
