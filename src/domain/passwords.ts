/**
 * Rules for passwords people choose (registration, reset). Length beats composition rules (NIST SP
 * 800-63B, BSI IT-Grundschutz ORP.4): at least 12 characters, nothing derived from the address, and
 * none of the passwords attackers try first.
 */
export const MIN_PASSWORD_LENGTH = 12;
/** Hashing a multi-megabyte "password" would tie up the server; nobody types more than this. */
export const MAX_PASSWORD_LENGTH = 200;

// Common passwords of at least 12 characters (shorter ones fail the length rule anyway), from the
// German and international lists of leaked passwords, lower case.
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456789abc',
  '1234567890ab',
  '1q2w3e4r5t6y',
  'qwertyuiop12',
  'qwertzuiop12',
  'qwertzuiopü',
  'qwertzuiopü+',
  'qwertyuiopasdf',
  'asdfghjklöä#',
  'passwort1234',
  'passwort12345',
  'passwort123!',
  'password1234',
  'password12345',
  'password123!',
  'passwortpasswort',
  'passwordpassword',
  'hallo1234567',
  'hallohallo12',
  'sommer2024!!',
  'sommer2025!!',
  'sommer2026!!',
  'winter2024!!',
  'winter2025!!',
  'winter2026!!',
  'willkommen123',
  'willkommen1234',
  'willkommen2024',
  'willkommen2025',
  'willkommen2026',
  'geheimgeheim',
  'iloveyou1234',
  'letmein12345',
  'administrator',
  'administrator1',
  'verwaltung123',
  'verwaltung2026',
  'statistik123',
  'statistik2026',
  'zentralestatistik',
  'bundesrepublik',
  'deutschland123',
  'deutschland1234',
]);

/** German message for the first rule a password breaks, or null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `Das Passwort muss mindestens ${MIN_PASSWORD_LENGTH} Zeichen lang sein.`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `Das Passwort darf höchstens ${MAX_PASSWORD_LENGTH} Zeichen lang sein.`;
  }
  const lower = password.toLowerCase();
  const localPart = email.trim().toLowerCase().split('@')[0] ?? '';
  // Parts of one or two letters would forbid half the alphabet without making anything safer.
  if (localPart.length >= 3 && lower.includes(localPart)) {
    return 'Das Passwort darf den Teil Ihrer E-Mail-Adresse vor dem „@“ nicht enthalten.';
  }
  if (COMMON_PASSWORDS.has(lower) || new Set(lower).size <= 2) {
    return 'Dieses Passwort ist zu verbreitet und wird bei Angriffen zuerst ausprobiert. Bitte wählen Sie ein anderes.';
  }
  return null;
}
