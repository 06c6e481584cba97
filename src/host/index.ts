/**
 * The host side of the accelerator's ports. `report.json`'s `host` says how a window of floats becomes the
 * integers the input port takes and how the output port's integers become a forecast; these two functions apply
 * it with kiln's own quantization (src/arith), so a host computes exactly what the integer reference model and
 * the hardware were verified on. They read only the report, so a host program needs nothing else from the build.
 */
import { dequantize, quantizeAll, type AffineParams } from '../arith/index.js';

export interface HostTensor {
  /** The top level's ports that carry it. */
  readonly ports: string;
  /** [time, features] for the input window, [1, outputs] for the forecast. */
  readonly shape: readonly number[];
  /** How elements map to port addresses. */
  readonly layout: string;
  readonly bits: number;
  /** real = scale · (integer − zeroPoint), in the model's (normalised) units. */
  readonly scale: number;
  readonly zeroPoint: number;
  /** Only with data: the column of each element's last index (features, or targets) … */
  readonly columns?: readonly string[];
  /** … and how the model's units relate to the data's: normalised = (value − mean) / std, per column. */
  readonly normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
}

export interface HostInterface {
  readonly input: HostTensor;
  readonly output: HostTensor;
}

type HostSource = HostInterface | { readonly host: HostInterface };
const hostOf = (source: HostSource): HostInterface => ('host' in source ? source.host : source);
const affine = (t: HostTensor): AffineParams => ({ scale: t.scale, zeroPoint: t.zeroPoint, bits: t.bits });
const elementsOf = (t: HostTensor) => t.shape.reduce((n, d) => n * d, 1);

/**
 * A window of floats (row-major [time][feature], in the data's units; `normalized: true` when it is already in
 * the model's units) → the integers to write to the input port, address by address.
 */
export function quantizeWindow(source: HostSource, window: ArrayLike<number>, options: { normalized?: boolean } = {}): Int32Array {
  const t = hostOf(source).input;
  if (window.length !== elementsOf(t)) throw new RangeError(`the input window has ${elementsOf(t)} values ([${t.shape.join(', ')}]), got ${window.length}`);
  return quantizeAll(options.normalized ? window : normalize(t, window), affine(t));
}

/** The output port's integers, address by address → the forecast in the data's units (`normalized: true`: the model's). */
export function dequantizeOutput(source: HostSource, values: ArrayLike<number>, options: { normalized?: boolean } = {}): Float64Array {
  const t = hostOf(source).output;
  if (values.length !== elementsOf(t)) throw new RangeError(`the output has ${elementsOf(t)} values ([${t.shape.join(', ')}]), got ${values.length}`);
  const q = affine(t);
  const model = Float64Array.from(values, (v) => dequantize(v, q));
  const n = t.normalization;
  if (options.normalized || !n) return model;
  const columns = t.shape.at(-1)!;
  return model.map((v, i) => v * n.std[i % columns]! + n.mean[i % columns]!);
}

function normalize(t: HostTensor, values: ArrayLike<number>): ArrayLike<number> {
  const n = t.normalization;
  if (!n) return values;
  const columns = t.shape.at(-1)!;
  // the same expression the data loader normalises with (src/data/series.ts), so the doubles are identical
  return Float64Array.from(values, (v, i) => (v - n.mean[i % columns]!) / n.std[i % columns]!);
}
