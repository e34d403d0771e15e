import type { FastifyRequest } from 'fastify';

/** Answers people with a page or a redirect, programs with JSON. */
export function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

export const isHtmxRequest = (request: FastifyRequest): boolean => request.headers['hx-request'] === 'true';

/** htmx swaps only a region of the page; a history restore (back button) wants the whole page. */
export const wantsFragment = (request: FastifyRequest): boolean =>
  isHtmxRequest(request) && request.headers['hx-history-restore-request'] !== 'true';
