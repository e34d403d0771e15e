import { issueOneTimeToken } from '../accounts/one-time-tokens.js';
import { sql, type Kysely } from 'kysely';
import { writeAudit } from '../../db/audit.js';
import type { Database, Role } from '../../db/schema.js';
import type { Mail } from '../mail/mailer.js';
import { hashToken } from '../../http/secrets.js';
import { targetAccusative, targetGenitive, targetLabel, targetPath, type Target } from '../../http/target.js';

/** How long an invitation link stays valid. */
export const INVITATION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

const ROLE: Record<Target['kind'], Role> = { service: 'service_manager', portal: 'portal_manager' };

/** The payload of an invitation row; the registration consumes it once the account is approved. */
export interface InvitationPayload {
  kind: Target['kind'];
  id: number;
  grantedBy: number;
}

export interface AccessEntry {
  /** Null for access through a portal: it is withdrawn on the portal's page. */
  membershipId: number | null;
  userId: number;
  name: string;
  email: string;
  status: string;
  role: Role;
  /** The portal through which a portal manager manages this service. */
  viaPortal: { id: number; name: string } | null;
  grantedBy: string | null;
  since: Date;
}

export interface OpenInvitation {
  /** The first characters of the hash: enough to name the row, useless as a link. */
  ref: string;
  email: string;
  grantedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** Everybody who manages the target: its own managers, and for a service the managers of its portals. */
export async function listAccess(db: Kysely<Database>, target: Target): Promise<AccessEntry[]> {
  let query = db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .leftJoin('users as g', 'g.id', 'm.granted_by')
    .leftJoin('portals as p', 'p.id', 'm.portal_id')
    .select([
      'm.id',
      'm.user_id',
      'u.name',
      'u.email',
      'u.status',
      'm.role',
      'm.portal_id',
      'p.name as portal_name',
      'g.name as granted_by',
      'm.created_at',
    ]);
  query =
    target.kind === 'portal'
      ? query.where('m.portal_id', '=', target.id)
      : query.where((eb) =>
          eb.or([
            eb('m.service_id', '=', target.id),
            eb(
              'm.portal_id',
              'in',
              eb.selectFrom('portal_services').select('portal_id').where('service_id', '=', target.id),
            ),
          ]),
        );
  const rows = await query.orderBy('m.role', 'desc').orderBy('u.name').orderBy('m.id').execute();
  return rows.map((r) => {
    const inherited = target.kind === 'service' && r.role === 'portal_manager';
    return {
      membershipId: inherited ? null : r.id,
      userId: r.user_id,
      name: r.name,
      email: r.email,
      status: r.status,
      role: r.role,
      viaPortal: inherited && r.portal_id !== null ? { id: r.portal_id, name: r.portal_name ?? '' } : null,
      grantedBy: r.granted_by,
      since: new Date(r.created_at),
    };
  });
}

/** Invitations for the target that are neither used nor expired. */
export async function listInvitations(db: Kysely<Database>, target: Target): Promise<OpenInvitation[]> {
  const rows = await openInvitations(db, target)
    .leftJoin('users as g', (join) => join.on(sql`g.id::text`, '=', sql`t.payload->>'grantedBy'`))
    .select(['t.token_hash', 't.email', 'g.name as granted_by', 't.created_at', 't.expires_at'])
    .orderBy('t.created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    ref: r.token_hash.slice(0, 16),
    email: r.email ?? '',
    grantedBy: r.granted_by,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
  }));
}

function openInvitations(db: Kysely<Database>, target: Pick<Target, 'kind' | 'id'>) {
  return db
    .selectFrom('one_time_tokens as t')
    .where('t.purpose', '=', 'invitation')
    .where('t.used_at', 'is', null)
    .where('t.expires_at', '>', new Date())
    .where(sql<string>`t.payload->>'kind'`, '=', target.kind)
    .where(sql<string>`t.payload->>'id'`, '=', String(target.id));
}

const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

export type GrantOutcome =
  | { kind: 'granted'; name: string; email: string; pending: boolean }
  | { kind: 'invited'; email: string }
  | { kind: 'already_member'; name: string; email: string }
  | { kind: 'already_invited'; email: string }
  | { kind: 'account_blocked'; email: string };

