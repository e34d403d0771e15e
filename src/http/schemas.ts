import { Type } from 'typebox';

/** The one error shape (src/http/errors.ts) as a schema, so every route documents its failures. */
export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stabiler Fehlercode (docs/errors.md) / stable error code' }),
      message: Type.String({ description: 'Deutsche Meldung / German message' }),
      details: Type.Array(Type.Unknown()),
      totalErrors: Type.Optional(
        Type.Integer({ description: 'delivery_invalid: alle Fehler, `details` nennt höchstens 1.000' }),
      ),
      truncated: Type.Optional(Type.Boolean({ description: 'delivery_invalid: `details` ist gekürzt' })),
    }),
  },
  { description: 'Fehler / error' },
);

/**
 * The page of a paged API list, from 1. Bounded: the offset it makes (page × page size) must fit the
 * database's bigint, or a page like 10^20 would fail in the database instead of answering 400.
 */
export const PageParam = Type.Integer({
  minimum: 1,
  maximum: 1_000_000,
  default: 1,
  description: 'Seite ab 1 / page from 1',
});

/** Error answers every token-authenticated route can give. */
export const authErrors = {
  401: ErrorSchema,
  403: ErrorSchema,
  429: ErrorSchema,
  // database_unavailable, with Retry-After: the token itself is looked up in the database.
  503: ErrorSchema,
};

/** The query of every API route that writes a list: check only, or store the valid rows. */
export const WriteQuery = Type.Object(
  {
    dryRun: Type.Optional(
      Type.Boolean({ default: false, description: 'Nur prüfen, nichts speichern / validate only' }),
    ),
    partial: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'Gültige Zeilen speichern, ungültige melden / store valid rows',
      }),
    ),
  },
  { additionalProperties: false },
);

/** One rejected row of a list the API writes (deliveries, services), in the order of the rows. */
export const RowErrorSchema = Type.Object({
  row: Type.Integer({ description: 'Zeile (JSON: Position ab 1; CSV: Zeilennummer der Datei)' }),
  field: Type.String(),
  value: Type.String(),
  code: Type.String(),
  message: Type.String(),
  messageEn: Type.String(),
});
