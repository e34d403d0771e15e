import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Renders a page component as a complete HTML document. Preact escapes every string it renders. */
export function renderPage(node: VNode): string {
  return `<!DOCTYPE html>${renderToString(node)}`;
}

export function sendPage(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(renderPage(node));
}

/** An htmx request wants the fragment, not the whole page. */
export function sendFragment(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(renderToString(node));
}
