import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { PROJECT_DIR } from '../paths.js';
import { trimCss, usedClassNames } from './css-trim.js';
import { FONT_UNICODE_RANGES, subsetFontFile } from './font-subset.js';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/** Where fingerprinted assets live; their names change with their content, so they are cached for good. */
export const ASSET_PREFIX = '/assets/f/';
export const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Asset {
  type: string;
  body: Buffer;
  /** Precompressed once at start-up, at the best (slow) settings, since it is then sent many times. */
  br?: Buffer;
  gzip?: Buffer;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

function fingerprinted(name: string, body: Buffer): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const ext = path.extname(name);
  return `${path.basename(name, ext)}.${hash}${ext}`;
}

function sourceTexts(dir: string): string[] {
  const texts: string[] = [];
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) texts.push(...sourceTexts(file));
    else if (/\.(tsx?|js)$/.test(entry)) texts.push(readFileSync(file, 'utf8'));
  }
  return texts;
}

/**
 * KERN ships 340 KB of CSS for every component it has; the portal uses a few dozen of them. Only the
 * rules that can match a class written in src/ or public/ are kept (src/web/css-trim.ts), computed
 * at start-up so a new component in a page needs no build step. The self-hosted Fira Sans faces are
 * cut to the characters of German and its neighbours (src/web/font-subset.ts, 31 KB instead of
 * 130 KB each) and get `font-display: swap` (text shows at once in the fallback font) and
 * fingerprinted URLs, and the portal's own app.css follows, so every page needs one stylesheet.
 */
function buildStylesheet(addFont: (file: string) => string): string {
  const kernDir = path.join(packageDir('@kern-ux/native'), 'dist');
  const used = usedClassNames(
    [...sourceTexts(path.join(PROJECT_DIR, 'src')), ...sourceTexts(path.join(PROJECT_DIR, 'public'))],
    'kern-',
  );
  const fontCss = readFileSync(path.join(kernDir, 'fonts', 'fira-sans.css'), 'utf8')
    .replace(
      /url\("\.\/fira-sans\/([^"]+)"\)/g,
      (_m, file: string) => `url("${addFont(subsetFontFile(file))}")`,
    )
    .replace(
      /@font-face\s*{/g,
      `@font-face{font-display:swap;unicode-range:${FONT_UNICODE_RANGES.join(',')};`,
    );
  const kern = trimCss(readFileSync(path.join(kernDir, 'kern.css'), 'utf8'), used, 'kern-');
  const app = readFileSync(path.join(PROJECT_DIR, 'public', 'app.css'), 'utf8');
  return `${fontCss}\n${kern}\n${app}`;
}

export interface AssetRegistry {
  /** The fingerprinted URL of a logical asset name ('zsk.css', 'htmx.min.js', …). */
  url(name: string): string;
}

const files = new Map<string, Asset>();
const urls = new Map<string, string>();

function add(name: string, body: Buffer): string {
  const file = fingerprinted(name, body);
  const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
  const compressible = !type.startsWith('font/');
  files.set(file, {
    type,
    body,
    ...(compressible
      ? {
          br: brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }),
          gzip: gzipSync(body, { level: 9 }),
        }
      : {}),
  });
  const url = `${ASSET_PREFIX}${file}`;
  urls.set(name, url);
  return url;
}

let built = false;

/** Builds the fingerprinted assets once per process (tests build many apps). */
function build(): void {
  if (built) return;
  add('zsk.css', Buffer.from(buildStylesheet((file) => add(path.basename(file), readFileSync(file)))));
  add('htmx.min.js', readFileSync(path.join(packageDir('htmx.org'), 'dist', 'htmx.min.js')));
  for (const name of ['service-form.js', 'upload-form.js', 'favicon.svg'])
    add(name, readFileSync(path.join(PROJECT_DIR, 'public', name)));
  built = true;
}

/** The URL pages link for a logical asset name; throws for an unknown one so a typo fails at once. */
export function assetUrl(name: string): string {
  build();
  const url = urls.get(name);
  if (!url) throw new Error(`Unknown asset ${name}`);
  return url;
}

/** The names and sizes of the built assets, for tests and the benchmark notes. */
export function builtAssets(): Array<{ url: string; bytes: number }> {
  build();
  return [...files].map(([file, asset]) => ({ url: `${ASSET_PREFIX}${file}`, bytes: asset.body.length }));
}

/**
 * GET /assets/f/<name>.<hash>.<ext>: immutable, precompressed. The old unversioned paths
 * (/assets/app.css, /assets/kern/…) stay served by @fastify/static for bookmarks and old pages.
 */
export function assetRoutes(app: FastifyInstance): void {
  build();
  app.get<{ Params: { file: string } }>(
    `${ASSET_PREFIX}:file`,
    { config: { access: 'public' } },
    async (request, reply) => {
      const asset = files.get(request.params.file);
      if (!asset) return reply.callNotFound();
      const accepted = String(request.headers['accept-encoding'] ?? '');
      reply.type(asset.type).header('cache-control', IMMUTABLE);
      if (!asset.br) return reply.send(asset.body);
      reply.header('vary', 'Accept-Encoding');
      if (/\bbr\b(?!;\s*q=0(\.0*)?\b)/.test(accepted))
        return reply.header('content-encoding', 'br').send(asset.br);
      if (/\bgzip\b(?!;\s*q=0(\.0*)?\b)/.test(accepted))
        return reply.header('content-encoding', 'gzip').send(asset.gzip);
      return reply.send(asset.body);
    },
  );
}
