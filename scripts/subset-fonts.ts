/**
 * Writes public/fonts/fira-sans/*.woff2: KERN's Fira Sans faces cut down to the characters of German
 * and its neighbours (Basic Latin, Latin-1, Latin Extended-A, typographic punctuation, €).
 *
 *   npx tsx scripts/subset-fonts.ts
 *
 * KERN ships each face with Greek, Cyrillic and more, 130–140 KB each; a page that uses three faces
 * loaded 410 KB of fonts before its text took its final shape, and Lighthouse's mobile run counted that
 * download into the first contentful paint of /auswertungen (3.0 s instead of 1.5 s,
 * docs/benchmarks.md). The cut faces are about 31 KB. Their @font-face rules declare this range
 * (src/web/assets.ts), so any other character is drawn by the fallback font instead of missing. Run
 * again after updating @kern-ux/native; test/web/assets.test.ts fails when a face is out of date.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import subsetFont from 'subset-font';
import { fontSubsetText, subsetFontFile } from '../src/web/font-subset.js';

const require = createRequire(import.meta.url);
const kernFonts = path.join(path.dirname(require.resolve('@kern-ux/native/package.json')), 'dist', 'fonts');

const css = readFileSync(path.join(kernFonts, 'fira-sans.css'), 'utf8');
const text = fontSubsetText();
for (const [, file] of css.matchAll(/url\("\.\/(fira-sans\/[^"]+\.woff2)"\)/g)) {
  const source = readFileSync(path.join(kernFonts, file!));
  const cut = await subsetFont(source, text, { targetFormat: 'woff2' });
  const target = subsetFontFile(path.basename(file!));
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, cut);
  console.log(`${file}: ${source.length} → ${cut.length} bytes`);
}
