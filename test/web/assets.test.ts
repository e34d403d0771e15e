import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { signIn } from '../helpers/auth.js';
import { trimCss, usedClassNames } from '../../src/web/css-trim.js';
import { assetUrl, builtAssets } from '../../src/web/assets.js';
import { FONT_UNICODE_RANGES, fontSubsetText, subsetFontFile } from '../../src/web/font-subset.js';
import subsetFont from 'subset-font';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

const KB = 1024;

describe('static assets and compression', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string, encoding?: string, cookie?: string) =>
    t.app.inject({
      url,
      headers: { ...(encoding ? { 'accept-encoding': encoding } : {}), ...(cookie ? { cookie } : {}) },
    });

  it('links fingerprinted assets from every page, served immutable and precompressed', async () => {
    const page = await get('/barrierefreiheit');
    const links = [...page.body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(links.sort()).toEqual(
      [assetUrl('favicon.svg'), assetUrl('htmx.min.js'), assetUrl('zsk.css')].sort(),
    );
    for (const url of links) expect(url).toMatch(/^\/assets\/f\/[\w.-]+\.[0-9a-f]{12}\.(css|js|svg)$/);

    const css = assetUrl('zsk.css');
    const plain = await get(css);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-type']).toBe('text/css; charset=utf-8');
    const br = await get(css, 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    const gzip = await get(css, 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(30 * KB);

    expect((await get('/assets/f/zsk.000000000000.css')).statusCode).toBe(404);
  });

  it('keeps the old unversioned paths working', async () => {
    for (const url of [
      '/assets/app.css',
      '/assets/htmx.min.js',
      '/assets/kern/kern.min.css',
      '/assets/favicon.svg',
    ])
      expect((await get(url)).statusCode, url).toBe(200);
  });

  it('compresses pages, CSS and JavaScript, but not fonts', async () => {
    const page = await get('/leichte-sprache', 'br');
    expect(page.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(page.rawPayload).toString()).toContain('<h1');
    expect((await get('/assets/kern/kern.min.css', 'gzip')).headers['content-encoding']).toBe('gzip');
    expect((await get('/assets/htmx.min.js', 'br')).headers['content-encoding']).toBe('br');
    expect((await get('/healthz', 'gzip')).headers['content-encoding']).toBeUndefined(); // below 1 KB
    const font = builtAssets().find((a) => a.url.endsWith('.woff2'))!;
    const res = await get(font.url, 'br, gzip');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-type']).toBe('font/woff2');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(
      (await get('/assets/kern/fonts/fira-sans/FiraSans-Regular.woff2', 'br')).headers['content-encoding'],
    ).toBe(undefined);
  });

  it('compresses JSON and CSV answers', async () => {
    const admin = await signIn(t, { isAdmin: true });
    const json = await get('/api/docs/json', 'gzip');
    expect(json.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(json.rawPayload).toString())).toHaveProperty('openapi');
    const csv = await get('/berichte/dienste.csv', 'br', admin.cookie);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    // Small reports stay below the 1 KB threshold on an empty database; either way the bytes are intact.
    const body =
      csv.headers['content-encoding'] === 'br' ? brotliDecompressSync(csv.rawPayload) : csv.rawPayload;
    expect(body.toString()).toContain(';');
  });

  it('ships the fonts with font-display: swap and only the KERN rules the pages use', async () => {
    const css = (await get(assetUrl('zsk.css'))).body;
    const faces = css.match(/@font-face\{[^}]*\}/g) ?? [];
    expect(faces.length).toBeGreaterThan(0);
    for (const face of faces) expect(face).toContain('font-display:swap');
    expect(css).toContain('.kern-btn--primary');
    expect(css).toContain('.kern-table-responsive');
    expect(css).toContain('.zsk-menu__button'); // app.css follows
    expect(css).not.toContain('.kern-dialog');
    expect(css).not.toContain('.kern-icon--');
    expect(css.length).toBeLessThan(160 * KB);
  });

  it('ships Fira Sans cut to the characters of German, declared by unicode-range, and current', async () => {
    const css = (await get(assetUrl('zsk.css'))).body;
    const faces = css.match(/@font-face\{[^}]*\}/g) ?? [];
    expect(faces).toHaveLength(10);
    for (const face of faces) expect(face).toContain(`unicode-range:${FONT_UNICODE_RANGES.join(',')}`);
    const fonts = builtAssets().filter((a) => a.url.endsWith('.woff2'));
    expect(fonts).toHaveLength(10);
    for (const font of fonts) expect(font.bytes, font.url).toBeLessThan(40 * KB);
    // The committed cut of the Regular face is what scripts/subset-fonts.ts makes of KERN's today.
    const source = readFileSync(
      path.join(
        path.dirname(require.resolve('@kern-ux/native/package.json')),
        'dist/fonts/fira-sans/FiraSans-Regular.woff2',
      ),
    );
    const cut = await subsetFont(source, fontSubsetText(), { targetFormat: 'woff2' });
    const committed = readFileSync(subsetFontFile('FiraSans-Regular.woff2'));
    expect(committed.equals(cut), 'run npx tsx scripts/subset-fonts.ts').toBe(true);
  });

  it('loads no more than 150 KB of JavaScript on a public page, and no ECharts at all', async () => {
    for (const url of ['/anmelden', '/barrierefreiheit', '/kontakt']) {
      const page = await get(url);
      const scripts = [...page.body.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
      expect(scripts.join(), url).not.toMatch(/echarts/);
      let bytes = 0;
      for (const src of scripts) bytes += (await get(src)).rawPayload.length;
      expect(bytes, url).toBeLessThanOrEqual(150 * KB);
      expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script either
    }
  });

  it('says what every page is about and in which language', async () => {
    const page = await get('/anmelden');
    expect(page.body).toContain('<html lang="de">');
    expect(page.body).toMatch(/<meta name="description" content="[^"]{50,}"\/?>/);
  });
});

describe('trimming a stylesheet', () => {
  const css = `@charset "UTF-8";
/* comment { with braces } */
:root { --a: 1; }
body { margin: 0; }
.kern-btn, .kern-dialog { color: red; }
.kern-btn:not(.kern-btn--disabled):hover { color: blue; }
.kern-dialog .kern-btn { color: green; }
.kern-alert--warning { color: orange; }
.kern-x[data-a="}"] { color: pink; }
@media (min-width: 10px) { .kern-dialog { top: 0; } .kern-btn { top: 1px; } }
@media print { .kern-dialog { top: 0; } }
@keyframes spin { from { rotate: 0deg; } to { rotate: 360deg; } }`;
  const used = usedClassNames(['class="kern-btn"', 'class={`kern-alert kern-alert--${kind}`}'], 'kern-');

  it('finds the class names and the modifier templates written in the sources', () => {
    expect([...used].sort()).toEqual(['kern-alert', 'kern-alert--', 'kern-btn']);
  });

  it('keeps rules that can match, drops the others, and keeps element rules, variables and keyframes', () => {
    expect(trimCss(css, used, 'kern-').split('\n')).toEqual([
      ':root{--a: 1;}',
      'body{margin: 0;}',
      '.kern-btn{color: red;}',
      '.kern-btn:not(.kern-btn--disabled):hover{color: blue;}',
      '.kern-alert--warning{color: orange;}',
      '@media (min-width: 10px){.kern-btn{top: 1px;}}',
      '@keyframes spin{from { rotate: 0deg;} to { rotate: 360deg;}}',
    ]);
  });
});
