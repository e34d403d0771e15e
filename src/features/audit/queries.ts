import { containsPattern } from '../../db/like.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface AuditFilter {
  action?: string;
  entity?: string;
  entityId?: string;
  /** Part of a user's name or e-mail, a token's label or prefix; „System“ for entries without actor. */
  actor?: string;
  /** Instants, inclusive start and exclusive end (the caller turns Berlin days into them). */
  from?: Date;
  until?: Date;
  deliveryId?: number;
  /** Keyset: entries with a smaller id (older) than this. */
  before?: number;
}

export interface AuditRow {
  id: number;
  at: Date;
  actorUser: string | null;
  actorToken: { label: string; prefix: string } | null;
  action: string;
  entity: string;
  entityId: string;
  oldValue: unknown;
  newValue: unknown;
  deliveryId: number | null;
}

export const AUDIT_PAGE_SIZE = 50;

/** One page of the audit log, newest first, by id (the identity order is the order of writing). */
export async function listAudit(
  db: Kysely<Database>,
  filter: AuditFilter,
  limit = AUDIT_PAGE_SIZE,
): Promise<{ rows: AuditRow[]; more: boolean }> {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .leftJoin('access_tokens as t', 't.id', 'a.actor_token_id')
    .select([
      'a.id',
      'a.at',
      'u.name as user_name',
      't.label as token_label',
      't.prefix as token_prefix',
      'a.action',
      'a.entity',
      'a.entity_id',
      'a.old_value',
      'a.new_value',
      'a.delivery_id',
    ]);
  if (filter.action) query = query.where('a.action', '=', filter.action);
  if (filter.entity) query = query.where('a.entity', '=', filter.entity);
  if (filter.entityId) query = query.where('a.entity_id', '=', filter.entityId);
  if (filter.deliveryId !== undefined) query = query.where('a.delivery_id', '=', filter.deliveryId);
  if (filter.from) query = query.where('a.at', '>=', filter.from);
  if (filter.until) query = query.where('a.at', '<', filter.until);
  if (filter.before !== undefined) query = query.where('a.id', '<', filter.before);
  if (filter.actor) {
    if (filter.actor.toLowerCase() === 'system') {
      query = query.where('a.actor_user_id', 'is', null).where('a.actor_token_id', 'is', null);
    } else {
      const pattern = containsPattern(filter.actor);
      query = query.where((eb) =>
        eb.or([
          eb('u.name', 'ilike', pattern),
          eb('u.email', 'ilike', pattern),
          eb('t.label', 'ilike', pattern),
          eb('t.prefix', 'ilike', pattern),
        ]),
      );
    }
  }
  const rows = await query
    .orderBy('a.id', 'desc')
    .limit(limit + 1)
    .execute();
  return {
    more: rows.length > limit,
    rows: rows.slice(0, limit).map((r) => ({
      id: Number(r.id),
      at: new Date(r.at),
      actorUser: r.user_name,
      actorToken: r.token_label !== null ? { label: r.token_label, prefix: r.token_prefix ?? '' } : null,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      oldValue: r.old_value,
      newValue: r.new_value,
      deliveryId: r.delivery_id === null ? null : Number(r.delivery_id),
    })),
  };
}

/** Offset of Europe/Berlin from UTC at an instant, in minutes (60 in winter, 120 in summer). */
function berlinOffsetMinutes(at: Date): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'shortOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+1';
  const match = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * The instant a Berlin calendar day starts ('2026-03-29' -> 2026-03-28T23:00:00Z). Computed here rather
 * than with AT TIME ZONE, so the result does not depend on the time zone data of the database engine.
 */
export function berlinDayStart(day: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const utcMidnight = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(utcMidnight.getTime()) || utcMidnight.toISOString().slice(0, 10) !== day) return null;
  // The offset at local midnight equals the offset two hours earlier in UTC for every day of the year
  // except the change-over nights, where the changes happen at 02:00/03:00, after midnight.
  const guess = new Date(utcMidnight.getTime() - berlinOffsetMinutes(utcMidnight) * 60_000);
  return new Date(utcMidnight.getTime() - berlinOffsetMinutes(guess) * 60_000);
}

/** The start of the Berlin day after `day`: the exclusive end of a range ending on `day`. */
export function berlinDayEnd(day: string): Date | null {
  const start = berlinDayStart(day);
  if (!start) return null;
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return berlinDayStart(next.toISOString().slice(0, 10));
}

export interface DiffLine {
  key: string;
  old?: string;
  new?: string;
}

const MAX_VALUE = 160;

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Old -> new as readable lines: for objects only the keys that differ (or all keys of a value that was
 * only added or only removed); anything else as one line. Values are compact JSON, cut at 160 characters.
 */
export function diffLines(oldValue: unknown, newValue: unknown): DiffLine[] {
  const hasOld = oldValue !== null && oldValue !== undefined;
  const hasNew = newValue !== null && newValue !== undefined;
  if (!hasOld && !hasNew) return [];
  if ((isObject(oldValue) || !hasOld) && (isObject(newValue) || !hasNew)) {
    const before = oldValue ?? {};
    const after = newValue ?? {};
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => {
      const inOld = key in before && hasOld;
      const inNew = key in after && hasNew;
      if (inOld && inNew && JSON.stringify(before[key]) === JSON.stringify(after[key])) return [];
      return [
        {
          key,
          ...(inOld ? { old: show(before[key]) } : {}),
          ...(inNew ? { new: show(after[key]) } : {}),
        },
      ];
    });
  }
  return [
    { key: '', ...(hasOld ? { old: show(oldValue) } : {}), ...(hasNew ? { new: show(newValue) } : {}) },
  ];
}
