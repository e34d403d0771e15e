import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** What every page component may know about its request without passing it down by hand. */
export interface PageContext {
  user: { id: number; name: string; email: string; isAdmin: boolean } | null;
  /** The token every form of the page carries (src/http/csrf.ts). */
  csrfToken: string;
  /** Path of the request, to mark the current navigation entry. */
  path: string;
}

export const PageContextValue = createContext<PageContext>({ user: null, csrfToken: '', path: '/' });

export const usePageContext = (): PageContext => useContext(PageContextValue);
