/** IR rules shared by several kinds: widths of multiply-accumulates and requantized sums. */
import { REQUANT_MULTIPLIER_BITS, signedBitsFor } from '../../arith/index.js';
import type { DerivedWidths, LayerInput } from '../../ir/types.js';

export const M = REQUANT_MULTIPLIER_BITS;

/** Largest |x − z| for a signed b-bit x and zero point z. */
export const maxMag = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

export const inBits = (inputs: readonly LayerInput[], i = 0): number => inputs[i]!.bits;

/** Dimensions of a layer whose output is a matrix [rows, cols]. */
export interface RowsCols {
  readonly rows: number;
  readonly cols: number;
}
export const rowsCols = (spec: { readonly shape: readonly number[] }): RowsCols => ({ rows: spec.shape[0]!, cols: spec.shape[1]! });

/** Widths of a MAC over `n` products of (a − z_a)(b − z_b), plus an optional bias of (a+1)+(b+1) bits. */
export function macWidths(aBits: number, bBits: number, n: number, withBias: boolean): DerivedWidths {
  const pmax = maxMag(aBits) * maxMag(bBits);
  const bias = withBias ? aBits + 1 + (bBits + 1) : undefined;
  const biasMax = bias === undefined ? 0n : 1n << BigInt(bias - 1);
  return {
    weight: bBits,
    ...(bias === undefined ? {} : { bias }),
    product: signedBitsFor(pmax),
    acc: signedBitsFor(BigInt(n) * pmax + biasMax),
    requantMultiplier: M,
  };
}

/** Widths of y = z + round((m1·(a − z_a) + m2·(b − z_b)) / 2^n) with m1, m2 < 2^(M−1). */
export function twoTermWidths(aBits: number, bBits: number): DerivedWidths {
  return { acc: signedBitsFor(2n * maxMag(Math.max(aBits, bBits)) * maxMag(M - 1)), requantMultiplier: M };
}

/** The multiplier of a layer that multiplies activations by parameters and requantizes on the same multiplier. */
export function macMultiplier(inputBits: number, w: DerivedWidths): { aBits: number; bBits: number } {
  return { aBits: Math.max(inputBits + 1, w.acc!), bBits: Math.max(w.weight! + 1, M) };
}

export const noMemories = () => [] as const;
export const noMultiplier = () => undefined;

