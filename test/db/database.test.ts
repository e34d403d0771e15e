import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseInUseError, openDatabase } from '../../src/db/database.js';

describe('embedded database directory', () => {
  it('refuses a second process on the same files and takes over a stale lock', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zsk-lock-'));
    fs.writeFileSync(path.join(dir, 'pglite.pid'), String(process.ppid));
    await expect(openDatabase({ databaseUrl: null, dataDir: dir })).rejects.toThrow(DatabaseInUseError);

    fs.writeFileSync(path.join(dir, 'pglite.pid'), '999999999');
    const db = await openDatabase({ databaseUrl: null, dataDir: dir });
    expect(fs.readFileSync(path.join(dir, 'pglite.pid'), 'utf8')).toBe(String(process.pid));
    await db.close();
    expect(fs.existsSync(path.join(dir, 'pglite.pid'))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
