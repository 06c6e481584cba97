/**
 * Where a design's numbers come from, validated like the rest of the config (every problem at once, each naming
 * its field): the weights (synthetic, or a trained model's file and how its modules map to kiln's layers), the
 * data (a CSV series or NumPy arrays) that calibrates and scores the integer model, the quantization settings and
 * the accuracy budget. Paths stay as written: the build reads them, relative to the config file.
 */
import { describeValue, diagnostic, didYouMean, type Diagnostic, type GraphSpec } from '../dsl/index.js';

export type WeightsSource =
  | { readonly source: 'synthetic'; readonly seed: number }
  | { readonly source: 'file'; readonly file: string; readonly map: Readonly<Record<string, string>>; readonly seed: number };

export interface SplitFractions {
  readonly train: number;
  readonly validation: number;
}

export type DataSource =
  | {
      readonly kind: 'csv';
      readonly file: string;
      readonly features: readonly string[];
      readonly targets: readonly string[];
      readonly horizon: number;
      readonly split: SplitFractions;
      readonly normalize: 'train' | 'none' | { readonly mean: readonly number[]; readonly std: readonly number[] };
    }
  | { readonly kind: 'npy'; readonly windows: string; readonly targets: string; readonly split: SplitFractions; readonly persistenceFeature?: number };

export interface QuantizationSource {
  readonly observer: 'minmax' | { readonly percentile: number };
  readonly calibrationWindows: number;
}

export interface Sources {
  readonly weights: WeightsSource;
  readonly data?: DataSource;
  readonly quantization: QuantizationSource;
  readonly accuracy?: { readonly maxRmseIncrease: number };
}

const DEFAULT_SEED = 1;
const DEFAULT_SPLIT: SplitFractions = { train: 0.7, validation: 0.15 };
const DEFAULT_CALIBRATION_WINDOWS = 256;
/** Windows of the synthetic series that calibrates the quantization of a config without data. */
export const SYNTHETIC_CALIBRATION_WINDOWS = 17;
/** Test windows the whole-model testbench runs (and kiln sim reports). */
export const TEST_WINDOWS = 16;
/** Test windows whose activations every layer testbench replays before its full-range random run. */
export const RECORDED_RUNS = 3;
const MAX_CALIBRATION_WINDOWS = 10_000;

type Field = (string | number)[];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = describeValue;

export function checkSources(c: { weights?: unknown; data?: unknown; quantization?: unknown; accuracy?: unknown }, spec: GraphSpec | undefined, diags: Diagnostic[]): Sources {
  const weights = checkWeights(c.weights, spec, diags);
  const data = c.data === undefined ? undefined : checkData(c.data, spec, diags);
  const quantization = checkQuantization(c.quantization, diags);
  const accuracy = checkAccuracy(c.accuracy, diags);
  return { weights, ...(data ? { data } : {}), quantization, ...(accuracy ? { accuracy } : {}) };
}

function unknownKeys(v: Record<string, unknown>, allowed: readonly string[], field: Field, what: string, diags: Diagnostic[]): void {
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) diags.push(diagnostic('KILN_E_UNKNOWN_KEY', [...field, key], `unknown ${what} option '${key}'`, didYouMean(key, allowed) ?? `options: ${allowed.join(', ')}`));
  }
}

function seedOf(v: unknown, field: Field, diags: Diagnostic[]): number {
  if (v === undefined) return DEFAULT_SEED;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    diags.push(diagnostic('KILN_E_RANGE', field, `must be a non-negative integer, got ${show(v)}`));
    return DEFAULT_SEED;
  }
  return v;
}

function checkWeights(v: unknown, spec: GraphSpec | undefined, diags: Diagnostic[]): WeightsSource {
  if (v === undefined) return { source: 'synthetic', seed: DEFAULT_SEED };
  if (!isRecord(v)) {
    diags.push(diagnostic('KILN_E_TYPE', ['weights'], `must be an object like { file: 'model.safetensors' } or { seed: 1 }, got ${show(v)}`));
    return { source: 'synthetic', seed: DEFAULT_SEED };
  }
  const seed = seedOf(v.seed, ['weights', 'seed'], diags);
  if (v.file === undefined) {
    unknownKeys(v, ['seed', 'file'], ['weights'], 'weights', diags);
    return { source: 'synthetic', seed };
  }
  unknownKeys(v, ['file', 'map', 'seed'], ['weights'], 'weights', diags);
  if (typeof v.file !== 'string' || v.file.trim() === '') {
    diags.push(diagnostic('KILN_E_TYPE', ['weights', 'file'], `must be the path of a .safetensors or .onnx file, got ${show(v.file)}`));
    return { source: 'synthetic', seed };
  }
  const map: Record<string, string> = {};
  if (v.map !== undefined) {
    if (!isRecord(v.map)) {
      diags.push(diagnostic('KILN_E_TYPE', ['weights', 'map'], `must map layer paths to module paths (a record, or a function of the layer path), got ${show(v.map)}`));
    } else {
      const paths = spec?.layers.map((l) => l.path) ?? [];
      for (const [path, module] of Object.entries(v.map)) {
        if (spec && !paths.includes(path)) diags.push(diagnostic('KILN_E_UNKNOWN_LAYER', ['weights', 'map', path], `no layer '${path}' in model '${spec.name}'`, didYouMean(path, paths) ?? `layer paths: ${paths.join(', ')}`));
        else if (typeof module !== 'string' || module === '') diags.push(diagnostic('KILN_E_TYPE', ['weights', 'map', path], `must be a module path such as 'encoder.layers.0.linear1', got ${show(module)}`));
        else map[path] = module;
      }
    }
  }
  return { source: 'file', file: v.file, map, seed };
}

