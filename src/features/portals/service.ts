import { containsPattern } from '../../db/like.js';
import { transactionWithRetry } from '../../db/retry.js';
import { regroupServices } from '../../db/rollups/index.js';
import { parse } from 'csv-parse/sync';
import { sql, type Kysely } from 'kysely';
import { writeAudit, type Actor } from '../../db/audit.js';
import type { Database } from '../../db/schema.js';
import type { Mail } from '../mail/mailer.js';
import { grantInTransaction, isEmail, type GrantContext, type GrantOutcome } from '../access/service.js';
import { hasControlCharacter, singleLineProblem } from '../../domain/text.js';

export interface PortalListRow {
  id: number;
  name: string;
  url: string | null;
  authority: string | null;
  services: number;
}

export async function listPortals(db: Kysely<Database>): Promise<PortalListRow[]> {
  const rows = await db
    .selectFrom('portals as p')
    .leftJoin('authorities as a', 'a.id', 'p.authority_id')
    .select([
      'p.id',
      'p.name',
      'p.url',
      'a.name as authority',
      (eb) =>
        eb
          .selectFrom('portal_services as ps')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('ps.portal_id', '=', 'p.id')
          .as('services'),
    ])
    .orderBy('p.name')
    .execute();
  return rows.map((r) => ({ ...r, services: Number(r.services ?? 0) }));
}

export interface PortalService {
  id: number;
  name: string;
  authority: string | null;
  addedAt: Date;
}

export interface PortalDetail {
  id: number;
  name: string;
  url: string | null;
  authority: string | null;
  createdAt: Date;
  services: PortalService[];
}

export async function loadPortal(db: Kysely<Database>, id: number): Promise<PortalDetail | null> {
  const portal = await db
    .selectFrom('portals as p')
    .leftJoin('authorities as a', 'a.id', 'p.authority_id')
    .select(['p.id', 'p.name', 'p.url', 'a.name as authority', 'p.created_at'])
    .where('p.id', '=', id)
    .executeTakeFirst();
  if (!portal) return null;
  const services = await db
    .selectFrom('portal_services as ps')
    .innerJoin('online_services as s', 's.id', 'ps.service_id')
    .leftJoin('authorities as a', 'a.id', 's.authority_id')
    .select(['s.id', 's.name', 'a.name as authority', 'ps.added_at'])
    .where('ps.portal_id', '=', id)
    .orderBy('s.name')
    .execute();
  return {
    id: portal.id,
    name: portal.name,
    url: portal.url,
    authority: portal.authority,
    createdAt: new Date(portal.created_at),
    services: services.map((s) => ({
      id: s.id,
      name: s.name,
      authority: s.authority,
      addedAt: new Date(s.added_at),
    })),
  };
}

/** How many candidates the select offers at most; a search narrows them down. */
export const CANDIDATE_LIMIT = 200;

/** Services not yet in the portal whose name contains `search`, by name. One more than the limit tells "more". */
export async function candidateServices(
  db: Kysely<Database>,
  portalId: number,
  search: string,
): Promise<Array<{ id: number; name: string }>> {
  let query = db
    .selectFrom('online_services as s')
    .select(['s.id', 's.name'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('portal_services as ps')
            .select('ps.service_id')
            .whereRef('ps.service_id', '=', 's.id')
            .where('ps.portal_id', '=', portalId),
        ),
      ),
    );
  if (search) {
    const pattern = containsPattern(search);
    query = query.where(sql<boolean>`s.name ILIKE ${pattern}`);
  }
  return query
    .orderBy('s.name')
    .orderBy('s.id')
    .limit(CANDIDATE_LIMIT + 1)
    .execute();
}

export interface PortalInput {
  name: string;
  url: string;
  authority: string;
  managers: string;
}

export type PortalErrors = Partial<Record<keyof PortalInput, string>>;

/** Addresses separated by line breaks, commas, semicolons or spaces. */
export const splitEmails = (text: string): string[] => [...new Set(text.split(/[\s,;]+/).filter(Boolean))];

