/** A period of months 'YYYY-MM'; null = open end. */
export interface PeriodChoice {
  from: string | null;
  to: string | null;
}

/** One calendar year as a period, up to the latest month that can be asked for (the current month). */
export const calendarYear = (year: number, latest: string): PeriodChoice => ({
  from: `${year}-01`,
  to: `${year}-12` < latest ? `${year}-12` : latest,
});

/**
 * Links that set the period in one click: a first choice (all months, the latest twelve months, …)
 * and each calendar year, newest first; the shown one is marked with aria-current. Calendar years are
 * the form of the federal reports, and the roll-ups answer them fastest (docs/reports.md).
 */
export function PeriodShortcuts({
  years,
  current,
  first,
  latest,
  quarters,
  href,
}: {
  years: number[];
  /** The current month: the current year ends there. */
  latest: string;
  current: PeriodChoice;
  first: { label: string; period: PeriodChoice };
  /** Quarters offered as well (when the page shows quarters), newest first: Q4/2026, Q3/2026, … */
  quarters?: { label: string; from: string; to: string }[];
  href: (period: PeriodChoice) => string;
}) {
  const choices = [
    first,
    ...(quarters ?? []).map((q) => ({ label: q.label, period: { from: q.from, to: q.to } })),
    ...years.map((y) => ({ label: String(y), period: calendarYear(y, latest) })),
  ];
  return (
    <nav class="zsk-report-nav zsk-period-shortcuts" aria-labelledby="zeitraum-schnell">
      <span id="zeitraum-schnell" class="zsk-period-shortcuts__label">
        Zeitraum schnell wählen:
      </span>
      <ul>
        {choices.map((c) => (
          <li key={c.label}>
            <a
              href={href(c.period)}
              aria-current={c.period.from === current.from && c.period.to === current.to ? 'true' : undefined}
            >
              {c.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
