/** The integer square root and the symmetric ratio rounding of layer norm, against independent definitions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isqrt, roundRatioSymmetric, unsignedBitsFor } from '../../src/arith/index.js';

describe('isqrt', () => {
  it('is floor(√v): r² ≤ v < (r + 1)², over small values exhaustively and large ones by property', () => {
    for (let v = 0n; v < 5000n; v++) {
      const r = isqrt(v);
      expect(r * r <= v && (r + 1n) * (r + 1n) > v, `isqrt(${v}) = ${r}`).toBe(true);
    }
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 120n) - 1n }), (v) => {
        const r = isqrt(v);
        return r * r <= v && (r + 1n) * (r + 1n) > v;
      }),
      { numRuns: 2000 },
    );
  });

  it('is exact at squares and one below them', () => {
    for (const r of [1n, 2n, 3n, 255n, 65535n, (1n << 40n) - 1n, 1n << 40n]) {
      expect(isqrt(r * r)).toBe(r);
      expect(isqrt(r * r - 1n)).toBe(r - 1n);
    }
  });

  it('refuses a negative argument', () => {
    expect(() => isqrt(-1n)).toThrow(/non-negative/);
  });
});

describe('roundRatioSymmetric', () => {
  it('rounds n/d half away from zero and is odd: r(−n) = −r(n)', () => {
    expect(roundRatioSymmetric(5n, 2n)).toBe(3n); // 2.5 → 3
    expect(roundRatioSymmetric(-5n, 2n)).toBe(-3n); // −2.5 → −3
    expect(roundRatioSymmetric(7n, 3n)).toBe(2n); // 2.33 → 2
    expect(roundRatioSymmetric(-8n, 3n)).toBe(-3n); // −2.67 → −3
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 60n), max: 1n << 60n }), fc.bigInt({ min: 1n, max: 1n << 40n }), (n, d) => {
        const r = roundRatioSymmetric(n, d);
        const abs = (x: bigint) => (x < 0n ? -x : x);
        // |n/d − r| ≤ 1/2, with a tie going away from zero
        const err = 2n * abs(n - r * d);
        return roundRatioSymmetric(-n, d) === -r && err <= d && (err < d || abs(r * d) > abs(n));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('unsignedBitsFor', () => {
  it('is the width of an unsigned counter up to max', () => {
    expect([0n, 1n, 2n, 3n, 4n, 255n, 256n].map(unsignedBitsFor)).toEqual([1, 1, 2, 2, 3, 8, 9]);
  });
});
