/**
 * Scoring a quantized model on held-out windows: the float model (the float forward of every kind, with the
 * float parameters it was quantized from), the integer reference model (what the hardware computes, bit for bit)
 * and the persistence baseline (the last value of the target in the window), by RMSE and MAE; and per layer, the
 * SQNR of its integer output (dequantized) against the float model's.
 */
import { quantizeAll } from '../arith/index.js';
import type { LayerKind } from '../dsl/index.js';
import type { LayerNodeOf, ResolvedDesign } from '../ir/types.js';
import { KINDS, type FloatMap } from '../kinds/index.js';
import type { FloatBatch } from '../kinds/types.js';
import { createRng } from '../util/rng.js';
import { hashContent, hashValue } from '../util/hash.js';
import { arithmeticKey, runLayer } from './run.js';
import type { QuantizedModel } from './types.js';

export interface Metrics {
  /** Over every window and output, in the model's (normalised) units. */
  readonly rmse: number;
  readonly mae: number;
  /** Per output, in the data's own units (when the data were normalised). */
  readonly rmseOriginal?: readonly number[];
  readonly maeOriginal?: readonly number[];
}

export interface Evaluation {
  readonly windows: number;
  readonly float: Metrics;
  readonly integer: Metrics;
  readonly persistence?: Metrics;
  /** (integer RMSE − float RMSE) / float RMSE. */
  readonly rmseIncrease: number;
  /** Per layer (but the input), 10·log10(Σ float² / Σ (float − integer)²) over the windows, in dB. */
  readonly sqnr: readonly { readonly path: string; readonly db: number }[];
  readonly worstLayer: { readonly path: string; readonly db: number };
}

export interface HeldOut {
  /** Names the windows and targets (file, split, normalisation), for caches; absent means "compare the data". */
  readonly key?: string;
  readonly windows: FloatBatch;
  /** Targets, samples × outputs, normalised like the model's outputs. */
  readonly targets: Float64Array;
  readonly persistence?: Float64Array;
  /** Mean and standard deviation of each target, to report errors in the data's units. */
  readonly scale?: { readonly mean: readonly number[]; readonly std: readonly number[] };
}

/**
 * Every layer's float output over a batch of windows, with the given float parameters (a layer without any, such
 * as the positional encoding, gets its kind's own from the design's seed).
 */
export function floatForward(design: ResolvedDesign, params: ReadonlyMap<string, unknown>, windows: FloatBatch): Map<string, FloatBatch> {
  const out = new Map<string, FloatBatch>();
  const run = <K extends LayerKind>(node: LayerNodeOf<K>): FloatBatch => {
    const sem = KINDS[node.kind].semantics;
    const inputs = node.kind === 'input' ? [windows] : node.inputs.map((i) => out.get(i.from)!);
    const p = (params.get(node.path) as FloatMap[K] | undefined) ?? sem.init(node, createRng(design.weights.seed, node.path));
    return sem.float(node, p, inputs);
  };
  for (const node of design.layers) out.set(node.path, run(node));
  return out;
}

function metrics(predicted: Float64Array, targets: Float64Array, outputs: number, scale: HeldOut['scale']): Metrics {
  let sq = 0;
  let abs = 0;
  const sqOut = new Float64Array(outputs);
  const absOut = new Float64Array(outputs);
  for (let i = 0; i < targets.length; i++) {
    const e = predicted[i]! - targets[i]!;
    sq += e * e;
    abs += Math.abs(e);
    const k = i % outputs;
    sqOut[k] = sqOut[k]! + e * e;
    absOut[k] = absOut[k]! + Math.abs(e);
  }
  const n = targets.length;
  const perOutput = n / outputs;
  return {
    rmse: Math.sqrt(sq / n),
    mae: abs / n,
    ...(scale
      ? {
          rmseOriginal: Array.from(sqOut, (v, k) => Math.sqrt(v / perOutput) * scale.std[k]!),
          maeOriginal: Array.from(absOut, (v, k) => (v / perOutput) * scale.std[k]!),
        }
      : {}),
  };
}

/**
 * What an evaluation keeps for the next one in the same process (watch mode): per layer, its float and its integer
 * outputs over all held-out windows, each under a key chaining what they are a function of, so after an edit only
 * the changed layers and those downstream are computed again.
 */
export interface EvaluationCache {
  readonly float: Map<string, { key: string; out: FloatBatch }>;
  readonly integer: Map<string, { key: string; out: Int32Array }>;
}

export function createEvaluationCache(): EvaluationCache {
  return { float: new Map(), integer: new Map() };
}

export interface EvaluateOptions {
  readonly cache?: EvaluationCache;
  /** Per layer, the key of its float parameters and forward (quantizeWithStats' floatKeys); needed to cache floats. */
  readonly floatKeys?: ReadonlyMap<string, string>;
}

