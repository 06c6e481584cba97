import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseMultiplier, intRange, requantize, roundShift, saturate, type Multiplier } from '../../src/arith/index.js';

/** floor(a / b) for b > 0 (BigInt `/` truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Independent reference for round half up of x / 2^n: floor((2x + 2^n) / 2^(n+1)) = floor(x/2^n + 1/2). */
function refRoundShift(x: bigint, n: number): bigint {
  return floorDiv(2n * x + (1n << BigInt(n)), 1n << BigInt(n + 1));
}

/** Independent reference for saturation: min/max over the exact range. */
function refSaturate(x: bigint, bits: number): bigint {
  const lo = -(2n ** BigInt(bits - 1));
  const hi = 2n ** BigInt(bits - 1) - 1n;
  return x < lo ? lo : x > hi ? hi : x;
}

const WIDTHS = Array.from({ length: 15 }, (_, i) => i + 2); // 2..16
const P60 = 1n << 60n;
const bigX = fc.oneof(
  fc.bigInt({ min: -P60, max: P60 }),
  fc.bigInt({ min: -(1n << 20n), max: 1n << 20n }),
  fc.bigInt({ min: -300n, max: 300n }),
  fc.constantFrom(-P60, P60, P60 - 1n, -P60 + 1n, 0n, -1n, 1n),
);

describe('roundShift', () => {
  it('matches the documented examples', () => {
    expect(roundShift(-300n, 4)).toBe(-19n); // −18.75 → −19
    expect(roundShift(300n, 4)).toBe(19n);
    expect(roundShift(40n, 4)).toBe(3n); // 2.5 → 3
    expect(roundShift(-40n, 4)).toBe(-2n); // −2.5 → −2 (ties toward +∞)
    expect(roundShift(5n, 1)).toBe(3n);
    expect(roundShift(-5n, 1)).toBe(-2n);
    expect(roundShift(-6n, 1)).toBe(-3n);
    expect(roundShift(7n, 0)).toBe(7n);
    expect(roundShift(-7n, 0)).toBe(-7n);
  });

  it('equals floor((2x + 2^n) / 2^(n+1)) for random x (up to ±2^60) and n in 0..62', () => {
    fc.assert(
      fc.property(bigX, fc.integer({ min: 0, max: 62 }), (x, n) => {
        expect(roundShift(x, n)).toBe(refRoundShift(x, n));
      }),
      { numRuns: 3000 },
    );
  });

  it('rounds ties k·2^n + 2^(n−1) up to k + 1, for both signs of k', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), fc.integer({ min: 1, max: 62 }), (k, n) => {
        const x = k * (1n << BigInt(n)) + (1n << BigInt(n - 1));
        expect(roundShift(x, n)).toBe(k + 1n);
        // one below the tie rounds down, one above stays up
        expect(roundShift(x - 1n, n)).toBe(k);
        expect(roundShift(x + 1n, n)).toBe(k + 1n);
      }),
      { numRuns: 1000 },
    );
  });

  it('is exact division for multiples of 2^n', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 50n), max: 1n << 50n }), fc.integer({ min: 0, max: 62 }), (k, n) => {
        expect(roundShift(k << BigInt(n), n)).toBe(k);
      }),
    );
  });

  it('rejects negative or fractional shifts', () => {
    expect(() => roundShift(1n, -1)).toThrow(RangeError);
    expect(() => roundShift(1n, 1.5)).toThrow(RangeError);
    expect(() => roundShift(1n, Number.NaN)).toThrow(RangeError);
    expect(() => roundShift(1n, 1024)).toThrow(RangeError);
    expect(roundShift(1n << 1100n, 1023)).toBe(1n << 77n);
  });
});

describe('saturate', () => {
  it.each(WIDTHS)('clamps at both ends for %i bits (just inside, at, just outside and far outside)', (bits) => {
    const max = (1n << BigInt(bits - 1)) - 1n;
    const min = -(1n << BigInt(bits - 1));
    expect(saturate(max, bits)).toBe(max);
    expect(saturate(max - 1n, bits)).toBe(max - 1n);
    expect(saturate(max + 1n, bits)).toBe(max);
    expect(saturate(max + 2n, bits)).toBe(max);
    expect(saturate(min, bits)).toBe(min);
    expect(saturate(min + 1n, bits)).toBe(min + 1n);
    expect(saturate(min - 1n, bits)).toBe(min);
    expect(saturate(min - 2n, bits)).toBe(min);
    expect(saturate(1n << 62n, bits)).toBe(max);
    expect(saturate(-(1n << 62n), bits)).toBe(min);
    expect(saturate(1n << 200n, bits)).toBe(max);
    expect(saturate(-(1n << 200n), bits)).toBe(min);
    expect(saturate(0n, bits)).toBe(0n);
    // wrap would give these instead: never
    expect(saturate(max + 1n, bits)).not.toBe(min);
  });

  it('equals min/max clamping for random values and widths 2..64', () => {
    fc.assert(
      fc.property(bigX, fc.integer({ min: 2, max: 64 }), (x, bits) => {
        expect(saturate(x, bits)).toBe(refSaturate(x, bits));
      }),
      { numRuns: 2000 },
    );
  });

  it('the prior-art case: 200 into 8 bits is 127 (not 72 as resize, not −56 as a slice)', () => {
    expect(saturate(200n, 8)).toBe(127n);
    expect(saturate(-200n, 8)).toBe(-128n);
  });

  it('rejects widths outside 2..64', () => {
    for (const bits of [0, 1, 65, 2.5, Number.NaN]) expect(() => saturate(0n, bits)).toThrow(RangeError);
  });
});