/** What grantInTransaction decided, and the mail to send once the transaction has committed. */
export interface Grant {
  outcome: GrantOutcome;
  mail: Mail | null;
}

export interface GrantContext {
  /** The person granting (an administrator or a manager of the target). */
  actor: { id: number; name: string };
  publicUrl: string;
}

/**
 * Gives `email` the management of the target: an existing account gets the membership at once, an
 * unknown address an invitation (a one-time token, stored as its hash) that the registration redeems.
 * Runs inside the caller's transaction, audit rows included; the mail is sent by the caller after commit,
 * so a rolled-back change never announces itself.
 */
export async function grantInTransaction(
  trx: Kysely<Database>,
  target: Target,
  rawEmail: string,
  ctx: GrantContext,
): Promise<Grant> {
  const email = rawEmail.trim();
  const user = await trx
    .selectFrom('users')
    .select(['id', 'name', 'email', 'status'])
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
  if (user) {
    if (user.status === 'disabled' || user.status === 'rejected') {
      return { outcome: { kind: 'account_blocked', email: user.email }, mail: null };
    }
    const existing = await trx
      .selectFrom('memberships')
      .select('id')
      .where('user_id', '=', user.id)
      .where(target.kind === 'service' ? 'service_id' : 'portal_id', '=', target.id)
      .executeTakeFirst();
    if (existing) {
      return { outcome: { kind: 'already_member', name: user.name, email: user.email }, mail: null };
    }
    const membership = await trx
      .insertInto('memberships')
      .values({
        user_id: user.id,
        service_id: target.kind === 'service' ? target.id : null,
        portal_id: target.kind === 'portal' ? target.id : null,
        role: ROLE[target.kind],
        granted_by: ctx.actor.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(
      trx,
      { userId: ctx.actor.id, tokenId: null },
      {
        action: 'membership.grant',
        entity: 'membership',
        entityId: membership.id,
        newValue: { userId: user.id, email: user.email, role: ROLE[target.kind], [target.kind]: target.id },
      },
    );
    const pending = user.status !== 'active';
    return {
      outcome: { kind: 'granted', name: user.name, email: user.email, pending },
      mail: {
        to: user.email,
        subject: `Zugang zum ${targetLabel(target)} in der ZSK`,
        text: [
          `Guten Tag ${user.name},`,
          '',
          `${ctx.actor.name} hat Ihnen in der Zentralen Statistik-Komponente (ZSK) die Verwaltung ${targetGenitive(target)} übertragen.`,
          pending
            ? 'Der Zugang gilt, sobald Ihre Registrierung freigeschaltet ist.'
            : 'Sie können ihn ab sofort nutzen:',
          `${ctx.publicUrl}${targetPath(target)}`,
          '',
          'Ihre Onlinedienste und Portale finden Sie nach der Anmeldung unter „Meine Dienste“:',
          `${ctx.publicUrl}/meine-dienste`,
        ].join('\n'),
      },
    };
  }
  const open = await openInvitations(trx, target)
    .select('t.token_hash')
    .where(sql<string>`lower(t.email)`, '=', email.toLowerCase())
    .executeTakeFirst();
  if (open) return { outcome: { kind: 'already_invited', email }, mail: null };
  const now = new Date();
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * DAY_MS);
  const payload: InvitationPayload = { kind: target.kind, id: target.id, grantedBy: ctx.actor.id };
  const token = await issueOneTimeToken(
    trx,
    { purpose: 'invitation', userId: null, email, ttlMs: INVITATION_DAYS * DAY_MS, payload: { ...payload } },
    now,
  );
  const tokenHash = hashToken(token);
  await writeAudit(
    trx,
    { userId: ctx.actor.id, tokenId: null },
    {
      action: 'invitation.create',
      entity: 'invitation',
      entityId: tokenHash.slice(0, 16),
      newValue: { email, ...payload, expiresAt: expiresAt.toISOString() },
    },
  );
  return {
    outcome: { kind: 'invited', email },
    mail: {
      to: email,
      subject: 'Einladung in die Zentrale Statistik-Komponente (ZSK)',
      text: [
        'Guten Tag,',
        '',
        `${ctx.actor.name} lädt Sie ein, in der Zentralen Statistik-Komponente (ZSK) ${targetAccusative(target)} zu verwalten.`,
        'Bitte registrieren Sie sich über diesen Link; nach der Freischaltung durch die ZSK-Administration erhalten Sie den Zugang:',
        `${ctx.publicUrl}/registrieren?einladung=${token}`,
        '',
        `Der Link gilt ${INVITATION_DAYS} Tage. Wenn Sie mit dieser Einladung nichts anfangen können, ignorieren Sie diese E-Mail.`,
      ].join('\n'),
    },
  };
}

/** Withdraws a membership of the target; returns whose it was, or null when there is none (any more). */
export async function withdrawMembership(
  db: Kysely<Database>,
  target: Target,
  membershipId: number,
  actorId: number,
): Promise<{ userId: number } | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom('memberships')
      .where('id', '=', membershipId)
      .where(target.kind === 'service' ? 'service_id' : 'portal_id', '=', target.id)
      .returning(['id', 'user_id', 'role', 'granted_by'])
      .executeTakeFirst();
    if (!row) return null;
    await writeAudit(
      trx,
      { userId: actorId, tokenId: null },
      {
        action: 'membership.revoke',
        entity: 'membership',
        entityId: row.id,
        oldValue: {
          userId: row.user_id,
          role: row.role,
          [target.kind]: target.id,
          grantedBy: row.granted_by,
        },
      },
    );
    return { userId: row.user_id };
  });
}

