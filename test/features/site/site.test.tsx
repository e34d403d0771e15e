import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, testConfig, type TestApp } from '../../helpers/app.js';
import { createUser } from '../../helpers/auth.js';
import { anonymousForm, postAnonymous } from '../../helpers/forms.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { FOOTER_LINKS } from '../../../src/web/layout.js';
import { fromHtml } from '../../../src/features/site/texts.js';
import { renderToString } from 'preact-render-to-string';

const PAGES = ['/impressum', '/datenschutz', '/barrierefreiheit', '/leichte-sprache', '/kontakt'];

describe('site pages with the default texts', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ smtpUrl: smtp.url, site: { ...testConfig().site, feedbackRateLimit: 1000 } });
    await createUser(t.db.kysely, { email: 'admin-eins@zsk.example', isAdmin: true });
    await createUser(t.db.kysely, { email: 'admin-zwei@zsk.example', isAdmin: true });
    await createUser(t.db.kysely, { email: 'ehemals@zsk.example', isAdmin: true, status: 'disabled' });
    await createUser(t.db.kysely, { email: 'leser@zsk.example' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it.each(PAGES)(
    '%s answers anonymous visitors in German with one h1, a description and the footer',
    async (url) => {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<html lang="de">');
      expect(res.body.match(/<h1/g)).toHaveLength(1);
      expect(res.body).toMatch(/<meta name="description" content="[^"]{50,}"/);
      for (const link of FOOTER_LINKS) expect(res.body).toContain(`href="${link.href}"`);
    },
  );

  it('marks the default Impressum and Datenschutz as placeholders for the operator', async () => {
    for (const [url, variable] of [
      ['/impressum', 'ZSK_IMPRESSUM_FILE'],
      ['/datenschutz', 'ZSK_DATENSCHUTZ_FILE'],
    ]) {
      const res = await t.app.inject({ url });
      expect(res.body).toContain('Platzhalter');
      expect(res.body).toContain(variable);
    }
  });

  it('states compliance, known barriers, date, contact and the Schlichtungsstelle (§ 12b BGG)', async () => {
    const body = (await t.app.inject({ url: '/barrierefreiheit' })).body;
    expect(body).toContain('teilweise vereinbar');
    expect(body).toContain('Nicht barrierefreie Inhalte');
    expect(body).toContain('<time datetime="2026-12-05">5.12.2026</time>');
    expect(body).toContain('href="/kontakt"');
    expect(body).toContain('href="mailto:kontakt@zsk.example"');
    expect(body).toContain('href="https://www.schlichtungsstelle-bgg.de"');
    expect(body).toContain('§ 16 BGG');
  });

  it('keeps Leichte Sprache sentences short', async () => {
    const body = (await t.app.inject({ url: '/leichte-sprache' })).body;
    const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(body)![1]!;
    const sentences = main
      .replace(/<\/(h1|h2|p|li)>|<br\/?>/g, '.')
      .replace(/<[^>]+>/g, ' ')
      .split(/[.?!:]/)
      .map((s) => s.trim().split(/\s+/).filter(Boolean))
      .filter((words) => words.length > 0);
    const longest = sentences.reduce((a, b) => (b.length > a.length ? b : a));
    expect(longest.join(' ')).toBe(longest.slice(0, 12).join(' '));
  });

  it('refuses a contact message without the CSRF token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/kontakt',
      headers: { accept: 'text/html' },
      payload: { nachricht: 'Hallo' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('shows the errors of a wrong form and keeps what was typed', async () => {
    const res = await postAnonymous(t, '/kontakt', '/kontakt', {
      name: 'Erika',
      email: 'keine-adresse',
      nachricht: '   ',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Bitte schreiben Sie Ihre Nachricht.');
    expect(res.body).toContain('E-Mail-Adresse wie name@beispiel.de');
    expect(res.body).toContain('value="Erika"');
    const long = await postAnonymous(t, '/kontakt', '/kontakt', { nachricht: 'x'.repeat(5001) });
    expect(long.statusCode).toBe(422);
    expect(long.body).toContain('höchstens 5.000 Zeichen');
    expect(await t.db.kysely.selectFrom('feedback').select('id').execute()).toEqual([]);
  });

  it('refuses control characters like every form', async () => {
    const { csrf, cookie } = await anonymousForm(t, '/kontakt');
    const res = await t.app.inject({
      method: 'POST',
      url: '/kontakt',
      headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, nachricht: 'Hallo\u0007Welt' }).toString(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Steuerzeichen');
  });

  it('stores a message, mails it to the active administrators and confirms it', async () => {
    const res = await postAnonymous(t, '/kontakt?seite=/dienste/1', '/kontakt', {
      name: 'Erika Mustermann',
      email: 'erika@example.org',
      nachricht: 'Die Karte ist ohne Farbe schwer zu lesen.\r\nZweite Zeile.',
      seite: '/dienste/1',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/kontakt?gesendet=1');
    const confirmation = await t.app.inject({ url: res.headers.location as string });
    expect(confirmation.body).toContain('Vielen Dank für Ihre Nachricht');

    const rows = await t.db.kysely.selectFrom('feedback').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      name: 'Erika Mustermann',
      email: 'erika@example.org',
      message: 'Die Karte ist ohne Farbe schwer zu lesen.\nZweite Zeile.',
      page: '/dienste/1',
    });
    for (const admin of ['admin-eins@zsk.example', 'admin-zwei@zsk.example']) {
      const mail = await smtp.waitFor(admin);
      expect(mail.subject).toBe(`ZSK: Neue Nachricht über das Kontaktformular (Nr. ${rows[0]!.id})`);
      expect(mail.text).toContain('Erika Mustermann');
      expect(mail.text).toContain('erika@example.org');
      expect(mail.text).toContain('Die Karte ist ohne Farbe schwer zu lesen.');
      expect(mail.text).toContain('http://localhost:3000/dienste/1');
    }
    expect(
      smtp.mails.some((m) => m.to.includes('ehemals@zsk.example') || m.to.includes('leser@zsk.example')),
    ).toBe(false);
  });

  it('accepts a message without name and e-mail, and drops a page that is not a path of this site', async () => {
    const res = await postAnonymous(t, '/kontakt', '/kontakt', {
      nachricht: 'Anonymer Hinweis',
      seite: '//evil.example/x',
    });
    expect(res.statusCode).toBe(303);
    const row = await t.db.kysely
      .selectFrom('feedback')
      .selectAll()
      .where('message', '=', 'Anonymer Hinweis')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: null, email: null, page: null });
  });
});

describe('contact form rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ site: { ...testConfig().site, feedbackRateLimit: 2 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 with the one error shape after the limit per client address', async () => {
    const { csrf, cookie } = await anonymousForm(t, '/kontakt');
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/kontakt',
        headers: { cookie, accept: 'application/json' },
        payload: { _csrf: csrf, nachricht: 'Noch eine Nachricht' },
      });
    expect((await send()).statusCode).toBe(303);
    expect((await send()).statusCode).toBe(303);
    const refused = await send();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(refused.headers['retry-after']).toBeDefined();
    // Other pages stay reachable.
    expect((await t.app.inject({ url: '/kontakt' })).statusCode).toBe(200);
  });
});

