import { createHash, randomBytes } from 'node:crypto';

/**
 * Only this hash of a bearer secret (session cookie, access token, mailed link, OIDC state) is
 * stored: a leaked database does not leak usable secrets. The secrets are 256 random bits, so a
 * plain SHA-256 needs no salt or stretching.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export const newSecret = (): string => randomBytes(32).toString('base64url');
