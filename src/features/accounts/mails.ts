import type { UserStatus } from '../../db/schema.js';
import type { Mail } from '../mail/mailer.js';

/** Every mail of registration, approval and password reset, in one place so the wording stays consistent. */

const SIGNATURE = '\n\nIhre ZSK-Administration\nZentrale Statistik-Komponente';

export const verifyEmailMail = (to: string, name: string, link: string): Mail => ({
  to,
  subject: 'Bitte bestätigen Sie Ihre E-Mail-Adresse',
  text:
    `Guten Tag ${name},\n\nSie haben sich bei der Zentralen Statistik-Komponente (ZSK) registriert. ` +
    `Bitte bestätigen Sie Ihre E-Mail-Adresse über diesen Link (24 Stunden gültig):\n\n${link}\n\n` +
    'Danach prüft die ZSK-Administration Ihre Registrierung. Wenn Sie sich nicht registriert haben, ' +
    `können Sie diese E-Mail ignorieren.${SIGNATURE}`,
});

const ALREADY_REGISTERED: Record<UserStatus, string> = {
  pending_verification:
    'Ihre E-Mail-Adresse ist noch nicht bestätigt. Mit diesem Link (24 Stunden gültig) bestätigen Sie sie:',
  pending_approval:
    'Ihre Registrierung wird gerade von der ZSK-Administration geprüft. Sie erhalten eine E-Mail, sobald sie entschieden ist.',
  active:
    'Sie können sich mit Ihrem bestehenden Konto anmelden. Falls Sie Ihr Passwort nicht mehr wissen, setzen Sie es über „Passwort vergessen“ neu:',
  rejected:
    'Ihre frühere Registrierung wurde abgelehnt. Bitte wenden Sie sich an die ZSK-Administration, wenn Sie erneut Zugang benötigen.',
  disabled:
    'Ihr Konto ist deaktiviert. Bitte wenden Sie sich an die ZSK-Administration, wenn Sie wieder Zugang benötigen.',
};

/** Sent instead of a second account: the registration page must not reveal that the address is known. */
export const alreadyRegisteredMail = (to: string, status: UserStatus, link: string | null): Mail => ({
  to,
  subject: 'Ihre Registrierung bei der ZSK',
  text:
    'Guten Tag,\n\nmit Ihrer E-Mail-Adresse wurde eine Registrierung bei der Zentralen Statistik-Komponente ' +
    `(ZSK) versucht. Für diese Adresse besteht bereits ein Konto.\n\n${ALREADY_REGISTERED[status]}` +
    `${link ? `\n\n${link}` : ''}\n\nWenn Sie sich nicht registrieren wollten, können Sie diese E-Mail ignorieren.${SIGNATURE}`,
});

export const underReviewMail = (to: string, name: string): Mail => ({
  to,
  subject: 'Ihre Registrierung wird geprüft',
  text:
    `Guten Tag ${name},\n\nvielen Dank, Ihre E-Mail-Adresse ist bestätigt. Ihre Registrierung wird jetzt von ` +
    `der ZSK-Administration geprüft. Sie erhalten eine E-Mail, sobald Ihr Zugang freigeschaltet ist.${SIGNATURE}`,
});

export const newRegistrationMail = (
  to: string,
  applicant: { name: string; email: string; authority: string | null },
  queueLink: string,
): Mail => ({
  to,
  subject: 'Neue Registrierung zur Prüfung',
  text:
    `Guten Tag,\n\neine neue Registrierung wartet auf Ihre Prüfung:\n\n${applicant.name} <${applicant.email}>` +
    `${applicant.authority ? `\n${applicant.authority}` : ''}\n\nZur Prüfung:\n${queueLink}${SIGNATURE}`,
});

export const approvedMail = (to: string, name: string, signInLink: string): Mail => ({
  to,
  subject: 'Ihr Zugang ist freigeschaltet',
  text:
    `Guten Tag ${name},\n\nIhr Zugang zur Zentralen Statistik-Komponente (ZSK) ist freigeschaltet. ` +
    `Sie können sich jetzt anmelden:\n\n${signInLink}${SIGNATURE}`,
});

export const rejectedMail = (to: string, name: string, reason: string): Mail => ({
  to,
  subject: 'Ihre Registrierung wurde abgelehnt',
  text:
    `Guten Tag ${name},\n\nIhre Registrierung bei der Zentralen Statistik-Komponente (ZSK) wurde abgelehnt.\n\n` +
    `Begründung:\n${reason}\n\nBei Fragen antworten Sie bitte auf diese E-Mail.${SIGNATURE}`,
});

export const resetPasswordMail = (to: string, name: string, link: string): Mail => ({
  to,
  subject: 'Passwort neu setzen',
  text:
    `Guten Tag ${name},\n\nfür Ihr Konto bei der Zentralen Statistik-Komponente (ZSK) wurde ein neues ` +
    `Passwort angefordert. Mit diesem Link (1 Stunde gültig) setzen Sie es:\n\n${link}\n\n` +
    `Wenn Sie kein neues Passwort angefordert haben, können Sie diese E-Mail ignorieren; Ihr Passwort bleibt dann unverändert.${SIGNATURE}`,
});

/** Answers a reset request for an account that signs in only with its Behördenkonto (OIDC, no password). */
export const organisationLoginMail = (to: string, name: string, signInLink: string): Mail => ({
  to,
  subject: 'Anmeldung bei der ZSK',
  text:
    `Guten Tag ${name},\n\nfür Ihr Konto bei der Zentralen Statistik-Komponente (ZSK) wurde ein neues ` +
    `Passwort angefordert. Ihr Konto hat kein eigenes ZSK-Passwort: Sie melden sich mit Ihrem ` +
    `Behördenkonto an („Mit dem Behördenkonto anmelden“):\n\n${signInLink}\n\n` +
    `Das Passwort des Behördenkontos ändern Sie bei Ihrer Behörde. Wenn Sie nichts angefordert haben, können Sie ` +
    `diese E-Mail ignorieren.${SIGNATURE}`,
});

export const passwordChangedMail = (to: string, name: string, resetLink: string): Mail => ({
  to,
  subject: 'Ihr Passwort wurde geändert',
  text:
    `Guten Tag ${name},\n\nIhr Passwort bei der Zentralen Statistik-Komponente (ZSK) wurde geändert. ` +
    `Alle bisherigen Anmeldungen wurden beendet.\n\nWenn Sie das nicht selbst waren, setzen Sie Ihr ` +
    `Passwort sofort neu und informieren Sie die ZSK-Administration:\n${resetLink}${SIGNATURE}`,
});

export const accountDisabledMail = (to: string, name: string): Mail => ({
  to,
  subject: 'Ihr Konto wurde deaktiviert',
  text:
    `Guten Tag ${name},\n\nIhr Konto bei der Zentralen Statistik-Komponente (ZSK) wurde von der ` +
    `ZSK-Administration deaktiviert. Bei Fragen antworten Sie bitte auf diese E-Mail.${SIGNATURE}`,
});
