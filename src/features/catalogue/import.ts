import { regroupServices } from '../../db/rollups/index.js';
import { transactionWithRetry } from '../../db/retry.js';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import { SYSTEM_ACTOR, writeAudit, type Actor } from '../../db/audit.js';
import {
  parseCatalogue,
  type Catalogue,
  type CatalogueError,
  type CatalogueFormat,
  type CatalogueLeika,
  type CatalogueOzg,
} from './format.js';

/** What an import changes, per kind of entry; keys listed in full, counts beside them. */
export interface DiffPart {
  new: string[];
  changed: string[];
  withdrawn: string[];
  unchanged: number;
}

export interface CatalogueDiff {
  leika: DiffPart;
  ozg: DiffPart;
}

export interface CatalogueImportReport {
  /** Set when something was written; null for a dry run or a file with errors. */
  importId: number | null;
  dataAsOf: string | null;
  errors: CatalogueError[];
  diff: CatalogueDiff;
}

export interface CatalogueImportOptions {
  /** Shown on the Stammdaten page, e.g. the file name. */
  source: string;
  format?: CatalogueFormat;
  /** Overrides the file's own `stand`. */
  dataAsOf?: string | null;
  dryRun?: boolean;
  actor?: Actor;
  now?: Date;
}

/** How many keys per list the stored summary keeps; the counts are always complete. */
export const SUMMARY_KEY_LIMIT = 200;

const emptyPart = (): DiffPart => ({ new: [], changed: [], withdrawn: [], unchanged: 0 });

/**
 * Imports a catalogue file all or nothing: a file with any error changes nothing. Entries missing
 * from the file are marked withdrawn (withdrawn_at), never deleted, because online services keep
 * referring to their keys; an entry that reappears is reinstated and counted as changed.
 */
