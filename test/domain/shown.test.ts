import { describe, expect, it } from 'vitest';
import { shown } from '../../src/domain/shown.js';

describe('shown', () => {
  const cases: [string, unknown, string][] = [
    ['text as it is', '2024-05', '2024-05'],
    ['NUL and other C0 controls as their pictures', 'a\u0000b\u0009c\u000ad', 'a␀b␉c␊d'],
    ['DEL as its picture, C1 controls as replacement character', 'a\u007fb\u0085c', 'a␡b�c'],
    ['lone surrogates as replacement character', 'x\ud800y\udc00z', 'x�y�z'],
    ['a surrogate pair stays whole', 'a😀b', 'a😀b'],
    ['more than 100 characters cut with „…“', 'x'.repeat(101), `${'x'.repeat(100)}…`],
    ['exactly 100 characters kept', 'x'.repeat(100), 'x'.repeat(100)],
    ['a cut never splits a pair', `${'x'.repeat(99)}😀`, `${'x'.repeat(99)}…`],
    ['null and undefined as empty', null, ''],
    ['numbers', 12.5, '12.5'],
    ['objects as JSON, their escapes as text', { a: '\u0000' }, '{"a":"\\u0000"}'],
    ['invalid dates', new Date(Number.NaN), 'Invalid Date'],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => {
      expect(shown(value)).toBe(expected);
    });
  }

  it('gives text that jsonb keeps: no NUL, no lone surrogate', () => {
    const text = shown('\u0000\ud800'.repeat(100));
    expect(JSON.stringify(text)).not.toMatch(/\\u0000|\\ud[89ab]/i);
  });
});
