import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalogue } from '../../../src/features/catalogue/format.js';
import { singleLineProblem } from '../../../src/domain/text.js';
import { csvDocument, csvField } from '../../../src/web/csv.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';
import { ENGINE } from '../../helpers/db.js';
import { postAnonymous } from '../../helpers/forms.js';
import { createPortal, createService } from '../../helpers/factories.js';

let t: TestApp;
let viewer: SignedIn;
let admin: SignedIn;
beforeAll(async () => {
  t = await createTestApp({ loginRateLimit: 1000 });
  viewer = await signIn(t, { name: 'Vera Viewer' });
  admin = await signIn(t, { name: 'Ada Admin', isAdmin: true });
});
afterAll(async () => {
  await t.close();
});

/** Physical lines of a CSV file as a reader that knows nothing of quotes sees them. */
const physicalLines = (csv: string) => csv.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
const FORMULA_START = /^[=+\-@\t\r]/;

describe('the CSV writer', () => {
  it.each<[string | number | null, string]>([
    ['Elterngeld Digital', 'Elterngeld Digital'],
    ['=1+1', "'=1+1"],
    ['+49 30 1234', "'+49 30 1234"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1+1', "'\t=1+1"],
    ['a;b', '"a;b"'],
    ['a,b', 'a,b'],
    ['sagt "Hallo"', '"sagt ""Hallo"""'],
    ['Zeile1\n=1+1', `"Zeile1\n'=1+1"`],
    ['Amt\r=A1', `"Amt\r'=A1"`],
    ['\r=A1', `"'\r'=A1"`],
    [1252473, '1252473'],
    [-5, '-5'],
    [null, ''],
  ])('writes %j as %j', (cell, field) => {
    expect(csvField(cell)).toBe(field);
  });

  it('writes BOM, `;` and CRLF; a reader gets every value back, defused', () => {
    const doc = csvDocument([
      ['Name', 'Anzahl'],
      ['Zeile1\n=1+1', 3],
      ['Amt\r@x', null],
    ]);
    const text = doc.toString('utf8');
    expect(text.startsWith('\uFEFFName;Anzahl\r\n')).toBe(true);
    expect(parse(text, { delimiter: ';', bom: true })).toEqual([
      ['Name', 'Anzahl'],
      ["Zeile1\n'=1+1", '3'],
      ["Amt\r'@x", ''],
    ]);
    for (const line of physicalLines(text)) expect(line).not.toMatch(FORMULA_START);
  });
});

describe(`report exports with names holding line breaks (${ENGINE})`, () => {
  it('keeps every row one record and no line a formula, in dienste.csv and portale.csv', async () => {
    // Stored before names were checked at input: the exports must be safe anyway.
    const authority = await t.db.kysely
      .insertInto('authorities')
      .values({ name: 'Amt\r=HYPERLINK("http://x")', land: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const serviceId = await createService(t.db.kysely, { name: 'Zeile1\n=1+1', granularity: 'bund' });
    await t.db.kysely
      .updateTable('online_services')
      .set({ authority_id: authority.id })
      .where('id', '=', serviceId)
      .execute();
    await createPortal(t.db.kysely, [serviceId], 'Portal\n+Böse');
    for (const url of ['/berichte/dienste.csv', '/berichte/portale.csv']) {
      const res = await t.app.inject({ url, headers: { cookie: viewer.cookie } });
      expect(res.statusCode).toBe(200);
      const text = res.rawPayload.toString('utf8');
      for (const line of physicalLines(text)) expect(line).not.toMatch(FORMULA_START);
      const rows = parse(text, { delimiter: ';', bom: true });
      expect(new Set(rows.map((r) => r.length)).size).toBe(1);
      const cells = rows.flat();
      if (url.includes('dienste')) {
        expect(cells).toContain("Zeile1\n'=1+1");
        expect(cells).toContain('Amt\r\'=HYPERLINK("http://x")');
      }
      expect(cells).toContain("Portal\n'+Böse");
    }
  });
});

describe(`names with control characters are refused at input (${ENGINE})`, () => {
  const post = (url: string, who: SignedIn, fields: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, accept: 'text/html' },
      payload: { _csrf: who.csrfToken, ...fields },
    });
  const SERVICE = {
    name: 'Wohngeld digital',
    url: 'https://wohngeld.example.de',
    authorityId: 'neu',
    authorityName: 'Ministerium für Wohnen',
    serviceType: '4',
    buildMode: 'efa',
    granularity: 'land',
  };

  it.each([
    ['name', 'Dienst\n=2+2', 'Der Name darf keine Zeilenumbrüche'],
    ['name', 'Tab\there', 'Der Name darf keine Zeilenumbrüche'],
    ['authorityName', 'Amt\r=1', 'Der Name der Behörde darf keine Zeilenumbrüche'],
    ['url', 'https://wohngeld.example.de/\n=1', 'Bitte geben Sie eine vollständige Adresse an'],
  ])('service editor: %s = %j', async (field, value, message) => {
    const res = await post('/dienste/neu', viewer, { ...SERVICE, [field]: value });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain(message);
    const stored = await t.db.kysely
      .selectFrom('online_services')
      .select('id')
      .where('name', '=', value)
      .execute();
    expect(stored).toEqual([]);
  });

  it.each([
    ['name', 'Portal\n=1+1', 'Der Name darf keine Zeilenumbrüche'],
    ['authority', 'Amt\u0007', 'Der Name der Behörde darf keine Zeilenumbrüche'],
  ])('portal creation: %s = %j', async (field, value, message) => {
    const res = await post('/portale/neu', admin, { name: 'Serviceportal', [field]: value });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain(message);
  });

  it.each([
    ['name', 'Erika\r\n=1+1', 'Der Name darf keine Zeilenumbrüche'],
    // Spaces, tabs and line breaks in the authority are already folded into one space.
    ['authority', 'Landesamt\u001b@x', 'Der Name der Behörde darf keine Zeilenumbrüche'],
  ])('registration: %s = %j', async (field, value, message) => {
    const password = 'Kaffee trinken am Rhein 7';
    const res = await postAnonymous(t, '/registrieren', '/registrieren', {
      authority: 'Landesamt für Statistik',
      name: 'Erika Mustermann',
      email: `erika-${field}@behoerde.example`,
      purpose: 'Zahlen liefern',
      password,
      passwordConfirm: password,
      consent: 'ja',
      [field]: value,
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain(message);
  });

  it('catalogue import: names the line and field of a control character', () => {
    const header =
      'ozg_id;ozg_bezeichnung;themenfeld;lebenslage;ozg_synonyme;leika_schluessel;leika_bezeichnung;typisierung';
    const { errors } = parseCatalogue(
      [header, '900;Eltern\u0007geld;Familie & Kind;Geburt;;99000000001000;Elterngeld Bewilligung;2/3'].join(
        '\n',
      ),
    );
    expect(errors).toEqual([
      expect.objectContaining({
        location: 'Zeile 2',
        field: 'ozg_bezeichnung',
        message: 'ozg_bezeichnung enthält ein Steuerzeichen.',
      }),
    ]);
  });

  it('one shared check', () => {
    expect(singleLineProblem('Elterngeld Digital', 'Der Name')).toBeNull();
    for (const bad of ['a\nb', 'a\rb', 'a\tb', 'a\u0000b', 'a\u007fb', 'a\u0085b', 'a\u2028b']) {
      expect(singleLineProblem(bad, 'Der Name')).toBe(
        'Der Name darf keine Zeilenumbrüche, Tabulatoren oder anderen Steuerzeichen enthalten.',
      );
    }
  });
});
