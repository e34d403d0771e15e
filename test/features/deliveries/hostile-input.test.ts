import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken } from '../../../src/features/tokens/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { createService } from '../../helpers/factories.js';
import { multipartBody } from '../../helpers/multipart.js';
import { textCell, workbookFromXml } from '../../helpers/zip.js';

/*
 * Files and bodies built to exhaust the server, or to make it fail on what it repeats: each must be
 * refused (or answered) with a German message naming the problem, while /healthz keeps answering and
 * the process's memory stays far below what the file would unpack to.
 */

let t: TestApp;
let manager: SignedIn;
let serviceId: number;
let token: string;
beforeAll(async () => {
  t = await createTestApp();
  serviceId = await createService(t.db.kysely, { name: 'Angriffsdienst', granularity: 'land' });
  manager = await signIn(t, { name: 'Hanna Hochlader' });
  await grantService(t.db.kysely, manager.userId, serviceId);
  token = (await createAccessToken(t.db.kysely, { serviceId, label: 'Test' })).token;
});
afterAll(async () => {
  await t.close();
});

const MiB = 1024 * 1024;

function upload(name: string, content: Buffer | string) {
  const body = multipartBody(
    { _csrf: manager.csrfToken },
    { field: 'datei', name, type: 'application/octet-stream', content: Buffer.from(content) },
  );
  return t.app.inject({
    method: 'POST',
    url: `/dienste/${serviceId}/hochladen`,
    headers: { cookie: manager.cookie, accept: 'text/html', ...body.headers },
    payload: body.payload,
  });
}

function put(body: string | object, query = '') {
  const csv = typeof body === 'string';
  return t.app.inject({
    method: 'PUT',
    url: `/api/v1/services/${serviceId}/counts${query}`,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': csv ? 'text/csv' : 'application/json',
    },
    payload: csv ? body : JSON.stringify(body),
  });
}

/**
 * Runs a request while sampling the resident memory and asking /healthz, and gives the answer, the
 * largest growth of memory seen and whether /healthz answered 200 meanwhile.
 */
async function watched<T>(request: () => Promise<T>) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const answer = request();
    const health = await t.app.inject({ url: '/healthz' });
    const res = await answer;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { res, growthMiB: (peak - before) / MiB, healthz: health.statusCode };
  } finally {
    clearInterval(sampler);
  }
}

const header = `<row r="1">${textCell('A1', 'monat')}${textCell('B1', 'ars')}${textCell('C1', 'anzahl')}</row>`;

describe('Excel files that unpack to much more than they weigh', () => {
  it('refuses a cell far right (column XFD) in every row with 422, naming the column limit', async () => {
    // Each row became an array 16,384 wide: 40,000 such rows took 4.5 GB; 5,000 still take ~600 MB.
    let rows = header;
    for (let r = 2; r <= 5_001; r++) rows += `<row r="${r}"><c r="XFD${r}"><v>1</v></c></row>`;
    const xlsx = workbookFromXml(rows);
    expect(xlsx.length).toBeLessThan(MiB);
    const { res, growthMiB, healthz } = await watched(() => upload('breit.xlsx', xlsx));
    expect(healthz).toBe(200);
    expect(growthMiB).toBeLessThan(150);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Zelle XFD2 liegt außerhalb der erlaubten 100 Spalten (A bis CV)');
  });

  it('refuses a shared string of 40 MiB with 422, naming the size limit', async () => {
    const big = 'a'.repeat(40 * MiB);
    const xlsx = workbookFromXml(
      `${header}<row r="2">${textCell('A2', '2024-05')}${textCell('B2', '06')}<c r="C2" t="s"><v>0</v></c></row>`,
      `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${big}</t></si></sst>`,
    );
    expect(xlsx.length).toBeLessThan(MiB);
    const { res, growthMiB, healthz } = await watched(() => upload('zelle.xlsx', xlsx));
    expect(healthz).toBe(200);
    expect(growthMiB).toBeLessThan(150);
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/größer als 16 MiB|mehr als 256 KiB|32\.767 Zeichen/);
  });

  it('refuses an inline cell of 40 MiB in the sheet itself, naming Excel’s cell limit', async () => {
    const xlsx = workbookFromXml(`${header}<row r="2">${textCell('A2', 'a'.repeat(40 * MiB))}</row>`);
    const { res, growthMiB } = await watched(() => upload('inline.xlsx', xlsx));
    expect(growthMiB).toBeLessThan(150);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('32.767 Zeichen je Zelle');
  });

  it('shows a German message, never ExcelJS’s own text, for a workbook it cannot read', async () => {
    // A cell without its address: ExcelJS fails with "Cannot read properties of undefined".
    const xlsx = workbookFromXml(`${header}<row r="2"><c><v>5</v></c></row>`);
    const res = await upload('kaputt.xlsx', xlsx);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Die Excel-Datei lässt sich nicht lesen');
    expect(res.body).not.toMatch(/Cannot read|undefined|TypeError/);
  });
});

