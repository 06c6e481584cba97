/**
 * Quantizing a design: PyTorch-style random float parameters (synthetic, deterministic in (seed, layer path)),
 * calibrated like post-training quantization (a float forward over time-series windows gives every tensor's
 * range), then quantized with the integer arithmetic of src/arith by each kind's semantics.
 *
 * One implementation, with an optional cache for incremental builds: the float calibration of each layer (its
 * float parameters and outputs, the expensive part) is reused while the layer's *structure* is unchanged, and
 * its QuantLayer while the layer and the quantization of its inputs and output are unchanged. This is exact:
 * a layer's float parameters depend only on (seed, path, kind, dimensions) and its float outputs only on those
 * and its producers' float outputs; bit widths, storage and multipliers never enter the float forward. So the
 * float key is (seed, path, kind, dims, shapes, producers' float keys). test/reference/cache.test.ts checks that
 * a cached run equals a fresh one after every edit of a sequence.
 */
import { affineParams, quantizeAll, type AffineParams } from '../arith/index.js';
import { fail, isKilnError } from '../dsl/diagnostics.js';
import type { LayerKind } from '../dsl/index.js';
import { SYNTHETIC_CALIBRATION_WINDOWS } from '../ir/sources.js';
import type { LayerNode, LayerNodeOf, ResolvedDesign } from '../ir/types.js';
import { KINDS, type FloatMap } from '../kinds/registry.js';
import type { FloatBatch } from '../kinds/types.js';
import { minMax } from '../kinds/_shared/semantics.js';
import { hashValue } from '../util/hash.js';
import { createRng } from '../util/rng.js';
import type { QuantizedModel, QuantLayer, QuantLayerOf } from './types.js';
import { TEST_WINDOWS } from '../ir/sources.js';

export { TEST_WINDOWS };

/**
 * Synthetic multivariate time series in [0, 1] (like min-max-scaled sensor data): one sinusoid per feature plus
 * noise; `stream` separates independent sets (calibration, test) of the same distribution.
 */
export function syntheticWindows(rows: number, cols: number, windows: number, seed: number, stream = 'input-data'): FloatBatch {
  const rng = createRng(seed, stream);
  const period = Array.from({ length: cols }, () => rng.uniform(6, 48));
  const amplitude = Array.from({ length: cols }, () => rng.uniform(0.15, 0.4));
  const data = new Float64Array(windows * rows * cols);
  for (let w = 0; w < windows; w++) {
    const start = rng.uniform(0, 1000);
    for (let t = 0; t < rows; t++)
      for (let c = 0; c < cols; c++) {
        const v = 0.5 + amplitude[c]! * Math.sin((2 * Math.PI * (start + t)) / period[c]!) + 0.05 * rng.normal();
        data[(w * rows + t) * cols + c] = Math.min(1, Math.max(0, v));
      }
  }
  return { samples: windows, data };
}

/** The float calibration of one layer. */
export interface FloatEntry {
  /** Its structure: everything its float parameters and float forward depend on. */
  key: string;
  /** Absent for an entry restored from a store until the layer is quantized. */
  params?: unknown;
  /** Absent for an entry restored from a store until a layer downstream needs it as its input. */
  out?: FloatBatch;
  range: { min: number; max: number };
  /** The statistics its float forward recorded into its params (KindSemantics.statistics). */
  statistics?: Record<string, Float64Array>;
}

/** What a build keeps between quantizations of the same design (in memory in watch mode; see src/build/). */
export interface QuantizeCache {
  calibration?: { key: string; batch: FloatBatch };
  floats: Map<string, FloatEntry>;
  quant: Map<string, { sig: string; layer: QuantLayer }>;
}

export interface QuantizeStats {
  /** Layers whose float calibration was (re)computed. */
  floatComputed: string[];
  /** Layers whose integer parameters were (re)computed. */
  quantComputed: string[];
}

export function createQuantizeCache(): QuantizeCache {
  return { floats: new Map(), quant: new Map() };
}

/** What the integer arithmetic of a layer depends on (reference model, quantization): no hardware choices. */
export function arithmeticView(node: LayerNode) {
  return { path: node.path, kind: node.kind, inputs: node.inputs, output: node.output, dims: node.dims, widths: node.widths };
}

/** `origin` says where the layer's float parameters come from (a seed, or a file's tensors) and how its range is observed. */
function floatKey(node: LayerNode, origin: string, producers: readonly string[], calibration: string | undefined): string {
  return hashValue({
    origin,
    path: node.path,
    kind: node.kind,
    dims: node.dims,
    shape: node.output.shape,
    elements: node.output.elements,
    inputs: node.inputs.map((i, k) => ({ from: i.from, shape: i.shape, elements: i.elements, float: producers[k] })),
    calibration,
  });
}

