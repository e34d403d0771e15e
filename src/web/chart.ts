import * as echarts from 'echarts';
import { formatDecimal, formatInt } from './format.js';
import { monthLabel } from './labels.js';

/** One month of a time series; total null = no delivery (a gap), 0 = a delivered zero. */
export interface ChartMonth {
  month: string;
  total: number | null;
  /** The current month: no delivery yet is no gap. */
  running: boolean;
  /** The axis label when the point is a quarter or year ('Q4/2026 (2/3)'); default: the month. */
  label?: string;
}

const LINE_COLOUR = '#1e3a8a';
const GAP_COLOUR = 'rgba(178, 34, 34, 0.3)';

/**
 * The monthly time series as an SVG string, rendered on the server by Apache ECharts. A gap (no
 * delivery) breaks the line and is marked by a shaded band over the whole height ("keine Lieferung");
 * a delivered 0 is a point on the line at 0. Only month labels and numbers go into the chart, never
 * text that people typed.
 */
export function renderTimeSeriesSvg(series: ChartMonth[], width = 760, height = 320): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: 'Fira Sans, sans-serif' },
      grid: { left: 80, right: 24, top: 40, bottom: 56 },
      legend: {
        top: 4,
        data: [
          { name: 'Transaktionen', icon: 'circle' },
          { name: 'keine Lieferung', icon: 'rect' },
        ],
      },
      xAxis: {
        type: 'category',
        data: series.map((p) => p.label ?? monthLabel(p.month)),
        axisLabel: { hideOverlap: true, color: '#333' },
      },
      yAxis: [
        {
          type: 'value',
          min: 0,
          axisLabel: { formatter: (v: number) => formatInt(v), color: '#333' },
        },
        { type: 'value', min: 0, max: 1, show: false },
      ],
      series: [
        {
          name: 'keine Lieferung',
          type: 'bar',
          yAxisIndex: 1,
          barWidth: '100%',
          silent: true,
          itemStyle: { color: GAP_COLOUR },
          data: series.map((p) => (p.total === null && !p.running ? 1 : null)),
        },
        {
          name: 'Transaktionen',
          type: 'line',
          connectNulls: false,
          showSymbol: true,
          showAllSymbol: true,
          symbol: 'circle',
          symbolSize: 6,
          lineStyle: { color: LINE_COLOUR, width: 2 },
          itemStyle: { color: LINE_COLOUR },
          data: series.map((p) => p.total),
        },
      ],
    });
    return cspSafeSvg(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

export interface Bar {
  label: string;
  value: number | null;
}

/** Bars beyond this many are left to the table: a chart of hundreds of bars is unreadable. */
export const MAX_BARS = 25;

/**
 * Horizontal bars, largest first (the caller orders them), one per group; the value axis in German
 * number format. Labels may be text that people typed (service or authority names): ECharts escapes
 * text in its SVG output, and long labels are shortened here (the table carries the full name).
 */
export function renderBarChartSvg(
  bars: Bar[],
  options: { valueName: string; decimals?: boolean; width?: number },
): string {
  const shown = bars.slice(0, MAX_BARS).reverse();
  const width = options.width ?? 760;
  const height = 72 + shown.length * 30;
  const format = (v: number) => (options.decimals ? formatDecimal(v) : formatInt(v));
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: 'Fira Sans, sans-serif' },
      grid: { left: 16, right: 72, top: 16, bottom: 40, containLabel: true },
      xAxis: {
        type: 'value',
        min: 0,
        name: options.valueName,
        nameLocation: 'middle',
        nameGap: 28,
        nameTextStyle: { color: '#333' },
        axisLabel: { formatter: (v: number) => format(v), color: '#333', hideOverlap: true },
      },
      yAxis: {
        type: 'category',
        data: shown.map((b) => (b.label.length > 40 ? `${b.label.slice(0, 39)}…` : b.label)),
        axisLabel: { color: '#333' },
      },
      series: [
        {
          name: options.valueName,
          type: 'bar',
          barMaxWidth: 22,
          itemStyle: { color: LINE_COLOUR },
          label: {
            show: true,
            position: 'right',
            color: '#333',
            formatter: (p: { value: number | null }) => (p.value === null ? '–' : format(p.value)),
          },
          data: shown.map((b) => b.value),
        },
      ],
    });
    return cspSafeSvg(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

/**
 * The page's Content-Security-Policy (style-src 'self') blocks inline styles, so ECharts' style
 * attributes become SVG presentation attributes and its <style> block (hover effects only) is dropped.
 */
export function cspSafeSvg(svg: string): string {
  return svg.replace(/<style[^>]*>[\s\S]*?<\/style>/g, '').replace(/ style="([^"]*)"/g, (_m, css: string) =>
    css
      .replace(/&quot;/g, "'")
      .split(';')
      .map((decl) => decl.trim())
      .filter((decl) => /^[a-z-]+\s*:/.test(decl))
      .map((decl) => {
        const i = decl.indexOf(':');
        const name = decl.slice(0, i).trim();
        const value = decl
          .slice(i + 1)
          .trim()
          .replace(/"/g, "'");
        return ` ${name}="${value}"`;
      })
      .join(''),
  );
}
