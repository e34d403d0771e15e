import path from 'node:path';
import { PROJECT_DIR } from '../paths.js';

/**
 * The characters the self-hosted faces hold (scripts/subset-fonts.ts cuts them): Basic Latin,
 * Latin-1, Latin Extended-A, dashes, quotes, ellipsis, bullet, thin spaces, prime, minus, €, arrows
 * and ≤ ≥. As `unicode-range` of each @font-face, so the browser draws anything else in its fallback.
 */
export const FONT_UNICODE_RANGES = [
  'U+0020-007E',
  'U+00A0-017F',
  'U+2009-200B',
  'U+2010-2027',
  'U+202F',
  'U+2030-203A',
  'U+20AC',
  'U+2190-2193',
  'U+2212',
  'U+2264-2265',
] as const;

/** Where the cut face of a KERN font file lies (committed; scripts/subset-fonts.ts writes it). */
export function subsetFontFile(name: string): string {
  return path.join(PROJECT_DIR, 'public', 'fonts', 'fira-sans', name);
}

/** Every character of FONT_UNICODE_RANGES, the text the cut faces must be able to draw. */
export function fontSubsetText(): string {
  const points: number[] = [];
  for (const range of FONT_UNICODE_RANGES) {
    const [from, to] = range.replace('U+', '').split('-');
    const first = parseInt(from!, 16);
    const last = to ? parseInt(to, 16) : first;
    for (let p = first; p <= last; p++) points.push(p);
  }
  return String.fromCodePoint(...points);
}
