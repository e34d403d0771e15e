import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Db } from '../db/database.js';
import { AnswerCache } from '../http/conditional.js';
import { readDataStamp } from '../http/data-stamp.js';
import { renderFor, sendHtml } from './render.js';

export interface PageAnswer {
  node: VNode;
  status?: number;
}

const HTML = 'text/html; charset=utf-8';

/**
 * The public pages as signed-out visitors see them are the same bytes for everyone until the data or
 * the day change (default periods and completeness follow the calendar). So each address is rendered
 * once per data version and day and then sent from memory: the start page went from rendering 88 KB
 * per request to sending kept bytes (bench:public, docs/benchmarks.md). Signed-in visitors, pages
 * holding a visitor's own CSRF token (a form) and answers other than 200 are rendered per request.
 */
export class PublicPageCache {
  // Three instances (start, service pages, explorer) and the API's AnswerCache stay under 80 MiB.
  private readonly pages = new AnswerCache(300, 16 * 1024 * 1024);

  constructor(private readonly db: Db) {}

  /** Sends the page at this address; `build` runs only when the page is not kept. */
  async send(
    request: FastifyRequest,
    reply: FastifyReply,
    build: () => Promise<PageAnswer>,
    options: { fragment?: boolean } = {},
  ): Promise<FastifyReply> {
    const fragment = options.fragment ?? false;
    if (request.session) {
      const answer = await build();
      return sendHtml(reply, renderFor(reply, answer.node, fragment).html, answer.status);
    }
    const key = `${(await readDataStamp(this.db)).version}-${new Date().toISOString().slice(0, 10)}`;
    const address = `${fragment ? 'fragment' : 'page'} ${request.url}`;
    const kept = this.pages.get(key, address);
    if (kept) return sendHtml(reply, kept.body);
    const answer = await build();
    const status = answer.status ?? 200;
    const page = renderFor(reply, answer.node, fragment);
    if (status !== 200 || !page.shareable) return sendHtml(reply, page.html, status);
    const body = Buffer.from(page.html, 'utf8');
    this.pages.set(key, address, { contentType: HTML, body });
    return sendHtml(reply, body);
  }
}
