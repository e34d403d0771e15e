import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInvocation, runCommand } from '../../src/cli/commands.js';
import { verifyPassword } from '../../src/features/accounts/passwords.js';
import { hashToken } from '../../src/http/secrets.js';
import { createTestDb, ENGINE, type TestDb } from '../helpers/db.js';
import { createPortal, createService } from '../helpers/factories.js';

// The commands as the CLI and the server's socket both run them; test/cli/zsk.test.ts covers the
// processes around them.
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

async function zsk(...argv: string[]): Promise<{ exit: number; out: string[]; err: string[] }> {
  return zskWithFile(null, ...argv);
}

/** A command with its file argument as the CLI reads it (name and bytes). */
async function zskWithFile(
  file: { name: string; bytes: Buffer } | null,
  ...argv: string[]
): Promise<{ exit: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  const invocation = parseInvocation(argv);
  if (!invocation) throw new Error(`kein Befehl: ${argv.join(' ')}`);
  return { exit: await runCommand(db, invocation, file, io), out, err };
}

const auditOf = (action: string, entityId: number) =>
  db.kysely
    .selectFrom('audit_log')
    .select(['actor_user_id', 'new_value'])
    .where('action', '=', action)
    .where('entity_id', '=', String(entityId))
    .execute();

describe(`zsk commands (${ENGINE})`, () => {
  it('portal create makes a portal with its URL, audited without a person, and prints its id last', async () => {
    const result = await zsk('portal', 'create', 'Serviceportal Nord', '--url', 'https://nord.example.de');
    expect(result.exit).toBe(0);
    const id = Number(result.out.at(-1));
    const portal = await db.kysely
      .selectFrom('portals')
      .select(['name', 'url'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(portal).toEqual({ name: 'Serviceportal Nord', url: 'https://nord.example.de' });
    expect(await auditOf('portal.create', id)).toEqual([
      {
        actor_user_id: null,
        new_value: { name: 'Serviceportal Nord', url: 'https://nord.example.de', authority: null },
      },
    ]);
  });

  it('portal create refuses a taken name, a wrong URL and a missing name', async () => {
    const taken = await zsk('portal', 'create', 'serviceportal nord');
    expect(taken.exit).toBe(1);
    expect(taken.err.join('\n')).toContain('gibt es bereits');
    const wrongUrl = await zsk('portal', 'create', 'Serviceportal Süd', '--url', 'nord.example.de');
    expect(wrongUrl.exit).toBe(1);
    expect(wrongUrl.err.join('\n')).toContain('https://');
    expect((await zsk('portal', 'create', '--url', 'https://x.example.de')).exit).toBe(2);
    expect(
      await db.kysely.selectFrom('portals').select('id').where('name', '=', 'Serviceportal Süd').execute(),
    ).toEqual([]);
  });

  it('services list --portal ID --json lists exactly the services of that portal', async () => {
    const [a, b, outside] = [
      await createService(db.kysely),
      await createService(db.kysely),
      await createService(db.kysely),
    ];
    const portalId = await createPortal(db.kysely, [b, a]);
    const result = await zsk('services', 'list', '--portal', String(portalId), '--json');
    expect(result.exit).toBe(0);
    const listed = JSON.parse(result.out.join('\n')) as Array<{
      id: number;
      name: string;
      granularity: string;
      type: string;
    }>;
    expect(listed.map((s) => s.id)).toEqual([a, b]);
    expect(listed[0]).toEqual({
      id: a,
      name: expect.any(String) as unknown,
      granularity: 'land',
      type: '2/3',
    });
    const all = JSON.parse((await zsk('services', 'list', '--json')).out.join('\n')) as Array<{ id: number }>;
    expect(all.map((s) => s.id)).toContain(outside);

    const unknown = await zsk('services', 'list', '--portal', '999999', '--json');
    expect(unknown.exit).toBe(1);
    expect(unknown.err).toEqual(['Portal 999999 gibt es nicht.']);
    expect((await zsk('services', 'list', '--portal', 'eins')).exit).toBe(2);
  });

  it('user create --admin makes an active administrator and prints the password once, last', async () => {
    const result = await zsk(
      'user',
      'create',
      'Leitung@Behoerde.example',
      '--name',
      'Leitung ZSK',
      '--admin',
    );
    expect(result.exit).toBe(0);
    const password = result.out.at(-1)!;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const user = await db.kysely
      .selectFrom('users')
      .select(['id', 'name', 'is_admin', 'status', 'password_hash'])
      .where('email', '=', 'Leitung@Behoerde.example')
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({ name: 'Leitung ZSK', is_admin: true, status: 'active' });
    expect(await verifyPassword(user.password_hash!, password)).toBe(true);
    expect(user.password_hash).not.toContain(password);
    expect(await auditOf('user.create', user.id)).toEqual([
      { actor_user_id: null, new_value: { email: 'Leitung@Behoerde.example', isAdmin: true } },
    ]);
  });

  it('user create refuses an existing address, a malformed one and an account without --admin', async () => {
    const again = await zsk('user', 'create', 'leitung@behoerde.example', '--admin');
    expect(again.exit).toBe(1);
    expect(again.err.join('\n')).toContain('gibt es bereits');
    expect((await zsk('user', 'create', 'keine-adresse', '--admin')).exit).toBe(2);
    const notAdmin = await zsk('user', 'create', 'person@behoerde.example');
    expect(notAdmin.exit).toBe(2);
    expect(notAdmin.err.join('\n')).toContain('/registrieren');
    expect(
      await db.kysely
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'person@behoerde.example')
        .execute(),
    ).toEqual([]);
  });

  it('token create prints the token last and stores only its hash', async () => {
    const serviceId = await createService(db.kysely);
    const result = await zsk('token', 'create', '--service', String(serviceId), '--name', 'Test');
    expect(result.exit).toBe(0);
    const token = result.out.at(-1)!;
    expect(token).toMatch(/^zsk_[A-Za-z0-9_-]{43}$/);
    const row = await db.kysely
      .selectFrom('access_tokens')
      .select(['service_id', 'label'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ service_id: serviceId, label: 'Test' });
    expect((await zsk('token', 'create', '--service', '999999')).exit).toBe(1);
  });

  it('services import creates and updates the services of a portal from CSV or JSON, atomically', async () => {
    const portalId = await createPortal(db.kysely, [], 'Importportal');
    const csv = Buffer.from(
      'serviceKey;name;type;buildMode;granularity\nwohngeld;Wohngeld online;4;own;kreis\nkfz;Kfz-Zulassung;2/3;efa;land\n',
    );
    const first = await zskWithFile(
      { name: 'dienste.csv', bytes: csv },
      'services',
      'import',
      'dienste.csv',
      '--portal',
      String(portalId),
    );
    expect(first.exit, first.err.join('\n')).toBe(0);
    expect(first.out.at(-1)).toBe('Portal „Importportal“: 2 neu, 0 geändert, 0 unverändert.');
    const again = await zskWithFile(
      { name: 'dienste.csv', bytes: csv },
      'services',
      'import',
      'dienste.csv',
      '--portal',
      String(portalId),
    );
    expect(again.out.at(-1)).toBe('Portal „Importportal“: 0 neu, 0 geändert, 2 unverändert.');
    const json = Buffer.from(
      JSON.stringify([
        {
          serviceKey: 'kfz',
          name: 'Kfz-Zulassung digital',
          type: '2/3',
          buildMode: 'efa',
          granularity: 'land',
        },
        { serviceKey: 'neu', name: '', type: '2/3', buildMode: 'efa', granularity: 'land' },
      ]),
    );
    const bad = await zskWithFile(
      { name: 'dienste.json', bytes: json },
      'services',
      'import',
      'dienste.json',
      '--portal',
      String(portalId),
    );
    expect(bad.exit).toBe(1);
    expect(bad.err.join('\n')).toContain('Zeile 2, name');
    const names = await db.kysely
      .selectFrom('online_services as s')
      .innerJoin('portal_services as ps', 'ps.service_id', 's.id')
      .select('s.name')
      .where('ps.portal_id', '=', portalId)
      .orderBy('s.name')
      .execute();
    expect(names.map((n) => n.name)).toEqual(['Kfz-Zulassung', 'Wohngeld online']);
    const unknownPortal = await zskWithFile(
      { name: 'dienste.csv', bytes: csv },
      'services',
      'import',
      'dienste.csv',
      '--portal',
      '999999',
    );
    expect(unknownPortal.exit).toBe(1);
    expect(unknownPortal.err.join('\n')).toContain('Portal 999999 gibt es nicht.');
    const noJson = await zskWithFile(
      { name: 'x.json', bytes: Buffer.from('{') },
      'services',
      'import',
      'x.json',
      '--portal',
      String(portalId),
    );
    expect(noJson.exit).toBe(1);
  });
});
