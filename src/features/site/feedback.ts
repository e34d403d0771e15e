import type { FastifyInstance } from 'fastify';
import type { FieldErrors } from '../../web/form.js';
import type { Mail } from '../mail/mailer.js';

/** The limits of migration 0023, said on the form and checked before the database would refuse. */
export const FEEDBACK_LIMITS = { name: 200, email: 254, message: 5000 } as const;

export interface FeedbackInput {
  name: string;
  email: string;
  message: string;
  /** The path of this site the visitor came from, if any. */
  page: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function readFeedback(body: Record<string, string | undefined> | undefined): FeedbackInput {
  const text = (value: string | undefined) => (typeof value === 'string' ? value.trim() : '');
  const page = text(body?.seite);
  return {
    name: text(body?.name),
    email: text(body?.email),
    message: (typeof body?.nachricht === 'string' ? body.nachricht : '').replace(/\r\n?/g, '\n').trim(),
    // Only a path of this site: the field is shown to the administrators, never followed as a link.
    page: /^\/(?!\/)[^\s]{0,499}$/.test(page) ? page : '',
  };
}

export function validateFeedback(input: FeedbackInput): FieldErrors {
  const errors: FieldErrors = {};
  if (input.name.length > FEEDBACK_LIMITS.name)
    errors.name = `Der Name darf höchstens ${FEEDBACK_LIMITS.name} Zeichen lang sein.`;
  if (input.email.length > FEEDBACK_LIMITS.email)
    errors.email = `Die E-Mail-Adresse darf höchstens ${FEEDBACK_LIMITS.email} Zeichen lang sein.`;
  else if (input.email && !EMAIL.test(input.email))
    errors.email =
      'Bitte geben Sie eine E-Mail-Adresse wie name@beispiel.de ein oder lassen Sie das Feld leer.';
  if (!input.message) errors.nachricht = 'Bitte schreiben Sie Ihre Nachricht.';
  else if ([...input.message].length > FEEDBACK_LIMITS.message)
    errors.nachricht = `Die Nachricht darf höchstens ${FEEDBACK_LIMITS.message.toLocaleString('de-DE')} Zeichen lang sein (jetzt ${[...input.message].length.toLocaleString('de-DE')}).`;
  return errors;
}

function feedbackMail(to: string, id: number, input: FeedbackInput, publicUrl: string): Mail {
  return {
    to,
    subject: `ZSK: Neue Nachricht über das Kontaktformular (Nr. ${id})`,
    text: [
      'Über das Kontaktformular der Zentralen Statistik-Komponente ist eine Nachricht eingegangen.',
      '',
      `Name: ${input.name || '(nicht angegeben)'}`,
      `E-Mail: ${input.email || '(nicht angegeben)'}`,
      `Gesendet von der Seite: ${input.page ? `${publicUrl}${input.page}` : '(unbekannt)'}`,
      '',
      'Nachricht:',
      input.message,
      '',
      `Die Nachricht ist unter der Nummer ${id} in der Tabelle „feedback“ gespeichert.`,
    ].join('\n'),
  };
}

/**
 * Stores the message, then tells every active administrator. The message is safe in the database
 * before any mail goes out; a failing mail server must not turn the visitor's success into an error.
 */
export async function submitFeedback(app: FastifyInstance, input: FeedbackInput): Promise<number> {
  const db = app.db.kysely;
  const { id } = await db
    .insertInto('feedback')
    .values({
      name: input.name || null,
      email: input.email || null,
      message: input.message,
      page: input.page || null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const admins = await db
    .selectFrom('users')
    .select('email')
    .where('is_admin', '=', true)
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
  const results = await Promise.allSettled(
    admins.map((a) => app.mailer.send(feedbackMail(a.email, id, input, app.config.publicUrl))),
  );
  for (const r of results) {
    if (r.status === 'rejected')
      app.log.error({ err: r.reason, feedbackId: id }, 'Nachricht an die Administration nicht versendet');
  }
  return id;
}
