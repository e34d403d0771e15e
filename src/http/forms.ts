import { AppError } from './errors.js';

/** A form that cannot be processed: shown as an error page with status 422. */
export const invalidForm = (message: string) => new AppError(422, 'invalid_form', message);

type Form = Record<string, unknown>;

/** A trimmed text field of an urlencoded form ('' when missing or not text). */
export function field(body: unknown, name: string): string {
  const value = (body as Form | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}
