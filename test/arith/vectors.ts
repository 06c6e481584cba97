/**
 * Deterministic requantization test vectors for the VHDL package, computed with the TypeScript model.
 * Not a test file itself: used by vhdl-package.test.ts.
 */
import { chooseMultiplier, intRange, requantize } from '../../src/arith/index.js';

/** Widest product the testbench reads (p = hi·2^24 + lo). */
export const P_MAX_BITS = 48;
const LO_BITS = 24n;

export interface Vector {
  /** The product acc·m fed to requantize. */
  readonly p: bigint;
  /** Signed width of the VHDL operand holding p (p fits it). */
  readonly pbits: number;
  readonly n: number;
  readonly zp: number;
  readonly bits: number;
  readonly expected: number;
  /** What the vector exercises (for messages). */
  readonly tag: string;
}

/** Small seeded PRNG (mulberry32) with helpers; deterministic across platforms. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const u32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  /** Integer in [lo, hi] (small ranges). */
  const int = (lo: number, hi: number): number => lo + Math.floor((u32() / 2 ** 32) * (hi - lo + 1));
  /** Uniform k-bit unsigned BigInt. */
  const bits = (k: number): bigint => {
    let v = 0n;
    for (let i = 0; i < k; i += 32) v = (v << 32n) | BigInt(u32());
    return k <= 0 ? 0n : v & ((1n << BigInt(k)) - 1n);
  };
  /** Signed value uniform in the k-bit range. */
  const signed = (k: number): bigint => bits(k) - (1n << BigInt(k - 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  return { u32, int, bits, signed, pick };
}

/** Narrowest two's-complement width holding p (at least 1). */
export function minSignedWidth(p: bigint): number {
  const mag = p >= 0n ? p : -p - 1n;
  return mag.toString(2).length + (mag === 0n ? 0 : 1);
}

/** Zero points for a `bits`-bit output: the range ends, 0, and random values. */
function zeroPoint(r: ReturnType<typeof prng>, bits: number): number {
  const { min, max } = intRange(bits);
  const k = r.int(0, 5);
  return k === 0 ? min : k === 1 ? max : k === 2 ? 0 : r.int(min, max);
}

/**
 * A deterministic mix of vectors: products of accumulators and chosen multipliers, raw products over all
 * shifts 0..62, exact ties of both signs, values just inside / at / just outside / far outside both ends of
 * every output width 2..16, n = 0, n ≥ p's width, and the extreme 48-bit products.
 */
export function generateVectors(count: number, seed = 20240601): Vector[] {
  const r = prng(seed);
  const out: Vector[] = [];
  const fits = (p: bigint) => minSignedWidth(p) <= P_MAX_BITS;
  const add = (p: bigint, n: number, zp: number, bits: number, tag: string, pbits?: number): Vector | undefined => {
    if (!fits(p)) return undefined;
    const w = pbits ?? r.int(minSignedWidth(p), P_MAX_BITS);
    const v: Vector = { p, pbits: w, n, zp, bits, expected: requantize(p, { m: 1, n }, zp, bits), tag };
    out.push(v);
    return v;
  };
  const perKind = Math.ceil(count / 6);

  // 1. acc·m with m, n from chooseMultiplier (what a layer does)
  while (out.length < perKind) {
    const bits = r.int(2, 16);
    const factor = 10 ** (r.int(-6000, 1000) / 1000);
    const mult = chooseMultiplier(factor);
    const acc = r.signed(r.int(2, P_MAX_BITS - 16));
    const p = acc * BigInt(mult.m);
    const zp = zeroPoint(r, bits);
    const v = add(p, mult.n, zp, bits, 'acc*m');
    if (v !== undefined && v.expected !== requantize(acc, mult, zp, bits)) throw new Error('vector generator: requantize(acc, mult) ≠ requantize(acc·m, 2^−n)');
  }
  // 2. raw products of random magnitude, every shift 0..62
  while (out.length < 2 * perKind) {
    const bits = r.int(2, 16);
    add(r.signed(r.int(2, P_MAX_BITS)), r.int(0, 62), zeroPoint(r, bits), bits, 'raw');
  }
  // 3. exact ties k·2^n + 2^(n−1), both signs of k
  while (out.length < 3 * perKind) {
    const n = r.int(1, 40);
    const bits = r.int(2, 16);
    const { min, max } = intRange(bits);
    const zp = zeroPoint(r, bits);
    // k + 1 + zp in range: the tie decides the result (saturating ties are covered below)
    const k = BigInt(r.int(min - zp - 1, max - zp - 1));
    add(k * (1n << BigInt(n)) + (1n << BigInt(n - 1)), n, zp, bits, 'tie');
  }
  // 4. saturation edges: round_shift(p, n) + zp = target, around and far outside both ends
  while (out.length < 4 * perKind) {
    const bits = r.int(2, 16);
    const { min, max } = intRange(bits);
    const zp = zeroPoint(r, bits);
    const n = r.pick([0, 0, 1, 2, r.int(3, 24)]);
    const target = r.pick([max - 1, max, max + 1, max + 2, min + 1, min, min - 1, min - 2, 2 * max + 7, 2 * min - 7, 0]);
    const t = BigInt(target - zp);
    const far = r.int(0, 3) === 0 ? (r.int(0, 1) === 0 ? 1n : -1n) * r.bits(r.int(17, 30)) : 0n;
    // any p in [t·2^n − 2^(n−1), t·2^n + 2^(n−1)) rounds to t
    const low = n === 0 ? 0n : r.bits(n) - (1n << BigInt(n - 1));
    add(((t + far) << BigInt(n)) + low, n, zp, bits, 'saturation');
  }
  // 5. shifts at and beyond the operand width (the result is 0 + zp), and n = 0
  while (out.length < 5 * perKind) {
    const pbits = r.int(1, 40);
    const p = r.signed(pbits);
    const bits = r.int(2, 16);
    const n = r.pick([0, pbits - 1, pbits, pbits + 1, pbits + 2, r.int(pbits, 62)].filter((x) => x >= 0 && x <= 62));
    add(p, n, zeroPoint(r, bits), bits, 'width', pbits);
  }
  // 6. extremes of the 48-bit operand and of the signed ranges
  const ext = [-(1n << 47n), (1n << 47n) - 1n, -1n, 0n, 1n, -(1n << 46n), (1n << 46n) - 1n];
  while (out.length < count) {
    const bits = r.int(2, 16);
    add(r.pick(ext), r.int(0, 62), zeroPoint(r, bits), bits, 'extreme');
  }
  return out.slice(0, count);
}

/** Splits p into hi·2^24 + lo with 0 ≤ lo < 2^24 (hi fits a 24-bit signed integer). */
export function splitP(p: bigint): { hi: number; lo: number } {
  const hi = p >> LO_BITS;
  const lo = p - (hi << LO_BITS);
  return { hi: Number(hi), lo: Number(lo) };
}

/** One line per vector: `pbits hi lo n zero_point bits expected` (decimal), after a `#` header. */
export function vectorFile(vs: readonly Vector[]): string {
  const lines = ['# pbits p_hi p_lo n zero_point bits expected   (p = p_hi * 2**24 + p_lo)'];
  for (const v of vs) {
    const { hi, lo } = splitP(v.p);
    lines.push(`${v.pbits} ${hi} ${lo} ${v.n} ${v.zp} ${v.bits} ${v.expected}`);
  }
  return lines.join('\n') + '\n';
}
