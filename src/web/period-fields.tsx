import { RESOLUTIONS } from '../domain/periods.js';

export interface PeriodFieldValues {
  /** As typed (echoed back on errors), 'YYYY-MM' or ''. */
  from: string;
  to: string;
  /** As typed: monat, quartal, jahr (or something wrong, shown with the error). */
  resolution: string;
}

export interface PeriodFieldsProps {
  values: PeriodFieldValues;
  /** Query parameter names of the two ends: von/bis on most pages, from/to on the reports. */
  names?: { from: string; to: string };
  /** Element ids; error summaries link to them. */
  ids?: { from: string; to: string; resolution: string };
  /** Which fields are wrong (the messages stand in the page's error summary). */
  invalid?: { from?: boolean; to?: boolean; resolution?: boolean };
  /** Under the month fields, e.g. what an empty field means. */
  hints?: { from?: string; to?: string };
}

const RESOLUTION_HINT = 'Quartale und Jahre sind Summen ihrer Monate; unvollständige sind gekennzeichnet.';

/**
 * The period of a page: from and to month plus the resolution (Monat, Quartal, Jahr), one component
 * for the service page, the explorer, the reports and the embeds, so the fields read, validate and
 * look the same everywhere. Plain GET form controls: they work without JavaScript; the caller adds
 * the form and its button.
 */
export function PeriodFields({
  values,
  names = { from: 'von', to: 'bis' },
  ids = { from: 'zeitraum-von', to: 'zeitraum-bis', resolution: 'zeitraum-aufloesung' },
  invalid = {},
  hints = {},
}: PeriodFieldsProps) {
  const month = (which: 'from' | 'to', label: string) => {
    const id = ids[which];
    const hint = hints[which];
    const wrong = invalid[which] === true;
    return (
      <div class={`kern-form-input${wrong ? ' kern-form-input--error' : ''}`}>
        <label class="kern-label" for={id}>
          {label} <span class="kern-label__optional">(JJJJ-MM)</span>
        </label>
        {hint ? (
          <div class="kern-hint" id={`${id}-hinweis`}>
            {hint}
          </div>
        ) : null}
        <input
          class={`kern-form-input__input${wrong ? ' kern-form-input__input--error' : ''}`}
          id={id}
          name={names[which]}
          type="month"
          value={values[which]}
          aria-invalid={wrong ? true : undefined}
          aria-describedby={hint ? `${id}-hinweis` : undefined}
        />
      </div>
    );
  };
  const wrongResolution = invalid.resolution === true;
  const known = RESOLUTIONS.some((r) => r.key === values.resolution);
  return (
    <div class="zsk-form-row zsk-period-fields">
      {month('from', 'Zeitraum von')}
      {month('to', 'Zeitraum bis')}
      <div class={`kern-form-input${wrongResolution ? ' kern-form-input--error' : ''}`}>
        <label class="kern-label" for={ids.resolution}>
          Auflösung
        </label>
        <div class="kern-hint" id={`${ids.resolution}-hinweis`}>
          {RESOLUTION_HINT}
        </div>
        <div class="kern-form-input__select-wrapper">
          <select
            class={`kern-form-input__select${wrongResolution ? ' kern-form-input__select--error' : ''}`}
            id={ids.resolution}
            name="aufloesung"
            aria-invalid={wrongResolution ? true : undefined}
            aria-describedby={`${ids.resolution}-hinweis`}
          >
            {RESOLUTIONS.map((r) => (
              <option
                key={r.key}
                value={r.key}
                selected={known ? r.key === values.resolution : r.key === 'monat'}
              >
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}
