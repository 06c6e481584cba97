import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SHIFT,
  REQUANT_MULTIPLIER_BITS,
  signedBitsFor,
  chooseMultiplier,
  multiplierRelativeError,
  requantize,
  roundShift,
  saturate,
} from '../../src/arith/index.js';

/** A factor log-uniform in [10^lo, 10^hi]. */
const logFactor = (lo: number, hi: number) =>
  fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).map((e) => 10 ** e);

describe('chooseMultiplier', () => {
  it('uses the IR constant of 16 bits by default', () => {
    expect(REQUANT_MULTIPLIER_BITS).toBe(16);
    expect(MAX_SHIFT).toBe(62);
  });

  it('keeps m a normalised positive signed 16-bit word with relative error ≤ 2^−15 (factors 1e-12..1e4)', () => {
    fc.assert(
      fc.property(logFactor(-12, 4), (factor) => {
        const { m, n } = chooseMultiplier(factor);
        expect(Number.isInteger(m) && Number.isInteger(n)).toBe(true);
        expect(m).toBeGreaterThanOrEqual(2 ** 14);
        expect(m).toBeLessThanOrEqual(2 ** 15 - 1);
        expect(signedBitsFor(BigInt(m))).toBeLessThanOrEqual(16);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(MAX_SHIFT);
        expect(multiplierRelativeError(factor, { m, n })).toBeLessThanOrEqual(2 ** -15);
        expect(multiplierRelativeError(factor, { m, n })).toBeLessThan(1e-4);
        // m is the rounding of factor·2^n (exact in float), or the n−1 case at the top of the range
        expect(Math.abs(m - factor * 2 ** n)).toBeLessThanOrEqual(0.5);
      }),
      { numRuns: 5000 },
    );
  });

  it('works the same for other multiplier widths (2..30 bits)', () => {
    fc.assert(
      fc.property(logFactor(-6, 0), fc.integer({ min: 2, max: 30 }), (factor, mBits) => {
        const mult = chooseMultiplier(factor, mBits);
        expect(mult.m).toBeGreaterThanOrEqual(2 ** (mBits - 2));
        expect(mult.m).toBeLessThanOrEqual(2 ** (mBits - 1) - 1);
        expect(signedBitsFor(BigInt(mult.m))).toBeLessThanOrEqual(mBits);
        expect(multiplierRelativeError(factor, mult)).toBeLessThanOrEqual(2 ** -(mBits - 1));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives m = 2^14 exactly for powers of two 2^k, k in −40..10 (no sign flip)', () => {
    for (let k = -40; k <= 10; k++) {
      const mult = chooseMultiplier(2 ** k);
      expect(mult).toEqual({ m: 2 ** 14, n: 14 - k });
      expect(multiplierRelativeError(2 ** k, mult)).toBe(0);
      // the multiplier fits a signed 16-bit port: +2^14 needs 16 bits (15 + sign), never 15
      expect(signedBitsFor(BigInt(mult.m))).toBe(16);
    }
    expect(chooseMultiplier(1)).toEqual({ m: 16384, n: 14 });
    expect(chooseMultiplier(0.5)).toEqual({ m: 16384, n: 15 });
    expect(chooseMultiplier(0.25)).toEqual({ m: 16384, n: 16 });
    expect(chooseMultiplier(2 ** 14)).toEqual({ m: 16384, n: 0 });
    expect(chooseMultiplier(1, 2)).toEqual({ m: 1, n: 0 });
    expect(chooseMultiplier(0.5, 2)).toEqual({ m: 1, n: 1 });
  });

  it('powers of two requantize exactly as a rounding shift', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 30n), max: 1n << 30n }), fc.integer({ min: 0, max: 40 }), (acc, k) => {
        expect(requantize(acc, chooseMultiplier(2 ** -k), 0, 8)).toBe(Number(saturate(roundShift(acc, k), 8)));
      }),
      { numRuns: 1000 },
    );
    for (const acc of [-300n, -257n, -3n, -1n, 0n, 1n, 3n, 255n, 256n, 257n]) {
      expect(requantize(acc, chooseMultiplier(0.5), 0, 8)).toBe(Number(saturate(roundShift(acc, 1), 8)));
    }
  });

  it('uses n − 1 when rounding would reach 2^15 (top of the range)', () => {
    // factor·2^20 = 32767.75 rounds to 32768, one bit too wide: n = 19, m = 16384
    expect(chooseMultiplier((2 ** 15 - 0.25) * 2 ** -20)).toEqual({ m: 16384, n: 19 });
    expect(chooseMultiplier((2 ** 15 - 0.5) * 2 ** -20)).toEqual({ m: 16384, n: 19 });
    expect(chooseMultiplier((2 ** 15 - 0.51) * 2 ** -20)).toEqual({ m: 32767, n: 20 });
    expect(chooseMultiplier(32767.4)).toEqual({ m: 32767, n: 0 });
  });

  it('searches on the exact float (no decimal rounding): tiny factors keep full precision', () => {
    // prior art rounded M to 5 decimals: anything below 5e-6 became m = 0
    for (const factor of [4.9e-6, 1e-6, 1e-9, 1e-12, 3.3e-14]) {
      const mult = chooseMultiplier(factor);
      expect(mult.m).toBeGreaterThan(0);
      expect(mult.m).toBeGreaterThanOrEqual(2 ** 14);
      expect(multiplierRelativeError(factor, mult)).toBeLessThanOrEqual(2 ** -15);
    }
    expect(chooseMultiplier(0.0005)).toEqual({ m: Math.round(0.0005 * 2 ** 25), n: 25 });
    // the factor 0.123456789 is not treated as 0.12346
    const m = chooseMultiplier(0.123456789);
    expect(m).toEqual({ m: Math.round(0.123456789 * 2 ** 18), n: 18 });
  });

  it('handles the smallest factor the shift allows and rejects smaller ones', () => {
    expect(chooseMultiplier(2 ** -48)).toEqual({ m: 16384, n: 62 });
    expect(() => chooseMultiplier(2 ** -49)).toThrow(/too small/);
    expect(() => chooseMultiplier(1e-300)).toThrow(RangeError);
    expect(() => chooseMultiplier(Number.MIN_VALUE)).toThrow(RangeError);
    expect(chooseMultiplier(2 ** -49, 16, 63)).toEqual({ m: 16384, n: 63 });
    expect(() => chooseMultiplier(0.001, 16, 10)).toThrow(/maxShift/);
  });

  it('rejects factors too large for a shift ≥ 0', () => {
    expect(chooseMultiplier(32767.49)).toEqual({ m: 32767, n: 0 });
    expect(() => chooseMultiplier(32767.5)).toThrow(/too large/);
    expect(() => chooseMultiplier(32768)).toThrow(RangeError);
    expect(() => chooseMultiplier(1e6)).toThrow(RangeError);
    expect(() => chooseMultiplier(Number.MAX_VALUE)).toThrow(RangeError);
    expect(() => chooseMultiplier(1.5, 2)).toThrow(/too large/);
  });

  it('rejects factors that are not finite and > 0', () => {
    for (const bad of [0, -0, -1, -1e-9, Number.NaN, Infinity, -Infinity]) {
      expect(() => chooseMultiplier(bad)).toThrow(RangeError);
    }
  });

  it('rejects bad widths and shift limits', () => {
    for (const bits of [1, 0, 54, 16.5]) expect(() => chooseMultiplier(0.5, bits)).toThrow(RangeError);
    for (const s of [-1, 1.5, 2000]) expect(() => chooseMultiplier(0.5, 16, s)).toThrow(RangeError);
  });
});

describe('multiplierRelativeError', () => {
  it('is |m·2^−n − M| / M', () => {
    expect(multiplierRelativeError(0.5, { m: 1, n: 1 })).toBe(0);
    expect(multiplierRelativeError(0.3, { m: 1, n: 2 })).toBeCloseTo(0.05 / 0.3, 15);
    expect(() => multiplierRelativeError(0, { m: 1, n: 0 })).toThrow(RangeError);
  });
});