describe('CSV of empty lines and of broken rows', () => {
  it('skips a million empty lines: one valid row is stored', async () => {
    const { res, growthMiB, healthz } = await watched(() =>
      put(`month;ars;count\n${'\n'.repeat(1_000_000)}2024-05;06;7\n`),
    );
    expect(healthz).toBe(200);
    expect(growthMiB).toBeLessThan(150);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', created: 1, errors: [], totalErrors: 0 });
  });

  it('answers the first 1,000 of many row errors with the total, and stores no more', async () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => `2024-13;99;-${i}`).join('\n');
    const res = await put(`month;ars;count\n${lines}\n`);
    expect(res.statusCode).toBe(422);
    const { error } = res.json<{
      error: {
        code: string;
        message: string;
        details: { row: number }[];
        totalErrors: number;
        truncated: boolean;
      };
    }>();
    expect(error.code).toBe('delivery_invalid');
    expect(error.details).toHaveLength(1_000);
    expect(error.details[0]!.row).toBe(2);
    expect(error.totalErrors).toBe(15_000);
    expect(error.truncated).toBe(true);
    expect(error.message).toContain('15.000 Fehler');

    const partial = await put(`month;ars;count\n2024-05;09;1\n${lines}\n`, '?partial=true');
    expect(partial.statusCode).toBe(200);
    expect(partial.json()).toMatchObject({
      status: 'partial',
      created: 1,
      totalErrors: 15_000,
      truncated: true,
    });
    expect(partial.json<{ errors: unknown[] }>().errors).toHaveLength(1_000);
  });

  it('the upload page counts all errors and lists the first ones', async () => {
    const lines = Array.from({ length: 3_000 }, () => '\n\nx;y;z').join('\n');
    const res = await upload('fehler.csv', `monat;ars;anzahl\n${lines}\n`);
    expect(res.statusCode).toBe(303);
    const preview = await t.app.inject({
      url: res.headers.location as string,
      headers: { cookie: manager.cookie, accept: 'text/html' },
    });
    expect(preview.body).toContain('die ersten 200 von 9.000');
    // Line numbers are those of the file, blank lines included.
    expect(preview.body).toMatch(/<th scope="row"[^>]*>4<\/th>/);
  });
});

describe('values repeated in errors', () => {
  it('answers NUL characters and lone surrogates with row errors, not 500, also with partial', async () => {
    const rows = [
      { month: '2024-05\u0000', ars: '06', count: 1 },
      { month: '2024-05', ars: '\ud800', count: 2 },
      { month: '2024-05', ars: '09', count: 3 },
    ];
    const refused = await put({ counts: rows });
    expect(refused.statusCode).toBe(422);
    const details = refused.json<{ error: { details: { value: string; message: string }[] } }>().error
      .details;
    expect(details.map((d) => d.value)).toEqual(['2024-05␀', '�']);
    expect(details[0]!.message).toContain('"2024-05␀"');

    const partial = await put({ counts: rows }, '?partial=true');
    expect(partial.statusCode).toBe(200);
    const { deliveryId } = partial.json<{ deliveryId: number }>();
    const stored = await t.app.inject({
      url: `/api/v1/deliveries/${deliveryId}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(stored.json()).toMatchObject({
      status: 'partial',
      rejected: 2,
      errors: [{ value: '2024-05␀' }, { value: '�' }],
    });
  });

  it('answers NUL bytes in CSV: early as an encoding problem, later as a row error', async () => {
    const early = await put('month;ars;count\n2024-05;06\u0000;1\n');
    expect(early.statusCode).toBe(400);
    expect(early.json()).toMatchObject({ error: { code: 'csv_encoding' } });
    // More than the first 4 KiB, which are checked for the NUL bytes of UTF-16.
    const valid: string[] = [];
    for (const year of [2020, 2021, 2022])
      for (let m = 1; m <= 12; m++)
        for (let land = 1; land <= 16; land++)
          valid.push(`${year}-${String(m).padStart(2, '0')};${String(land).padStart(2, '0')};${m}`);
    const late = await put(`month;ars;count\n${valid.join('\n')}\n2024-05;0\u00006;1\n`, '?partial=true');
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({ status: 'partial', errors: [{ field: 'ars', value: '0␀6' }] });

    const page = await upload('nul.csv', `monat;ars;anzahl\n${valid.join('\n')}\n2024-05;0\u00006;1\n`);
    expect(page.statusCode).toBe(303);
    const preview = await t.app.inject({
      url: page.headers.location as string,
      headers: { cookie: manager.cookie, accept: 'text/html' },
    });
    expect(preview.body).toContain('0␀6');
    expect(preview.body).not.toContain('\u0000');
  });

  it('repeats at most 100 characters of a rejected value, once per message', async () => {
    const month = '9'.repeat(5 * MiB);
    const res = await put({ counts: [{ month, ars: '06', count: 1 }] });
    expect(res.statusCode).toBe(422);
    expect(res.body.length).toBeLessThan(2_000);
    const [detail] = res.json<{ error: { details: { value: string; message: string }[] } }>().error.details;
    expect(detail!.value).toBe(`${'9'.repeat(100)}…`);
    expect(detail!.message).toContain(`"${'9'.repeat(100)}…"`);
  });

  it('names UTF-16 instead of showing its NUL bytes on the upload page', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('monat;ars;anzahl\r\n2024-05;06;1\r\n', 'utf16le'),
    ]);
    const res = await upload('unicode.csv', utf16);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('UTF-16');
    expect(res.body).toContain('CSV UTF-8');
    expect(res.body).not.toContain('\u0000');
  });
});
