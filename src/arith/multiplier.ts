/**
 * Fixed-point requantization multipliers: a real factor M is applied as (x · m) >> n with rounding,
 * M ≈ m · 2^−n. Chosen from the exact float (no decimal rounding first), normalised to a full signed word.
 */
import { SHIFT_LIMIT, check, checkInt } from './assert.js';

/** Signed width of every requantization multiplier m (m is kept in [2^14, 2^15), so the relative error of
 * m·2^-n against the real factor is below 2^-15 ≈ 3·10⁻⁵). */
export const REQUANT_MULTIPLIER_BITS = 16;

/**
 * Requantization by a real factor M ≈ m · 2^−n. m is a positive integer that fits a *signed* mBits-bit word
 * (m ≤ 2^(mBits−1) − 1, so the hardware multiplier port can hold it without a sign flip); n ≥ 0 is a right shift.
 */
export interface Multiplier {
  readonly m: number;
  readonly n: number;
}

/** Largest right shift `chooseMultiplier` uses by default (products stay well inside 64 + 62 bits of headroom). */
export const MAX_SHIFT = 62;

/** Widest multiplier word: m must be a safe integer (and m · 2^n exact in a double). */
const MAX_MULTIPLIER_BITS = 53;

/** ⌊log₂ x⌋ for a finite x > 0, exact (Math.log2 can be off by one ulp near powers of two). */
function floorLog2(x: number): number {
  let e = Math.floor(Math.log2(x));
  while (2 ** e > x) e--;
  while (2 ** (e + 1) <= x) e++;
  return e;
}

/**
 * Chooses m and n with m · 2^−n ≈ factor.
 *
 * n is chosen so that factor · 2^n lies in [2^(mBits−2), 2^(mBits−1)) and m = round(factor · 2^n), which keeps
 * m in [2^(mBits−2), 2^(mBits−1) − 1]: if rounding would give 2^(mBits−1) (one bit too wide for a signed word),
 * the shift n − 1 is used instead and m = 2^(mBits−2). A power of two 2^k therefore gives m = 2^(mBits−2),
 * n = mBits − 2 − k. Tiny factors take larger shifts; m is never 0.
 *
 * Relative error |m · 2^−n − M| / M ≤ 0.5 / 2^(mBits−2) = 2^−(mBits−1) (asserted).
 *
 * @throws RangeError if factor is not finite or ≤ 0, if it is too large for n ≥ 0 (factor ≥ 2^(mBits−1) − 0.5),
 *   or if it would need a shift larger than maxShift.
 */
export function chooseMultiplier(factor: number, mBits: number = REQUANT_MULTIPLIER_BITS, maxShift: number = MAX_SHIFT): Multiplier {
  const fn = 'chooseMultiplier';
  checkInt(mBits, 2, MAX_MULTIPLIER_BITS, fn, 'mBits');
  checkInt(maxShift, 0, SHIFT_LIMIT, fn, 'maxShift');
  check(Number.isFinite(factor) && factor > 0, fn, `factor must be a finite number > 0, got ${factor}`);
  const top = 2 ** (mBits - 1); // first value that no longer fits a signed mBits-bit word
  check(
    factor < top - 0.5,
    fn,
    `factor ${factor} is too large for a ${mBits}-bit signed multiplier with a shift n ≥ 0 (it must be < ${top - 0.5})`,
  );
  // factor < 2^(mBits−1) − 0.5 implies ⌊log₂ factor⌋ ≤ mBits − 2, so n ≥ 0; at n = 0 round(factor) < top.
  let n = mBits - 2 - floorLog2(factor);
  check(
    n <= maxShift,
    fn,
    `factor ${factor} is too small: it needs a shift of ${n} (> maxShift ${maxShift}) to keep ${mBits - 1} significant bits in m`,
  );
  let m = Math.round(factor * 2 ** n); // factor · 2^n is exact: scaling by a power of two
  if (m === top) {
    // factor · 2^n ∈ [top − 0.5, top): one bit less shift gives m = top / 2, still within 2^−(mBits−1).
    n -= 1;
    m = top / 2;
  }
  const mult: Multiplier = { m, n };
  const err = multiplierRelativeError(factor, mult);
  if (!(m >= top / 2 && m <= top - 1 && n >= 0 && err <= 2 ** -(mBits - 1))) {
    throw new Error(`${fn}: internal error for factor ${factor}: m = ${m}, n = ${n}, relative error ${err}`);
  }
  return mult;
}

/** |m · 2^−n − factor| / factor. */
export function multiplierRelativeError(factor: number, mult: Multiplier): number {
  check(Number.isFinite(factor) && factor > 0, 'multiplierRelativeError', `factor must be a finite number > 0, got ${factor}`);
  return Math.abs(mult.m * 2 ** -mult.n - factor) / factor;
}
