import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import { granularityOf, NATIONWIDE_ARS } from '../../domain/ars.js';
import type { Database, RegionsTable } from '../../db/schema.js';
import type { Insertable } from 'kysely';
import { GRANULARITIES, type Granularity } from '../../domain/vocabulary.js';
import { PROJECT_DIR } from '../../paths.js';

export const MASTERDATA_DIR = path.join(PROJECT_DIR, 'masterdata');

type NewRegion = Insertable<RegionsTable>;

async function readCsv(file: string): Promise<Record<string, string>[]> {
  const text = await fs.readFile(path.join(MASTERDATA_DIR, file), 'utf8');
  return parse(text, { columns: true, delimiter: ';', bom: true, skip_empty_lines: true, trim: true });
}

/** The shipped regions: nationwide, the 16 Länder (with population) and the Kreise. */
export async function shippedRegions(): Promise<NewRegion[]> {
  const laender = await readCsv('laender.csv');
  const population = new Map(
    (await readCsv('bevoelkerung-laender.csv')).map((r) => [r.ars, Number(r.einwohner)]),
  );
  const kreise = await readCsv('kreise.csv');
  const landArs = new Set(laender.map((l) => l.ars));
  const regions: NewRegion[] = [
    {
      ars: NATIONWIDE_ARS,
      name: 'Deutschland',
      level: 'bund',
      parent_ars: null,
      kind: null,
      population: population.get(NATIONWIDE_ARS) ?? null,
      valid_from: null,
      source: 'ZSK',
    },
  ];
  for (const l of laender) {
    regions.push({
      ars: l.ars!,
      name: l.name!,
      level: 'land',
      // Berlin and Hamburg are Land and kreisfreie Stadt under one key.
      is_kreis: kreise.some((k) => k.ars === l.ars),
      is_gemeinde: kreise.some((k) => k.ars === l.ars),
      parent_ars: NATIONWIDE_ARS,
      kind: null,
      population: population.get(l.ars) ?? null,
      valid_from: null,
      source: 'Destatis (Länder), Bevölkerung 31.12.2024',
    });
  }
  for (const k of kreise) {
    if (landArs.has(k.ars)) continue;
    regions.push({
      ars: k.ars!,
      name: k.name!,
      level: 'kreis',
      // A kreisfreie Stadt is also a Gemeinde under the same key.
      is_gemeinde: k.kind === 'Kreisfreie Stadt' || k.kind === 'Stadtkreis',
      parent_ars: `${k.land}0000000000`,
      kind: k.kind || null,
      population: null,
      valid_from: null,
      source: 'landkreise-deutschland (Destatis, 31.12.2018, Gebietsstand fortgeschrieben)',
    });
  }
  return regions;
}

/** Loads the shipped regions into an empty regions table (first start); returns how many were added. */
export async function ensureShippedRegions(db: Kysely<Database>): Promise<number> {
  const existing = await db
    .selectFrom('regions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  if (Number(existing?.n ?? 0) > 0) return 0;
  const regions = await shippedRegions();
  await db.transaction().execute(async (trx) => {
    // Parents first: nationwide, Länder, then Kreise.
    for (const level of ['bund', 'land', 'kreis'] as const) {
      const batch = regions.filter((r) => r.level === level);
      if (batch.length) await trx.insertInto('regions').values(batch).execute();
    }
  });
  regionIndex.invalidate();
  return regions.length;
}

/**
 * Which ARS exist at which reporting granularity. Validation asks this for every row of a delivery,
 * so it is held in memory per database and reloaded after a region import, or after a minute at most
 * (imports made by another instance).
 */
export interface RegionSets {
  byGranularity: Map<Granularity, Set<string>>;
  all: Set<string>;
}

class RegionIndex {
  private static readonly TTL_MS = 60_000;
  private readonly loaded = new WeakMap<Kysely<Database>, { at: number; sets: RegionSets }>();
  private generation = 0;
  private readonly loadedGeneration = new WeakMap<Kysely<Database>, number>();

  invalidate(): void {
    this.generation++;
  }

  async get(db: Kysely<Database>): Promise<RegionSets> {
    const cached = this.loaded.get(db);
    if (
      cached &&
      this.loadedGeneration.get(db) === this.generation &&
      Date.now() - cached.at < RegionIndex.TTL_MS
    ) {
      return cached.sets;
    }
    const rows = await db.selectFrom('regions').select(['ars', 'level', 'is_kreis', 'is_gemeinde']).execute();
    const byGranularity = new Map<Granularity, Set<string>>(GRANULARITIES.map((g) => [g, new Set<string>()]));
    for (const r of rows) {
      const g = granularityOf(r.ars);
      if (g && r.level === g) byGranularity.get(g)!.add(r.ars);
      if (r.is_kreis) byGranularity.get('kreis')!.add(r.ars);
      if (r.is_gemeinde) byGranularity.get('gemeinde')!.add(r.ars);
    }
    const sets = { byGranularity, all: new Set(rows.map((r) => r.ars)) };
    this.loaded.set(db, { at: Date.now(), sets });
    this.loadedGeneration.set(db, this.generation);
    return sets;
  }
}

export const regionIndex = new RegionIndex();
