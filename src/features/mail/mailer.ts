import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';

export interface Mail {
  to: string;
  subject: string;
  /** Plain text: every mail client shows it, and links stay copyable. */
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    mailer: Mailer;
  }
}

const URL_PATTERN = /https?:\/\/\S+/g;

/**
 * SMTP when SMTP_URL is set. Without it, each mail is written as an .eml file to <dataDir>/outbox and
 * its links are logged, so registration and password reset work on a developer's machine too.
 */
export function createMailer(config: Config, log: FastifyBaseLogger): Mailer {
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(config.smtpUrl);
    return {
      async send(mail) {
        await transport.sendMail({ from: config.mailFrom, ...mail });
        log.info({ to: mail.to, subject: mail.subject }, 'Mail versendet');
      },
    };
  }
  const render = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const outbox = path.join(config.dataDir.startsWith('memory://') ? tmpdir() : config.dataDir, 'outbox');
  return {
    async send(mail) {
      const info = await render.sendMail({ from: config.mailFrom, ...mail });
      await mkdir(outbox, { recursive: true });
      const safeTo = mail.to.replace(/[^A-Za-z0-9@._-]/g, '_');
      const file = path.join(outbox, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeTo}.eml`);
      await writeFile(file, info.message as Buffer);
      log.info(
        { to: mail.to, subject: mail.subject, file, links: mail.text.match(URL_PATTERN) ?? [] },
        'Mail im Postausgang abgelegt (kein SMTP_URL gesetzt)',
      );
    },
  };
}

/**
 * Sends mails after the change has committed. A failed mail does not undo the change; the page says so,
 * and the address can be invited again once the invitation is withdrawn.
 */
export async function sendMails(request: FastifyRequest, mails: Mail[]): Promise<string[]> {
  const failed: string[] = [];
  for (const mail of mails) {
    try {
      await request.server.mailer.send(mail);
    } catch (err) {
      request.log.error({ err, to: mail.to }, 'mail failed');
      failed.push(mail.to);
    }
  }
  return failed;
}
