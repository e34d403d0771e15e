import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Query or form fields the route reads as lists (`?dienst=1&dienst=2`); every other one is single. */
    repeatable?: readonly string[];
  }
}

/**
 * C0 control characters other than tab, line feed and carriage return, and DEL: no person types them,
 * PostgreSQL refuses NUL in text, and the others would travel into pages, exports and logs.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export const controlCharacter = (name: string) =>
  new AppError(
    400,
    'control_character',
    `Das Feld „${name.slice(0, 40)}“ enthält ein Steuerzeichen; bitte nur druckbare Zeichen eingeben.`,
    [{ field: name.slice(0, 40), code: 'control_character' }],
  );

function readFields(fields: unknown, repeatable: readonly string[]): void {
  if (!fields || typeof fields !== 'object' || Buffer.isBuffer(fields)) return;
  const record = fields as Record<string, unknown>;
  for (const [name, value] of Object.entries(record)) {
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (CONTROL.test(name) || values.some((v) => typeof v === 'string' && CONTROL.test(v)))
      throw controlCharacter(name);
    if (Array.isArray(value) && !repeatable.includes(name)) record[name] = value[0];
  }
}

const isForm = (request: FastifyRequest) =>
  (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

/**
 * The one reader of query strings and form bodies, before any schema or handler sees them:
 * - a control character in a name or value is refused with 400 `control_character`;
 * - on routes without a schema for them (the pages) a field given twice counts once, with its first
 *   value, unless the route declares it repeatable, so handlers always see a string where they expect
 *   one, never an array they would call string methods on. Routes with a schema (the APIs) get a 400
 *   from their schema instead.
 */
export function installFieldReader(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const schema = request.routeOptions.schema;
    const repeatable = request.routeOptions.config.repeatable ?? [];
    readFields(request.query, schema?.querystring ? Object.keys(request.query ?? {}) : repeatable);
    if (isForm(request))
      readFields(request.body, schema?.body ? Object.keys(request.body ?? {}) : repeatable);
    done();
  });
}
