import { Type, type Static } from 'typebox';
import { authErrors, ErrorSchema, PageParam, RowErrorSchema, WriteQuery } from '../../http/schemas.js';

/*
 * The service-management API (src/features/services/api.ts): one definition per route for validation,
 * handler types and the OpenAPI document. Values of the bulk rows are typed loosely on purpose, as in
 * the delivery API: the editor's rules judge them and report every bad row with its number.
 */

const Keys = Type.Union([Type.Array(Type.String()), Type.String()], {
  description: 'Liste oder durch Komma getrennt / list or comma-separated',
});

const rowFields = {
  serviceKey: Type.Optional(
    Type.String({
      description: 'Eigener, stabiler Schlüssel des Lieferanten, eindeutig im Portal / own stable key',
      examples: ['wohngeld-online'],
    }),
  ),
  name: Type.Optional(Type.String({ examples: ['Wohngeld online beantragen'] })),
  url: Type.Optional(Type.String({ examples: ['https://wohngeld.example.de'] })),
  authority: Type.Optional(
    Type.String({ description: 'Name der Behörde (neu angelegt, wenn unbekannt) / authority name' }),
  ),
  type: Type.Optional(Type.String({ description: '1, 2/3, 4 oder 5', examples: ['2/3'] })),
  buildMode: Type.Optional(Type.String({ description: 'efa oder own', examples: ['efa'] })),
  focus: Type.Optional(Type.Union([Type.Boolean(), Type.String()], { description: 'Fokusleistung' })),
  granularity: Type.Optional(
    Type.String({ description: 'bund, land, kreis oder gemeinde', examples: ['land'] }),
  ),
  description: Type.Optional(Type.String()),
  leika: Type.Optional(Keys),
  ozg: Type.Optional(Keys),
};

export const ServiceRowBody = Type.Object(rowFields, { additionalProperties: false });
export type ServiceRowBody = Static<typeof ServiceRowBody>;

const CsvBody = Type.String({
  description:
    'CSV (UTF-8), Kopfzeile `serviceKey;name;url;authority;type;buildMode;focus;granularity;leika;ozg` ' +
    '(Pflicht: serviceKey, name, type, buildMode, granularity); mehrere Schlüssel je Zelle durch Komma getrennt',
});

export const servicesBody = {
  content: {
    'application/json': { schema: Type.Array(ServiceRowBody) },
    'text/csv': { schema: CsvBody },
  },
};

/** `?dryRun` and `?partial`, as every list the API writes takes them. */
export const BatchQuery = WriteQuery;

export const BatchSummary = Type.Object({
  status: Type.Union([Type.Literal('accepted'), Type.Literal('partial')]),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Integer(),
  errors: Type.Array(RowErrorSchema),
  services: Type.Array(
    Type.Object({
      row: Type.Integer(),
      serviceKey: Type.String(),
      serviceId: Type.Union([Type.Integer(), Type.Null()], {
        description: 'null bei dryRun für neue Dienste',
      }),
      outcome: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('unchanged')]),
    }),
  ),
});

export const PortalParams = Type.Object({ portalId: Type.Integer({ minimum: 1 }) });
export const ServiceIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const ListQuery = Type.Object(
  {
    page: Type.Optional(PageParam),
    perPage: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Einträge je Seite / page size' }),
    ),
  },
  { additionalProperties: false },
);

export const ServiceItem = Type.Object({
  id: Type.Integer(),
  serviceKey: Type.Union([Type.String(), Type.Null()], {
    description: 'null für Dienste, die ohne Schlüssel ins Portal kamen (Webseite)',
  }),
  name: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  authority: Type.Union([Type.String(), Type.Null()]),
  type: Type.String(),
  buildMode: Type.String(),
  focus: Type.Boolean(),
  granularity: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  leika: Type.Array(Type.String()),
  ozg: Type.Array(Type.String()),
  firstMonth: Type.Union([Type.String(), Type.Null()], { description: 'JJJJ-MM; null ohne Zahlen' }),
  lastMonth: Type.Union([Type.String(), Type.Null()]),
  published: Type.Boolean({ description: 'false: nicht veröffentlicht (nur angemeldet sichtbar)' }),
});
export type ServiceItem = Static<typeof ServiceItem>;

export const ServiceList = Type.Object({
  portalId: Type.Integer(),
  page: Type.Integer(),
  perPage: Type.Integer(),
  total: Type.Integer(),
  services: Type.Array(ServiceItem),
});

export const PatchBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    authority: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    type: Type.Optional(Type.String()),
    buildMode: Type.Optional(Type.String()),
    focus: Type.Optional(Type.Boolean()),
    granularity: Type.Optional(Type.String()),
    description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    leika: Type.Optional(Type.Array(Type.String())),
    ozg: Type.Optional(Type.Array(Type.String())),
    published: Type.Optional(
      Type.Boolean({
        description:
          'false: „nicht veröffentlichen“ – der Dienst erscheint in keiner öffentlichen Ausgabe und in keiner ' +
          'öffentlichen Summe / false keeps the service out of all public output, sums included',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchBody = Static<typeof PatchBody>;

export const PatchResponse = Type.Object({
  changed: Type.Array(Type.String(), { description: 'Geänderte Felder; leer, wenn nichts anders war' }),
  service: ServiceItem,
});

export const batchResponses = {
  200: BatchSummary,
  400: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  413: ErrorSchema,
  415: ErrorSchema,
  422: ErrorSchema,
  ...authErrors,
};
