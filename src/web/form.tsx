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

/** What every field has: the name it posts, its label, hint and error, required, focus on re-show. */
export interface FieldProps {
  name: string;
  label: string;
  error?: string;
  hint?: string;
  required?: boolean;
  /** Pass when the form is re-shown with errors: the first wrong field gets the focus. */
  autofocus?: boolean;
}

/** The attributes that tie a control to its label, hint and error; the same on every kind of control. */
function controlWiring(field: FieldProps) {
  const { id, describedBy } = fieldIds(field.name, field.hint, field.error);
  return {
    id,
    name: field.name,
    required: field.required,
    autofocus: field.autofocus,
    'aria-invalid': field.error ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
  };
}

/** The KERN frame of one input: label (marked optional unless required), hint, error, the control. */
function FieldFrame({ field, children }: { field: FieldProps; children: ComponentChildren }) {
  const { id } = fieldIds(field.name);
  return (
    <div class={`kern-form-input${field.error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={id}>
        {field.label}
        {field.required ? null : <span class="kern-label__optional"> – optional</span>}
      </label>
      <HintAndError id={id} hint={field.hint} error={field.error} />
      {children}
    </div>
  );
}

export interface TextFieldProps extends FieldProps {
  type?: 'text' | 'email' | 'password' | 'url' | 'number' | 'date' | 'month' | 'search';
  value?: string;
  autocomplete?: string;
  /** Id of a <datalist> with suggestions. */
  list?: string;
  readOnly?: boolean;
}

/** A KERN input with label, hint and error, wired together by aria-describedby. */
export function TextField(props: TextFieldProps) {
  const type = props.type ?? 'text';
  return (
    <FieldFrame field={props}>
      <input
        class={`kern-form-input__input${props.error ? ' kern-form-input__input--error' : ''}`}
        {...controlWiring(props)}
        // preact types <input> as one variant per type; a union of types fits none of them.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={type as 'text'}
        value={type === 'password' ? undefined : props.value}
        autocomplete={props.autocomplete}
        list={props.list}
        readOnly={props.readOnly}
      />
    </FieldFrame>
  );
}

export interface TextAreaProps extends FieldProps {
  value?: string;
  /** The server's limit, so the browser stops typing there too. */
  maxLength?: number;
}

export function TextArea(props: TextAreaProps) {
  return (
    <FieldFrame field={props}>
      <textarea
        class={`kern-form-input__input${props.error ? ' kern-form-input__input--error' : ''}`}
        {...controlWiring(props)}
        rows={4}
        maxLength={props.maxLength}
      >
        {props.value ?? ''}
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

export interface SelectFieldProps extends FieldProps {
  options: ReadonlyArray<{ value: string; label: string }>;
  value?: string;
  /** The text of a first, empty option (e.g. „Bitte wählen“); none when omitted. */
  placeholder?: string;
}

/** A KERN select with label, hint and error, wired like TextField. */
export function SelectField(props: SelectFieldProps) {
  return (
    <FieldFrame field={props}>
      <div class="kern-form-input__select-wrapper">
        <select
          class={`kern-form-input__select${props.error ? ' kern-form-input__select--error' : ''}`}
          {...controlWiring(props)}
        >
          {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
          {props.options.map((o) => (
            <option key={o.value} value={o.value} selected={o.value === props.value}>
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
