/**
 * JSON-stat 2.0 datasets (https://json-stat.org/full/), so that statistical tools (R rjstat, Python
 * pyjstat, JSON-stat Javascript Toolkit) read the series directly. Values are in row-major order of
 * the dimensions in `id`; a gap (no delivery) is null, not 0.
 */
export interface JsonStatDimensionInput {
  id: string;
  label: string;
  role?: 'time' | 'geo' | 'metric';
  categories: { key: string; label: string }[];
  /** Only for the metric dimension: the unit of its single category. */
  unit?: { label: string; decimals: number };
}

export interface JsonStatDataset {
  version: '2.0';
  class: 'dataset';
  label: string;
  source: string;
  updated: string;
  href?: string;
  id: string[];
  size: number[];
  role: { time?: string[]; geo?: string[]; metric?: string[] };
  dimension: Record<string, unknown>;
  value: (number | null)[];
  status?: Record<string, string>;
  note?: string[];
  extension?: Record<string, unknown>;
}

export function jsonStatDataset(input: {
  label: string;
  source: string;
  updated: Date;
  href?: string;
  dimensions: JsonStatDimensionInput[];
  /** The value of one cell, given the index of its category in every dimension. */
  value: (indexes: number[]) => number | null;
  /** Status letters of cells, e.g. 'u' for an incomplete period; undefined = none. */
  status?: (indexes: number[]) => string | undefined;
  note?: string[];
  extension?: Record<string, unknown>;
}): JsonStatDataset {
  const { dimensions } = input;
  const size = dimensions.map((d) => d.categories.length);
  const role: JsonStatDataset['role'] = {};
  for (const d of dimensions) if (d.role) (role[d.role] ??= []).push(d.id);
  const dimension: Record<string, unknown> = {};
  for (const d of dimensions) {
    dimension[d.id] = {
      label: d.label,
      category: {
        index: Object.fromEntries(d.categories.map((c, i) => [c.key, i])),
        label: Object.fromEntries(d.categories.map((c) => [c.key, c.label])),
        ...(d.unit ? { unit: Object.fromEntries(d.categories.map((c) => [c.key, d.unit])) } : {}),
      },
    };
  }
  const value: (number | null)[] = [];
  const status: Record<string, string> = {};
  const total = size.reduce((a, b) => a * b, 1);
  const indexes = size.map(() => 0);
  for (let cell = 0; cell < total; cell++) {
    let rest = cell;
    for (let d = size.length - 1; d >= 0; d--) {
      indexes[d] = rest % size[d]!;
      rest = Math.floor(rest / size[d]!);
    }
    value.push(input.value(indexes));
    const s = input.status?.(indexes);
    if (s !== undefined) status[String(cell)] = s;
  }
  return {
    version: '2.0',
    class: 'dataset',
    label: input.label,
    source: input.source,
    updated: input.updated.toISOString(),
    ...(input.href ? { href: input.href } : {}),
    id: dimensions.map((d) => d.id),
    size,
    role,
    dimension,
    value,
    ...(Object.keys(status).length > 0 ? { status } : {}),
    ...(input.note ? { note: input.note } : {}),
    ...(input.extension ? { extension: input.extension } : {}),
  };
}
