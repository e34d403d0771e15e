import { fieldIds, HintAndError } from './form.js';

export interface RadioOption {
  value: string;
  label: string;
  /** A sentence under the label explaining the choice. */
  hint?: string;
}

/**
 * KERN radio buttons in a fieldset: the legend names the question, the error is tied to the group.
 * The first radio carries the id `feld-<name>`, so the error summary's link lands on the group.
 */
export function RadioGroup({
  name,
  legend,
  options,
  value,
  error,
  hint,
}: {
  name: string;
  legend: string;
  options: readonly RadioOption[];
  value?: string;
  error?: string;
  hint?: string;
}) {
  const { id, describedBy } = fieldIds(name, hint, error);
  return (
    <fieldset class={`kern-fieldset${error ? ' kern-fieldset--error' : ''}`} aria-describedby={describedBy}>
      <legend class="kern-label">{legend}</legend>
      <HintAndError id={id} hint={hint} error={error} />
      <div class="kern-fieldset__body">
        {options.map((o, i) => {
          const optionId = i === 0 ? id : `${id}-${i}`;
          return (
            <div class={`kern-form-check${error ? ' kern-form-check--error' : ''}`} key={o.value}>
              <input
                class={`kern-form-check__radio${error ? ' kern-form-check__radio--error' : ''}`}
                type="radio"
                id={optionId}
                name={name}
                value={o.value}
                checked={value === o.value}
                aria-describedby={o.hint ? `${optionId}-erklaerung` : undefined}
              />
              <label class="kern-label" for={optionId}>
                {o.label}
              </label>
              {o.hint ? (
                <div class="kern-hint zsk-option-hint" id={`${optionId}-erklaerung`}>
                  {o.hint}
                </div>
              ) : null}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

export function Checkbox({
  name,
  label,
  checked,
  hint,
}: {
  name: string;
  label: string;
  checked: boolean;
  hint?: string;
}) {
  const id = `feld-${name}`;
  return (
    <div class="kern-form-check">
      <input
        class="kern-form-check__checkbox"
        type="checkbox"
        id={id}
        name={name}
        value="ja"
        checked={checked}
        aria-describedby={hint ? `${id}-hinweis` : undefined}
      />
      <label class="kern-label" for={id}>
        {label}
      </label>
      {hint ? (
        <div class="kern-hint zsk-option-hint" id={`${id}-hinweis`}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}