/** Withdraws an open invitation of the target, named by the start of its hash. */
export async function withdrawInvitation(
  db: Kysely<Database>,
  target: Target,
  ref: string,
  actorId: number,
): Promise<boolean> {
  if (!/^[0-9a-f]{16}$/.test(ref)) return false;
  return db.transaction().execute(async (trx) => {
    const row = await openInvitations(trx, target)
      .select(['t.token_hash', 't.email'])
      .where(sql<string>`left(t.token_hash, 16)`, '=', ref)
      .executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('one_time_tokens').where('token_hash', '=', row.token_hash).execute();
    await writeAudit(
      trx,
      { userId: actorId, tokenId: null },
      {
        action: 'invitation.withdraw',
        entity: 'invitation',
        entityId: ref,
        oldValue: { email: row.email, kind: target.kind, id: target.id },
      },
    );
    return true;
  });
}

export interface MyServices {
  services: Array<{ id: number; name: string; viaPortal: string | null }>;
  portals: Array<{ id: number; name: string; services: number }>;
}

/** The services and portals a person manages; a portal's services count as managed too. */
export async function loadMyServices(db: Kysely<Database>, userId: number): Promise<MyServices> {
  const portals = await db
    .selectFrom('memberships as m')
    .innerJoin('portals as p', 'p.id', 'm.portal_id')
    .select([
      'p.id',
      'p.name',
      (eb) =>
        eb
          .selectFrom('portal_services as ps')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('ps.portal_id', '=', 'p.id')
          .as('services'),
    ])
    .where('m.user_id', '=', userId)
    .orderBy('p.name')
    .execute();
  const direct = await db
    .selectFrom('memberships as m')
    .innerJoin('online_services as s', 's.id', 'm.service_id')
    .select(['s.id', 's.name'])
    .where('m.user_id', '=', userId)
    .execute();
  const viaPortal = await db
    .selectFrom('memberships as m')
    .innerJoin('portal_services as ps', 'ps.portal_id', 'm.portal_id')
    .innerJoin('online_services as s', 's.id', 'ps.service_id')
    .innerJoin('portals as p', 'p.id', 'ps.portal_id')
    .select(['s.id', 's.name', 'p.name as portal'])
    .where('m.user_id', '=', userId)
    .execute();
  const services = new Map<number, MyServices['services'][number]>();
  for (const s of direct) services.set(s.id, { id: s.id, name: s.name, viaPortal: null });
  for (const s of viaPortal) {
    if (!services.has(s.id)) services.set(s.id, { id: s.id, name: s.name, viaPortal: s.portal });
  }
  return {
    services: [...services.values()].sort((a, b) => a.name.localeCompare(b.name, 'de')),
    portals: portals.map((p) => ({ id: p.id, name: p.name, services: Number(p.services ?? 0) })),
  };
}
