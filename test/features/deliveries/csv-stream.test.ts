import { describe, expect, it } from 'vitest';
import { MAX_FILE_ROWS, parseDeliveryCsvStream } from '../../../src/features/deliveries/csv.js';

const row = (month: unknown, ars: unknown, count: unknown, serviceId?: unknown) => ({
  month,
  ars,
  count,
  ...(serviceId !== undefined ? { serviceId } : {}),
});

/** Each file, its rows and their line numbers; every chunk size must read it the same way. */
const FILES: [string, string, boolean, { rows: object[]; rowNumbers: number[] }][] = [
  [
    'BOM, semicolons, CRLF',
    '\uFEFFmonat;ars;anzahl\r\n2024-05;06;10\r\n2024-05;09;20\r\n',
    false,
    { rows: [row('2024-05', '06', '10'), row('2024-05', '09', '20')], rowNumbers: [2, 3] },
  ],
  [
    'commas; blank lines and lines of separators only are skipped, line numbers kept',
    'month,ars,count\n2024-05,06,1\n\n,,\n2024-05,09,2\n\n\n',
    false,
    { rows: [row('2024-05', '06', '1'), row('2024-05', '09', '2')], rowNumbers: [2, 5] },
  ],
  [
    'portal columns, quoted fields, spaces trimmed',
    'serviceId;monat;ars;anzahl\n 7 ;"2024-05";06;"1"\n',
    true,
    { rows: [row('2024-05', '06', '1', '7')], rowNumbers: [2] },
  ],
  [
    'characters of several bytes split across chunks',
    'monat;ars;anzahl\n2024-05;Düsseldorf€;ä\n2024-05;06;ö\n',
    false,
    { rows: [row('2024-05', 'Düsseldorf€', 'ä'), row('2024-05', '06', 'ö')], rowNumbers: [2, 3] },
  ],
  [
    'short and long records',
    'monat;ars;anzahl\n2024-05;06\n2024-05;06;1;überzählig\n',
    false,
    { rows: [row('2024-05', '06', undefined), row('2024-05', '06', '1')], rowNumbers: [2, 3] },
  ],
];

describe('parseDeliveryCsvStream', () => {
  for (const [name, text, portal, expected] of FILES) {
    it(`reads in any chunk size: ${name}`, async () => {
      for (const chunkSize of [1, 3, 7, 64 * 1024]) {
        await expect(
          parseDeliveryCsvStream(Buffer.from(text, 'utf8'), portal, { chunkSize }),
        ).resolves.toEqual(expected);
      }
    });
  }

  it('refuses empty files, unknown columns and broken quotes with csv_invalid and a German message', async () => {
    for (const [text, message] of [
      ['', 'leer'],
      ['\n\n', 'leer'],
      ['datum;ars;anzahl\n2024-05;06;1\n', 'Unbekannte Spalte „datum“'],
      ['monat;ars;anzahl\n"2024-05;06;1\n', 'Anführungszeichen wird nicht geschlossen'],
      ['monat;ars;anzahl\n"2024-05"x;06;1\n', 'Nach einem schließenden Anführungszeichen'],
    ] as const) {
      const refused = parseDeliveryCsvStream(Buffer.from(text), false, { chunkSize: 4 });
      await expect(refused, text).rejects.toMatchObject({ code: 'csv_invalid' });
      await expect(refused).rejects.toThrow(message);
      // csv-parse's own English text ("Quote Not Closed: …") never reaches people.
      await expect(refused).rejects.not.toThrow(/Quote|Invalid|line \d/);
    }
  });

  it('names UTF-16 as the encoding instead of reading NUL characters', async () => {
    const text = 'monat;ars;anzahl\r\n2024-05;06;1\r\n';
    for (const content of [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.from(text, 'utf16le'),
    ]) {
      const refused = parseDeliveryCsvStream(content, false);
      await expect(refused).rejects.toMatchObject({ code: 'csv_encoding' });
      await expect(refused).rejects.toThrow('UTF-8');
    }
  });

  it('refuses more rows with data than the limit, naming it; blank lines do not count', async () => {
    const text = `monat;ars;anzahl\n${'\n;;\n2024-05;06;1\n'.repeat(11)}`;
    await expect(parseDeliveryCsvStream(Buffer.from(text), false, { maxRows: 11 })).resolves.toMatchObject({
      rowNumbers: Array.from({ length: 11 }, (_, i) => 4 + 3 * i),
    });
    await expect(parseDeliveryCsvStream(Buffer.from(text), false, { maxRows: 10 })).rejects.toMatchObject({
      statusCode: 422,
      code: 'limit_exceeded',
      message: expect.stringContaining('mehr als 10 Zeilen') as unknown,
      details: [{ limit: 'rows', max: 10 }],
    });
    expect(MAX_FILE_ROWS).toBe(1_000_000);
  });

  it('takes a file of many lines of the wrong width for no delivery', async () => {
    const text = `monat;ars;anzahl\n${'x\n'.repeat(1_001)}`;
    await expect(parseDeliveryCsvStream(Buffer.from(text), false)).rejects.toMatchObject({
      code: 'csv_invalid',
      message: expect.stringContaining('Mehr als 1.000 Zeilen haben nicht die 3 Spalten') as unknown,
    });
    // Up to the limit they are rows with errors, as before.
    const some = await parseDeliveryCsvStream(Buffer.from(`monat;ars;anzahl\n${'x\n'.repeat(1_000)}`), false);
    expect(some.rows).toHaveLength(1_000);
  });
});