export async function importCatalogue(
  db: Kysely<Database>,
  text: string,
  options: CatalogueImportOptions,
): Promise<CatalogueImportReport> {
  const parsed = parseCatalogue(text, options.format);
  const dataAsOf = options.dataAsOf ?? parsed.catalogue.dataAsOf;
  const errors = [...parsed.errors];
  if (errors.length === 0 && parsed.catalogue.leika.size === 0) {
    errors.push({
      location: 'Datei',
      field: null,
      message: 'Die Datei enthält keine LeiKa-Leistung; ein leerer Katalog würde alle Einträge zurückziehen.',
    });
  }
  const report: CatalogueImportReport = {
    importId: null,
    dataAsOf,
    errors,
    diff: { leika: emptyPart(), ozg: emptyPart() },
  };
  if (errors.length > 0) return report;

  const now = options.now ?? new Date();
  const catalogue = parsed.catalogue;
  // A new Themenfeld moves services' figures between shared group rows (regroupServices): retried
  // as a deadlock victim like every other writer of them.
  await transactionWithRetry(db, async (trx) => {
    // One import at a time: two concurrent runs would each withdraw what the other adds.
    await sql`LOCK TABLE leika_services, ozg_services, ozg_service_leika IN SHARE ROW EXCLUSIVE MODE`.execute(
      trx,
    );
    report.diff = await computeDiff(trx, catalogue);
    if (options.dryRun) return;
    await writeCatalogue(trx, catalogue, report.diff, now);
    const summary = {
      format: options.format ?? null,
      leika: summaryPart(report.diff.leika),
      ozg: summaryPart(report.diff.ozg),
    };
    const row = await trx
      .insertInto('master_data_imports')
      .values({
        kind: 'catalogue',
        source: options.source,
        data_as_of: dataAsOf,
        summary: JSON.stringify(summary),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    report.importId = row.id;
    await writeAudit(trx, options.actor ?? SYSTEM_ACTOR, {
      action: 'catalogue.import',
      entity: 'master_data_import',
      entityId: row.id,
      newValue: { source: options.source, dataAsOf, leika: summary.leika.counts, ozg: summary.ozg.counts },
    });
  });
  return report;
}

function summaryPart(part: DiffPart) {
  return {
    counts: {
      new: part.new.length,
      changed: part.changed.length,
      withdrawn: part.withdrawn.length,
      unchanged: part.unchanged,
    },
    keys: {
      new: part.new.slice(0, SUMMARY_KEY_LIMIT),
      changed: part.changed.slice(0, SUMMARY_KEY_LIMIT),
      withdrawn: part.withdrawn.slice(0, SUMMARY_KEY_LIMIT),
    },
  };
}

const joinKeywords = (k: string[]) => k.join(' | ');

async function computeDiff(trx: Kysely<Database>, catalogue: Catalogue): Promise<CatalogueDiff> {
  const diff: CatalogueDiff = { leika: emptyPart(), ozg: emptyPart() };
  const leikaRows = await trx
    .selectFrom('leika_services')
    .select(['key', 'name', 'typisierung', 'keywords', 'withdrawn_at'])
    .execute();
  const existingLeika = new Map(leikaRows.map((r) => [r.key, r]));
  for (const l of catalogue.leika.values()) {
    const old = existingLeika.get(l.key);
    if (!old) diff.leika.new.push(l.key);
    else if (
      old.withdrawn_at !== null ||
      old.name !== l.name ||
      old.typisierung !== l.typisierung ||
      old.keywords !== joinKeywords(l.keywords)
    ) {
      diff.leika.changed.push(l.key);
    } else diff.leika.unchanged++;
  }
  for (const old of leikaRows) {
    if (old.withdrawn_at === null && !catalogue.leika.has(old.key)) diff.leika.withdrawn.push(old.key);
  }

  const ozgRows = await trx
    .selectFrom('ozg_services')
    .select(['id', 'name', 'themenfeld', 'lebenslage', 'keywords', 'withdrawn_at'])
    .execute();
  const links = await trx.selectFrom('ozg_service_leika').select(['ozg_id', 'leika_key']).execute();
  const linksOf = new Map<string, Set<string>>();
  for (const link of links) {
    if (!linksOf.has(link.ozg_id)) linksOf.set(link.ozg_id, new Set());
    linksOf.get(link.ozg_id)!.add(link.leika_key);
  }
  const existingOzg = new Map(ozgRows.map((r) => [r.id, r]));
  for (const o of catalogue.ozg.values()) {
    const old = existingOzg.get(o.id);
    const oldLinks = linksOf.get(o.id) ?? new Set<string>();
    if (!old) diff.ozg.new.push(o.id);
    else if (
      old.withdrawn_at !== null ||
      old.name !== o.name ||
      old.themenfeld !== o.themenfeld ||
      old.lebenslage !== o.lebenslage ||
      old.keywords !== joinKeywords(o.keywords) ||
      oldLinks.size !== o.leikaKeys.length ||
      o.leikaKeys.some((k) => !oldLinks.has(k))
    ) {
      diff.ozg.changed.push(o.id);
    } else diff.ozg.unchanged++;
  }
  for (const old of ozgRows) {
    if (old.withdrawn_at === null && !catalogue.ozg.has(old.id)) diff.ozg.withdrawn.push(old.id);
  }
  for (const part of [diff.leika, diff.ozg]) {
    part.new.sort();
    part.changed.sort();
    part.withdrawn.sort();
  }
  return diff;
}

/** Rows per INSERT, well below the 65,535 parameters of the PostgreSQL protocol. */
const CHUNK = 1000;

/** The rows an import writes: a service the file names is current, even if it had been withdrawn. */
const leikaRow = (l: CatalogueLeika, now: Date) => ({
  key: l.key,
  name: l.name,
  typisierung: l.typisierung,
  keywords: joinKeywords(l.keywords),
  withdrawn_at: null,
  updated_at: now,
});
const ozgRow = (o: CatalogueOzg, now: Date) => ({
  id: o.id,
  name: o.name,
  themenfeld: o.themenfeld,
  lebenslage: o.lebenslage,
  keywords: joinKeywords(o.keywords),
  withdrawn_at: null,
  updated_at: now,
});

/**
 * ON CONFLICT (key) DO UPDATE SET: every other column of the row takes the value the INSERT proposed,
 * so the update writes what the insert would (the row builders above are the one list of columns).
 */
function takeInserted<R extends object, K extends keyof R>(
  row: R,
  key: K,
): Record<Exclude<keyof R, K> & string, RawBuilder<never>> {
  const columns = Object.keys(row).filter((c) => c !== key);
  return Object.fromEntries(columns.map((c) => [c, sql.ref<never>(`excluded.${c}`)])) as Record<
    Exclude<keyof R, K> & string,
    RawBuilder<never>
  >;
}

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) result.push(items.slice(i, i + CHUNK));
  return result;
}

