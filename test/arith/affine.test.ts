import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affineParams, dequantize, intRange, quantize, quantizeAll } from '../../src/arith/index.js';

describe('affineParams', () => {
  it('maps [min, max] onto the full signed range with 0 exact', () => {
    const p = affineParams(-1, 3, 8);
    expect(p.bits).toBe(8);
    expect(p.scale).toBeCloseTo(4 / 255, 15);
    expect(p.zeroPoint).toBe(Math.round(-128 + 1 / p.scale)); // −64.25 → −64
    expect(quantize(0, p)).toBe(p.zeroPoint);
    expect(dequantize(p.zeroPoint, p)).toBe(0);
    expect(quantize(-1, p)).toBe(-128);
    expect(quantize(3, p)).toBe(127);
  });

  it('includes 0 in the range first', () => {
    const pos = affineParams(2, 6, 8); // treated as [0, 6]
    expect(pos.scale).toBeCloseTo(6 / 255, 15);
    expect(pos.zeroPoint).toBe(-128);
    const neg = affineParams(-6, -2, 8); // treated as [−6, 0]
    expect(neg.scale).toBeCloseTo(6 / 255, 15);
    expect(neg.zeroPoint).toBe(127);
  });

  it('floors the scale at float32 epsilon for constant tensors', () => {
    const p = affineParams(0, 0, 8);
    expect(p.scale).toBe(2 ** -23);
    expect(p.zeroPoint).toBe(-128);
  });

  it('keeps zero points in range and the quantization error within half a step (widths 2..16)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.integer({ min: 2, max: 16 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b, bits, t) => {
          const [min, max] = a <= b ? [a, b] : [b, a];
          const p = affineParams(min, max, bits);
          const r = intRange(bits);
          expect(Number.isInteger(p.zeroPoint)).toBe(true);
          expect(p.zeroPoint).toBeGreaterThanOrEqual(r.min);
          expect(p.zeroPoint).toBeLessThanOrEqual(r.max);
          expect(p.scale).toBeGreaterThan(0);
          const lo = Math.min(min, 0);
          const hi = Math.max(max, 0);
          const x = lo + t * (hi - lo);
          const q = quantize(x, p);
          expect(q).toBeGreaterThanOrEqual(r.min);
          expect(q).toBeLessThanOrEqual(r.max);
          // within the represented range the error is at most half a step (plus one step where 0 pinned z)
          expect(Math.abs(dequantize(q, p) - x)).toBeLessThanOrEqual(1.5 * p.scale + 1e-9);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects bad arguments', () => {
    expect(() => affineParams(1, 0, 8)).toThrow(RangeError);
    expect(() => affineParams(Number.NaN, 0, 8)).toThrow(RangeError);
    expect(() => affineParams(0, Infinity, 8)).toThrow(RangeError);
    expect(() => affineParams(0, 1, 1)).toThrow(RangeError);
    expect(() => affineParams(0, 1, 33)).toThrow(RangeError);
    expect(() => affineParams(-1e308, 1e308, 8)).toThrow(/too wide/);
  });
});

describe('quantize / dequantize', () => {
  const p = { scale: 0.5, zeroPoint: 3, bits: 4 };

  it('rounds half up and clamps', () => {
    expect(quantize(0.25, p)).toBe(4); // 0.5 → 1, + 3
    expect(quantize(-0.25, p)).toBe(3); // −0.5 → 0 (ties toward +∞, like roundShift)
    expect(quantize(-0.75, p)).toBe(2); // −1.5 → −1
    expect(quantize(100, p)).toBe(7);
    expect(quantize(-100, p)).toBe(-8);
    expect(quantize(Infinity, p)).toBe(7);
    expect(quantize(-Infinity, p)).toBe(-8);
    expect(Object.is(quantize(-0.1, { scale: 1, zeroPoint: 0, bits: 8 }), 0)).toBe(true); // no −0
  });

  it('dequantizes as scale·(q − z)', () => {
    expect(dequantize(7, p)).toBe(2);
    expect(dequantize(-8, p)).toBe(-5.5);
  });

  it('rejects NaN and invalid parameters', () => {
    expect(() => quantize(Number.NaN, p)).toThrow(RangeError);
    expect(() => quantize(1, { ...p, scale: 0 })).toThrow(RangeError);
    expect(() => quantize(1, { ...p, zeroPoint: 8 })).toThrow(RangeError);
    expect(() => dequantize(Number.NaN, p)).toThrow(RangeError);
  });
});

describe('quantizeAll', () => {
  it('equals quantize() element by element, and rejects NaN', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { maxLength: 64 }), fc.integer({ min: 2, max: 16 }), (values, bits) => {
        const p = affineParams(Math.min(0, ...values), Math.max(0, ...values), bits);
        expect(Array.from(quantizeAll(values, p))).toEqual(values.map((v) => quantize(v, p)));
      }),
      { numRuns: 200 },
    );
    expect(() => quantizeAll([1, Number.NaN], affineParams(-1, 1, 8))).toThrow(/value 1 must not be NaN/);
  });
});
