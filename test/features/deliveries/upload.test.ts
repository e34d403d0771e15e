import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { ENGINE } from '../../helpers/db.js';
import { monthRange } from '../../../src/domain/months.js';
import { grantPortal, grantService, signIn, type SignedIn } from '../../helpers/auth.js';
import { createPortal, createService } from '../../helpers/factories.js';
import { multipartBody } from '../../helpers/multipart.js';
import { textCell, zipArchive } from '../../helpers/zip.js';
import { SYSTEM_ACTOR } from '../../../src/db/audit.js';
import { ingestDelivery } from '../../../src/features/deliveries/ingest.js';
import { parseUpload } from '../../../src/features/deliveries/upload.js';

let t: TestApp;
let manager: SignedIn;
let serviceId: number;
beforeAll(async () => {
  t = await createTestApp();
  serviceId = await createService(t.db.kysely, { name: 'Uploaddienst', granularity: 'land' });
  manager = await signIn(t, { name: 'Ulla Upload' });
  await grantService(t.db.kysely, manager.userId, serviceId);
});
afterAll(async () => {
  await t.close();
});

const html = (who: SignedIn) => ({ cookie: who.cookie, accept: 'text/html' });

async function upload(
  base: string,
  name: string,
  content: Buffer | string,
  who = manager,
  csrf = who.csrfToken,
) {
  const body = multipartBody(
    { _csrf: csrf },
    {
      field: 'datei',
      name,
      type: name.endsWith('.xlsx') ? 'application/octet-stream' : 'text/csv',
      content: Buffer.from(content),
    },
  );
  return t.app.inject({
    method: 'POST',
    url: `${base}/hochladen`,
    headers: { ...html(who), ...body.headers },
    payload: body.payload,
  });
}

const deliveries = () =>
  t.db.kysely
    .selectFrom('deliveries')
    .selectAll()
    .where('service_id', '=', serviceId)
    .orderBy('id')
    .execute();