/**
 * Runs a kind's parameter quantization; a factor it cannot represent (e.g. a requantization multiplier out of
 * range) becomes a diagnostic naming the layer instead of an internal error.
 */
export function quantizeLayer<T>(node: LayerNode, quantize: () => T): T {
  try {
    return quantize();
  } catch (err) {
    if (isKilnError(err)) throw err;
    // (The arithmetic's messages start with the name of the function that refused: not the user's concern.)
    const reason = String((err as Error)?.message ?? err).replace(/^\w+: /, '');
    return fail('KILN_E_UNSUPPORTED', ['model', node.path], `cannot quantize '${node.path}': ${reason}`, 'change the widths of this layer or its neighbours');
  }
}

/**
 * Where quantization gets its numbers, when not from the design's seed alone: a trained model's float parameters
 * (each with a key naming what it came from), real calibration windows, real test windows. Windows are float and
 * normalised, samples × window × features.
 */
export interface QuantizeSources {
  readonly params?: { readonly of: (path: string) => unknown; readonly keyOf: (path: string) => string | undefined };
  readonly calibration?: { readonly key: string; readonly batch: FloatBatch };
  readonly test?: { readonly key: string; readonly batch: FloatBatch };
}

/** How an activation's range is read off its calibration values. */
export type Observer = 'minmax' | { readonly percentile: number };

/** The quantized model of a design, reusing what `cache` holds (pass none for a fresh computation). */
export function quantizeModel(design: ResolvedDesign, cache: QuantizeCache = createQuantizeCache(), sources: QuantizeSources = {}): QuantizedModel {
  return quantizeWithStats(design, cache, sources).model;
}

export function quantizeWithStats(
  design: ResolvedDesign,
  cache: QuantizeCache,
  sources: QuantizeSources = {},
): {
  model: QuantizedModel;
  stats: QuantizeStats;
  floatParams: ReadonlyMap<string, unknown>;
  /** Per layer, what its float parameters and float forward are a function of (the float calibration's key). */
  floatKeys: ReadonlyMap<string, string>;
} {
  const stats: QuantizeStats = { floatComputed: [], quantComputed: [] };
  const seed = design.weights.seed;
  const observer = design.quantization.observer;
  const inputNode = design.layers[0]!;
  const [rows, cols] = [inputNode.output.shape[0]!, inputNode.output.shape[1]!];
  const calKey = sources.calibration?.key ?? `${seed}:${rows}x${cols}x${SYNTHETIC_CALIBRATION_WINDOWS}`;
  // Every float key chains from the input layer's, which includes calKey: entries of another calibration set
  // simply stop matching.
  if (cache.calibration?.key !== calKey) cache.calibration = { key: calKey, batch: sources.calibration?.batch ?? syntheticWindows(rows, cols, SYNTHETIC_CALIBRATION_WINDOWS, seed) };
  const calibration = cache.calibration.batch;
  /** A layer's float parameters: the trained model's where it has them, synthetic otherwise. */
  const freshParams = <K extends LayerKind>(node: LayerNodeOf<K>): FloatMap[K] => (sources.params?.of(node.path) as FloatMap[K] | undefined) ?? KINDS[node.kind].semantics.init(node, createRng(seed, node.path));

  const keys = new Map<string, string>();
  const quant = new Map<string, AffineParams>();
  const layers = new Map<string, QuantLayer>();
  const nodes = new Map<string, LayerNode>(design.layers.map((n) => [n.path, n]));
  const entries = new Map<string, FloatEntry>();

  /** The float forward of one layer, with fresh parameters (into which it may record its statistics). */
  const runFloat = <K extends LayerKind>(node: LayerNodeOf<K>): { params: FloatMap[K]; out: FloatBatch } => {
    const sem = KINDS[node.kind].semantics;
    const params = freshParams(node);
    const inputs = node.kind === 'input' ? [calibration] : node.inputs.map((i) => floatOutput(i.from));
    stats.floatComputed.push(node.path);
    return { params, out: sem.float(node, params, inputs) };
  };
  /** A layer's float outputs, computed (with those of its producers) when a restored entry lacks them. */
  const floatOutput = (path: string): FloatBatch => {
    const entry = entries.get(path)!;
    entry.out ??= runFloat(nodes.get(path)!).out;
    return entry.out;
  };

  const quantizeNode = <K extends LayerKind>(node: LayerNodeOf<K>): void => {
    const sem = KINDS[node.kind].semantics;
    const origin = `${sources.params?.keyOf(node.path) ?? `seed ${seed}`}|${observerKey(observer)}`;
    const key = floatKey(node, origin, node.inputs.map((i) => keys.get(i.from)!), node.kind === 'input' ? calKey : undefined);
    keys.set(node.path, key);
    let entry = cache.floats.get(node.path);
    // A restored entry without the statistics its kind records cannot stand in for the float forward.
    if (entry && !entry.params && sem.statistics?.some((name) => !entry!.statistics?.[name])) entry = undefined;
    if (entry?.key !== key) {
      const { params, out } = runFloat(node);
      entry = { key, params, out, range: observe(out.data, observer), ...recordedStatistics(sem.statistics, params) };
      cache.floats.set(node.path, entry);
    }
    // A restored entry: fresh parameters plus the statistics its float forward recorded.
    entry.params ??= Object.assign(freshParams(node), entry.statistics);
    entries.set(node.path, entry);
    // The entry's key includes the layer's path and kind, so its params are this kind's.
    const params = entry.params as FloatMap[K];
    const inQ = node.inputs.map((i) => quant.get(i.from)!);
    const outQ = sem.fixedOutput?.(node, inQ) ?? affineParams(entry.range.min, entry.range.max, node.output.bits);
    quant.set(node.path, outQ);
    const sig = hashValue({ key, node: arithmeticView(node), inQ, outQ });
    let q = cache.quant.get(node.path);
    if (q?.sig !== sig) {
      const layer: QuantLayerOf<K> = { path: node.path, kind: node.kind, inputs: inQ, output: outQ, params: quantizeLayer(node, () => sem.quantize(node, params, inQ, outQ)) };
      q = { sig, layer: layer as QuantLayer };
      cache.quant.set(node.path, q);
      stats.quantComputed.push(node.path);
    }
    layers.set(node.path, q.layer);
  };

  for (const node of design.layers) quantizeNode(node);
  for (const path of [...cache.floats.keys()]) if (!layers.has(path)) cache.floats.delete(path);
  for (const path of [...cache.quant.keys()]) if (!layers.has(path)) cache.quant.delete(path);

  // Test windows: the real test split's, or another stream of the synthetic distribution; quantized like the
  // calibrated input.
  const inQ = quant.get(inputNode.path)!;
  const n = rows * cols;
  const test = sources.test?.batch ?? syntheticWindows(rows, cols, TEST_WINDOWS, seed, 'test-data');
  const testInputs = Array.from({ length: test.samples }, (_, w) => quantizeAll(test.data.subarray(w * n, (w + 1) * n), inQ));
  const floatParams = new Map([...entries].map(([path, e]) => [path, e.params]));
  return { model: { source: design.weights.source, seed, layers, testInputs }, stats, floatParams, floatKeys: keys };
}

