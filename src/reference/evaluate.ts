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
import { runReference } from './run.js';
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

export function evaluate(design: ResolvedDesign, model: QuantizedModel, params: ReadonlyMap<string, unknown>, held: HeldOut): Evaluation {
  const samples = held.windows.samples;
  const input = design.layers[0]!;
  const inQ = model.layers.get(input.path)!.output;
  const perWindow = input.output.elements;
  const floats = floatForward(design, params, held.windows);
  const outputs = design.layers.find((l) => l.path === design.output)!.output.elements;
  const integerOut = new Float64Array(samples * outputs);
  const signal = new Map<string, number>();
  const noise = new Map<string, number>();
  for (let w = 0; w < samples; w++) {
    const x = quantizeAll(held.windows.data.subarray(w * perWindow, (w + 1) * perWindow), inQ);
    const values = runReference(design, model, x);
    for (const node of design.layers) {
      if (node.kind === 'input') continue;
      const q = model.layers.get(node.path)!.output;
      const ints = values.get(node.path)!;
      const f = floats.get(node.path)!.data.subarray(w * ints.length, (w + 1) * ints.length);
      let s = signal.get(node.path) ?? 0;
      let e = noise.get(node.path) ?? 0;
      for (let i = 0; i < ints.length; i++) {
        const deq = (ints[i]! - q.zeroPoint) * q.scale;
        s += f[i]! * f[i]!;
        e += (f[i]! - deq) ** 2;
        if (node.path === design.output) integerOut[w * outputs + i] = deq;
      }
      signal.set(node.path, s);
      noise.set(node.path, e);
    }
  }
  const float = metrics(floats.get(design.output)!.data, held.targets, outputs, held.scale);
  const integer = metrics(integerOut, held.targets, outputs, held.scale);
  const sqnr = [...signal].map(([path, s]) => ({ path, db: round(10 * Math.log10(s / Math.max(noise.get(path)!, Number.MIN_VALUE)), 2) }));
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

const round = (x: number, digits: number) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);
