/**
 * The words of the service register, each list written once: the database's check constraints, the
 * forms, the API schemas and the reports take their values from here, and the types follow the lists.
 */

/** The levels a service can report at, coarse to fine; Regierungsbezirk and Gemeindeverband are only way points. */
export const GRANULARITIES = ['bund', 'land', 'kreis', 'gemeinde'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Service types of the OZG maturity model; 2 and 3 are one type in the federal reports. */
export const SERVICE_TYPES = ['1', '2/3', '4', '5'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** Built once for all (Einer für Alle) or by the authority itself. */
export const BUILD_MODES = ['efa', 'own'] as const;
export type BuildMode = (typeof BUILD_MODES)[number];

/** Priority groups of the federal reports; every service belongs to exactly one, in this order. */
export type PriorityGroup = 'focus' | 'type1' | 'type23' | 'type45';

export const PRIORITY_GROUPS: readonly { key: PriorityGroup; label: string }[] = [
  { key: 'focus', label: 'Fokusleistungen' },
  { key: 'type1', label: 'Typ 1' },
  { key: 'type23', label: 'Typ 2/3' },
  { key: 'type45', label: 'Typ 4/5' },
];

export function priorityGroup(service: { isFocus: boolean; serviceType: ServiceType }): PriorityGroup {
  if (service.isFocus) return 'focus';
  if (service.serviceType === '1') return 'type1';
  if (service.serviceType === '2/3') return 'type23';
  return 'type45';
}
