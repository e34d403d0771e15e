import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { SERVICE_TYPE_LABEL } from '../../web/labels.js';
import type { Dimension, ExplorerParams } from './params.js';
import { MULTI_MEMBERSHIP } from './params.js';
import {
  getGermanPopulation,
  getGrandTotal,
  listGroupTotals,
  listLandTotals,
  type GroupRow,
} from './queries.js';
import type { ServiceType } from '../../domain/vocabulary.js';
import type { Audience } from '../../http/access.js';
import { mustHideUnpublished } from '../../db/published.js';

export interface ExplorerGroup {
  key: string;
  label: string;
  total: number;
  /** Services with a delivery in the period; null where not known (Länder over all services). */
  services: number | null;
  /** Share of the grand total in percent. */
  sharePercent: number;
  /** Transactions per 1,000 inhabitants of `population`; null when no population is known. */
  perThousand: number | null;
  population: number | null;
  /** The value the chart and the order use: total or perThousand. */
  value: number | null;
}

export interface ExplorerResult {
  params: ExplorerParams;
  total: number;
  services: number;
  months: number;
  groups: ExplorerGroup[];
  /** One service may count in several groups of this dimension. */
  multiMembership: boolean;
  /** What per 1,000 inhabitants refers to, for the note on the page. */
  populationBasis: 'land' | 'germany';
  germanPopulation: number | null;
}

const NO_LINK_LABEL: Record<Dimension, string> = {
  dienst: 'ohne Namen',
  ozg: 'ohne OZG-Leistung',
  themenfeld: 'ohne Themenfeld',
  typ: 'ohne Typ',
  fokus: 'ohne Angabe',
  land: 'ohne Land',
  behoerde: 'ohne Behörde',
  portal: 'ohne Portal',
};

function groupLabel(dimension: Dimension, row: GroupRow): string {
  if (dimension === 'land' && row.key === '00') return 'bundesweit (ohne Länderaufteilung)';
  if (row.key === '') return NO_LINK_LABEL[dimension];
  if (dimension === 'typ') return SERVICE_TYPE_LABEL[row.key as ServiceType] ?? row.key;
  if (dimension === 'fokus') return row.key === 'ja' ? 'Fokusleistung' : 'keine Fokusleistung';
  return row.label ?? row.key;
}

const perThousand = (total: number, population: number | null) =>
  population && population > 0 ? (total / population) * 1000 : null;

/**
 * Totals of the chosen services and months, grouped by one dimension. Per 1,000 inhabitants is
 * relative to each Land's population when grouping by Land (nationwide counts: Germany's), otherwise
 * to Germany's population: the other dimensions have no population of their own.
 */
export async function loadExploration(
  db: Kysely<Database>,
  params: ExplorerParams,
  audience: Audience = 'all',
): Promise<ExplorerResult> {
  const filter = {
    from: params.from,
    to: params.to,
    serviceIds: params.serviceIds,
    hideUnpublished: await mustHideUnpublished(db, audience),
  };
  const [rows, grand, germanPopulation] = await Promise.all([
    params.dimension === 'land' ? listLandTotals(db, filter) : listGroupTotals(db, params.dimension, filter),
    getGrandTotal(db, filter),
    getGermanPopulation(db),
  ]);
  const groups = rows.map((row): ExplorerGroup => {
    const population = params.dimension === 'land' && row.key !== '00' ? row.population : germanPopulation;
    const perK = perThousand(row.total, population);
    return {
      key: row.key,
      label: groupLabel(params.dimension, row),
      total: row.total,
      services: row.services,
      sharePercent: grand.total > 0 ? (row.total / grand.total) * 100 : 0,
      perThousand: perK,
      population,
      value: params.mode === 'je1000' ? perK : row.total,
    };
  });
  groups.sort(
    (a, b) =>
      (b.value ?? -1) - (a.value ?? -1) || a.label.localeCompare(b.label, 'de') || a.key.localeCompare(b.key),
  );
  return {
    params,
    total: grand.total,
    services: grand.services,
    months: grand.months,
    groups,
    multiMembership: MULTI_MEMBERSHIP.has(params.dimension),
    populationBasis: params.dimension === 'land' ? 'land' : 'germany',
    germanPopulation,
  };
}
