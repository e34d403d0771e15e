import { transactionWithRetry } from '../../db/retry.js';
import { hasControlCharacter, singleLineProblem } from '../../domain/text.js';
import { sql, type Kysely } from 'kysely';
import type { Actor } from '../../db/audit.js';
import { writeAudit } from '../../db/audit.js';
import { lockServices, regroupServices } from '../../db/rollups/index.js';
import type { Database } from '../../db/schema.js';
import type { FieldErrors } from '../../web/form.js';
import {
  BUILD_MODES,
  GRANULARITIES,
  SERVICE_TYPES,
  type BuildMode,
  type Granularity,
  type ServiceType,
} from '../../domain/vocabulary.js';

/** The master data of an online service as the form shows and sends it (all text). */
export interface ServiceForm {
  name: string;
  url: string;
  /** '' (none), an authority id, or 'neu' with authorityName. */
  authorityId: string;
  authorityName: string;
  serviceType: string;
  buildMode: string;
  isFocus: boolean;
  granularity: string;
  description: string;
  /** LeiKa keys and OZG ids separated by commas, blanks or lines. */
  leika: string;
  ozg: string;
}

export interface ServiceMasterData {
  name: string;
  url: string | null;
  authorityId: number | null;
  newAuthority: string | null;
  serviceType: ServiceType;
  buildMode: BuildMode;
  isFocus: boolean;
  granularity: Granularity;
  description: string | null;
  leika: string[];
  ozg: string[];
}

export const NEW_AUTHORITY = 'neu';

const LEIKA = /^[0-9]{14}$/;
// OZG ids of the information platform look like "10054" or "OZG-10054"; anything short and plain.
const OZG_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

export const emptyServiceForm = (): ServiceForm => ({
  name: '',
  url: '',
  authorityId: '',
  authorityName: '',
  serviceType: '',
  buildMode: '',
  isFocus: false,
  granularity: '',
  description: '',
  leika: '',
  ozg: '',
});

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** The posted fields of the form (urlencoded body), whatever else came along. */
export function readServiceForm(body: unknown): ServiceForm {
  const b = (body ?? {}) as Record<string, unknown>;
  return {
    name: text(b.name),
    url: text(b.url),
    authorityId: text(b.authorityId),
    authorityName: text(b.authorityName),
    serviceType: text(b.serviceType),
    buildMode: text(b.buildMode),
    isFocus: b.isFocus === 'ja',
    granularity: text(b.granularity),
    description: text(b.description),
    leika: text(b.leika),
    ozg: text(b.ozg),
  };
}

const splitKeys = (value: string): string[] => [...new Set(value.split(/[\s,;]+/).filter(Boolean))];

/**
 * One rule broken by a field of the master data, with a stable code and an English message for API
 * clients; the form shows the German message beside the field.
 */
export interface ServiceProblem {
  field: keyof ServiceForm;
  code: string;
  message: string;
  messageEn: string;
}

/** Checks the form against the rules and the catalogue; every problem at once, per field. */
export async function validateServiceForm(
  db: Kysely<Database>,
  form: ServiceForm,
): Promise<{ data: ServiceMasterData } | { errors: FieldErrors }> {
  const result = await checkServiceForm(db, form);
  if ('data' in result) return result;
  return { errors: Object.fromEntries(result.problems.map((p) => [p.field, p.message])) };
}

/**
 * The rules of a service's master data, for the form and the API alike (one definition). At most
 * one problem per field, as the form shows one message per field.
 */
