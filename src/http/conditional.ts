import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.js';
import { knownDataStamp, readDataStamp, type DataStamp } from './data-stamp.js';

/**
 * Conditional GET for everything derived from the public data (open-data API, downloads): ETag and
 * Last-Modified come from the data stamp (src/http/data-stamp.ts), so a validator costs no more than
 * a look at a number this process keeps, instead of the answer.
 */
export interface Validators {
  etag: string;
  lastModified: Date;
}

/**
 * The validators of one representation. `variant` tells apart what the same URL answers differently
 * (format, audience). Answers with a default period depend on the calendar too ("the last twelve
 * months"), so the month is part of the ETag and Last-Modified is never before the month began.
 */
export function validatorsOf(stamp: DataStamp, variant: string, now: Date = new Date()): Validators {
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const month = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const changed = new Date(Math.max(stamp.changedAt.getTime(), monthStart.getTime()));
  // HTTP dates have whole seconds: rounding down would make If-Modified-Since match too early.
  changed.setUTCMilliseconds(0);
  const tag = `${stamp.version}-${month}-${variant}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return { etag: `"${tag}"`, lastModified: changed };
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, '');

/**
 * RFC 9110 13.1: If-None-Match (weak comparison) decides when present; If-Modified-Since only
 * without it, and only for a date the server could have sent.
 */
export function isNotModified(headers: IncomingHttpHeaders, v: Validators): boolean {
  const noneMatch = headers['if-none-match'];
  if (typeof noneMatch === 'string' && noneMatch.trim() !== '') {
    if (noneMatch.trim() === '*') return true;
    return noneMatch.split(',').some((tag) => opaque(tag) === opaque(v.etag));
  }
  const since = headers['if-modified-since'];
  if (typeof since === 'string' && since.trim() !== '') {
    const date = Date.parse(since);
    return Number.isFinite(date) && v.lastModified.getTime() <= date;
  }
  return false;
}

export interface CachingOptions {
  /** Cache-Control max-age in seconds. */
  maxAge: number;
  /** Shared caches may keep it (public data) or only the visitor's browser (signed-in views). */
  shared: boolean;
}

/** ETag, Last-Modified (to the second: HTTP dates have no fractions) and Cache-Control of a representation. */
function validatorHeaders(
  v: Validators,
  options: CachingOptions,
): { headers: Record<string, string>; seconds: Validators } {
  const seconds = new Date(Math.floor(v.lastModified.getTime() / 1000) * 1000);
  return {
    headers: {
      etag: v.etag,
      'last-modified': seconds.toUTCString(),
      'cache-control': `${options.shared ? 'public' : 'private'}, max-age=${options.maxAge}`,
    },
    seconds: { etag: v.etag, lastModified: seconds },
  };
}

/**
 * Sets ETag, Last-Modified and Cache-Control of a representation whose validators the caller knows (a
 * download file, a build) and tells whether the client's copy is current; the caller then answers 304.
 */
export function setValidators(
  request: FastifyRequest,
  reply: FastifyReply,
  v: Validators,
  options: CachingOptions,
): boolean {
  const { headers, seconds } = validatorHeaders(v, options);
  reply.headers(headers);
  return isNotModified(request.headers, seconds);
}

interface Issued {
  validators: Validators;
  /** What the ETag names: the data version, within the calendar month (validatorsOf). */
  version: number;
  monthStart: number;
  monthEnd: number;
  /** The whole header block of the 304, over http and over https (with HSTS). */
  headers: Record<string, string>;
  secureHeaders: Record<string, string>;
}

/** Longest address and Accept header remembered: with maxEntries, at most about 20 MiB. */
const MAX_KEY_LENGTH = 2_048;

export interface IssuedValidatorsOptions {
  /** Only addresses under this path are answered early. */
  prefix: string;
  /** What every answer under the prefix carries besides its validators (security headers, CORS). */
  headers: Record<string, string>;
  /** Sent in addition over https. */
  secureHeaders: Record<string, string>;
  /** Whether the request came over https, as Fastify decides it (request.protocol). */
  isHttps: (request: IncomingMessage) => boolean;
  maxEntries?: number;
}

/**
 * The validators this process last gave signed-out clients, per address and Accept header. A
 * conditional request naming one of them while the data stamp and the month are unchanged is answered
 * 304 by the HTTP server before Fastify sees it (serverAnsweringFirst): routing, hooks, the session,
 * validation, the rate limit and the handler have nothing to decide for it. The address was valid when
 * its validators were issued, and nothing its answer depends on has changed since. That work was more
 * than half of the cost of a 304 (bench:public, docs/benchmarks.md).
 */
export class IssuedValidators {
  private readonly issued = new Map<string, Issued>();
  private readonly maxEntries: number;

  constructor(private readonly options: IssuedValidatorsOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  private static keyOf(accept: string | undefined, url: string): string {
    return `${accept ?? ''}\n${url}`;
  }

  /**
   * Only for answers every signed-out visitor gets alike (the caller knows), with the validators
   * validatorsOf(stamp, variant, now) gave them.
   */
  remember(
    request: FastifyRequest,
    stamp: DataStamp,
    validators: Validators,
    maxAge: number,
    now: Date,
  ): void {
    const key = IssuedValidators.keyOf(request.headers.accept, request.url);
    // Bounded: addresses are the client's choice.
    if (key.length > MAX_KEY_LENGTH || !request.url.startsWith(this.options.prefix)) return;
    // The same answer again (the usual case): its 304 is built already. Building it per answer made the
    // server's memory peak grow by 130 MB at 10,000 answers a second (bench:public).
    if (this.issued.get(key)?.validators.etag === validators.etag) return;
    if (this.issued.size >= this.maxEntries) this.issued.clear();
    const { headers: own, seconds } = validatorHeaders(validators, { maxAge, shared: true });
    const headers = { ...this.options.headers, ...own };
    const secureHeaders = { ...headers, ...this.options.secureHeaders };
    this.issued.set(key, {
      validators: seconds,
      version: stamp.version,
      monthStart: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
      monthEnd: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1),
      headers,
      secureHeaders,
    });
  }

  /**
   * Answers 304 when the request names current validators of its address; false (synchronously where
   * it can tell at once) when Fastify has to answer it.
   */
  answer(request: IncomingMessage, response: ServerResponse, db: Db): boolean | Promise<boolean> {
    const { headers, url } = request;
    if (request.method !== 'GET' || !headers['if-none-match'] || headers.cookie || !url) return false;
    const issued = this.issued.get(IssuedValidators.keyOf(headers.accept, url));
    if (!issued) return false;
    const reply = (stamp: DataStamp, now: number): boolean => {
      // The ETag validatorsOf would give now is the issued one: same version, same month.
      if (stamp.version !== issued.version || now < issued.monthStart || now >= issued.monthEnd) return false;
      const current =
        headers['if-none-match'] === issued.validators.etag || isNotModified(headers, issued.validators);
      if (!current) return false;
      response.writeHead(304, this.options.isHttps(request) ? issued.secureHeaders : issued.headers).end();
      return true;
    };
    // Mostly the stamp is at hand, and the answer needs no promise.
    const now = Date.now();
    const known = knownDataStamp(db, now);
    return known ? reply(known, now) : readDataStamp(db, now).then((stamp) => reply(stamp, Date.now()));
  }
}

export interface CachedAnswer {
  contentType: string;
  body: Buffer;
  headers?: Record<string, string>;
}

/**
 * Answers already built, by ETag and address: the ETag fixes the bytes of an answer (same data
 * version, month, format and audience), so a repeated request is answered from memory. Bounded in
 * entries and bytes; the oldest go first, and a new data version makes the old entries unreachable.
 */
export class AnswerCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 500,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  get(etag: string, url: string): CachedAnswer | undefined {
    return this.entries.get(`${etag} ${url}`);
  }

  set(etag: string, url: string, answer: CachedAnswer): void {
    // One large answer must not push out everything else.
    if (answer.body.length > this.maxBytes / 16) return;
    const key = `${etag} ${url}`;
    this.entries.set(key, answer);
    this.bytes += answer.body.length;
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= old.body.length;
    }
  }
}
