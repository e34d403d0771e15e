import type { Kysely } from 'kysely';
import type { RowError } from '../../domain/counts.js';
import { addMonths, monthRange, monthToDate } from '../../domain/months.js';
import type { Database } from '../../db/schema.js';
import { ingestDelivery, type DeliverySummary, type IncomingRow } from './ingest.js';
import { regionsOf } from './upload.js';
import type { Granularity } from '../../domain/vocabulary.js';

/** Months shown side by side: the chosen one and the two before, so late corrections fit on one page. */
export const GRID_MONTHS = 3;
/** Beyond this many regions (Gemeinden) the form is no help; the upload is. */
export const GRID_MAX_REGIONS = 600;

export interface Grid {
  months: string[];
  regions: { ars: string; name: string }[];
  /** `${month}/${ars}` -> stored count */
  stored: Map<string, number>;
}

export const cellName = (month: string, ars: string) => `z_${month}_${ars}`;
const CELL = /^z_(\d{4}-\d{2})_(\d{12})$/;

export async function loadGrid(
  db: Kysely<Database>,
  serviceId: number,
  granularity: Granularity,
  month: string,
): Promise<Grid> {
  const months = monthRange(addMonths(month, -(GRID_MONTHS - 1)), month);
  const regions = await regionsOf(db, granularity);
  const counts = await db
    .selectFrom('counts')
    .select(['month', 'ars', 'count'])
    .where('service_id', '=', serviceId)
    .where('month', 'in', months.map(monthToDate))
    .execute();
  return {
    months,
    regions,
    stored: new Map(counts.map((c) => [`${c.month.slice(0, 7)}/${c.ars}`, c.count])),
  };
}

export type EntryResult =
  | { kind: 'nothing' }
  | { kind: 'invalid'; errors: Map<string, RowError> }
  | { kind: 'saved'; summary: DeliverySummary };

/**
 * The filled cells of the grid as one delivery (channel 'form'). Empty cells and cells showing the
 * stored value are left out, so the delivery holds what the person changed. A dry run first: with any
 * invalid cell nothing is stored, not even a rejected delivery, since the person corrects it right away.
 */
export async function saveGrid(
  db: Kysely<Database>,
  userId: number,
  serviceId: number,
  grid: Grid,
  body: Record<string, unknown>,
): Promise<EntryResult> {
  const cells: string[] = [];
  const rows: IncomingRow[] = [];
  const months = new Set(grid.months);
  const regions = new Set(grid.regions.map((r) => r.ars));
  for (const [name, raw] of Object.entries(body)) {
    const m = CELL.exec(name);
    if (!m || typeof raw !== 'string' || !months.has(m[1]!) || !regions.has(m[2]!)) continue;
    const value = raw.trim();
    if (value === '' || value === String(grid.stored.get(`${m[1]}/${m[2]}`))) continue;
    cells.push(name);
    rows.push({ month: m[1], ars: m[2], count: value });
  }
  if (rows.length === 0) return { kind: 'nothing' };
  const request = {
    channel: 'form' as const,
    actor: { userId, tokenId: null },
    target: { kind: 'service' as const, serviceId },
    rows,
    firstRowNumber: 0,
  };
  const check = await ingestDelivery(db, { ...request, dryRun: true });
  if (check.errors.length > 0) {
    return { kind: 'invalid', errors: new Map(check.errors.map((e) => [cells[e.row]!, e])) };
  }
  return { kind: 'saved', summary: await ingestDelivery(db, request) };
}