export function evaluate(design: ResolvedDesign, model: QuantizedModel, params: ReadonlyMap<string, unknown>, held: HeldOut, options: EvaluateOptions = {}): Evaluation {
  const samples = held.windows.samples;
  const floats = cachedFloatForward(design, params, held, options);
  const integers = integerForward(design, model, held, options.cache);
  const outputs = design.layers.find((l) => l.path === design.output)!.output.elements;
  const integerOut = new Float64Array(samples * outputs);
  const sqnr: { path: string; db: number }[] = [];
  for (const node of design.layers) {
    if (node.kind === 'input') continue;
    const q = model.layers.get(node.path)!.output;
    const ints = integers.get(node.path)!;
    const f = floats.get(node.path)!.data;
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < ints.length; i++) {
      const deq = (ints[i]! - q.zeroPoint) * q.scale;
      signal += f[i]! * f[i]!;
      noise += (f[i]! - deq) ** 2;
      if (node.path === design.output) integerOut[i] = deq;
    }
    sqnr.push({ path: node.path, db: round(10 * Math.log10(signal / Math.max(noise, Number.MIN_VALUE)), 2) });
  }
  const float = metrics(floats.get(design.output)!.data, held.targets, outputs, held.scale);
  const integer = metrics(integerOut, held.targets, outputs, held.scale);
  const worstLayer = sqnr.reduce((a, b) => (b.db < a.db ? b : a), sqnr[0] ?? { path: '', db: Infinity });
  return {
    windows: samples,
    float,
    integer,
    ...(held.persistence ? { persistence: metrics(held.persistence, held.targets, outputs, held.scale) } : {}),
    rmseIncrease: (integer.rmse - float.rmse) / float.rmse,
    sqnr,
    worstLayer,
  };
}

/** floatForward, reusing the cached outputs of layers whose float key (and the held-out windows) are unchanged. */
function cachedFloatForward(design: ResolvedDesign, params: ReadonlyMap<string, unknown>, held: HeldOut, { cache, floatKeys }: EvaluateOptions): Map<string, FloatBatch> {
  if (!cache || !floatKeys || held.key === undefined) return floatForward(design, params, held.windows);
  const out = new Map<string, FloatBatch>();
  const run = <K extends LayerKind>(node: LayerNodeOf<K>): FloatBatch => {
    const key = `${held.key}|${floatKeys.get(node.path)}`;
    const hit = cache.float.get(node.path);
    if (hit?.key === key) return hit.out;
    const sem = KINDS[node.kind].semantics;
    const inputs = node.kind === 'input' ? [held.windows] : node.inputs.map((i) => out.get(i.from)!);
    const p = (params.get(node.path) as FloatMap[K] | undefined) ?? sem.init(node, createRng(design.weights.seed, node.path));
    const computed = sem.float(node, p, inputs);
    cache.float.set(node.path, { key, out: computed });
    return computed;
  };
  for (const node of design.layers) out.set(node.path, run(node));
  for (const path of [...cache.float.keys()]) if (!out.has(path)) cache.float.delete(path);
  return out;
}

/**
 * Every layer's integer output over all held-out windows (windows one after the other), layer by layer; with a
 * cache, a layer whose arithmetic and producers are unchanged (the key chains them, like the reference cache's)
 * keeps its outputs.
 */
function integerForward(design: ResolvedDesign, model: QuantizedModel, held: HeldOut, cache?: EvaluationCache): Map<string, Int32Array> {
  const samples = held.windows.samples;
  const input = design.layers[0]!;
  const inQ = model.layers.get(input.path)!.output;
  const perWindow = input.output.elements;
  const out = new Map<string, Int32Array>();
  const keys = new Map<string, string>();
  for (const node of design.layers) {
    const layer = model.layers.get(node.path)!;
    const key = cache ? hashContent([arithmeticKey(node, layer), node.kind === 'input' ? (held.key ?? hashValue(held.windows.data)) : '', ...node.inputs.map((i) => keys.get(i.from)!)].join('|')) : '';
    keys.set(node.path, key);
    const hit = cache?.integer.get(node.path);
    if (hit && hit.key === key) {
      out.set(node.path, hit.out);
      continue;
    }
    // every window in one call (the kinds' forwards take a batch of windows back to back)
    const inputs = node.kind === 'input' ? [quantizeAll(held.windows.data.subarray(0, samples * perWindow), inQ)] : node.inputs.map((i) => out.get(i.from)!);
    const values = runLayer(node, model, inputs);
    out.set(node.path, values);
    cache?.integer.set(node.path, { key, out: values });
  }
  if (cache) for (const path of [...cache.integer.keys()]) if (!out.has(path)) cache.integer.delete(path);
  return out;
}

const round = (x: number, digits: number) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);
