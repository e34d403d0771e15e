import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { notFound } from './errors.js';
import { parseId } from './ids.js';

/** What a membership, an invitation or an access token is for: one online service or one portal. */
export type TargetKind = 'service' | 'portal';

export interface Target {
  kind: TargetKind;
  id: number;
  name: string;
}

export async function loadTarget(db: Kysely<Database>, kind: TargetKind, rawId: string): Promise<Target> {
  const id = parseId(rawId);
  const row =
    id === null
      ? undefined
      : kind === 'service'
        ? await db
            .selectFrom('online_services')
            .select(['id', 'name'])
            .where('id', '=', id)
            .executeTakeFirst()
        : await db.selectFrom('portals').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  if (!row) {
    throw notFound(
      kind === 'service'
        ? `Einen Onlinedienst „${rawId}“ gibt es nicht.`
        : `Ein Portal „${rawId}“ gibt es nicht.`,
    );
  }
  return { kind, id: row.id, name: row.name };
}

/** The page of the service or portal itself. */
export const targetPath = (t: { kind: TargetKind; id: number }): string =>
  t.kind === 'service' ? `/dienste/${t.id}` : `/portale/${t.id}`;

/** „Onlinedienst „X““ / „Portal „X““, after „zum“, „beim“ (both nouns take the same dative article). */
export const targetLabel = (t: Target): string =>
  t.kind === 'service' ? `Onlinedienst „${t.name}“` : `Portal „${t.name}“`;

/** With the accusative article: „den Onlinedienst „X““ / „das Portal „X““. */
export const targetAccusative = (t: Target): string =>
  t.kind === 'service' ? `den Onlinedienst „${t.name}“` : `das Portal „${t.name}“`;

/** With the genitive article: „des Onlinedienstes „X““ / „des Portals „X““. */
export const targetGenitive = (t: Target): string =>
  t.kind === 'service' ? `des Onlinedienstes „${t.name}“` : `des Portals „${t.name}“`;
