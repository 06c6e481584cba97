/**
 * The files a design's numbers come from, read for a build: a trained model's weights (bound to the layers) and
 * the data that calibrates it and scores it (a CSV series or NumPy arrays, split by time). Paths are relative to
 * the config file; every problem is a diagnostic naming the file. Deterministic: the same files give the same
 * windows.
 */
import { readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { readCsvColumns } from '../data/csv.js';
import { readNpy } from '../data/npy.js';
import { SPLITS, seriesDataset, splitBounds, type Dataset, type Split, type SplitName } from '../data/series.js';
import { fail, type Diagnostic } from '../dsl/diagnostics.js';
import type { ResolvedDesign } from '../ir/types.js';
import type { FloatBatch } from '../kinds/types.js';
import { bindWeights, loadTensorFile, type BoundWeights, type TensorFile } from '../params/index.js';
import { TEST_WINDOWS, type HeldOut, type QuantizeSources } from '../reference/index.js';
import { hashContent, hashValue } from '../util/hash.js';

/** Data files larger than this are not a small model's time series. */
const MAX_DATA_BYTES = 256 * 2 ** 20;

export interface ModelInputs {
  readonly weights?: { readonly file: TensorFile; readonly bound: BoundWeights };
  readonly data?: { readonly file: string; readonly sha256: string; readonly dataset: Dataset };
  /** What quantization reads (empty for a synthetic design). */
  readonly sources: QuantizeSources;
  /** The test split, for `kiln eval` and the reports' accuracy figures. */
  readonly test?: HeldOut;
  readonly warnings: readonly Diagnostic[];
}

export function loadInputs(design: ResolvedDesign, configDir: string, cwd: string): ModelInputs {
  const shown = (p: string) => relative(cwd, p) || p;
  const warnings: Diagnostic[] = [];
  let weights: ModelInputs['weights'];
  if (design.weights.source === 'file') {
    const path = resolve(configDir, design.weights.file);
    const file = loadTensorFile(path, shown(path));
    const bound = bindWeights(design, file, design.weights.map);
    warnings.push(...bound.warnings);
    weights = { file, bound };
  }
  let data: ModelInputs['data'];
  if (design.data) data = loadDataset(design, configDir, shown);
  const input = design.layers[0]!;
  const perWindow = input.output.elements;
  const sources: QuantizeSources = {
    ...(weights ? { params: { of: (path: string) => weights.bound.params.get(path), keyOf: (path: string) => tensorKey(weights, path) } } : {}),
    ...(data
      ? {
          calibration: window('calibration', data, 'train', design.quantization.calibrationWindows, perWindow),
          test: window('test', data, 'test', TEST_WINDOWS, perWindow),
        }
      : {}),
  };
  const test = data ? heldOut(data.dataset.splits.test, data.dataset, hashValue({ file: data.sha256, split: 'test', rows: data.dataset.splits.test.rows, normalization: data.dataset.normalization })) : undefined;
  return { ...(weights ? { weights } : {}), ...(data ? { data } : {}), sources, ...(test ? { test } : {}), warnings };
}

function tensorKey(weights: NonNullable<ModelInputs['weights']>, path: string): string | undefined {
  const names = weights.bound.tensorsOf.get(path);
  return names ? `${weights.file.sha256}:${names.join(',')}` : undefined;
}

/** `count` windows of a split, spread evenly over it (all of them when it has fewer), with a key naming them. */
function window(what: string, data: NonNullable<ModelInputs['data']>, split: SplitName, count: number, perWindow: number): { key: string; batch: FloatBatch } {
  const s = data.dataset.splits[split];
  const n = Math.min(count, s.windows.samples);
  const picked = Array.from({ length: n }, (_, i) => Math.floor((i * s.windows.samples) / n));
  const out = new Float64Array(n * perWindow);
  picked.forEach((w, i) => out.set(s.windows.data.subarray(w * perWindow, (w + 1) * perWindow), i * perWindow));
  return { key: hashValue({ what, file: data.sha256, split, picked, normalization: data.dataset.normalization }), batch: { samples: n, data: out } };
}

function heldOut(split: Split, dataset: Dataset, key: string): HeldOut {
  const n = dataset.normalization;
  const scale = n.from === 'none' ? undefined : { mean: dataset.targets.map((t) => n.mean[n.columns.indexOf(t)]!), std: dataset.targets.map((t) => n.std[n.columns.indexOf(t)]!) };
  return { key, windows: split.windows, targets: split.targets, ...(split.persistence ? { persistence: split.persistence } : {}), ...(scale ? { scale } : {}) };
}

function readData(path: string, shown: string, field: (string | number)[]): Buffer {
  try {
    const size = statSync(path).size;
    if (size > MAX_DATA_BYTES) fail('KILN_E_DATA', field, `${shown} has ${size} bytes, more than kiln reads for calibration (${MAX_DATA_BYTES})`);
    return readFileSync(path);
  } catch (err) {
    if ((err as { name?: string }).name === 'KilnError') throw err;
    return fail('KILN_E_DATA', field, `cannot read ${shown}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message}`, 'data paths are relative to the config file');
  }
}

function loadDataset(design: ResolvedDesign, configDir: string, shown: (p: string) => string): NonNullable<ModelInputs['data']> {
  const d = design.data!;
  const input = design.layers[0]!;
  const [window, features] = [input.output.shape[0]!, input.output.shape[1]!];
  if (d.kind === 'csv') {
    const path = resolve(configDir, d.file);
    const bytes = readData(path, shown(path), ['data', 'csv']);
    const text = bytes.toString('utf8');
    const { columns, rows } = readCsvColumns(text, shown(path), [...new Set([...d.features, ...d.targets])]);
    const dataset = seriesDataset(columns, rows, shown(path), { window, features: d.features, targets: d.targets, horizon: d.horizon, split: d.split, normalize: d.normalize });
    return { file: shown(path), sha256: hashContent(bytes), dataset };
  }
  const wPath = resolve(configDir, d.windows);
  const tPath = resolve(configDir, d.targets);
  const wBytes = readData(wPath, shown(wPath), ['data', 'npy', 'windows']);
  const tBytes = readData(tPath, shown(tPath), ['data', 'npy', 'targets']);
  const w = readNpy(wBytes, shown(wPath), ['data', 'npy', 'windows']);
  const t = readNpy(tBytes, shown(tPath), ['data', 'npy', 'targets']);
  const outputs = design.layers.find((l) => l.path === design.output)!.output.elements;
  if (w.shape.length !== 3 || w.shape[1] !== window || w.shape[2] !== features) {
    fail('KILN_E_DATA', ['data', 'npy', 'windows'], `${shown(wPath)} has shape (${w.shape.join(', ')}); the model needs (N, ${window}, ${features}): N windows of ${window} steps and ${features} features`);
  }
  const n = w.shape[0]!;
  const tOk = (t.shape.length === 1 && outputs === 1) || (t.shape.length === 2 && t.shape[1] === outputs);
  if (!tOk || t.shape[0] !== n) fail('KILN_E_DATA', ['data', 'npy', 'targets'], `${shown(tPath)} has shape (${t.shape.join(', ')}); the model needs (${n}, ${outputs})${outputs === 1 ? ` or (${n},)` : ''}: one target row per window`);
  const bad = [w.data, t.data].map((a) => a.findIndex((v) => !Number.isFinite(v)));
  if (bad[0]! >= 0) fail('KILN_E_DATA', ['data', 'npy', 'windows'], `${shown(wPath)} holds ${w.data[bad[0]!]} at element ${bad[0]}`);
  if (bad[1]! >= 0) fail('KILN_E_DATA', ['data', 'npy', 'targets'], `${shown(tPath)} holds ${t.data[bad[1]!]} at element ${bad[1]}`);
  const bounds = splitBounds(n, d.split);
  const splits = {} as Record<SplitName, Split>;
  for (const s of SPLITS) {
    const [a, b] = bounds[s];
    if (b - a < 1) fail('KILN_E_DATA', ['data', 'split'], `${shown(wPath)} has ${n} windows; its ${s} split would be empty`);
    const windows = { samples: b - a, data: w.data.slice(a * window * features, b * window * features) };
    const pf = d.persistenceFeature;
    const persistence = pf === undefined ? undefined : Float64Array.from({ length: (b - a) * outputs }, (_, i) => windows.data[(Math.floor(i / outputs) * window + window - 1) * features + pf]!);
    splits[s] = { rows: [a, b], windows, targets: t.data.slice(a * outputs, b * outputs), ...(persistence ? { persistence } : {}) };
  }
  const columns = Array.from({ length: features }, (_, i) => `feature ${i}`);
  const dataset: Dataset = { window, features: columns, targets: Array.from({ length: outputs }, (_, i) => `target ${i}`), normalization: { columns, mean: columns.map(() => 0), std: columns.map(() => 1), from: 'none' }, splits };
  return { file: shown(wPath), sha256: hashContent(Buffer.concat([wBytes, tBytes])), dataset };
}
