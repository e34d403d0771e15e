/**
 * The roll-ups: tables derived from counts (and the catalogue) that answer the dashboard questions
 * without reading counts. maintain.ts keeps them current in the write path, rebuild.ts recomputes each
 * from its source (bulk loads, repairs, and the oracle in test/db/rollups.test.ts), period-sums.ts
 * answers questions about a period from them. docs/architecture.md shows which table answers what.
 */
export {
  deleteCounts,
  lockServices,
  regroupServices,
  upsertCounts,
  type StoredCount,
  type UpsertSummary,
} from './maintain.js';
export { rebuildGroupRollups, rebuildRollups } from './rebuild.js';
export { ensureRecentWindowIndex, keepRecentWindowIndex, nextCheckIn } from './recent-window.js';
export {
  countServicesWithData,
  dataMonths,
  listDataYears,
  rankByTotal,
  periodForAllServices,
  periodWithinData,
  servicePeriodSums,
  servicePeriodTotals,
  servicesByTotal,
  singleYear,
  type RankedService,
  type SumPeriod,
} from './period-sums.js';
