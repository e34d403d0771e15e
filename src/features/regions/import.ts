import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { SYSTEM_ACTOR, writeAudit } from '../../db/audit.js';
import { mergeSharedArs, parseGv100ad, type Gv100Error } from './gv100ad.js';
import { regionIndex } from './repository.js';

export interface RegionImportReport {
  referenceDate: string | null;
  created: number;
  updated: number;
  unchanged: number;
  errors: Gv100Error[];
}

const LEVEL_ORDER = ['land', 'regierungsbezirk', 'kreis', 'gemeindeverband', 'gemeinde'] as const;

/**
 * Imports the Federal Statistical Office's municipality directory (GV100AD). Upserts by ARS, parents
 * before children; regions no longer in the file are kept, since counts may refer to them. Nothing is
 * written when the file has malformed lines.
 */
export async function importGv100ad(
  db: Kysely<Database>,
  text: string,
  source: string,
): Promise<RegionImportReport> {
  const parsed = parseGv100ad(text);
  const report: RegionImportReport = {
    referenceDate: parsed.referenceDate,
    created: 0,
    updated: 0,
    unchanged: 0,
    errors: parsed.errors,
  };
  if (parsed.errors.length > 0) return report;
  const records = mergeSharedArs(parsed.records).sort(
    (a, b) => LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level),
  );
  await db.transaction().execute(async (trx) => {
    for (const r of records) {
      const result = await sql<{ inserted: boolean }>`
        INSERT INTO regions AS g (ars, name, level, is_kreis, is_gemeinde, parent_ars, kind, population, valid_from, source)
        VALUES (${r.ars}, ${r.name}, ${r.level}, ${r.levels.includes('kreis') && r.level !== 'kreis'},
                ${r.levels.includes('gemeinde') && r.level !== 'gemeinde'}, ${r.parentArs}, ${r.kind},
                ${r.population}, ${r.validFrom}, ${source})
        ON CONFLICT (ars) DO UPDATE SET
          name = excluded.name, kind = coalesce(excluded.kind, g.kind), parent_ars = excluded.parent_ars,
          population = coalesce(excluded.population, g.population), valid_from = excluded.valid_from,
          is_kreis = g.is_kreis OR excluded.is_kreis, is_gemeinde = g.is_gemeinde OR excluded.is_gemeinde,
          source = excluded.source, updated_at = now()
        WHERE (g.name, g.kind, g.parent_ars, g.population, g.is_kreis, g.is_gemeinde) IS DISTINCT FROM
              (excluded.name, coalesce(excluded.kind, g.kind), excluded.parent_ars,
               coalesce(excluded.population, g.population), g.is_kreis OR excluded.is_kreis,
               g.is_gemeinde OR excluded.is_gemeinde)
        RETURNING (xmax = 0) AS inserted`.execute(trx);
      const row = result.rows[0];
      if (!row) report.unchanged++;
      else if (row.inserted) report.created++;
      else report.updated++;
    }
    await trx
      .insertInto('master_data_imports')
      .values({
        kind: 'regions',
        source,
        data_as_of: parsed.referenceDate,
        summary: JSON.stringify({
          created: report.created,
          updated: report.updated,
          unchanged: report.unchanged,
        }),
      })
      .execute();
    await writeAudit(trx, SYSTEM_ACTOR, {
      action: 'regions.import',
      entity: 'regions',
      entityId: source,
      newValue: { referenceDate: report.referenceDate, created: report.created, updated: report.updated },
    });
  });
  regionIndex.invalidate();
  return report;
}