export async function checkServiceForm(
  db: Kysely<Database>,
  form: ServiceForm,
): Promise<{ data: ServiceMasterData } | { problems: ServiceProblem[] }> {
  const problems: ServiceProblem[] = [];
  const problem = (field: keyof ServiceForm, code: string, message: string, messageEn: string) =>
    problems.push({ field, code, message, messageEn });
  if (!form.name)
    problem(
      'name',
      'name_missing',
      'Bitte geben Sie den Namen des Onlinedienstes an.',
      'The name is missing.',
    );
  else if (form.name.length > 200)
    problem(
      'name',
      'name_too_long',
      'Der Name darf höchstens 200 Zeichen lang sein.',
      'The name may have at most 200 characters.',
    );
  else if (hasControlCharacter(form.name))
    problem(
      'name',
      'name_control_character',
      singleLineProblem(form.name, 'Der Name')!,
      'The name may not contain line breaks, tabs or other control characters.',
    );
  if (form.url) {
    let ok = false;
    try {
      const u = new URL(form.url);
      ok = u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      ok = false;
    }
    // The URL parser silently drops tabs and line breaks; the stored text would keep them.
    if (!ok || hasControlCharacter(form.url))
      problem(
        'url',
        'url_invalid',
        'Bitte geben Sie eine vollständige Adresse an, z. B. https://dienst.example.de.',
        'The URL must be a complete http(s) address, e.g. https://dienst.example.de.',
      );
  }
  let authorityId: number | null = null;
  let newAuthority: string | null = null;
  if (form.authorityId === NEW_AUTHORITY) {
    if (!form.authorityName)
      problem(
        'authorityName',
        'authority_missing',
        'Bitte geben Sie den Namen der neuen Behörde an.',
        'The name of the new authority is missing.',
      );
    else if (form.authorityName.length > 200)
      problem(
        'authorityName',
        'authority_too_long',
        'Der Name der Behörde darf höchstens 200 Zeichen lang sein.',
        'The authority name may have at most 200 characters.',
      );
    else if (hasControlCharacter(form.authorityName))
      problem(
        'authorityName',
        'authority_control_character',
        singleLineProblem(form.authorityName, 'Der Name der Behörde')!,
        'The authority name may not contain line breaks, tabs or other control characters.',
      );
    else newAuthority = form.authorityName;
  } else if (form.authorityId) {
    const id = /^[1-9][0-9]{0,8}$/.test(form.authorityId) ? Number(form.authorityId) : 0;
    const found = id
      ? await db.selectFrom('authorities').select('id').where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!found)
      problem(
        'authorityId',
        'authority_unknown',
        'Diese Behörde gibt es nicht; bitte wählen Sie eine aus der Liste.',
        'There is no such authority.',
      );
    else authorityId = found.id;
  }
  if (!SERVICE_TYPES.includes(form.serviceType as ServiceType))
    problem(
      'serviceType',
      'type_invalid',
      'Bitte wählen Sie den Typ des Onlinedienstes.',
      `The type must be one of ${SERVICE_TYPES.join(', ')}.`,
    );
  if (!BUILD_MODES.includes(form.buildMode as BuildMode))
    problem(
      'buildMode',
      'build_mode_invalid',
      'Bitte geben Sie an, ob der Dienst ein EfA-Dienst oder eine Eigenentwicklung ist.',
      `The build mode must be one of ${BUILD_MODES.join(', ')}.`,
    );
  if (!GRANULARITIES.includes(form.granularity as Granularity))
    problem(
      'granularity',
      'granularity_invalid',
      'Bitte wählen Sie die Granularität der Daten.',
      `The granularity must be one of ${GRANULARITIES.join(', ')}.`,
    );
  if (form.description.length > 4000)
    problem(
      'description',
      'description_too_long',
      'Die Beschreibung darf höchstens 4.000 Zeichen lang sein.',
      'The description may have at most 4,000 characters.',
    );

  const leika = splitKeys(form.leika);
  const badLeika = leika.filter((k) => !LEIKA.test(k));
  if (badLeika.length) {
    problem(
      'leika',
      'leika_invalid',
      `Ein LeiKa-Schlüssel hat genau 14 Ziffern; nicht gültig: ${badLeika.join(', ')}.`,
      `A LeiKa key has exactly 14 digits; invalid: ${badLeika.join(', ')}.`,
    );
  } else if (leika.length) {
    const unknown = await unknownKeys(db, 'leika_services', 'key', leika);
    if (unknown.length)
      problem(
        'leika',
        'leika_unknown',
        `Diese LeiKa-Schlüssel stehen nicht im Leistungskatalog: ${unknown.join(', ')}.`,
        `These LeiKa keys are not in the catalogue: ${unknown.join(', ')}.`,
      );
  }
  const ozg = splitKeys(form.ozg);
  const badOzg = ozg.filter((k) => !OZG_ID.test(k));
  if (badOzg.length) {
    problem(
      'ozg',
      'ozg_invalid',
      `Diese OZG-Kennungen sind nicht gültig: ${badOzg.join(', ')}.`,
      `These OZG ids are invalid: ${badOzg.join(', ')}.`,
    );
  } else if (ozg.length) {
    const unknown = await unknownKeys(db, 'ozg_services', 'id', ozg);
    if (unknown.length)
      problem(
        'ozg',
        'ozg_unknown',
        `Diese OZG-Leistungen stehen nicht im Katalog: ${unknown.join(', ')}.`,
        `These OZG services are not in the catalogue: ${unknown.join(', ')}.`,
      );
  }
  if (problems.length) return { problems };
  return {
    data: {
      name: form.name,
      url: form.url || null,
      authorityId,
      newAuthority,
      serviceType: form.serviceType as ServiceType,
      buildMode: form.buildMode as BuildMode,
      isFocus: form.isFocus,
      granularity: form.granularity as Granularity,
      description: form.description || null,
      leika: leika.sort(),
      ozg: ozg.sort(),
    },
  };
}

