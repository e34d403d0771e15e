import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import { knownDataStamp, readDataStamp, STAMP_REUSE_MS } from '../../src/http/data-stamp.js';
import { createTestDb, ENGINE, type TestDb } from '../helpers/db.js';
import { createService } from '../helpers/factories.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

const currentVersion = async () =>
  Number(
    (await sql<{ version: string }>`SELECT version FROM data_version`.execute(db.kysely)).rows[0]!.version,
  );

/** A change this process's pool does not see: another instance or the `zsk` command. */
async function changeFromElsewhere(): Promise<void> {
  const statement = `UPDATE online_services SET name = name || '.'`;
  if (db.pglite) {
    await db.pglite.query(statement);
    return;
  }
  const client = new pg.Client({ connectionString: db.url! });
  await client.connect();
  await client.query(statement);
  await client.end();
}

describe(`the data stamp (${ENGINE})`, () => {
  it('counts the writes of the pool, not its reads', async () => {
    const before = db.writes();
    await sql`SELECT 1`.execute(db.kysely);
    await db.kysely.selectFrom('online_services').select('id').execute();
    expect(db.writes()).toBe(before);
    await createService(db.kysely);
    expect(db.writes()).toBeGreaterThan(before);
    const inTransaction = db.writes();
    await db.kysely.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
    });
    // BEGIN … COMMIT: counted conservatively, though nothing changed.
    expect(db.writes()).toBeGreaterThan(inTransaction);
  });

  it('sees a change made through this process at once', async () => {
    const first = await readDataStamp(db);
    expect(first.version).toBe(await currentVersion());
    await createService(db.kysely, { name: 'Neu im Prozess' });
    const second = await readDataStamp(db);
    expect(second.version).toBeGreaterThan(first.version);
    expect(second.version).toBe(await currentVersion());
  });

  it('has the stamp at hand, without a promise, exactly while readDataStamp would reuse it', async () => {
    await createService(db.kysely, { name: 'Vor dem Lesen' });
    // Written since the last read: nothing at hand until the next read has finished.
    expect(knownDataStamp(db)).toBeUndefined();
    const now = Date.now();
    const read = readDataStamp(db, now);
    expect(knownDataStamp(db, now)).toBeUndefined();
    const stamp = await read;
    expect(knownDataStamp(db, now)).toEqual(stamp);
    expect(knownDataStamp(db, now + STAMP_REUSE_MS)).toBeUndefined();
    await createService(db.kysely, { name: 'Nach dem Lesen' });
    expect(knownDataStamp(db, now)).toBeUndefined();
  });

  it('reuses a read while nothing was written, and sees other writers within STAMP_REUSE_MS', async () => {
    // A write of this process first: the read below is a new one, begun at `now`.
    await createService(db.kysely);
    const now = Date.now();
    const read = await readDataStamp(db, now);
    await changeFromElsewhere();
    const changed = await currentVersion();
    expect(changed).toBeGreaterThan(read.version);
    // Within the window the process has not heard of the other writer…
    expect((await readDataStamp(db, now + STAMP_REUSE_MS - 1)).version).toBe(read.version);
    // …after it, it asks again.
    expect((await readDataStamp(db, now + STAMP_REUSE_MS)).version).toBe(changed);
  });

  it('shares one read among requests arriving together', async () => {
    await createService(db.kysely);
    const reads = await Promise.all([readDataStamp(db), readDataStamp(db), readDataStamp(db)]);
    expect(new Set(reads)).toHaveProperty('size', 1);
  });
});
