import type { ComponentChildren } from 'preact';

/** A KERN select with label and error; the first option may be an empty "none chosen". */
export function SelectField({
  name,
  label,
  options,
  value,
  error,
  hint,
  required,
  emptyLabel,
}: {
  name: string;
  label: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  value?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  /** Text of an empty first option; omitted when there is none. */
  emptyLabel?: string;
}) {
  const id = `feld-${name}`;
  const describedBy = [hint ? `${id}-hinweis` : '', error ? `${id}-fehler` : ''].filter(Boolean).join(' ');
  return (
    <div class={`kern-form-input${error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={id}>
        {label}
        {required ? null : <span class="kern-label__optional"> – optional</span>}
      </label>
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
      <div class="kern-form-input__select-wrapper">
        <select
          class={`kern-form-input__select${error ? ' kern-form-input__select--error' : ''}`}
          id={id}
          name={name}
          required={required}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
        >
          {emptyLabel !== undefined ? <option value="">{emptyLabel}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value} selected={o.value === value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
    </div>
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
