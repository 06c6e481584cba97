/** Helpers of the kinds' semantics (float forwards and quantization); no hardware here. */
import { affineParams, chooseMultiplier, intRange, quantizeAll, REQUANT_MULTIPLIER_BITS, type AffineParams, type Multiplier } from '../../arith/index.js';
import type { Rng } from '../../util/rng.js';
import type { FloatBatch, ImportedTensor } from '../types.js';

export function batchOf(samples: number, elements: number): FloatBatch {
  return { samples, data: new Float64Array(samples * elements) };
}

/** Largest |accumulator| the reference keeps in a JS number: integers are exact below 2^53. */
const EXACT = 2 ** 53;
export function checkExact(acc: number, path: string): number {
  if (!(Math.abs(acc) < EXACT)) throw new Error(`${path}: accumulator ${acc} exceeds the exact integer range of the reference model`);
  return acc;
}

/** Symmetric quantization of a bias at `scale` into a signed `bits`-bit integer (saturating). */
export function quantizeBias(values: readonly number[] | Float64Array, scale: number, bits: number): Float64Array {
  const { min, max } = intRange(bits);
  return Float64Array.from(values, (v) => Math.min(max, Math.max(min, Math.round(v / scale))));
}

/**
 * Multipliers for a sum of terms that share one rounding shift: y = z + round(Σ m_k·v_k / 2^n).
 * The largest factor is normalised like any requantization; the others take the same shift.
 */
export function sharedShift(factors: readonly number[], path: string): { ms: number[]; shift: number } {
  const largest = Math.max(...factors);
  const base: Multiplier = chooseMultiplier(largest);
  const ms = factors.map((f) => Math.round(f * 2 ** base.n));
  const limit = 2 ** (REQUANT_MULTIPLIER_BITS - 1) - 1;
  for (const m of ms) if (m > limit) throw new Error(`${path}: multiplier ${m} does not fit ${REQUANT_MULTIPLIER_BITS} signed bits`);
  // A term more than 2^15 times finer than the largest rounds to m = 0: below the output's rounding, it is
  // dropped, as the hardware's integer sum would drop it (an all-zero positional table, window 1 × d_model 1,
  // has such a scale).
  return { ms, shift: base.n };
}

export function minMax(values: Float64Array | readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Synthetic affine parameters of a normalisation layer: γ ∈ [0.5, 1.5), β ∈ [−0.2, 0.2) per column. */
export function normAffineInit(cols: number, rng: Rng): { gamma: Float64Array; beta: Float64Array } {
  return {
    gamma: Float64Array.from({ length: cols }, () => rng.uniform(0.5, 1.5)),
    beta: Float64Array.from({ length: cols }, () => rng.uniform(-0.2, 0.2)),
  };
}

/**
 * A parameter tensor quantized per tensor at `bits`: the file's own integers, scale and zero point when it stored
 * them quantized (they must fit the width), otherwise an affine quantization of its observed range.
 */
export function quantizedOrAffine(values: Float64Array, quantized: ImportedTensor['quantized'], bits: number): { values: Int32Array; wq: AffineParams } {
  if (!quantized) {
    const { min, max } = minMax(values);
    const wq = affineParams(min, max, bits);
    return { values: quantizeAll(values, wq), wq };
  }
  const { min, max } = intRange(bits);
  const outside = quantized.values.findIndex((v) => v < min || v > max);
  if (outside >= 0 || quantized.zeroPoint < min || quantized.zeroPoint > max) {
    throw new Error(`its quantized integers (${outside >= 0 ? `element ${outside} is ${quantized.values[outside]}` : `zero point ${quantized.zeroPoint}`}) do not fit the layer's ${bits}-bit weights; set weightBits to the width they were trained at`);
  }
  return { values: quantized.values, wq: { scale: quantized.scale, zeroPoint: quantized.zeroPoint, bits } };
}
