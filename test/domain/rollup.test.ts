import { describe, expect, it } from 'vitest';
import { rollUp, totalsByMonth } from '../../src/domain/rollup.js';

const GEMEINDEN = [
  { ars: '064320001001', count: 3 }, // Alsbach-Hähnlein, Landkreis Darmstadt-Dieburg
  { ars: '064320002002', count: 4 }, // same Kreis
  { ars: '064330003003', count: 5 }, // Kreis Groß-Gerau
  { ars: '064110000000', count: 10 }, // Darmstadt, kreisfreie Stadt, Gemeinde under its Kreis key
  { ars: '071110000000', count: 20 }, // Koblenz, another Land
  { ars: '110000000000', count: 100 }, // Berlin
];

describe('rollUp', () => {
  it('sums Gemeinden into Kreise', () => {
    expect(rollUp(GEMEINDEN, 'kreis')).toEqual(
      new Map([
        ['064110000000', 10],
        ['064320000000', 7],
        ['064330000000', 5],
        ['071110000000', 20],
        ['110000000000', 100],
      ]),
    );
  });

  it('sums Gemeinden into Länder', () => {
    expect(rollUp(GEMEINDEN, 'land')).toEqual(
      new Map([
        ['060000000000', 22],
        ['070000000000', 20],
        ['110000000000', 100],
      ]),
    );
  });

  it('sums everything into the nationwide key', () => {
    expect(rollUp(GEMEINDEN, 'bund')).toEqual(new Map([['000000000000', 142]]));
  });

  it('keeps Gemeinden at Gemeinde level and adds up repeated keys', () => {
    const result = rollUp([...GEMEINDEN, { ars: '064320001001', count: 1 }], 'gemeinde');
    expect(result.get('064320001001')).toBe(4);
    expect(result.size).toBe(GEMEINDEN.length);
  });

  it('gives the same Land totals whether rolled up directly or via Kreise', () => {
    const viaKreise = [...rollUp(GEMEINDEN, 'kreis')].map(([ars, count]) => ({ ars, count }));
    expect(rollUp(viaKreise, 'land')).toEqual(rollUp(GEMEINDEN, 'land'));
  });

  it('returns keys in ascending order', () => {
    const result = rollUp([...GEMEINDEN].reverse(), 'kreis');
    const keys = [...result.keys()];
    expect(keys).toEqual([...keys].sort());
  });

  it('passes Regierungsbezirke and Gemeindeverbände through to a coarser level', () => {
    expect(
      rollUp(
        [
          { ars: '064000000000', count: 1 },
          { ars: '064320001000', count: 2 },
        ],
        'land',
      ),
    ).toEqual(new Map([['060000000000', 3]]));
  });

  it.each([
    ['060000000000', 'kreis'],
    ['000000000000', 'land'],
    ['064000000000', 'kreis'],
    ['064320001000', 'gemeinde'],
    ['060000000000', 'gemeinde'],
  ] as const)('refuses to split %s into %s', (ars, to) => {
    expect(() => rollUp([{ ars, count: 1 }], to)).toThrow(RangeError);
  });

  it('returns an empty map for no rows', () => {
    expect(rollUp([], 'land')).toEqual(new Map());
  });
});

describe('totalsByMonth', () => {
  it('sums per month in chronological order', () => {
    const result = totalsByMonth([
      { month: '2024-04', count: 3 },
      { month: '2023-12', count: 1 },
      { month: '2024-04', count: 4 },
      { month: '2024-01', count: 0 },
    ]);
    expect([...result]).toEqual([
      ['2023-12', 1],
      ['2024-01', 0],
      ['2024-04', 7],
    ]);
  });

  it('returns an empty map for no rows', () => {
    expect(totalsByMonth([])).toEqual(new Map());
  });
});