describe('templates', () => {
  it('CSV: German conventions, one row per Land, stored counts filled in', async () => {
    const res = await t.app.inject({
      url: `/dienste/${serviceId}/hochladen/vorlage?monat=2024-05&format=csv`,
      headers: html(manager),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain('.csv');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('monat;ars;anzahl');
    expect(lines).toHaveLength(17);
    expect(lines[1]).toBe('2024-05;010000000000;');
  });

  it('Excel: the same rows with month and ARS as text', async () => {
    const res = await t.app.inject({
      url: `/dienste/${serviceId}/hochladen/vorlage?monat=2024-05&format=xlsx`,
      headers: html(manager),
    });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.rowCount).toBe(17);
    expect(sheet.getRow(1).values).toEqual([undefined, 'monat', 'ars', 'anzahl']);
    expect(sheet.getRow(2).getCell(2).value).toBe('010000000000');
  });

  it('covers a range of months for backfilling, month by month, with stored counts filled in', async () => {
    const backfill = await createService(t.db.kysely, { name: 'Nachlieferung', granularity: 'land' });
    await grantService(t.db.kysely, manager.userId, backfill);
    await ingestDelivery(t.db.kysely, {
      channel: 'api',
      actor: SYSTEM_ACTOR,
      target: { kind: 'service', serviceId: backfill },
      rows: [{ month: '2024-03', ars: '06', count: 31 }],
    });
    const res = await t.app.inject({
      url: `/dienste/${backfill}/hochladen/vorlage?von=2024-02&bis=2024-04&format=csv`,
      headers: html(manager),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('-2024-02-bis-2024-04');
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(1 + 3 * 16);
    expect(lines[1]).toBe('2024-02;010000000000;');
    expect(lines).toContain('2024-03;060000000000;31');
    expect(lines.at(-1)).toBe('2024-04;160000000000;');
  });

  it.each([
    ['von=2024-05&bis=2024-01', 'period_invalid'],
    ['von=2022-01&bis=2024-01', 'period_too_long'],
    ['von=2024-13', 'month_invalid'],
  ])('refuses the template range %s with %s', async (query, code) => {
    const res = await t.app.inject({
      url: `/dienste/${serviceId}/hochladen/vorlage?${query}&format=csv`,
      headers: { ...html(manager), accept: 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe(code);
  });
});

describe('CSV upload', () => {
  it('shows row errors with the row numbers of the file, offers no confirmation, stores nothing', async () => {
    const res = await upload(
      `/dienste/${serviceId}`,
      'fehler.csv',
      'monat;ars;anzahl\n2024-05;06;10\n2024-05;99;5\n2024-13;09;x\n',
    );
    expect(res.statusCode).toBe(303);
    const preview = await t.app.inject({ url: res.headers.location as string, headers: html(manager) });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Vorschau der Lieferung');
    expect(preview.body).toContain('Fehlerhafte Zeilen');
    expect(preview.body).toMatch(/<th scope="row"[^>]*>3<\/th>/);
    expect(preview.body).toMatch(/<th scope="row"[^>]*>4<\/th>/);
    expect(preview.body).not.toContain('Lieferung speichern');
    expect(await deliveries()).toHaveLength(0);
  });

  it('previews new, changed and unchanged counts, then stores one CSV delivery with its file', async () => {
    const first = await upload(
      `/dienste/${serviceId}`,
      'mai.csv',
      'monat;ars;anzahl\n2024-05;06;10\n2024-05;09;20\n',
    );
    await t.app.inject({
      method: 'POST',
      url: first.headers.location as string,
      headers: html(manager),
      payload: { _csrf: manager.csrfToken, aktion: 'speichern' },
    });

    const csv =
      '\uFEFFmonat;ars;anzahl\r\n2024-05;060000000000;10\r\n2024-05;090000000000;25\r\n2024-05;03;7\r\n';
    const res = await upload(`/dienste/${serviceId}`, 'korrigiert.csv', csv);
    const previewUrl = res.headers.location as string;
    const preview = await t.app.inject({ url: previewUrl, headers: html(manager) });
    expect(preview.body).toContain('Alle 3 Zeilen sind gültig');
    expect(preview.body).toMatch(/<strong>1<\/strong> neu/);
    expect(preview.body).toMatch(/<strong>1<\/strong> geändert/);
    expect(preview.body).toMatch(/<strong>1<\/strong> unverändert/);
    expect(preview.body).toContain('Geänderte Zahlen');
    expect(preview.body).toMatch(/Bayern[\s\S]*?20[\s\S]*?25/);
    const before = (await deliveries()).length;

    const confirm = await t.app.inject({
      method: 'POST',
      url: previewUrl,
      headers: html(manager),
      payload: { _csrf: manager.csrfToken, aktion: 'speichern' },
    });
    expect(confirm.statusCode).toBe(303);
    const list = await deliveries();
    expect(list).toHaveLength(before + 1);
    const d = list[list.length - 1]!;
    expect(d).toMatchObject({
      channel: 'csv',
      status: 'accepted',
      created: 1,
      updated: 1,
      unchanged: 1,
      user_id: manager.userId,
    });
    expect(confirm.headers.location).toBe(`/lieferungen/${d.id}?gespeichert=1`);
    const file = await t.db.kysely
      .selectFrom('delivery_files')
      .selectAll()
      .where('delivery_id', '=', d.id)
      .executeTakeFirstOrThrow();
    expect(file.file_name).toBe('korrigiert.csv');
    expect(Buffer.from(file.content).toString('utf8')).toBe(csv);
    // The upload is marked done with its delivery, its file kept once (with the delivery).
    const id = previewUrl.split('/').pop()!;
    const done = await t.db.kysely
      .selectFrom('pending_uploads')
      .select(['status', 'rows_done', 'rows_total', 'delivery_id', 'content'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'done', rows_done: 3, rows_total: 3, delivery_id: d.id });
    expect(done.content).toHaveLength(0);
    // A second confirmation stores nothing: it leads to the stored delivery.
    const twice = await t.app.inject({
      method: 'POST',
      url: previewUrl,
      headers: html(manager),
      payload: { _csrf: manager.csrfToken, aktion: 'speichern' },
    });
    expect(twice.statusCode).toBe(303);
    expect(twice.headers.location).toBe(`${previewUrl}/fortschritt`);
    const status = await t.app.inject({ url: twice.headers.location as string, headers: html(manager) });
    expect(status.statusCode).toBe(303);
    expect(status.headers.location).toBe(`/lieferungen/${d.id}?gespeichert=1`);
    expect((await t.app.inject({ url: previewUrl, headers: html(manager) })).headers.location).toBe(
      `${previewUrl}/fortschritt`,
    );
    expect(await deliveries()).toHaveLength(before + 1);
  });

  it('cancel deletes the pending upload and stores nothing', async () => {
    const before = (await deliveries()).length;
    const res = await upload(`/dienste/${serviceId}`, 'weg.csv', 'monat;ars;anzahl\n2024-06;06;1\n');
    const url = res.headers.location as string;
    const cancel = await t.app.inject({
      method: 'POST',
      url,
      headers: html(manager),
      payload: { _csrf: manager.csrfToken, aktion: 'verwerfen' },
    });
    expect(cancel.statusCode).toBe(303);
    expect((await t.app.inject({ url, headers: html(manager) })).statusCode).toBe(404);
    expect(await deliveries()).toHaveLength(before);
    const id = url.split('/').pop()!;
    const pending = await t.db.kysely
      .selectFrom('pending_uploads')
      .select('id')
      .where('id', '=', id)
      .execute();
    expect(pending).toHaveLength(0);
  });

  it('keeps a pending upload to the person who uploaded it', async () => {
    const res = await upload(`/dienste/${serviceId}`, 'meins.csv', 'monat;ars;anzahl\n2024-06;06;1\n');
    const colleague = await signIn(t, {});
    await grantService(t.db.kysely, colleague.userId, serviceId);
    expect(
      (await t.app.inject({ url: res.headers.location as string, headers: html(colleague) })).statusCode,
    ).toBe(404);
  });

  it('refuses an upload without the CSRF token, and a broken header with a message on the page', async () => {
    expect(
      (await upload(`/dienste/${serviceId}`, 'a.csv', 'monat;ars;anzahl\n', manager, 'falsch')).statusCode,
    ).toBe(403);
    const res = await upload(`/dienste/${serviceId}`, 'kopf.csv', 'datum;ars;anzahl\n2024-05;06;1\n');
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Unbekannte Spalte „datum“');
    const empty = await upload(`/dienste/${serviceId}`, 'leer.csv', 'monat;ars;anzahl\n');
    expect(empty.statusCode).toBe(422);
  });
});

describe('progress of a confirmed upload (htmx)', () => {
  const hx = (who: SignedIn) => ({ ...html(who), 'hx-request': 'true' });

  async function pollUntilDone(url: string, who = manager) {
    for (let i = 0; i < 200; i++) {
      const res = await t.app.inject({ url, headers: hx(who) });
      expect(res.statusCode).toBe(200);
      if (!res.body.includes('hx-trigger')) return res;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('upload still running');
  }

  it('answers the confirm button with a polling progress bar, then the result with a link to the delivery', async () => {
    const res = await upload(
      `/dienste/${serviceId}`,
      'juli.csv',
      'monat;ars;anzahl\n2024-09;06;1\n2024-09;09;2\n',
    );
    const previewUrl = res.headers.location as string;
    const preview = await t.app.inject({ url: previewUrl, headers: html(manager) });
    expect(preview.body).toContain(`hx-post="${previewUrl}"`);
    expect(preview.body).toContain('hx-select="#inhalt"');

    const confirm = await t.app.inject({
      method: 'POST',
      url: previewUrl,
      headers: hx(manager),
      payload: { _csrf: manager.csrfToken, aktion: 'speichern' },
    });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.headers['hx-push-url']).toBe(`${previewUrl}/fortschritt`);
    // The progress page: htmx takes its main content (hx-select) in place of the preview's.
    expect(confirm.body).toContain('<h1 class="kern-heading-large">Lieferung speichern</h1>');
    expect(confirm.body).toContain('<div role="status">');
    expect(confirm.body).toMatch(/<label class="kern-label" for="upload-fortschritt-balken">/);
    expect(confirm.body).toMatch(/<progress id="upload-fortschritt-balken"[^>]*max="100"/);
    expect(confirm.body).toContain(`hx-get="${previewUrl}/fortschritt"`);
    expect(confirm.body).toContain('hx-trigger="every 1s"');
    expect(confirm.body).toContain('von 2 Zeilen gespeichert');
    expect(confirm.body).toContain('autofocus');

    const done = await pollUntilDone(`${previewUrl}/fortschritt`);
    const d = (await deliveries()).at(-1)!;
    expect(done.body).toContain('Die Lieferung ist gespeichert.');
    expect(done.body).toContain(`href="/lieferungen/${d.id}"`);
    expect(done.body).toMatch(/<strong>2<\/strong> Zeilen/);
    expect(done.body).not.toContain('<progress');
    expect(d).toMatchObject({ channel: 'csv', status: 'accepted', rows_total: 2 });
  });

  it('shows the progress page without htmx while running, and only to the uploader', async () => {
    const res = await upload(`/dienste/${serviceId}`, 'august.csv', 'monat;ars;anzahl\n2024-08;06;1\n');
    const previewUrl = res.headers.location as string;
    const id = previewUrl.split('/').pop()!;
    // As another instance would see it halfway through.
    await t.db.kysely
      .updateTable('pending_uploads')
      .set({ status: 'running', rows_done: 0, rows_total: 1, progress_at: new Date() })
      .where('id', '=', id)
      .execute();
    const page = await t.app.inject({ url: `${previewUrl}/fortschritt`, headers: html(manager) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 class="kern-heading-large">Lieferung speichern</h1>');
    expect(page.body).toContain('0 % – 0 von 1 Zeilen gespeichert');
    expect(page.body).toContain(`<a href="${previewUrl}/fortschritt">Stand neu laden</a>`);
    // Running: neither a second confirm nor a cancel can touch it.
    const cancel = await t.app.inject({
      method: 'POST',
      url: previewUrl,
      headers: html(manager),
      payload: { _csrf: manager.csrfToken, aktion: 'verwerfen' },
    });
    expect(cancel.statusCode).toBe(404);

    const colleague = await signIn(t, {});
    await grantService(t.db.kysely, colleague.userId, serviceId);
    expect(
      (await t.app.inject({ url: `${previewUrl}/fortschritt`, headers: html(colleague) })).statusCode,
    ).toBe(404);

    // A running upload without a sign of life for minutes was cut off: it says so.
    await t.db.kysely
      .updateTable('pending_uploads')
      .set({ progress_at: new Date(Date.now() - 10 * 60_000) })
      .where('id', '=', id)
      .execute();
    const stale = await t.app.inject({ url: `${previewUrl}/fortschritt`, headers: hx(manager) });
    expect(stale.body).toContain('Das Speichern wurde unterbrochen');
    expect(stale.body).not.toContain('hx-trigger');
    // A poll for an upload that is gone gets an answer it can swap in, which ends the polling.
    const gone = await t.app.inject({
      url: `/dienste/${serviceId}/hochladen/weg/fortschritt`,
      headers: hx(manager),
    });
    expect(gone.statusCode).toBe(200);
    expect(gone.body).toContain('keine Lieferung, die gespeichert wird');
    expect(gone.body).not.toContain('hx-trigger');
  });

  // PGlite is one connection: progress written outside the delivery's transaction becomes visible
  // only after it. PostgreSQL shows it between the slices, as another instance would read it.
  it.skipIf(ENGINE !== 'postgres')(
    'shows the rows stored so far while the transaction runs (PostgreSQL)',
    async () => {
      const kreisService = await createService(t.db.kysely, { name: 'Kreisdienst', granularity: 'kreis' });
      await grantService(t.db.kysely, manager.userId, kreisService);
      const kreise = (
        await t.db.kysely
          .selectFrom('regions')
          .select('ars')
          .where((eb) => eb.or([eb('level', '=', 'kreis'), eb('is_kreis', '=', true)]))
          .orderBy('ars')
          .execute()
      ).map((r) => r.ars);
      const lines = monthRange('2019-01', '2024-12')
        .flatMap((month) => kreise.map((ars) => `${month};${ars};1`))
        .slice(0, 25_000);
      const res = await upload(
        `/dienste/${kreisService}`,
        'gross.csv',
        `monat;ars;anzahl\n${lines.join('\n')}\n`,
      );
      const previewUrl = res.headers.location as string;
      const id = previewUrl.split('/').pop()!;
      await t.app.inject({
        method: 'POST',
        url: previewUrl,
        headers: hx(manager),
        payload: { _csrf: manager.csrfToken, aktion: 'speichern' },
      });
      const seen = new Set<number>();
      for (let i = 0; i < 2000; i++) {
        const row = await t.db.kysely
          .selectFrom('pending_uploads')
          .select(['status', 'rows_done'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        seen.add(row.rows_done);
        if (row.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(
        [...seen].some((n) => n > 0 && n < 25_000),
        [...seen].join(', '),
      ).toBe(true);
      const done = await pollUntilDone(`${previewUrl}/fortschritt`);
      expect(done.body).toContain('Die Lieferung ist gespeichert.');
      expect(done.body).toMatch(/<strong>25\.000<\/strong> Zeilen/);
    },
    120_000,
  );

  it('a failure while storing stores nothing, marks the upload failed and says so', async () => {
    const failService = await createService(t.db.kysely, { name: 'Fehlerdienst', granularity: 'land' });
    await grantService(t.db.kysely, manager.userId, failService);
    // The file row is written last in the delivery's transaction: failing there tests the rollback of
    // the delivery and of its counts.
    await sql`
      CREATE FUNCTION test_refuse_file() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'Testfehler beim Speichern der Datei'; END $$`.execute(t.db.kysely);
    await sql`
      CREATE TRIGGER test_refuse_file BEFORE INSERT ON delivery_files
      FOR EACH ROW WHEN (NEW.file_name = 'kaputt.csv') EXECUTE FUNCTION test_refuse_file()`.execute(
      t.db.kysely,
    );
    try {
      const res = await upload(`/dienste/${failService}`, 'kaputt.csv', 'monat;ars;anzahl\n2024-07;06;1\n');
      const previewUrl = res.headers.location as string;
      const confirm = await t.app.inject({
        method: 'POST',
        url: previewUrl,
        headers: hx(manager),
        payload: { _csrf: manager.csrfToken, aktion: 'speichern' },
      });
      expect(confirm.statusCode).toBe(200);
      const failed = await pollUntilDone(`${previewUrl}/fortschritt`);
      expect(failed.body).toContain('Es wurde nichts gespeichert');
      expect(failed.body).toContain(`href="/dienste/${failService}/hochladen"`);
      const stored = await t.db.kysely
        .selectFrom('counts')
        .select('ars')
        .where('service_id', '=', failService)
        .execute();
      expect(stored).toHaveLength(0);
      const none = await t.db.kysely
        .selectFrom('deliveries')
        .select('id')
        .where('service_id', '=', failService)
        .execute();
      expect(none).toHaveLength(0);
      // Without htmx the status page says the same (no redirect to a delivery that does not exist).
      const page = await t.app.inject({ url: `${previewUrl}/fortschritt`, headers: html(manager) });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Es wurde nichts gespeichert');
    } finally {
      await sql`DROP TRIGGER test_refuse_file ON delivery_files`.execute(t.db.kysely);
      await sql`DROP FUNCTION test_refuse_file()`.execute(t.db.kysely);
    }
  });
});

describe('Excel upload', () => {
  async function workbook(rows: unknown[][]): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Daten');
    for (const r of rows) sheet.addRow(r);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  it('reads the first sheet: numbers, text, months typed as dates, ARS typed as numbers', async () => {
    const xlsx = await workbook([
      ['Monat', 'ARS', 'Anzahl'],
      ['2024-07', '060000000000', 5],
      [new Date(Date.UTC(2024, 6, 1)), 90000000000, '6'],
    ]);
    const res = await upload(`/dienste/${serviceId}`, 'juli.xlsx', xlsx);
    expect(res.statusCode).toBe(303);
    const preview = await t.app.inject({ url: res.headers.location as string, headers: html(manager) });
    expect(preview.body).toContain('Alle 2 Zeilen sind gültig');
    expect(preview.body).toContain('(Excel)');
    const confirm = await t.app.inject({
      method: 'POST',
      url: res.headers.location as string,
      headers: html(manager),
      payload: { _csrf: manager.csrfToken, aktion: 'speichern' },
    });
    expect(confirm.statusCode).toBe(303);
    const d = (await deliveries()).pop()!;
    expect(d).toMatchObject({ channel: 'xlsx', created: 2 });
    const file = await t.db.kysely
      .selectFrom('delivery_files')
      .select('media_type')
      .where('delivery_id', '=', d.id)
      .executeTakeFirstOrThrow();
    expect(file.media_type).toContain('spreadsheetml');
  });

  it('reports row numbers as Excel shows them, across empty rows', async () => {
    const xlsx = await workbook([
      ['monat', 'ars', 'anzahl'],
      ['2024-07', '06', 1],
      [],
      ['2024-07', '09', -1],
    ]);
    const res = await upload(`/dienste/${serviceId}`, 'luecke.xlsx', xlsx);
    const preview = await t.app.inject({ url: res.headers.location as string, headers: html(manager) });
    expect(preview.body).toMatch(/<th scope="row"[^>]*>4<\/th>/);
  });

  it('reads a workbook ExcelJS wrote a thousand times over, every time all rows', async () => {
    // ExcelJS's own streaming reader refused about one read in two hundred of such files
    // (exceljs#3064): it lost xl/workbook.xml, which ExcelJS writes last.
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Daten').addRows([
      ['monat', 'ars', 'anzahl'],
      ['2024-05', '060000000000', 11],
      ['2024-05', '090000000000', 22],
    ]);
    wb.addWorksheet('Hinweise').addRow(['Zweites Blatt']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const outcome = await parseUpload('xlsx', xlsx, false).then(
        (r) => `${r.rows.length} Zeilen`,
        (e: Error) => e.message,
      );
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ '2 Zeilen': 1000 });
  });

  it('reads the first visible sheet in tab order, not the first sheet part of the archive', async () => {
    const sheet = (count: number) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1">${textCell('A1', 'monat')}${textCell('B1', 'ars')}${textCell('C1', 'anzahl')}</row>
<row r="2">${textCell('A2', '2024-01')}${textCell('B2', '06')}<c r="C2"><v>${count}</v></c></row>
</sheetData></worksheet>`;
    // Targets relative to xl/ (as Excel writes them) or absolute (as some other writers do).
    const rel = (n: number, target = `worksheets/sheet${n}.xml`) =>
      `<Relationship Id="rId${n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="${target}"/>`;
    // Tabs: a hidden sheet, then "Vorn" (sheet2.xml), then "Hinten" (sheet1.xml, first in the archive).
    const xlsx = zipArchive([
      { name: 'xl/worksheets/sheet1.xml', data: sheet(1) },
      { name: 'xl/worksheets/sheet2.xml', data: sheet(2) },
      { name: 'xl/worksheets/sheet3.xml', data: sheet(3) },
      {
        name: 'xl/workbook.xml',
        data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Alt" sheetId="3" state="hidden" r:id="rId3"/><sheet name="Vorn" sheetId="2" r:id="rId2"/><sheet name="Hinten" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rel(1)}${rel(2, '/xl/worksheets/sheet2.xml')}${rel(3)}</Relationships>`,
      },
    ]);
    const parsed = await parseUpload('xlsx', xlsx, false);
    expect(parsed.rows.map((r) => r.count)).toEqual([2]);
  });

  it('says so when a file named .xlsx is not a workbook', async () => {
    const res = await upload(`/dienste/${serviceId}`, 'kaputt.xlsx', 'monat;ars;anzahl');
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('keine Excel-Arbeitsmappe');
  });
});

describe('portal upload', () => {
  it('takes a serviceId column and stores one portal delivery', async () => {
    const a = await createService(t.db.kysely, { name: 'Portaldienst A', granularity: 'bund' });
    const b = await createService(t.db.kysely, { name: 'Portaldienst B', granularity: 'land' });
    const portal = await createPortal(t.db.kysely, [a, b]);
    const pm = await signIn(t, { name: 'Paula Portal' });
    await grantPortal(t.db.kysely, pm.userId, portal);
    const template = await t.app.inject({
      url: `/portale/${portal}/hochladen/vorlage?monat=2024-05&format=csv`,
      headers: html(pm),
    });
    const lines = template.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('serviceId;monat;ars;anzahl');
    expect(lines).toHaveLength(1 + 1 + 16);
    const res = await upload(
      `/portale/${portal}`,
      'portal.csv',
      `serviceId;monat;ars;anzahl\n${a};2024-05;0;100\n${b};2024-05;06;7\n`,
      pm,
    );
    expect(res.statusCode).toBe(303);
    const confirm = await t.app.inject({
      method: 'POST',
      url: res.headers.location as string,
      headers: html(pm),
      payload: { _csrf: pm.csrfToken, aktion: 'speichern' },
    });
    expect(confirm.statusCode).toBe(303);
    const d = await t.db.kysely
      .selectFrom('deliveries')
      .selectAll()
      .where('portal_id', '=', portal)
      .executeTakeFirstOrThrow();
    expect(d).toMatchObject({ channel: 'csv', created: 2, service_id: null });
  });
});
