import { CSRF_FIELD } from '../http/csrf.js';
import { usePageContext } from './page-context.js';

/** The hidden CSRF field every form that changes something must contain. */
export function CsrfField() {
  return <input type="hidden" name={CSRF_FIELD} value={usePageContext().csrfToken} />;
}
