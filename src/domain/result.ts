/**
 * Domain functions return errors as values: the same rule feeds the web form, the CSV/Excel import
 * and the API, and each needs every problem of an input at once rather than the first exception.
 */

export interface DomainError {
  /** Stable snake_case id; API clients and tests match on it, so never reword it. */
  code: string;
  /** German text for the people using the portal. */
  message: string;
  /** English text for the API and logs. */
  messageEn: string;
}

export type Result<T, E = DomainError> = { ok: true; value: T } | { ok: false; error: E };

// `never` on the unused side lets both constructors widen to any Result<T> without casts.
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });

export const err = (code: string, message: string, messageEn: string): Result<never> => ({
  ok: false,
  error: { code, message, messageEn },
});
