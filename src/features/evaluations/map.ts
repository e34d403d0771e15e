import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as echarts from 'echarts';
import { formatInt } from '../../web/format.js';
import { PROJECT_DIR } from '../../paths.js';
import { cspSafeSvg } from '../../web/chart.js';

/**
 * Choropleth maps of Germany, rendered on the server by ECharts (registerMap + map series) as SVG.
 * Geometry: masterdata/geo/*.geo.json, simplified from BKG VG250 by scripts/build-geo.ts.
 */

export type MapLayer = 'laender' | 'kreise';

interface GeoFeature {
  type: 'Feature';
  properties: { ars: string; name: string };
  geometry: unknown;
}
interface GeoCollection {
  type: 'FeatureCollection';
  features: GeoFeature[];
}

const GEO_DIR = path.join(PROJECT_DIR, 'masterdata', 'geo');

const loaded = new Map<MapLayer, GeoCollection>();

/** The layer's outlines, read and registered with ECharts on first use (Kreise: 0.6 MB). */
export function geoLayer(layer: MapLayer): GeoCollection {
  let geo = loaded.get(layer);
  if (!geo) {
    geo = JSON.parse(readFileSync(path.join(GEO_DIR, `${layer}.geo.json`), 'utf8')) as GeoCollection;
    echarts.registerMap(`zsk-${layer}`, geo as unknown as Parameters<typeof echarts.registerMap>[1]);
    loaded.set(layer, geo);
  }
  return geo;
}

/**
 * Sequential blues (ColorBrewer "Blues", 5 classes without the near-white first step), light = few,
 * dark = many. The darkest class carries white-on-blue contrast; the table beside the map holds the
 * figures, so no reading depends on telling two neighbouring shades apart.
 */
export const MAP_CLASS_COLOURS = ['#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'] as const;
export const MAP_NO_DATA_COLOUR = '#ffffff';
const BORDER_COLOUR = '#4b4f66';

export interface MapClass {
  /** Inclusive lower and upper bound. */
  min: number;
  max: number;
  colour: string;
  label: string;
}

/** A step of 1, 2, 2.5 or 5 times a power of ten, so the legend reads in round numbers. */
function niceStep(raw: number): number {
  if (raw <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw);
  return Math.ceil(step ?? 10 * power);
}

/**
 * Equal-interval classes over 0..max in whole numbers: the same value always gets the same shade, and
 * the region with the highest value always falls into the darkest class.
 */
export function mapClasses(values: readonly number[]): MapClass[] {
  const max = Math.max(0, ...values);
  if (max === 0) return [{ min: 0, max: 0, colour: MAP_CLASS_COLOURS[0], label: '0' }];
  const step = niceStep(max / MAP_CLASS_COLOURS.length);
  const used = Math.max(1, Math.ceil((max + 1) / step));
  // Fewer classes when the values are small (max 3 gives 0, 1, 2, 3): the top class stays the darkest.
  const count = Math.min(MAP_CLASS_COLOURS.length, used);
  const colours = MAP_CLASS_COLOURS.slice(MAP_CLASS_COLOURS.length - count);
  return colours.map((colour, i) => {
    const min = i * step;
    const upper = i === count - 1 ? Math.max(max, (i + 1) * step - 1) : (i + 1) * step - 1;
    return {
      min,
      max: upper,
      colour,
      label: min === upper ? formatInt(min) : `${formatInt(min)} bis ${formatInt(upper)}`,
    };
  });
}

export interface ChoroplethOptions {
  layer: MapLayer;
  /** Value per 12-digit ARS; regions missing here are drawn as "keine Daten". */
  values: ReadonlyMap<string, number>;
  width?: number;
  height?: number;
}

/**
 * The map as an SVG string. Every region's path carries `data-ars` (from ECharts' SSR data index), so
 * tests and styles can find a region; colours are fill attributes (CSP: no inline styles).
 */
export function renderChoroplethSvg({ layer, values, width = 460, height = 580 }: ChoroplethOptions): string {
  const geo = geoLayer(layer);
  const classes = mapClasses([...values.values()]);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: 'Fira Sans, sans-serif' },
      visualMap: {
        type: 'piecewise',
        dimension: 0,
        pieces: [...classes]
          .reverse()
          .map((c) => ({ min: c.min, max: c.max, color: c.colour, label: c.label })),
        left: 4,
        bottom: 4,
        itemWidth: 18,
        itemHeight: 12,
        textStyle: { color: '#131525', fontSize: 12 },
        text: undefined,
      },
      series: [
        {
          type: 'map',
          map: `zsk-${layer}`,
          nameProperty: 'ars',
          // Germany around 51° N: one degree of longitude is about 0.63 of a degree of latitude.
          aspectScale: 0.63,
          layoutCenter: ['58%', '46%'],
          layoutSize: '92%',
          selectedMode: false,
          silent: true,
          label: { show: false },
          itemStyle: {
            areaColor: MAP_NO_DATA_COLOUR,
            borderColor: BORDER_COLOUR,
            borderWidth: layer === 'kreise' ? 0.3 : 0.7,
          },
          // Every feature in file order, so ECharts' data index is the feature index.
          data: geo.features.map((f) => ({
            name: f.properties.ars,
            value: values.get(f.properties.ars) ?? null,
          })),
        },
      ],
    });
    const svg = chart.renderToSVGString();
    return cspSafeSvg(
      svg.replace(/ ecmeta_series_index="0" ecmeta_data_index="(\d+)"/g, (_m, i: string) => {
        const ars = geo.features[Number(i)]?.properties.ars;
        return ars ? ` data-ars="${ars}"` : '';
      }),
    ).replace(/ ecmeta_[a-z_]+="[^"]*"/g, '');
  } finally {
    chart.dispose();
  }
}
