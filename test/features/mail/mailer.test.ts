import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../../src/features/mail/mailer.js';
import { testConfig } from '../../helpers/app.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';

const log = pino({ level: 'silent' });
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
});

describe('mailer', () => {
  it('sends over SMTP when SMTP_URL is set, German text intact', async () => {
    const mailer = createMailer(testConfig({ smtpUrl: smtp.url }), log);
    await mailer.send({
      to: 'joerg@behoerde.example',
      subject: 'Bestätigung Ihrer Registrierung – ZSK',
      text: 'Grüße aus der ZSK.\nBitte öffnen Sie https://zsk.example/registrieren/bestaetigen?token=abc_123 innerhalb von 24 Stunden.',
    });
    const mail = await smtp.waitFor('joerg@behoerde.example');
    expect(mail.subject).toBe('Bestätigung Ihrer Registrierung – ZSK');
    expect(mail.text).toContain('Grüße aus der ZSK.');
    expect(mail.links).toEqual(['https://zsk.example/registrieren/bestaetigen?token=abc_123']);
  });

  it('writes mails to the outbox directory without SMTP_URL', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zsk-outbox-'));
    try {
      const mailer = createMailer(testConfig({ smtpUrl: null, dataDir: dir }), log);
      await mailer.send({ to: 'a@b.example', subject: 'Test', text: 'Link: http://localhost:3000/x' });
      const files = await readdir(path.join(dir, 'outbox'));
      expect(files).toHaveLength(1);
      const eml = await readFile(path.join(dir, 'outbox', files[0]!), 'utf8');
      expect(eml).toContain('Subject: Test');
      expect(eml).toContain('http://localhost:3000/x');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
