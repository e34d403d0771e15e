import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

/**
 * Validation by the TypeBox schemas of a route, as @fastify/type-provider-typebox's compiler does it
 * (strict: a parameter the schema does not name is refused, which Fastify's default Ajv would drop),
 * except that a query string or path parameters are converted (text to numbers, one value to a list)
 * only when they fail as sent. Value.Convert walks the whole schema on every request, 13 % of the time
 * of a 304 of the open-data API (bench:public's CPU profile), and most requests carry only text.
 */
export const typeBoxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  return (value) => {
    if (check.Check(value)) return { value };
    const converted: unknown = httpPart === 'body' ? value : Value.Convert(schema, value);
    if (check.Check(converted)) return { value: converted };
    const error: FastifySchemaValidationError[] = check.Errors(converted);
    return { error };
  };
};