describe('operator texts', () => {
  let t: TestApp;
  const dir = mkdtempSync(path.join(tmpdir(), 'zsk-site-'));
  beforeAll(async () => {
    const impressum = path.join(dir, 'impressum.txt');
    writeFileSync(
      impressum,
      '\uFEFF# Angaben nach § 5 DDG\n\nBundesamt für Beispiele\nMusterstraße 1\n10115 Berlin\n\n- E-Mail: kontakt@beispiel.bund.de\n- Web: https://beispiel.bund.de\n',
    );
    const datenschutz = path.join(dir, 'datenschutz.html');
    writeFileSync(
      datenschutz,
      '<h2 onclick="x()">Verantwortlich</h2><p>Das <strong>Bundesamt</strong> &amp; Partner.<script>alert(1)</script></p><p><a href="javascript:alert(1)">böse</a> <a href="https://www.bfdi.bund.de">BfDI</a></p><style>p{}</style><iframe src="https://evil.example"></iframe>',
    );
    const barrierefreiheit = path.join(dir, 'barrierefreiheit.txt');
    writeFileSync(barrierefreiheit, '# Stand der Vereinbarkeit\n\nDiese Website ist vollständig vereinbar.');
    t = await createTestApp({
      site: {
        impressumFile: impressum,
        datenschutzFile: datenschutz,
        barrierefreiheitFile: barrierefreiheit,
        operator: 'Bundesamt für Beispiele',
        contactEmail: 'barrierefreiheit@beispiel.bund.de',
        statementDate: '2026-10-01',
        feedbackRateLimit: 5,
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the Impressum from a plain-text file with headings, lines, lists and links', async () => {
    const body = (await t.app.inject({ url: '/impressum' })).body;
    expect(body).not.toContain('Platzhalter');
    expect(body).toContain('<h2 class="kern-heading-medium">Angaben nach § 5 DDG</h2>');
    expect(body).toContain('Bundesamt für Beispiele<br/>Musterstraße 1<br/>10115 Berlin');
    expect(body).toContain('<a class="kern-link" href="mailto:kontakt@beispiel.bund.de">');
    expect(body).toContain('<a class="kern-link" href="https://beispiel.bund.de">');
  });

  it('keeps only simple HTML of the Datenschutz file: no scripts, styles, frames, handlers or javascript: links', async () => {
    const body = (await t.app.inject({ url: '/datenschutz' })).body;
    const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(body)![1]!;
    expect(main).toContain('<h2 class="kern-heading-medium">Verantwortlich</h2>');
    expect(main).toContain('<strong>Bundesamt</strong> &amp; Partner.');
    expect(main).toContain('<a class="kern-link" href="https://www.bfdi.bund.de">BfDI</a>');
    expect(main).not.toMatch(/<script|<style|<iframe|onclick|javascript:|alert/);
  });

  it('uses the operator, e-mail, date and text in the accessibility statement', async () => {
    const body = (await t.app.inject({ url: '/barrierefreiheit' })).body;
    expect(body).toContain('Bundesamt für Beispiele ist bemüht');
    expect(body).toContain('vollständig vereinbar');
    expect(body).not.toContain('teilweise vereinbar');
    expect(body).toContain('<time datetime="2026-10-01">1.10.2026</time>');
    expect(body).toContain('mailto:barrierefreiheit@beispiel.bund.de');
    expect(body).toContain('https://www.schlichtungsstelle-bgg.de');
  });

  it('refuses to start with a text file that cannot be read', async () => {
    await expect(
      createTestApp({
        site: { ...t.config.site, impressumFile: path.join(dir, 'fehlt.txt') },
      }),
    ).rejects.toThrow(/ZSK_IMPRESSUM_FILE/);
  });
});

describe('simple HTML reader', () => {
  it.each([
    ['<p>a<b>b</b></p>', '<p class="kern-body">a<b>b</b></p>'],
    ['<div><p>x</p></div>', '<p class="kern-body">x</p>'],
    ['<p>1 &lt; 2 &#228; &#xE4;</p>', '<p class="kern-body">1 &lt; 2 ä ä</p>'],
    ['<a href="/kontakt" target="_blank">k</a>', '<a class="kern-link" href="/kontakt">k</a>'],
    ['<a href="//evil.example">k</a>', '<a class="kern-link">k</a>'],
    ['<img src=x onerror=alert(1)>text', 'text'],
    ['<script>never</script><noscript>x</noscript>ok', 'ok'],
  ])('%s -> %s', (html, expected) => {
    expect(renderToString(<>{fromHtml(html)}</>)).toBe(expected);
  });
});
