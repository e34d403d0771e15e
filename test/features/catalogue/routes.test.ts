import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/demo/seed.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { signIn, type SignedIn } from '../../helpers/auth.js';

let t: TestApp;
let viewer: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  viewer = await signIn(t);
  await seedDemo(t.db.kysely, new Date('2026-11-23T10:00:00Z'));
});
afterAll(async () => {
  await t.close();
});

describe('GET /katalog/suche', () => {
  it('answers a full page with form and results without htmx', async () => {
    const res = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/katalog/suche?suche=Elterngelt',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.vary).toContain('HX-Request');
    expect(res.body).toContain('<html lang="de">');
    expect(res.body).toContain('hx-trigger="input changed delay:300ms, search"');
    expect(res.body).toMatch(/name="suche" value="Elterngelt"/);
    expect(res.body).toContain('Stand des Katalogs: 30.06.2025');
    expect(res.body).toMatch(/<th scope="row" class="kern-table__cell">Elterngeld Bewilligung/);
    expect(res.body).toContain('Familie &amp; Kind');
    expect(res.body).toMatch(/href="\/\?ozg=\d+"/);
  });

  it('still reads the search under its former name q, and the German name first', async () => {
    for (const query of ['q=Elterngelt', 'suche=Elterngelt&q=bafög', 'suche=&q=Elterngelt']) {
      const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url: `/katalog/suche?${query}` });
      expect(res.statusCode, query).toBe(200);
      expect(res.body, query).toMatch(/name="suche" value="Elterngelt"/);
      expect(res.body, query).toMatch(/<th scope="row" class="kern-table__cell">Elterngeld Bewilligung/);
    }
  });

  it('answers only the fragment to htmx, with the status swapped out of band', async () => {
    const res = await t.app.inject({
      url: '/katalog/suche?suche=bafög',
      headers: { cookie: viewer.cookie, 'hx-request': 'true' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<html');
    expect(res.body).toMatch(
      /^<p id="katalog-status" class="kern-body" role="status" hx-swap-oob="innerHTML">/,
    );
    expect(res.body).toContain('Ausbildungsförderung nach dem BAföG Bewilligung');
  });

  it('offers buttons carrying the keys in pick mode', async () => {
    const res = await t.app.inject({
      url: '/katalog/suche?q=Wohngeld&auswahl=1',
      headers: { cookie: viewer.cookie, 'hx-request': 'true' },
    });
    expect(res.body).toMatch(
      /<button type="button" class="kern-btn kern-btn--secondary zsk-pick" data-leika-key="\d{14}" data-leika-name="Wohngeld [^"]+" data-ozg-id="\d+" data-ozg-name="Wohngeld"/,
    );
    const page = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: '/katalog/suche?q=Wohngeld&auswahl=1',
    });
    expect(page.body).toContain('<input type="hidden" name="auswahl" value="1"/>');
  });

  it('asks for more input on an empty query and escapes what was typed', async () => {
    const empty = await t.app.inject({ headers: { cookie: viewer.cookie }, url: '/katalog/suche' });
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('Bitte mindestens 2 Zeichen eingeben.');
    const evil = await t.app.inject({
      headers: { cookie: viewer.cookie },
      url: `/katalog/suche?q=${encodeURIComponent('<script>x</script>')}`,
    });
    expect(evil.body).not.toContain('<script>x</script>');
    expect(evil.body).toContain('Keine Treffer für „&lt;script>x&lt;/script>“.');
  });
});

describe('GET /stammdaten', () => {
  it('shows the age of the catalogue and each import with its changes', async () => {
    const res = await t.app.inject({ headers: { cookie: viewer.cookie }, url: '/stammdaten' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1 class="kern-heading-large">Stammdaten</h1>');
    expect(res.body).toContain('<strong>30.06.2025</strong> Stand des');
    expect(res.body).toContain('Beispielkatalog masterdata/catalogue/ozg-katalog.json');
    expect(res.body).toMatch(/141 \/ 107<\/td>/);
    expect(res.body).toContain('Unternehmensführung &amp; -entwicklung');
    expect(res.body).toContain('Noch kein Import des Gemeindeverzeichnisses');
  });
});
