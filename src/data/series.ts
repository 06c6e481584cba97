/**
 * A time series turned into model windows: columns normalised with statistics of the training split (or given
 * ones), sliding windows of the model's length with the target a number of steps after each window, and three
 * splits by time (train, validation, test) that no window crosses. Deterministic: the same file and options give
 * the same windows.
 */
import { fail } from '../dsl/diagnostics.js';
import type { FloatBatch } from '../kinds/types.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export interface Split {
  /** Rows [start, end) of the series (CSV), or of the windows (npy). */
  readonly rows: readonly [number, number];
  /** Normalised windows, samples × window × features. */
  readonly windows: FloatBatch;
  /** Normalised targets, samples × outputs. */
  readonly targets: Float64Array;
  /** The persistence forecast (the last value of each target in the window), normalised; absent when unknown. */
  readonly persistence?: Float64Array;
}

export interface Normalization {
  readonly columns: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** 'train': computed on the training split; 'given': from the config; 'none': identity. */
  readonly from: 'train' | 'given' | 'none';
}

export interface Dataset {
  readonly window: number;
  readonly features: readonly string[];
  readonly targets: readonly string[];
  readonly normalization: Normalization;
  readonly splits: Readonly<Record<SplitName, Split>>;
}

export interface SeriesOptions {
  window: number;
  features: readonly string[];
  targets: readonly string[];
  /** Steps between the last row of a window and its target row (1: the next step). */
  horizon: number;
  /** Fractions of the rows for train and validation; test gets the rest. */
  split: { train: number; validation: number };
  normalize: 'train' | 'none' | { mean: readonly number[]; std: readonly number[] };
}

const field = ['data'];

/** Windows of a CSV series (columns by name), split by time. */
export function seriesDataset(columns: ReadonlyMap<string, Float64Array>, rows: number, file: string, o: SeriesOptions): Dataset {
  const used = [...new Set([...o.features, ...o.targets])];
  const needed = o.window + o.horizon;
  const bounds = splitBounds(rows, o.split);
  for (const s of SPLITS) {
    const [a, b] = bounds[s];
    if (b - a < needed) {
      fail('KILN_E_DATA', [...field, 'split'], `${file} has ${rows} rows; the ${s} split (rows ${a + 2}..${b + 1}) has ${b - a}, fewer than one window of ${o.window} plus the horizon of ${o.horizon}`, 'use a longer series, a shorter window, or other split fractions');
    }
  }
  const normalization = normalizationOf(used, columns, bounds.train, o.normalize);
  const norm = new Map(used.map((c, i) => [c, (v: number) => (v - normalization.mean[i]!) / normalization.std[i]!]));
  const splits = {} as Record<SplitName, Split>;
  for (const s of SPLITS) {
    const [a, b] = bounds[s];
    const samples = b - a - needed + 1;
    const windows = new Float64Array(samples * o.window * o.features.length);
    const targets = new Float64Array(samples * o.targets.length);
    const persistence = new Float64Array(samples * o.targets.length);
    for (let w = 0; w < samples; w++) {
      const start = a + w;
      for (let t = 0; t < o.window; t++) o.features.forEach((c, f) => (windows[(w * o.window + t) * o.features.length + f] = norm.get(c)!(columns.get(c)![start + t]!)));
      o.targets.forEach((c, k) => {
        targets[w * o.targets.length + k] = norm.get(c)!(columns.get(c)![start + o.window - 1 + o.horizon]!);
        persistence[w * o.targets.length + k] = norm.get(c)!(columns.get(c)![start + o.window - 1]!);
      });
    }
    splits[s] = { rows: [a, b], windows: { samples, data: windows }, targets, persistence };
  }
  return { window: o.window, features: o.features, targets: o.targets, normalization, splits };
}

/** Row ranges of the three splits, in time order. */
export function splitBounds(rows: number, split: { train: number; validation: number }): Record<SplitName, [number, number]> {
  const train = Math.floor(rows * split.train);
  const validation = train + Math.floor(rows * split.validation);
  return { train: [0, train], validation: [train, validation], test: [validation, rows] };
}

function normalizationOf(used: readonly string[], columns: ReadonlyMap<string, Float64Array>, [a, b]: [number, number], how: SeriesOptions['normalize']): Normalization {
  if (how === 'none') return { columns: used, mean: used.map(() => 0), std: used.map(() => 1), from: 'none' };
  if (how !== 'train') {
    if (how.mean.length !== used.length || how.std.length !== used.length) {
      fail('KILN_E_DATA', [...field, 'normalize'], `normalize gives ${how.mean.length} means and ${how.std.length} standard deviations for ${used.length} columns (${used.join(', ')})`);
    }
    return { columns: used, mean: [...how.mean], std: [...how.std], from: 'given' };
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (const c of used) {
    const v = columns.get(c)!.subarray(a, b);
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
    mean.push(m);
    std.push(sd > 0 ? sd : 1); // a constant column stays centred
  }
  return { columns: used, mean, std, from: 'train' };
}
