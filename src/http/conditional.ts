import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.js';
import { readDataStamp, type DataStamp } from './data-stamp.js';

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
export function isNotModified(headers: FastifyRequest['headers'], v: Validators): boolean {
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

export interface ConditionalOptions {
  variant: string;
  /** Cache-Control max-age in seconds. */
  maxAge: number;
  /** Shared caches may keep it (public data) or only the visitor's browser (signed-in views). */
  shared: boolean;
  now?: Date;
}

/**
 * Sets ETag, Last-Modified (to the second) and Cache-Control of a representation whose validators the
 * caller knows (a download file, a build) and tells whether the client's copy is current; the caller
 * then answers 304.
 */
export function setValidators(
  request: FastifyRequest,
  reply: FastifyReply,
  v: Validators,
  options: Pick<ConditionalOptions, 'maxAge' | 'shared'>,
): boolean {
  const seconds = new Date(Math.floor(v.lastModified.getTime() / 1000) * 1000);
  reply.header('ETag', v.etag);
  reply.header('Last-Modified', seconds.toUTCString());
  reply.header('Cache-Control', `${options.shared ? 'public' : 'private'}, max-age=${options.maxAge}`);
  return isNotModified(request.headers, { etag: v.etag, lastModified: seconds });
}

interface Issued {
  variant: string;
  validators: Validators;
  maxAge: number;
}

/** Longest address and Accept header remembered: with maxEntries, at most about 20 MiB. */
const MAX_KEY_LENGTH = 2_048;

/**
 * The validators this process last gave signed-out clients, per address and Accept header. A
 * conditional request naming one of them while the data stamp and the month are unchanged is answered
 * 304 before its validation, the rate limit and the handler run: the address was valid when its
 * validators were issued, and nothing its answer depends on has changed since. Half of the cost of a
 * 304 was that work (bench:public, docs/benchmarks.md).
 */
export class IssuedValidators {
  private readonly issued = new Map<string, Issued>();

  constructor(private readonly maxEntries = 10_000) {}

  private static keyOf(request: FastifyRequest): string {
    return `${request.headers.accept ?? ''}\n${request.url}`;
  }

  /** Only for answers every signed-out visitor gets alike (the caller knows). */
  remember(request: FastifyRequest, variant: string, validators: Validators, maxAge: number): void {
    const key = IssuedValidators.keyOf(request);
    // Bounded: addresses are the client's choice.
    if (key.length > MAX_KEY_LENGTH) return;
    if (this.issued.size >= this.maxEntries) this.issued.clear();
    this.issued.set(key, { variant, validators, maxAge });
  }

  /** Sends the 304 and returns true when the request names current validators of its address. */
  async answer(request: FastifyRequest, reply: FastifyReply, db: Db): Promise<boolean> {
    if (!request.headers['if-none-match'] || request.headers.cookie || request.method !== 'GET') return false;
    const issued = this.issued.get(IssuedValidators.keyOf(request));
    if (!issued) return false;
    const current = validatorsOf(await readDataStamp(db), issued.variant);
    if (current.etag !== issued.validators.etag) return false;
    if (!setValidators(request, reply, issued.validators, { maxAge: issued.maxAge, shared: true }))
      return false;
    await reply.code(304).send();
    return true;
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