async function writeCatalogue(
  trx: Kysely<Database>,
  catalogue: Catalogue,
  diff: CatalogueDiff,
  now: Date,
): Promise<void> {
  const leikaWrites = [...diff.leika.new, ...diff.leika.changed].map((key) => catalogue.leika.get(key)!);
  for (const rows of chunks(leikaWrites.map((l) => leikaRow(l, now)))) {
    await trx
      .insertInto('leika_services')
      .values(rows)
      .onConflict((oc) => oc.column('key').doUpdateSet(takeInserted(rows[0]!, 'key')))
      .execute();
  }

  const ozgWrites = [...diff.ozg.new, ...diff.ozg.changed].map((id) => catalogue.ozg.get(id)!);
  // A new Themenfeld moves the linked online services to another group of the explorer's roll-up.
  const stored = diff.ozg.changed.length
    ? await trx
        .selectFrom('ozg_services')
        .select(['id', 'themenfeld'])
        .where('id', 'in', diff.ozg.changed)
        .execute()
    : [];
  const regrouped = stored
    .filter((o) => o.themenfeld !== catalogue.ozg.get(o.id)!.themenfeld)
    .map((o) => o.id);
  const regroupedServices = regrouped.length
    ? (
        await trx
          .selectFrom('online_service_ozg')
          .select('service_id')
          .where('ozg_id', 'in', regrouped)
          .execute()
      ).map((r) => r.service_id)
    : [];
  await regroupServices(trx, regroupedServices, async () => {
    for (const rows of chunks(ozgWrites.map((o) => ozgRow(o, now)))) {
      await trx
        .insertInto('ozg_services')
        .values(rows)
        .onConflict((oc) => oc.column('id').doUpdateSet(takeInserted(rows[0]!, 'id')))
        .execute();
    }
  });
  // What the file no longer names stays, marked withdrawn: online services may still be linked to it.
  const withdrawn = { withdrawn_at: now, updated_at: now };
  for (const batch of chunks(diff.leika.withdrawn)) {
    await trx.updateTable('leika_services').set(withdrawn).where('key', 'in', batch).execute();
  }
  for (const batch of chunks(diff.ozg.withdrawn)) {
    await trx.updateTable('ozg_services').set(withdrawn).where('id', 'in', batch).execute();
  }

  // Links of the written OZG services become what the file says; a withdrawn OZG service keeps its
  // links, so the history of what it bundled stays readable.
  for (const batch of chunks(ozgWrites)) {
    await trx
      .deleteFrom('ozg_service_leika')
      .where(
        'ozg_id',
        'in',
        batch.map((o) => o.id),
      )
      .execute();
    const links = batch.flatMap((o) => o.leikaKeys.map((k) => ({ ozg_id: o.id, leika_key: k })));
    for (const linkBatch of chunks(links)) {
      await trx.insertInto('ozg_service_leika').values(linkBatch).execute();
    }
  }
}

export interface StoredImport {
  id: number;
  kind: 'regions' | 'catalogue';
  source: string;
  dataAsOf: string | null;
  importedAt: Date;
  summary: Record<string, unknown>;
}

/** Every master data import, newest first. */
export async function listMasterDataImports(db: Kysely<Database>, limit = 100): Promise<StoredImport[]> {
  const rows = await db
    .selectFrom('master_data_imports')
    .select(['id', 'kind', 'source', 'data_as_of', 'imported_at', 'summary'])
    .orderBy('imported_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    source: r.source,
    dataAsOf: r.data_as_of,
    importedAt: r.imported_at,
    summary: r.summary,
  }));
}
