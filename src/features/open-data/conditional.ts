import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * ETag and Last-Modified of a download, and whether the client's copy is still good (304). Kept
 * small and local to the downloads; the open-data API's helper (src/http/conditional.ts) does the
 * same for the API.
 */
export function answerConditional(
  request: FastifyRequest,
  reply: FastifyReply,
  validators: { etag: string; lastModified: Date; maxAgeSeconds: number },
): boolean {
  const etag = `"${validators.etag}"`;
  // HTTP dates have whole seconds; compared at that precision below.
  const modified = Math.floor(validators.lastModified.getTime() / 1000) * 1000;
  reply.header('etag', etag);
  reply.header('last-modified', new Date(modified).toUTCString());
  reply.header('cache-control', `public, max-age=${validators.maxAgeSeconds}`);
  const ifNoneMatch = request.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string') {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes(etag) || tags.includes('*');
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (typeof ifModifiedSince === 'string') {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && modified <= since;
  }
  return false;
}
