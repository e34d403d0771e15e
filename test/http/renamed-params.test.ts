import { describe, expect, it } from 'vitest';
import { renamedParam } from '../../src/http/renamed-params.js';

describe('renamedParam', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['the German name', { von: '2024-01' }, '2024-01'],
    ['the former name when the German one is absent', { from: '2023-01' }, '2023-01'],
    ['the former name when the German one is empty (a GET form)', { von: '', from: '2023-01' }, '2023-01'],
    ['the German name when both are given', { von: '2024-01', from: '2023-01' }, '2024-01'],
    ['an empty German name when there is no former one', { von: '' }, undefined],
    ['nothing when neither is given', {}, undefined],
    ['a repeated German name as it came', { von: ['2024-01', '2024-02'], from: 'x' }, ['2024-01', '2024-02']],
  ])('reads %s', (_case, query, expected) => {
    expect(renamedParam(query, 'von', 'from')).toEqual(expected);
  });
});
