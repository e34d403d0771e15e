import type { FastifyReply } from 'fastify';
import { h, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { csrfTokenFor } from '../http/csrf.js';
import { PageContextValue, type PageContext } from './page-context.js';

function pageContext(reply: FastifyReply): PageContext {
  const request = reply.request;
  return {
    user: request.session?.user ?? null,
    csrfToken: csrfTokenFor(request, reply),
    path: request.url.split('?')[0] ?? '/',
  };
}

const withContext = (reply: FastifyReply, node: VNode): VNode =>
  h(PageContextValue.Provider, { value: pageContext(reply) }, node) as VNode;

/** Renders a page component as a complete HTML document. Preact escapes every string it renders. */
export function renderPage(node: VNode): string {
  return `<!DOCTYPE html>${renderToString(node)}`;
}

export function sendPage(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(renderPage(withContext(reply, node)));
}

/** An htmx request wants the fragment, not the whole page. */
export function sendFragment(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(renderToString(withContext(reply, node)));
}
