import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../../src/domain/passwords.js';

describe('password rules', () => {
  const email = 'erika.mustermann@behoerde.example';

  it('accepts a long passphrase', () => {
    expect(passwordProblem('Kaffee trinken am Rhein 7', email)).toBeNull();
  });

  it(`needs at least ${MIN_PASSWORD_LENGTH} characters`, () => {
    expect(passwordProblem('kurz-1A!', email)).toBe('Das Passwort muss mindestens 12 Zeichen lang sein.');
    expect(passwordProblem('a'.repeat(11) + 'b', email)).not.toContain('mindestens');
  });

  it('refuses the local part of the address, in any case', () => {
    expect(passwordProblem('ERIKA.MUSTERMANN-2026', email)).toContain('vor dem „@“');
    // Very short local parts would forbid half the alphabet; they are not checked.
    expect(passwordProblem('abcdefghijklmnop', 'ab@behoerde.example')).toBeNull();
  });

  it('refuses common passwords and strings of one or two characters', () => {
    expect(passwordProblem('Passwort1234', email)).toContain('zu verbreitet');
    expect(passwordProblem('123456789012', email)).toContain('zu verbreitet');
    expect(passwordProblem('abababababab', email)).toContain('zu verbreitet');
  });

  it('caps the length so hashing stays cheap', () => {
    expect(passwordProblem('x1'.repeat(101), email)).toContain('höchstens 200');
  });
});
