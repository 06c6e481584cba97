/**
 * The integer core of kiln: rounding shift, saturation and requantization, exact in BigInt.
 * The VHDL package `kiln_arith` (src/engines/_shared/arith-package.ts) implements the same three functions;
 * test/arith/vhdl-package.test.ts proves them equal on generated vectors.
 */
import { SHIFT_LIMIT, check, checkInt, reject } from './assert.js';
import type { Multiplier } from './multiplier.js';

/** Widest signed word `saturate` accepts. */
const MAX_SATURATE_BITS = 64;
/** Widest signed word whose range is made of JS safe integers (used where results are `number`s). */
const MAX_NUMBER_BITS = 53;

/** The range of a signed two's-complement `bits`-bit word: [−2^(bits−1), 2^(bits−1) − 1]. bits: 2..53. */
export function intRange(bits: number): { min: number; max: number } {
  checkInt(bits, 2, MAX_NUMBER_BITS, 'intRange', 'bits');
  const half = 2 ** (bits - 1);
  return { min: -half, max: half - 1 };
}

/**
 * Rounding right shift, round half up: floor((x + 2^(n−1)) / 2^n) for n > 0, x for n = 0.
 * BigInt `>>` is an arithmetic shift of two's complement, i.e. floor division (−300 >> 4 = −19), exactly like
 * `shift_right` on VHDL `signed`. Ties therefore go toward +∞: 2.5 → 3, −2.5 → −2. n: 0..1023.
 */
export function roundShift(x: bigint, n: number): bigint {
  checkInt(n, 0, SHIFT_LIMIT, 'roundShift', 'shift n');
  if (n === 0) return x;
  return (x + (1n << BigInt(n - 1))) >> BigInt(n);
}

/** Clamps x to the signed `bits`-bit range [−2^(bits−1), 2^(bits−1) − 1]. Never wraps. bits: 2..64. */
export function saturate(x: bigint, bits: number): bigint {
  checkInt(bits, 2, MAX_SATURATE_BITS, 'saturate', 'bits');
  const half = 1n << BigInt(bits - 1);
  if (x >= half) return half - 1n;
  if (x < -half) return -half;
  return x;
}

/**
 * Requantizes an accumulator: y = saturate(z + roundShift(acc · m, n), bits), as a JS number.
 * This is the only requantization rule of kiln (one rounding: half up; one narrowing: saturation).
 * `zeroPoint` must lie in the output range (affine zero points always do); bits: 2..53.
 *
 * `acc` may be a bigint or a safe-integer number. A number accumulator whose product and rounding offset stay
 * safe integers (every layer kiln builds: accumulators of at most ~40 bits, 16-bit multipliers) is computed in
 * doubles, where those operations are exact (dividing by 2^n and flooring is the arithmetic shift); anything
 * wider goes through BigInt. test/arith/integer.test.ts checks both paths against an exact rational reference.
 */
export function requantize(acc: bigint | number, mult: Multiplier, zeroPoint: number, bits: number): number {
  return requantizer(mult, zeroPoint, bits)(acc);
}

/**
 * requantize() with its multiplier, zero point and width fixed and checked once: the reference model applies
 * one requantization to every output element of a layer.
 */
export function requantizer(mult: Multiplier, zeroPoint: number, bits: number): (acc: bigint | number) => number {
  checkInt(bits, 2, MAX_NUMBER_BITS, 'requantize', 'bits');
  check(Number.isSafeInteger(mult.m) && mult.m > 0, 'requantize', `multiplier m must be a positive integer, got ${mult.m}`);
  checkInt(mult.n, 0, SHIFT_LIMIT, 'requantize', 'multiplier shift n');
  const half = 2 ** (bits - 1);
  checkInt(zeroPoint, -half, half - 1, 'requantize', `zero point (${bits}-bit output)`);
  const { m, n } = mult;
  const bias = n === 0 ? 0 : 2 ** (n - 1);
  // Scaling by 2^−n is exact in doubles (only the exponent changes), so floor(biased · 2^−n) is the shift.
  const inverse = 2 ** -n;
  // |product| within this keeps product + bias a safe integer; beyond it, BigInt.
  const limit = Number.MAX_SAFE_INTEGER - bias;
  const [bigM, bigZero] = [BigInt(m), BigInt(zeroPoint)];
  return (acc) => {
    if (typeof acc === 'number') {
      const product = acc * m;
      if (product <= limit && product >= -limit && Number.isInteger(acc)) {
        const y = zeroPoint + Math.floor((product + bias) * inverse);
        return y >= half ? half - 1 : y < -half ? -half : y;
      }
      if (!Number.isSafeInteger(acc)) reject('requantize', `accumulator must be a safe integer, got ${acc}`);
      acc = BigInt(acc);
    }
    return Number(saturate(bigZero + roundShift(acc * bigM, n), bits));
  };
}

/** Bits of a signed number able to hold every integer in [-maxAbs, maxAbs]. */
export function signedBitsFor(maxAbs: bigint): number {
  let bits = 1;
  while ((1n << BigInt(bits - 1)) - 1n < maxAbs) bits++;
  return bits;
}

/** Bits of an unsigned number able to hold every integer in [0, max] (at least 1). */
export function unsignedBitsFor(max: bigint): number {
  let bits = 1;
  while ((1n << BigInt(bits)) - 1n < max) bits++;
  return bits;
}

/** floor(√v) for v ≥ 0, exact (Newton's iteration on BigInt, started above the root). */
export function isqrt(v: bigint): bigint {
  if (v < 0n) reject('isqrt', `argument must be non-negative, got ${v}`);
  if (v < 2n) return v;
  // 2^⌈bits/2⌉ ≥ √v: Newton's iteration decreases monotonically from above to floor(√v).
  let x = 1n << BigInt(Math.ceil(v.toString(2).length / 2));
  for (;;) {
    const next = (x + v / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}

/**
 * Symmetric rounding of a ratio: sgn(n) · floor((2|n| + d) / (2d)) for d > 0, i.e. n/d rounded half away from
 * zero, so that a value and its negation round to a value and its negation.
 */
export function roundRatioSymmetric(n: bigint, d: bigint): bigint {
  if (d <= 0n) reject('roundRatioSymmetric', `divisor must be positive, got ${d}`);
  const magnitude = (2n * (n < 0n ? -n : n) + d) / (2n * d);
  return n < 0n ? -magnitude : magnitude;
}