function checkSplit(v: unknown, field: Field, diags: Diagnostic[]): SplitFractions {
  if (v === undefined) return DEFAULT_SPLIT;
  if (!isRecord(v)) {
    diags.push(diagnostic('KILN_E_TYPE', field, `must be { train, validation } fractions, got ${show(v)}`));
    return DEFAULT_SPLIT;
  }
  unknownKeys(v, ['train', 'validation'], field, 'split', diags);
  const fraction = (x: unknown, key: 'train' | 'validation', min: number) => {
    if (x === undefined) return DEFAULT_SPLIT[key];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x >= 1) {
      diags.push(diagnostic('KILN_E_RANGE', [...field, key], `must be a fraction in [${min}, 1), got ${show(x)}`));
      return DEFAULT_SPLIT[key];
    }
    return x;
  };
  const train = fraction(v.train, 'train', 0.01);
  const validation = fraction(v.validation, 'validation', 0);
  if (train + validation >= 0.99) diags.push(diagnostic('KILN_E_RANGE', field, `train (${train}) and validation (${validation}) leave no test split`, 'the test split gets the rest of the rows'));
  return { train, validation };
}

function stringList(v: unknown, field: Field, what: string, diags: Diagnostic[]): string[] | undefined {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' && x !== '')) {
    diags.push(diagnostic('KILN_E_TYPE', field, `must be ${what}, got ${show(v)}`));
    return undefined;
  }
  const dup = list.find((x, i) => list.indexOf(x) !== i);
  if (dup !== undefined) diags.push(diagnostic('KILN_E_DATA', field, `names column '${dup}' twice`));
  return list as string[];
}

/** The model's input features per step and outputs, from its spec. */
function modelShape(spec: GraphSpec | undefined): { window: number; features: number; outputs: number } | undefined {
  const input = spec?.layers[0];
  const output = spec?.layers.find((l) => l.path === spec.output);
  if (!input || !output) return undefined;
  return { window: input.shape[0]!, features: input.shape[1]!, outputs: output.shape.reduce((a, b) => a * b, 1) };
}

