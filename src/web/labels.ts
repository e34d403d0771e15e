import { formatMonthShortDe } from '../domain/months.js';
import type { Granularity, ServiceType } from '../domain/vocabulary.js';

export const GRANULARITY_LABEL: Record<Granularity, string> = {
  bund: 'bundesweit',
  land: 'je Land',
  kreis: 'je Kreis',
  gemeinde: 'je Gemeinde',
};

export const SERVICE_TYPE_LABEL: Record<ServiceType, string> = {
  '1': 'Typ 1',
  '2/3': 'Typ 2/3',
  '4': 'Typ 4',
  '5': 'Typ 5',
};

/** '2024-04' -> '04/2024', the form German reports use. */
export const monthLabel = (m: string | null): string => (m ? formatMonthShortDe(m) : '–');

/**
 * The answer under a heading „überfällig“ (assessCompleteness): 'seit 09/2026', 'nein', or for a
 * service that never delivered, which has no month to name, 'ja, noch keine Lieferung'.
 */
export const overdueLabel = (c: { overdue: boolean; overdueSince: string | null }): string =>
  !c.overdue ? 'nein' : c.overdueSince ? `seit ${monthLabel(c.overdueSince)}` : 'ja, noch keine Lieferung';
