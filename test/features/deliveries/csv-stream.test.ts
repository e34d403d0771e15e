import { describe, expect, it } from 'vitest';
import { parseDeliveryCsv, parseDeliveryCsvStream } from '../../../src/features/deliveries/csv.js';

/** The streaming reader of uploaded files must read every file exactly as the one-piece reader does. */
const FILES: [string, string, boolean][] = [
  ['BOM, semicolons, CRLF', '\uFEFFmonat;ars;anzahl\r\n2024-05;06;10\r\n2024-05;09;20\r\n', false],
  [
    'commas, empty lines kept in between, trailing ones dropped',
    'month,ars,count\n2024-05,06,1\n\n2024-05,09,2\n\n\n',
    false,
  ],
  [
    'portal columns, quoted fields, spaces trimmed',
    'serviceId;monat;ars;anzahl\n 7 ;"2024-05";06;"1"\n',
    true,
  ],
  [
    'characters of several bytes split across chunks',
    'monat;ars;anzahl\n2024-05;Düsseldorf€;ä\n2024-05;06;ö\n',
    false,
  ],
  ['short and long records', 'monat;ars;anzahl\n2024-05;06\n2024-05;06;1;überzählig\n', false],
];

describe('parseDeliveryCsvStream', () => {
  for (const [name, text, portal] of FILES) {
    it(`reads like parseDeliveryCsv: ${name}`, async () => {
      const expected = parseDeliveryCsv(text, portal);
      for (const chunkSize of [1, 3, 7, 64 * 1024]) {
        await expect(parseDeliveryCsvStream(Buffer.from(text, 'utf8'), portal, chunkSize)).resolves.toEqual(
          expected,
        );
      }
    });
  }

  it('refuses what parseDeliveryCsv refuses, with the same code', async () => {
    for (const text of [
      '',
      '\n\n',
      'datum;ars;anzahl\n2024-05;06;1\n',
      'monat;ars;anzahl\n"2024-05;06;1\n',
    ]) {
      let sync: unknown;
      try {
        parseDeliveryCsv(text, false);
      } catch (e) {
        sync = e;
      }
      expect(sync, text).toBeDefined();
      await expect(parseDeliveryCsvStream(Buffer.from(text), false, 4)).rejects.toMatchObject({
        code: (sync as { code: string }).code,
      });
    }
  });
});