export async function validatePortal(db: Kysely<Database>, input: PortalInput): Promise<PortalErrors> {
  const errors: PortalErrors = {};
  if (!input.name) errors.name = 'Bitte geben Sie den Namen des Portals ein.';
  else if (input.name.length > 200) errors.name = 'Der Name darf höchstens 200 Zeichen lang sein.';
  else if (hasControlCharacter(input.name)) errors.name = singleLineProblem(input.name, 'Der Name')!;
  else {
    const taken = await db
      .selectFrom('portals')
      .select('id')
      .where(sql<string>`lower(name)`, '=', input.name.toLowerCase())
      .executeTakeFirst();
    if (taken) errors.name = `Ein Portal „${input.name}“ gibt es bereits.`;
  }
  if (input.url && !isHttpUrl(input.url)) {
    errors.url =
      'Bitte geben Sie eine vollständige Adresse mit https:// ein, z. B. https://portal.example.de.';
  }
  if (input.authority.length > 200)
    errors.authority = 'Der Name der Behörde darf höchstens 200 Zeichen lang sein.';
  else if (hasControlCharacter(input.authority))
    errors.authority = singleLineProblem(input.authority, 'Der Name der Behörde')!;
  const wrong = splitEmails(input.managers).filter((e) => !isEmail(e));
  if (wrong.length > 0) {
    errors.managers = `Keine gültige E-Mail-Adresse: ${wrong.join(', ')}.`;
  }
  return errors;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Creates the portal, its authority if new, and the managers' memberships or invitations in one
 * transaction with their audit rows; returns the mails to send after the commit. Without a context
 * (the command line) no person acts, so nobody can be named as granting access: managers are refused.
 */
export async function createPortal(
  db: Kysely<Database>,
  input: PortalInput,
  ctx: GrantContext | null,
): Promise<{ id: number; outcomes: GrantOutcome[]; mails: Mail[] }> {
  const managers = splitEmails(input.managers);
  if (managers.length > 0 && !ctx) throw new Error('Verwalter brauchen eine handelnde Person.');
  return db.transaction().execute(async (trx) => {
    const actor: Actor = { userId: ctx?.actor.id ?? null, tokenId: null };
    let authorityId: number | null = null;
    if (input.authority) {
      const existing = await trx
        .selectFrom('authorities')
        .select('id')
        .where(sql<string>`lower(name)`, '=', input.authority.toLowerCase())
        .executeTakeFirst();
      if (existing) authorityId = existing.id;
      else {
        const created = await trx
          .insertInto('authorities')
          .values({ name: input.authority, land: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        authorityId = created.id;
        await writeAudit(trx, actor, {
          action: 'authority.create',
          entity: 'authority',
          entityId: created.id,
          newValue: { name: input.authority },
        });
      }
    }
    const portal = await trx
      .insertInto('portals')
      .values({ name: input.name, url: input.url || null, authority_id: authorityId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(trx, actor, {
      action: 'portal.create',
      entity: 'portal',
      entityId: portal.id,
      newValue: { name: input.name, url: input.url || null, authority: input.authority || null },
    });
    const target = { kind: 'portal' as const, id: portal.id, name: input.name };
    const outcomes: GrantOutcome[] = [];
    const mails: Mail[] = [];
    for (const email of managers) {
      const grant = await grantInTransaction(trx, target, email, ctx!);
      outcomes.push(grant.outcome);
      if (grant.mail) mails.push(grant.mail);
    }
    return { id: portal.id, outcomes, mails };
  });
}

/** Adds services to the portal in one transaction; services already in it are left as they are. */
export async function addServices(
  db: Kysely<Database>,
  portalId: number,
  serviceIds: number[],
  actorId: number,
): Promise<number> {
  if (serviceIds.length === 0) return 0;
  return transactionWithRetry(
    db,
    async (trx) =>
      (await addInTransaction(trx, portalId, serviceIds, { userId: actorId, tokenId: null })).length,
  );
}

/**
 * The one place services join a portal, with an audit row each. It checks no consent: the callers are
 * an administrator, a manager of both, or the service's side accepting a request (requests.ts).
 */
export async function addInTransaction(
  trx: Kysely<Database>,
  portalId: number,
  serviceIds: number[],
  actor: Actor,
): Promise<number[]> {
  if (serviceIds.length === 0) return [];
  // Portal membership is a group of the explorer's roll-up: the services' figures move with them.
  const added = await regroupServices(trx, serviceIds, () =>
    trx
      .insertInto('portal_services')
      .values(serviceIds.map((serviceId) => ({ portal_id: portalId, service_id: serviceId })))
      .onConflict((oc) => oc.doNothing())
      .returning('service_id')
      .execute(),
  );
  // A request for a service that has now joined has nothing left to decide.
  await trx
    .deleteFrom('portal_join_requests')
    .where('portal_id', '=', portalId)
    .where('service_id', 'in', serviceIds)
    .execute();
  for (const row of added) {
    await writeAudit(trx, actor, {
      action: 'portal.service_add',
      entity: 'portal',
      entityId: portalId,
      newValue: { serviceId: row.service_id },
    });
  }
  return added.map((r) => r.service_id);
}

export async function removeService(
  db: Kysely<Database>,
  portalId: number,
  serviceId: number,
  actorId: number,
): Promise<boolean> {
  return transactionWithRetry(db, async (trx) => {
    const row = await regroupServices(trx, [serviceId], () =>
      trx
        .deleteFrom('portal_services')
        .where('portal_id', '=', portalId)
        .where('service_id', '=', serviceId)
        .returning('service_id')
        .executeTakeFirst(),
    );
    if (!row) return false;
    await writeAudit(
      trx,
      { userId: actorId, tokenId: null },
      { action: 'portal.service_remove', entity: 'portal', entityId: portalId, oldValue: { serviceId } },
    );
    return true;
  });
}

export interface ListError {
  /** Line of the pasted list, from 1. */
  row: number;
  message: string;
}

export type ListResult =
  { ok: true; serviceIds: number[]; alreadyIn: number } | { ok: false; errors: ListError[] };

/** Most lists are a few hundred services; far more is a mistake (a whole catalogue pasted). */
export const MAX_LIST_ROWS = 5000;

/**
 * Reads a pasted list of services, one per line: an id, a name, or an id and the name (checked against
 * each other). `;` or `,` separate the columns; a header line (id/name) is skipped. Every line is checked
 * before anything is added, so a list with one wrong line changes nothing.
 */
export async function resolveServiceList(
  db: Kysely<Database>,
  portalId: number,
  text: string,
): Promise<ListResult> {
  const delimiter = text.includes(';') ? ';' : ',';
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
      trim: true,
    });
  } catch (err) {
    return {
      ok: false,
      errors: [{ row: 0, message: `Die Liste ist kein gültiges CSV: ${(err as Error).message}` }],
    };
  }
  const lines = records
    .map((cells, index) => ({ row: index + 1, cells: cells.filter((c) => c !== '') }))
    .filter((l) => l.cells.length > 0);
  if (lines[0] && /^(id|nr|name|dienst|onlinedienst|serviceid|service)$/i.test(lines[0].cells[0] ?? ''))
    lines.shift();
  if (lines.length === 0) return { ok: false, errors: [{ row: 0, message: 'Die Liste ist leer.' }] };
  if (lines.length > MAX_LIST_ROWS) {
    return {
      ok: false,
      errors: [
        { row: 0, message: `Die Liste hat ${lines.length} Zeilen; höchstens ${MAX_LIST_ROWS} sind erlaubt.` },
      ],
    };
  }
  const ids = lines.flatMap((l) => (/^[0-9]{1,9}$/.test(l.cells[0]!) ? [Number(l.cells[0])] : []));
  const names = lines.flatMap((l) => (/^[0-9]{1,9}$/.test(l.cells[0]!) ? [] : [l.cells[0]!.toLowerCase()]));
  const byId = new Map<number, string>();
  if (ids.length > 0) {
    for (const s of await db
      .selectFrom('online_services')
      .select(['id', 'name'])
      .where('id', 'in', ids)
      .execute()) {
      byId.set(s.id, s.name);
    }
  }
  const byName = new Map<string, number[]>();
  if (names.length > 0) {
    const rows = await db
      .selectFrom('online_services')
      .select(['id', sql<string>`lower(name)`.as('key')])
      .where(sql<string>`lower(name)`, 'in', names)
      .execute();
    for (const r of rows) byName.set(r.key, [...(byName.get(r.key) ?? []), r.id]);
  }
  const errors: ListError[] = [];
  const wanted: number[] = [];
  for (const { row, cells } of lines) {
    const first = cells[0]!;
    if (/^[0-9]{1,9}$/.test(first)) {
      const id = Number(first);
      const name = byId.get(id);
      if (name === undefined)
        errors.push({ row, message: `Einen Onlinedienst mit der Nummer ${id} gibt es nicht.` });
      else if (cells[1] !== undefined && cells[1].toLowerCase() !== name.toLowerCase()) {
        errors.push({ row, message: `Onlinedienst ${id} heißt „${name}“, nicht „${cells[1]}“.` });
      } else wanted.push(id);
      continue;
    }
    const matches = byName.get(first.toLowerCase()) ?? [];
    if (matches.length === 0) errors.push({ row, message: `Einen Onlinedienst „${first}“ gibt es nicht.` });
    else if (matches.length > 1) {
      errors.push({
        row,
        message: `Den Namen „${first}“ tragen mehrere Onlinedienste (Nummern ${matches.join(', ')}); bitte geben Sie die Nummer an.`,
      });
    } else wanted.push(matches[0]!);
  }
  if (errors.length > 0) return { ok: false, errors };
  const unique = [...new Set(wanted)];
  const present = await servicesInPortal(db, portalId, unique);
  return { ok: true, serviceIds: unique.filter((id) => !present.has(id)), alreadyIn: present.size };
}

/** Which of `serviceIds` the portal already holds. */
export async function servicesInPortal(
  db: Kysely<Database>,
  portalId: number,
  serviceIds: number[],
): Promise<Set<number>> {
  if (serviceIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('portal_services')
    .select('service_id')
    .where('portal_id', '=', portalId)
    .where('service_id', 'in', serviceIds)
    .execute();
  return new Set(rows.map((r) => r.service_id));
}
