import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loggedUrl, loggerOptions } from '../../src/http/log.js';
import { testConfig } from '../helpers/app.js';
import { createTestDb } from '../helpers/db.js';

describe('loggedUrl', () => {
  it.each([
    ['/registrieren/bestaetigen?token=abc', '/registrieren/bestaetigen?token=[entfernt]'],
    ['/passwort-neu?token=abc&x=1', '/passwort-neu?token=[entfernt]&x=1'],
    ['/registrieren?einladung=abc', '/registrieren?einladung=[entfernt]'],
    ['/anmelden/oidc/callback?code=c&state=s', '/anmelden/oidc/callback?code=[entfernt]&state=[entfernt]'],
    ['/berichte?von=2024-01', '/berichte?von=2024-01'],
    ['/x?%74oken=abc', '/x?%74oken=[entfernt]'],
    ['/x?%=1', '/x?%=1'],
    ['/dienste/1', '/dienste/1'],
  ])('%s -> %s', (url, logged) => {
    expect(loggedUrl(url)).toBe(logged);
  });
});

describe('request log', () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  let close = async () => {};
  afterAll(() => close());

  it('holds no mailed link token, cookie or authorization header', async () => {
    const db = await createTestDb();
    const options = loggerOptions('info');
    const app = await buildApp({
      config: testConfig(),
      db,
      logger: { ...(options as object), stream },
    });
    close = async () => {
      await app.close();
      await db.close();
    };
    await app.inject({ url: '/passwort-neu?token=GEHEIM-LINK-TOKEN' });
    await app.inject({
      url: '/api/v1/deliveries/1',
      headers: { authorization: 'Bearer zsk_GEHEIMER-SCHLUESSEL', cookie: 'zsk_session=GEHEIME-SITZUNG' },
    });
    const log = lines.join('');
    expect(log).toContain('/passwort-neu?token=[entfernt]');
    expect(log).not.toContain('GEHEIM');
  });
});