const observerKey = (o: Observer) => (o === 'minmax' ? 'minmax' : `p${o.percentile}`);

/**
 * The range an activation is quantized over: its extremes (min/max), or the p-th and (100 − p)-th percentiles,
 * which let a few outliers saturate in exchange for a finer step for everything else.
 */
export function observe(values: Float64Array, observer: Observer): { min: number; max: number } {
  if (observer === 'minmax' || values.length === 0) return minMax(values);
  const rank = (q: number) => Math.min(values.length - 1, Math.max(0, Math.round((q / 100) * (values.length - 1))));
  const [low, high] = [rank(100 - observer.percentile), rank(observer.percentile)];
  // The two order statistics by selection, not a full sort: linear time, so a layer with tens of millions of
  // calibration values takes a fraction of a second. (Exactly the values a sort would put at those ranks.)
  const work = Float64Array.from(values);
  const max = select(work, high, 0, work.length - 1);
  // After selecting rank `high`, everything left of it is ≤ it: the low rank lies in that part.
  const min = low <= high ? select(work, low, 0, high) : select(work, low, high, work.length - 1);
  return { min, max };
}

/**
 * The value of rank k (0-based) among a[lo..hi], partially reordering them (Hoare's quickselect with a
 * median-of-three pivot, so sorted or constant runs stay linear on average).
 */
function select(a: Float64Array, k: number, lo: number, hi: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three into a[mid]
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // a[lo..j] ≤ pivot ≤ a[i..hi], and a[j+1..i-1] equal the pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** The statistics a kind's float forward recorded into its params, for the store. */
function recordedStatistics<F>(names: readonly (keyof F & string)[] | undefined, params: F): { statistics?: Record<string, Float64Array> } {
  if (!names) return {};
  const statistics: Record<string, Float64Array> = {};
  for (const name of names) {
    const v = params[name];
    if (v instanceof Float64Array) statistics[name] = v;
  }
  return { statistics };
}