describe('intRange', () => {
  it('gives the signed range', () => {
    expect(intRange(2)).toEqual({ min: -2, max: 1 });
    expect(intRange(8)).toEqual({ min: -128, max: 127 });
    expect(intRange(16)).toEqual({ min: -32768, max: 32767 });
    expect(intRange(53)).toEqual({ min: -(2 ** 52), max: 2 ** 52 - 1 });
    for (const bits of [1, 54, 3.5]) expect(() => intRange(bits)).toThrow(RangeError);
  });
});

describe('requantize', () => {
  it('is saturate(z + roundShift(acc·m, n), bits)', () => {
    const mult: Multiplier = { m: 3, n: 2 };
    expect(requantize(10n, mult, 0, 8)).toBe(8); // 30/4 = 7.5 → 8
    expect(requantize(-10n, mult, 0, 8)).toBe(-7); // −7.5 → −7
    expect(requantize(-10n, mult, 5, 8)).toBe(-2);
    expect(requantize(1000n, mult, 0, 8)).toBe(127);
    expect(requantize(-1000n, mult, 0, 8)).toBe(-128);
    expect(requantize(1000n, mult, -128, 8)).toBe(127);
  });

  it.each(WIDTHS)('never leaves the %i-bit range and equals the exact rational reference', (bits) => {
    const { min, max } = intRange(bits);
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }),
        fc.integer({ min: 1, max: 2 ** 15 - 1 }),
        fc.integer({ min: 0, max: 62 }),
        fc.integer({ min, max }),
        (acc, m, n, zp) => {
          const y = requantize(acc, { m, n }, zp, bits);
          expect(Number.isInteger(y)).toBe(true);
          expect(y).toBeGreaterThanOrEqual(min);
          expect(y).toBeLessThanOrEqual(max);
          // M = m·2^−n exactly: y = saturate(floor(acc·m/2^n + 1/2) + zp)
          const exact = floorDiv(2n * acc * BigInt(m) + (1n << BigInt(n)), 1n << BigInt(n + 1)) + BigInt(zp);
          expect(BigInt(y)).toBe(refSaturate(exact, bits));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(WIDTHS)('gives the same result for a number accumulator as for a bigint one (%i-bit output)', (bits) => {
    const { min, max } = intRange(bits);
    // Accumulators from small to far past 2^53 / m, so both the double path and its BigInt fallback are taken.
    const acc = fc.oneof(fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.maxSafeInteger(), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 37, -(2 ** 37), 2 ** 37 - 1));
    fc.assert(
      fc.property(acc, fc.integer({ min: 1, max: 2 ** 16 - 1 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min, max }), (a, m, n, zp) => {
        expect(requantize(a, { m, n }, zp, bits)).toBe(requantize(BigInt(a), { m, n }, zp, bits));
      }),
      { numRuns: 400 },
    );
    expect(() => requantize(2 ** 53, { m: 1, n: 0 }, 0, bits)).toThrow(/safe integer/);
    expect(() => requantize(0.5, { m: 1, n: 0 }, 0, bits)).toThrow(/safe integer/);
  });

  it('with a power-of-two factor equals a saturated rounding shift', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), fc.integer({ min: 0, max: 20 }), (acc, k) => {
        const y = requantize(acc, chooseMultiplier(2 ** -k), 0, 8);
        expect(BigInt(y)).toBe(saturate(roundShift(acc, k), 8));
      }),
    );
    expect(requantize(5n, chooseMultiplier(0.5), 0, 8)).toBe(3);
    expect(requantize(-5n, chooseMultiplier(0.5), 0, 8)).toBe(-2);
    expect(requantize(-99n, chooseMultiplier(1), 0, 8)).toBe(-99); // prior art: 103 (sign flip)
    expect(requantize(-99n, chooseMultiplier(0.25), 0, 8)).toBe(-25); // −24.75
  });

  it('rejects bad arguments', () => {
    expect(() => requantize(1n, { m: 0, n: 0 }, 0, 8)).toThrow(RangeError);
    expect(() => requantize(1n, { m: -3, n: 0 }, 0, 8)).toThrow(RangeError);
    expect(() => requantize(1n, { m: 1.5, n: 0 }, 0, 8)).toThrow(RangeError);
    expect(() => requantize(1n, { m: 1, n: -1 }, 0, 8)).toThrow(RangeError);
    expect(() => requantize(1n, { m: 1, n: 0 }, 0, 1)).toThrow(RangeError);
    expect(() => requantize(1n, { m: 1, n: 0 }, 128, 8)).toThrow(/zero point/);
    expect(() => requantize(1n, { m: 1, n: 0 }, -129, 8)).toThrow(/zero point/);
    expect(() => requantize(1n, { m: 1, n: 0 }, 0.5, 8)).toThrow(RangeError);
  });
});
