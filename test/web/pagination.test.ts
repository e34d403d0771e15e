import { describe, expect, it } from 'vitest';
import { parsePageNumber } from '../../src/web/pagination.js';
describe('parsePageNumber', () => {
  it('reads page 1 when absent or empty and whole numbers from 1', () => {
    expect(parsePageNumber(undefined)).toEqual({ ok: true, value: 1 });
    expect(parsePageNumber('')).toEqual({ ok: true, value: 1 });
    expect(parsePageNumber('17')).toEqual({ ok: true, value: 17 });
  });

  it('refuses anything else with one message, the input cut to 20 characters', () => {
    for (const raw of ['0', '-1', '1.5', 'zwei', ' 2', '01', ['1', '2']]) {
      const page = parsePageNumber(raw);
      expect(page.ok, String(raw)).toBe(false);
      if (!page.ok) expect(page.error.code).toBe('page_invalid');
    }
    const long = parsePageNumber('x'.repeat(100));
    expect(!long.ok && long.error.message).toBe(
      `Ungültige Seitenzahl „${'x'.repeat(20)}“; erlaubt sind ganze Zahlen ab 1.`,
    );
  });
});
