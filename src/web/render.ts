import type { FastifyReply } from 'fastify';
import { h, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { csrfTokenFor } from '../http/csrf.js';
import { PageContextValue, type PageContext } from './page-context.js';

interface Rendering {
  context: PageContext;
  /** Whether the page read the CSRF token (it has a form): then it is the visitor's own. */
  usedCsrf: () => boolean;
}

/**
 * The token is made when a form asks for it, not for every page: a page without forms sets no
 * cookie, and its bytes are the same for every signed-out visitor (src/web/page-cache.ts).
 */
function pageContext(reply: FastifyReply): Rendering {
  const request = reply.request;
  let token: string | undefined;
  const context: PageContext = {
    user: request.session?.user ?? null,
    get csrfToken() {
      token ??= csrfTokenFor(request, reply);
      return token;
    },
    path: request.url.split('?')[0] ?? '/',
  };
  return { context, usedCsrf: () => token !== undefined };
}

const withContext = (context: PageContext, node: VNode): VNode =>
  h(PageContextValue.Provider, { value: context }, node) as VNode;

/** Renders a page component as a complete HTML document. Preact escapes every string it renders. */
export function renderPage(node: VNode): string {
  return `<!DOCTYPE html>${renderToString(node)}`;
}

export interface RenderedPage {
  html: string;
  /** False when the page holds something of this visitor's own (a form's CSRF token). */
  shareable: boolean;
}

/** A page for this request: the whole document, or the fragment an htmx request asks for. */
export function renderFor(reply: FastifyReply, node: VNode, fragment = false): RenderedPage {
  const { context, usedCsrf } = pageContext(reply);
  const tree = withContext(context, node);
  const html = fragment ? renderToString(tree) : renderPage(tree);
  return { html, shareable: context.user === null && !usedCsrf() };
}

export function sendHtml(reply: FastifyReply, html: string | Buffer, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

export function sendPage(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return sendHtml(reply, renderFor(reply, node).html, status);
}

/** An htmx request wants the fragment, not the whole page. */
export function sendFragment(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return sendHtml(reply, renderFor(reply, node, true).html, status);
}
