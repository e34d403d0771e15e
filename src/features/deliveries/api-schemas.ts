import { Type, type Static } from 'typebox';
import { authErrors, ErrorSchema, PageParam, RowErrorSchema, WriteQuery } from '../../http/schemas.js';

/*
 * One definition per route for validation, handler types and the OpenAPI document. Row values are
 * typed loosely (string / number) on purpose: the domain rules in ingest.ts judge them and report
 * every bad row with its number, which a schema error could not do.
 */

const Month = Type.String({ description: 'Monat JJJJ-MM / month YYYY-MM', examples: ['2024-04'] });
const Ars = Type.String({
  description: 'Amtlicher Regionalschlüssel, 12 Ziffern (000000000000 = bundesweit) / regional key',
  examples: ['060000000000'],
});
const Count = Type.Number({ description: 'Anzahl Transaktionen, ganze Zahl ≥ 0 / transaction count' });

export const ServiceRow = Type.Object(
  { month: Month, ars: Ars, count: Count },
  { additionalProperties: false },
);
// Either serviceId or serviceKey names the service; ingest.ts reports a row naming neither.
export const PortalRow = Type.Object(
  {
    serviceId: Type.Optional(Type.Integer({ description: 'Id des Onlinedienstes / online service id' })),
    serviceKey: Type.Optional(
      Type.String({
        description:
          'Statt serviceId: eigener Schlüssel des Portals / instead of serviceId: the portal’s own key',
        examples: ['wohngeld-online'],
      }),
    ),
    month: Month,
    ars: Ars,
    count: Count,
  },
  { additionalProperties: false },
);

export const ServiceCountsBody = Type.Object(
  { counts: Type.Array(ServiceRow) },
  { additionalProperties: false },
);
export const PortalCountsBody = Type.Object(
  { counts: Type.Array(PortalRow) },
  { additionalProperties: false },
);
export type ServiceCountsBody = Static<typeof ServiceCountsBody>;
export type PortalCountsBody = Static<typeof PortalCountsBody>;

const CsvBody = Type.String({
  description:
    'CSV (UTF-8, mit oder ohne BOM), Kopfzeile `month;ars;count` oder `monat;ars;anzahl` (Portal: zusätzlich `serviceId` oder `serviceKey`), Trennzeichen `;` oder `,`',
});

export const deliveryBody = (json: typeof ServiceCountsBody | typeof PortalCountsBody) => ({
  content: {
    'application/json': { schema: json },
    'text/csv': { schema: CsvBody },
  },
});

/** `?dryRun` and `?partial`, as every list the API writes takes them. */
export const DeliveryQuery = WriteQuery;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Wiederholte Anfragen nur einmal ausführen / replay-safe key',
    }),
  ),
});

const summaryProperties = {
  deliveryId: Type.Union([Type.Integer(), Type.Null()], { description: 'null bei dryRun' }),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('partial'), Type.Literal('rejected')]),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Integer(),
  errors: Type.Array(RowErrorSchema, { description: 'Die ersten 1.000 Fehler / the first 1,000 errors' }),
};

// Optional only for answers stored for an Idempotency-Key before they existed: a replay sends them as stored.
export const DeliverySummarySchema = Type.Object({
  ...summaryProperties,
  totalErrors: Type.Optional(Type.Integer({ description: 'Alle Fehler / number of all errors' })),
  truncated: Type.Optional(
    Type.Boolean({ description: '`errors` nennt nicht alle Fehler / `errors` is cut short' }),
  ),
});

export const ServiceParams = Type.Object({ serviceId: Type.Integer({ minimum: 1 }) });
export const PortalParams = Type.Object({ portalId: Type.Integer({ minimum: 1 }) });
export const DeliveryParams = Type.Object({ deliveryId: Type.Integer({ minimum: 1 }) });

// Months 01-12 of years 0001-9999: anything else is no date PostgreSQL can store.
const MonthParam = Type.String({ pattern: '^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])$', description: 'JJJJ-MM' });

/** Counts per answer: a service at Gemeinde level holds about 11,000 regions a month. */
export const COUNTS_PER_PAGE = { default: 10_000, maximum: 50_000 };

export const CountsQuery = Type.Object(
  {
    from: Type.Optional(MonthParam),
    to: Type.Optional(MonthParam),
    page: Type.Optional(PageParam),
    perPage: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: COUNTS_PER_PAGE.maximum,
        default: COUNTS_PER_PAGE.default,
        description: 'Werte je Seite / counts per page',
      }),
    ),
  },
  { additionalProperties: false },
);
export const CountsResponse = Type.Object({
  serviceId: Type.Integer(),
  page: Type.Integer(),
  perPage: Type.Integer(),
  total: Type.Integer({ description: 'Werte im Zeitraum auf allen Seiten / counts on all pages' }),
  counts: Type.Array(Type.Object({ month: Type.String(), ars: Type.String(), count: Type.Integer() })),
});

export const DeleteQuery = Type.Object(
  { month: MonthParam, ars: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
export const DeleteResponse = Type.Object({ deleted: Type.Integer() });

export const DeliveryDetail = Type.Object({
  ...summaryProperties,
  deliveryId: Type.Integer(),
  serviceId: Type.Union([Type.Integer(), Type.Null()]),
  portalId: Type.Union([Type.Integer(), Type.Null()]),
  channel: Type.String(),
  rowsTotal: Type.Integer(),
  firstMonth: Type.Union([Type.String(), Type.Null()]),
  lastMonth: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const deliveryResponses = {
  200: DeliverySummarySchema,
  400: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  413: ErrorSchema,
  415: ErrorSchema,
  422: ErrorSchema,
  ...authErrors,
};