function checkData(v: unknown, spec: GraphSpec | undefined, diags: Diagnostic[]): DataSource | undefined {
  if (!isRecord(v) || (v.csv === undefined) === (v.npy === undefined)) {
    diags.push(diagnostic('KILN_E_TYPE', ['data'], `must be { csv: 'series.csv', features: [...], target: '...' } or { npy: { windows, targets } }, got ${show(v)}`));
    return undefined;
  }
  const shape = modelShape(spec);
  const split = checkSplit(v.split, ['data', 'split'], diags);
  if (v.npy !== undefined) {
    unknownKeys(v, ['npy', 'split', 'persistenceFeature'], ['data'], 'data', diags);
    const n = v.npy;
    if (!isRecord(n) || typeof n.windows !== 'string' || typeof n.targets !== 'string') {
      diags.push(diagnostic('KILN_E_TYPE', ['data', 'npy'], `must be { windows: 'x.npy', targets: 'y.npy' }, got ${show(n)}`));
      return undefined;
    }
    unknownKeys(n, ['windows', 'targets'], ['data', 'npy'], 'npy', diags);
    const pf = v.persistenceFeature;
    if (pf !== undefined && (typeof pf !== 'number' || !Number.isInteger(pf) || pf < 0 || (shape && pf >= shape.features))) {
      diags.push(diagnostic('KILN_E_RANGE', ['data', 'persistenceFeature'], `must be the index of an input feature${shape ? ` (0..${shape.features - 1})` : ''}, got ${show(pf)}`));
    }
    return { kind: 'npy', windows: n.windows, targets: n.targets, split, ...(typeof pf === 'number' ? { persistenceFeature: pf } : {}) };
  }
  unknownKeys(v, ['csv', 'features', 'target', 'horizon', 'split', 'normalize'], ['data'], 'data', diags);
  if (typeof v.csv !== 'string' || v.csv.trim() === '') {
    diags.push(diagnostic('KILN_E_TYPE', ['data', 'csv'], `must be the path of a CSV file, got ${show(v.csv)}`));
    return undefined;
  }
  const features = stringList(v.features, ['data', 'features'], 'a list of column names', diags);
  const targets = stringList(v.target, ['data', 'target'], 'a column name (or one per output)', diags);
  if (features && shape && features.length !== shape.features) {
    diags.push(diagnostic('KILN_E_DATA', ['data', 'features'], `names ${features.length} column${features.length === 1 ? '' : 's'}, but the model takes ${shape.features} input features per step`));
  }
  if (targets && shape && targets.length !== shape.outputs) {
    diags.push(diagnostic('KILN_E_DATA', ['data', 'target'], `names ${targets.length} column${targets.length === 1 ? '' : 's'}, but the model has ${shape.outputs} output${shape.outputs === 1 ? '' : 's'}`));
  }
  let horizon = 1;
  if (v.horizon !== undefined) {
    if (typeof v.horizon !== 'number' || !Number.isInteger(v.horizon) || v.horizon < 1) diags.push(diagnostic('KILN_E_RANGE', ['data', 'horizon'], `must be a positive integer of steps, got ${show(v.horizon)}`));
    else horizon = v.horizon;
  }
  let normalize: Extract<DataSource, { kind: 'csv' }>['normalize'] = 'train';
  const nv = v.normalize;
  if (nv === 'none' || nv === 'train') normalize = nv;
  else if (nv !== undefined) {
    const ok = isRecord(nv) && Array.isArray(nv.mean) && Array.isArray(nv.std) && nv.mean.every((x) => Number.isFinite(x)) && nv.std.every((x) => Number.isFinite(x) && (x as number) > 0);
    if (!ok) diags.push(diagnostic('KILN_E_TYPE', ['data', 'normalize'], `must be 'train', 'none' or { mean: [...], std: [...] } (std > 0), got ${show(nv)}`));
    else normalize = { mean: nv.mean as number[], std: nv.std as number[] };
  }
  if (!features || !targets) return undefined;
  return { kind: 'csv', file: v.csv, features, targets, horizon, split, normalize };
}

function checkQuantization(v: unknown, diags: Diagnostic[]): QuantizationSource {
  const defaults: QuantizationSource = { observer: 'minmax', calibrationWindows: DEFAULT_CALIBRATION_WINDOWS };
  if (v === undefined) return defaults;
  if (!isRecord(v)) {
    diags.push(diagnostic('KILN_E_TYPE', ['quantization'], `must be an object like { observer: 'minmax' }, got ${show(v)}`));
    return defaults;
  }
  unknownKeys(v, ['observer', 'calibrationWindows'], ['quantization'], 'quantization', diags);
  let observer: QuantizationSource['observer'] = 'minmax';
  if (v.observer !== undefined && v.observer !== 'minmax') {
    const p = isRecord(v.observer) ? v.observer.percentile : undefined;
    if (typeof p !== 'number' || !(p > 50) || p > 100) diags.push(diagnostic('KILN_E_RANGE', ['quantization', 'observer'], `must be 'minmax' or { percentile: p } with 50 < p ≤ 100, got ${show(v.observer)}`));
    else observer = { percentile: p };
  }
  let calibrationWindows = DEFAULT_CALIBRATION_WINDOWS;
  const w = v.calibrationWindows;
  if (w !== undefined) {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > MAX_CALIBRATION_WINDOWS) diags.push(diagnostic('KILN_E_RANGE', ['quantization', 'calibrationWindows'], `must be an integer from 1 to ${MAX_CALIBRATION_WINDOWS}, got ${show(w)}`));
    else calibrationWindows = w;
  }
  return { observer, calibrationWindows };
}

function checkAccuracy(v: unknown, diags: Diagnostic[]): Sources['accuracy'] {
  if (v === undefined) return undefined;
  if (!isRecord(v)) {
    diags.push(diagnostic('KILN_E_TYPE', ['accuracy'], `must be an object like { maxRmseIncrease: 0.05 }, got ${show(v)}`));
    return undefined;
  }
  unknownKeys(v, ['maxRmseIncrease'], ['accuracy'], 'accuracy', diags);
  const m = v.maxRmseIncrease;
  if (m === undefined) return undefined;
  if (typeof m !== 'number' || !Number.isFinite(m) || m < 0) {
    diags.push(diagnostic('KILN_E_RANGE', ['accuracy', 'maxRmseIncrease'], `must be a non-negative fraction (0.05 for 5 %), got ${show(m)}`));
    return undefined;
  }
  return { maxRmseIncrease: m };
}