/**
 * Keys not in the catalogue table. Until a catalogue has been imported, every well-formed key is
 * accepted, so services can be connected before the first import. "Imported" is the import's own
 * record, not rows in the table: the placeholders of ensureCatalogueRows would otherwise make the
 * second service with a new key fail.
 */
async function unknownKeys(
  db: Kysely<Database>,
  table: 'leika_services' | 'ozg_services',
  column: 'key' | 'id',
  keys: string[],
): Promise<string[]> {
  const imported = await db
    .selectFrom('master_data_imports')
    .select('id')
    .where('kind', '=', 'catalogue')
    .limit(1)
    .executeTakeFirst();
  if (!imported) return [];
  const found = await sql<{ k: string }>`
    SELECT ${sql.ref(column)} AS k FROM ${sql.table(table)} WHERE ${sql.ref(column)} IN (${sql.join(keys)})`.execute(
    db,
  );
  const known = new Set(found.rows.map((r) => r.k));
  return keys.filter((k) => !known.has(k));
}

/**
 * The link tables reference the catalogue. Before the first catalogue import a key has no row there
 * yet: a placeholder named by its key keeps the link; the import fills in the real name.
 */
async function ensureCatalogueRows(trx: Kysely<Database>, data: ServiceMasterData): Promise<void> {
  if (data.leika.length) {
    await trx
      .insertInto('leika_services')
      .values(
        data.leika.map((key) => ({ key, name: `LeiKa ${key} (noch nicht im Katalog)`, typisierung: null })),
      )
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
  }
  if (data.ozg.length) {
    await trx
      .insertInto('ozg_services')
      .values(
        data.ozg.map((id) => ({
          id,
          name: `OZG ${id} (noch nicht im Katalog)`,
          themenfeld: null,
          lebenslage: null,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

async function resolveAuthority(
  trx: Kysely<Database>,
  actor: Actor,
  data: ServiceMasterData,
): Promise<number | null> {
  if (!data.newAuthority) return data.authorityId;
  const existing = await trx
    .selectFrom('authorities')
    .select('id')
    .where(sql<string>`lower(name)`, '=', data.newAuthority.toLowerCase())
    .executeTakeFirst();
  if (existing) return existing.id;
  const created = await trx
    .insertInto('authorities')
    .values({ name: data.newAuthority, land: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'create',
    entity: 'authority',
    entityId: created.id,
    newValue: { name: data.newAuthority },
  });
  return created.id;
}

async function replaceLinks(
  trx: Kysely<Database>,
  serviceId: number,
  data: ServiceMasterData,
): Promise<void> {
  await ensureCatalogueRows(trx, data);
  await trx.deleteFrom('online_service_leika').where('service_id', '=', serviceId).execute();
  await trx.deleteFrom('online_service_ozg').where('service_id', '=', serviceId).execute();
  if (data.leika.length)
    await trx
      .insertInto('online_service_leika')
      .values(data.leika.map((leika_key) => ({ service_id: serviceId, leika_key })))
      .execute();
  if (data.ozg.length)
    await trx
      .insertInto('online_service_ozg')
      .values(data.ozg.map((ozg_id) => ({ service_id: serviceId, ozg_id })))
      .execute();
}

/** Master data that decide the groups of the explorer's roll-up (view service_groups). */
const GROUPING_FIELDS: ReadonlySet<keyof AuditedService> = new Set<keyof AuditedService>([
  'serviceType',
  'isFocus',
  'authorityId',
  'ozg',
]);

/** What the audit log records of a service: its master data with the authority by id. */
export type AuditedService = Omit<ServiceMasterData, 'newAuthority'>;

const audited = (data: ServiceMasterData, authorityId: number | null): AuditedService => ({
  name: data.name,
  url: data.url,
  authorityId,
  serviceType: data.serviceType,
  buildMode: data.buildMode,
  isFocus: data.isFocus,
  granularity: data.granularity,
  description: data.description,
  leika: data.leika,
  ozg: data.ozg,
});

/** The columns of online_services that the master-data form sets. */
const serviceColumns = (data: ServiceMasterData, authorityId: number | null) => ({
  name: data.name,
  url: data.url,
  authority_id: authorityId,
  service_type: data.serviceType,
  build_mode: data.buildMode,
  is_focus: data.isFocus,
  granularity: data.granularity,
  description: data.description,
});

/** Creates the service and makes its creator its manager, with the audit, in one transaction. */
export async function createService(
  db: Kysely<Database>,
  userId: number,
  data: ServiceMasterData,
): Promise<number> {
  const actor: Actor = { userId, tokenId: null };
  return db.transaction().execute(async (trx) => {
    const serviceId = await insertService(trx, actor, data);
    await trx
      .insertInto('memberships')
      .values({ user_id: userId, service_id: serviceId, role: 'service_manager', granted_by: userId })
      .execute();
    await writeAudit(trx, actor, {
      action: 'grant',
      entity: 'membership',
      entityId: `${userId}/service/${serviceId}`,
      newValue: { userId, serviceId, role: 'service_manager' },
    });
    return serviceId;
  });
}

/**
 * Inserts a service with its links and the audit record, inside the caller's transaction: the form
 * adds its creator as manager, the portal API the portal (src/features/services/bulk.ts).
 */
export async function insertService(
  trx: Kysely<Database>,
  actor: Actor,
  data: ServiceMasterData,
): Promise<number> {
  const authorityId = await resolveAuthority(trx, actor, data);
  const service = await trx
    .insertInto('online_services')
    .values({ ...serviceColumns(data, authorityId), created_by: actor.userId })
    .returning('id')
    .executeTakeFirstOrThrow();
  await replaceLinks(trx, service.id, data);
  await writeAudit(trx, actor, {
    action: 'create',
    entity: 'online_service',
    entityId: service.id,
    newValue: audited(data, authorityId),
  });
  return service.id;
}

/** The stored master data of a service, as the form shows it; null when there is no such service. */
export async function loadServiceForm(
  db: Kysely<Database>,
  serviceId: number,
): Promise<{ form: ServiceForm; stored: AuditedService } | null> {
  const s = await db.selectFrom('online_services').selectAll().where('id', '=', serviceId).executeTakeFirst();
  if (!s) return null;
  const leika = (
    await db
      .selectFrom('online_service_leika')
      .select('leika_key')
      .where('service_id', '=', serviceId)
      .execute()
  )
    .map((r) => r.leika_key)
    .sort();
  const ozg = (
    await db.selectFrom('online_service_ozg').select('ozg_id').where('service_id', '=', serviceId).execute()
  )
    .map((r) => r.ozg_id)
    .sort();
  const stored: AuditedService = {
    name: s.name,
    url: s.url,
    authorityId: s.authority_id,
    serviceType: s.service_type,
    buildMode: s.build_mode,
    isFocus: s.is_focus,
    granularity: s.granularity,
    description: s.description,
    leika,
    ozg,
  };
  return {
    stored,
    form: {
      name: s.name,
      url: s.url ?? '',
      authorityId: s.authority_id === null ? '' : String(s.authority_id),
      authorityName: '',
      serviceType: s.service_type,
      buildMode: s.build_mode,
      isFocus: s.is_focus,
      granularity: s.granularity,
      description: s.description ?? '',
      leika: leika.join(', '),
      ozg: ozg.join(', '),
    },
  };
}

export class GranularityLockedError extends Error {}

/**
 * Saves changed master data with an audit record of the changed fields, old -> new. The granularity
 * is fixed once counts exist: stored counts would no longer match it. Returns the changed field names.
 */
export async function updateService(
  db: Kysely<Database>,
  actor: Actor,
  serviceId: number,
  data: ServiceMasterData,
): Promise<string[]> {
  return transactionWithRetry(db, (trx) => updateServiceIn(trx, actor, serviceId, data));
}

/** updateService inside the caller's transaction (the portal API saves many services atomically). */
export async function updateServiceIn(
  trx: Kysely<Database>,
  actor: Actor,
  serviceId: number,
  data: ServiceMasterData,
): Promise<string[]> {
  // The service's delivery lock first (deliveries take it before they touch the service row), then
  // the row lock: a delivery cannot slip in between the count check and the granularity change.
  await lockServices(trx, [serviceId]);
  await sql`SELECT id FROM online_services WHERE id = ${serviceId} FOR UPDATE`.execute(trx);
  const current = await loadServiceForm(trx, serviceId);
  if (!current) throw new Error(`service ${serviceId} vanished`);
  const authorityId = await resolveAuthority(trx, actor, data);
  const next = audited(data, authorityId);
  const changed = changedFields(current.stored, next);
  if (changed.length === 0) return [];
  if (changed.includes('granularity') && (await hasCounts(trx, serviceId)))
    throw new GranularityLockedError();
  const regroup = changed.some((k) => GROUPING_FIELDS.has(k));
  const store = async () => {
    await trx
      .updateTable('online_services')
      .set({ ...serviceColumns(data, authorityId), updated_at: new Date() })
      .where('id', '=', serviceId)
      .execute();
    if (changed.includes('leika') || changed.includes('ozg')) await replaceLinks(trx, serviceId, data);
  };
  // Type, Fokus, authority and OZG links decide the explorer's groups: move the service's figures.
  if (regroup) await regroupServices(trx, [serviceId], store);
  else await store();
  await writeAudit(trx, actor, {
    action: 'update',
    entity: 'online_service',
    entityId: serviceId,
    oldValue: Object.fromEntries(changed.map((k) => [k, current.stored[k]])),
    newValue: Object.fromEntries(changed.map((k) => [k, next[k]])),
  });
  return changed;
}

export async function hasCounts(db: Kysely<Database>, serviceId: number): Promise<boolean> {
  const counted = await db
    .selectFrom('counts')
    .select('service_id')
    .where('service_id', '=', serviceId)
    .limit(1)
    .executeTakeFirst();
  return counted !== undefined;
}

function changedFields(stored: AuditedService, next: AuditedService): (keyof AuditedService)[] {
  return (Object.keys(next) as (keyof AuditedService)[]).filter(
    (k) => JSON.stringify(next[k]) !== JSON.stringify(stored[k]),
  );
}

/**
 * The fields that saving `data` would change, without writing (dry runs). A new authority's name
 * that no authority has yet counts as a change.
 */
export async function pendingChanges(
  db: Kysely<Database>,
  stored: AuditedService,
  data: ServiceMasterData,
): Promise<(keyof AuditedService)[]> {
  let authorityId: number | null | undefined = data.authorityId;
  if (data.newAuthority) {
    const existing = await db
      .selectFrom('authorities')
      .select('id')
      .where(sql<string>`lower(name)`, '=', data.newAuthority.toLowerCase())
      .executeTakeFirst();
    authorityId = existing?.id;
  }
  const changed = changedFields(stored, audited(data, authorityId ?? null));
  if (authorityId === undefined && !changed.includes('authorityId')) changed.push('authorityId');
  return changed;
}

export async function listAuthorities(db: Kysely<Database>): Promise<{ id: number; name: string }[]> {
  return db
    .selectFrom('authorities')
    .select(['id', 'name'])
    .orderBy(sql`lower(name)`)
    .orderBy('id')
    .execute();
}

/** Whether the service is published (online_services.published); null if unknown. */
export async function loadPublished(db: Kysely<Database>, serviceId: number): Promise<boolean | null> {
  const row = await db
    .selectFrom('online_services')
    .select('published')
    .where('id', '=', serviceId)
    .executeTakeFirst();
  return row ? row.published : null;
}

/**
 * Publishes a service or keeps it out of every public output ("nicht veröffentlichen", e.g. while its
 * data are being tested), with its audit record in the caller's transaction. False if it already was.
 */
export async function setServicePublishedIn(
  trx: Kysely<Database>,
  actor: Actor,
  serviceId: number,
  published: boolean,
): Promise<boolean> {
  const current = await sql<{ published: boolean }>`
    SELECT published FROM online_services WHERE id = ${serviceId} FOR UPDATE`.execute(trx);
  const before = current.rows[0];
  if (!before) throw new Error(`service ${serviceId} vanished`);
  if (before.published === published) return false;
  await trx
    .updateTable('online_services')
    .set({ published, updated_at: new Date() })
    .where('id', '=', serviceId)
    .execute();
  await writeAudit(trx, actor, {
    action: 'update',
    entity: 'online_service',
    entityId: serviceId,
    oldValue: { published: before.published },
    newValue: { published },
  });
  return true;
}

export async function setServicePublished(
  db: Kysely<Database>,
  actor: Actor,
  serviceId: number,
  published: boolean,
): Promise<boolean> {
  return transactionWithRetry(db, (trx) => setServicePublishedIn(trx, actor, serviceId, published));
}
