import { Type } from 'typebox';
import { ErrorSchema } from '../../http/schemas.js';
import { AGGREGATE_DIMENSIONS } from './queries.js';

/* One definition per route for validation, handler types and the OpenAPI document. */

/** Largest page of every list; a larger pageSize is a 400 naming the parameter. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

const literals = <T extends string>(values: readonly T[], description: string, defaultValue?: T) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description, ...(defaultValue ? { default: defaultValue } : {}) },
  );

const MonthParam = (description: string) =>
  Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', maxLength: 7, description, examples: ['2025-01'] });

const page = {
  page: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1, description: 'Seite ab 1' }),
  ),
  pageSize: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
      description: `Einträge je Seite, höchstens ${MAX_PAGE_SIZE}`,
    }),
  ),
};

export const ServicesQuery = Type.Object(
  {
    ...page,
    format: Type.Optional(
      literals(['json', 'csv'], 'Antwortformat; statt dessen auch Accept: text/csv oder .csv'),
    ),
  },
  { additionalProperties: false },
);

const seriesFormat = literals(
  ['json', 'csv', 'jsonstat'],
  'Antwortformat: JSON, CSV (auch Accept: text/csv oder .csv) oder ein JSON-stat-2.0-Datensatz',
);

export const CountsQuery = Type.Object(
  {
    from: Type.Optional(MonthParam('Erster Monat JJJJ-MM; ohne: erster Monat mit Daten')),
    to: Type.Optional(MonthParam('Letzter Monat JJJJ-MM; ohne: letzter Monat mit Daten')),
    period: Type.Optional(literals(['month', 'quarter', 'year'], 'Monat, Quartal oder Jahr', 'month')),
    level: Type.Optional(
      literals(
        ['bund', 'land', 'kreis', 'gemeinde'],
        'Summiert auf diese Ebene; feiner als die Granularität des Dienstes ist ein Fehler',
        'bund',
      ),
    ),
    format: Type.Optional(seriesFormat),
  },
  { additionalProperties: false },
);

export const AggregatesQuery = Type.Object(
  {
    by: Type.Optional(literals(AGGREGATE_DIMENSIONS, 'Gruppierung', 'land')),
    from: Type.Optional(
      MonthParam('Erster Monat JJJJ-MM; ohne: zwölf Monate vor dem letzten abgeschlossenen'),
    ),
    to: Type.Optional(MonthParam('Letzter Monat JJJJ-MM; ohne: letzter abgeschlossener Monat')),
    period: Type.Optional(
      literals(
        ['month', 'quarter', 'year', 'total'],
        'Monat, Quartal, Jahr oder der ganze Zeitraum',
        'total',
      ),
    ),
    filter: Type.Optional(
      Type.String({
        maxLength: 1000,
        description:
          'Bedingungen `schlüssel:wert`, getrennt durch `,` (alle müssen gelten), mehrere Werte mit `|` ' +
          '(einer muss passen). Schlüssel: service, typ, fokus, ozg, leika, themenfeld, land, authority, portal.',
        examples: ['typ:2/3,land:06|09'],
      }),
    ),
    format: Type.Optional(seriesFormat),
    ...page,
  },
  { additionalProperties: false },
);

export const CountsParams = Type.Object({ id: Type.String({ description: 'Id des Onlinedienstes' }) });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const PeriodFields = {
  period: Type.String({ description: 'Zeitraum: 2025-01, 2025-Q1, 2025 oder von/bis (period=total)' }),
  total: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Transaktionen; null = kein Monat mit Daten (Lücke, nicht 0)',
  }),
  months: Type.Integer({ description: 'Monate des Zeitraums mit Daten' }),
  monthsInPeriod: Type.Integer({ description: 'Monate des Zeitraums (1, 3, 12)' }),
  complete: Type.Boolean({ description: 'Jeder Monat des Zeitraums hat Daten' }),
};

export const ServiceSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Nullable(Type.String()),
  authority: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
  serviceType: Type.String({ description: 'Typ: 1, 2/3, 4, 5' }),
  buildMode: Type.String({ description: 'efa (Einer für Alle) oder own (Eigenentwicklung)' }),
  isFocus: Type.Boolean({ description: 'Fokusleistung' }),
  granularity: Type.String({ description: 'bund, land, kreis oder gemeinde' }),
  leikaKeys: Type.Array(Type.String()),
  ozgServices: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), themenfeld: Nullable(Type.String()) }),
  ),
  themenfelder: Type.Array(Type.String()),
  portals: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
  firstMonth: Nullable(Type.String()),
  lastMonth: Nullable(Type.String()),
  total: Type.Integer({ description: 'Transaktionen aller Monate' }),
});

export const ServicesResponse = Type.Object({
  page: Type.Integer(),
  pageSize: Type.Integer(),
  totalItems: Type.Integer(),
  totalPages: Type.Integer(),
  items: Type.Array(ServiceSchema),
});

export const CountsResponse = Type.Object({
  service: Type.Object({ id: Type.Integer(), name: Type.String(), granularity: Type.String() }),
  level: Type.String(),
  period: Type.String(),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  data: Type.Array(Type.Object({ ars: Type.String(), region: Nullable(Type.String()), ...PeriodFields })),
});

export const AggregatesResponse = Type.Object({
  by: Type.String(),
  period: Type.String(),
  from: Type.String(),
  to: Type.String(),
  filter: Type.String(),
  multiMembership: Type.Boolean({
    description: 'Ein Dienst kann in mehreren Gruppen zählen: die Gruppen ergeben mehr als die Summe',
  }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  totalGroups: Type.Integer(),
  data: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), ...PeriodFields })),
});

const CsvSchema = Type.String({ description: 'CSV: `;`, UTF-8 mit BOM, deutsche Spaltennamen' });

/** 200 in JSON or CSV, and the errors every open-data route can give. */
export const openResponses = (json: ReturnType<typeof Type.Object>) => ({
  200: {
    description: 'JSON, CSV oder JSON-stat',
    content: { 'application/json': { schema: json }, 'text/csv': { schema: CsvSchema } },
  },
  400: ErrorSchema,
  404: ErrorSchema,
  429: ErrorSchema,
  503: ErrorSchema,
});
