/**
 * Per-tensor asymmetric (affine) quantization parameters: x ≈ scale · (q − zeroPoint), q a signed b-bit integer.
 *
 * These helpers use floating point on purpose: they only *choose parameters* (and quantize reference data,
 * e.g. weights or test inputs) at compile time. Nothing here is part of the integer datapath, which is
 * `roundShift` / `saturate` / `requantize` in integer.ts and the VHDL package kiln_arith.
 */
import { check, checkInt, reject } from './assert.js';
import { intRange } from './integer.js';

export interface AffineParams {
  /** Real value of one integer step (> 0). */
  readonly scale: number;
  /** The integer that represents real 0 (within the b-bit range). */
  readonly zeroPoint: number;
  /** Signed width b of the quantized integers. */
  readonly bits: number;
}

/** Smallest scale: float32 machine epsilon, as in the reference quantizers (a constant tensor still gets a scale). */
const MIN_SCALE = 2 ** -23;
/** Widest integers these float helpers handle exactly (kiln's tensors use 2..16). */
const MAX_AFFINE_BITS = 32;

/** Round half up (ties toward +∞) in float, without returning −0. Matches `roundShift` on ties. */
function roundHalfUp(v: number): number {
  return Math.round(v) + 0;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Asymmetric per-tensor parameters for real values observed in [min, max] (paper.md §3.1):
 * the range is first widened to include 0, then scale = (max − min) / (qmax − qmin) (at least float32 eps) and
 * zeroPoint = clamp(round(qmin − min / scale)), so that real 0 is represented exactly by zeroPoint.
 */
export function affineParams(min: number, max: number, bits: number): AffineParams {
  const fn = 'affineParams';
  checkInt(bits, 2, MAX_AFFINE_BITS, fn, 'bits');
  check(Number.isFinite(min) && Number.isFinite(max), fn, `min and max must be finite, got [${min}, ${max}]`);
  check(min <= max, fn, `min must not exceed max, got [${min}, ${max}]`);
  const { min: qmin, max: qmax } = intRange(bits);
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const scale = Math.max((hi - lo) / (qmax - qmin), MIN_SCALE);
  check(Number.isFinite(scale), fn, `range [${min}, ${max}] is too wide`);
  const zeroPoint = clamp(roundHalfUp(qmin - lo / scale), qmin, qmax);
  return { scale, zeroPoint, bits };
}

function checkParams(p: AffineParams, fn: string): void {
  checkInt(p.bits, 2, MAX_AFFINE_BITS, fn, 'bits');
  if (!(Number.isFinite(p.scale) && p.scale > 0)) reject(fn, `scale must be finite and > 0, got ${p.scale}`);
  const { min, max } = intRange(p.bits);
  checkInt(p.zeroPoint, min, max, fn, 'zero point');
}

/** q = clamp(round(x / scale) + zeroPoint), rounding half up. */
export function quantize(x: number, p: AffineParams): number {
  checkParams(p, 'quantize');
  check(!Number.isNaN(x), 'quantize', 'x must not be NaN');
  const { min, max } = intRange(p.bits);
  return quantizeChecked(x, p, min, max);
}

function quantizeChecked(x: number, p: AffineParams, min: number, max: number): number {
  return clamp(roundHalfUp(x / p.scale) + p.zeroPoint, min, max);
}

/** quantize() of every value (parameters checked once: this is how weight tensors are quantized). */
export function quantizeAll(values: ArrayLike<number>, p: AffineParams): Int32Array {
  checkParams(p, 'quantizeAll');
  const { min, max } = intRange(p.bits);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isNaN(x)) reject('quantizeAll', `value ${i} must not be NaN`);
    out[i] = quantizeChecked(x, p, min, max);
  }
  return out;
}

/** x̂ = scale · (q − zeroPoint). */
export function dequantize(q: number, p: AffineParams): number {
  checkParams(p, 'dequantize');
  if (!Number.isFinite(q)) reject('dequantize', `q must be finite, got ${q}`);
  return p.scale * (q - p.zeroPoint);
}
