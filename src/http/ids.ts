import type { FastifyInstance } from 'fastify';
import { shown } from '../domain/shown.js';
import { notFound } from './errors.js';

/**
 * Row ids are PostgreSQL integers. Only plain decimal digits are ids: `Number()` would also read
 * `1.5`, `0x1`, `01` or `1e1`, and anything past 2^31-1 makes the database refuse the query (a 500).
 */
const ID = /^[1-9][0-9]{0,9}$/;
export const MAX_ID = 2_147_483_647;

/** A positive id from a route parameter or a form field, or null. */
export function parseId(raw: unknown): number | null {
  if (typeof raw !== 'string' || !ID.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_ID ? id : null;
}

const isIdParam = (name: string) => name === 'id' || name.endsWith('Id');

/** What the id names, for a message people understand („Einen Onlinedienst „abc“ gibt es nicht.“). */
function whatIsNamed(name: string, url: string): string {
  if (name === 'serviceId' || (name === 'id' && url.startsWith('/dienste/'))) return 'Einen Onlinedienst';
  if (name === 'portalId' || (name === 'id' && url.startsWith('/portale/'))) return 'Ein Portal';
  if (name === 'deliveryId' || (name === 'id' && url.startsWith('/lieferungen/'))) return 'Eine Lieferung';
  if (name === 'userId') return 'Ein Konto';
  return 'Einen Eintrag';
}

/**
 * Every route parameter named `id` or `…Id` is checked here before any handler or schema sees it, so
 * no route can forget it: a malformed id names no row, which is a 404.
 */
export function installIdParams(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    for (const [name, raw] of Object.entries(params)) {
      if (isIdParam(name) && parseId(raw) === null) {
        const what = whatIsNamed(name, request.routeOptions.url ?? '');
        return done(notFound(`${what} „${shown(raw, 40)}“ gibt es nicht.`));
      }
    }
    done();
  });
}
