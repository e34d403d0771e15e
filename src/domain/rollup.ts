/** Sums of counts along the region hierarchy and over time. */
import { arsLevel, isCoarserLevel, mayDenote, truncateArs } from './ars.js';
import type { Granularity } from './vocabulary.js';

/**
 * Adds up finer regions into the regions of `to`. A row coarser than `to` cannot be split, so it is
 * a caller error; keys that also name the finer level (Berlin and Hamburg as Kreis, a kreisfreie
 * Stadt as Gemeinde) pass through unchanged. Keys come out in ascending order.
 */
export function rollUp(rows: { ars: string; count: number }[], to: Granularity): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { ars, count } of rows) {
    if (isCoarserLevel(arsLevel(ars), to) && !mayDenote(ars, to)) {
      throw new RangeError(`Cannot roll ${ars} (${arsLevel(ars)}) up to the finer level ${to}`);
    }
    const key = truncateArs(ars, to);
    sums.set(key, (sums.get(key) ?? 0) + count);
  }
  return sortedByKey(sums);
}

/** Months come out in chronological order. */
export function totalsByMonth(rows: { month: string; count: number }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { month, count } of rows) sums.set(month, (sums.get(month) ?? 0) + count);
  return sortedByKey(sums);
}

// Both ARS and 'YYYY-MM' keys have a fixed width, so text order is numeric and chronological order.
function sortedByKey(map: Map<string, number>): Map<string, number> {
  return new Map([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
