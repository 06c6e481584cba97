/**
 * Layer norm over the columns (d_model) of each row of a [rows, cols] input, with a per-column affine γ, β. The
 * integer method (docs/arithmetic.md, "Layer norm") works on D_c = n·x_c − Σx, so that the row mean never needs
 * a division: V = Σ D_c², R = ⌊√(V + E)⌋, Q_c = D_c·2^F / R rounded symmetrically, then y = requant(Q·γ' + B).
 */
import { signedBitsFor, unsignedBitsFor } from '../../arith/index.js';
import { inBits, M, macWidths, rowsCols, type RowsCols } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

/** Widths of the row statistics, from the row length n, the input width and the output width. */
export interface LayernormStatistics {
  /** F: fraction bits of the normalized value Q = (x − μ)/σ · 2^F / √n; |Q| ≤ 2^F. */
  readonly fraction: number;
  /** Signed width of the row sum S = Σ x_c. */
  readonly sumBits: number;
  /** Signed width of D_c = n·x_c − S. */
  readonly diffBits: number;
  /** Unsigned width of V + E, where V = Σ D_c² and E ≤ 2^(bits of V) − 1 stands for ε. */
  readonly varianceBits: number;
  /** Unsigned width of R = ⌊√(V + E)⌋. */
  readonly rootBits: number;
  /** The largest E (ε in units of V): larger ones are clamped. */
  readonly epsMax: bigint;
}

export function layernormStatistics(cols: number, inputBits: number, outputBits: number): LayernormStatistics {
  const n = BigInt(cols);
  const half = 1n << BigInt(inputBits - 1); // |x| ≤ 2^(b−1)
  // Σ(n·x − S)² = n·(n·Σx² − S²) ≤ n²·Σx² ≤ n³·2^(2b−2)
  const vBits = unsignedBitsFor(n ** 3n * half * half);
  const varianceBits = vBits + 1;
  return {
    fraction: outputBits + Math.ceil(Math.log2(cols) / 2) + 2,
    sumBits: signedBitsFor(n * half),
    diffBits: signedBitsFor(2n * n * half),
    varianceBits,
    rootBits: Math.ceil(varianceBits / 2),
    epsMax: (1n << BigInt(vBits)) - 1n,
  };
}

export const rules: KindRules<'layernorm', RowsCols> = {
  settings: ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'],
  describe: 'is a layer norm',
  dims: rowsCols,
  // The affine stage: Q (F + 2 signed bits, |Q| ≤ 2^F) times γ', plus the bias.
  widths: (d, inputs, weightBits, outputBits) => macWidths(layernormStatistics(d.cols, inBits(inputs), outputBits).fraction + 1, weightBits!, 1, true),
  memories: (d, w) => [
    { role: 'weights', depth: d.cols, width: w.weight! },
    { role: 'bias', depth: d.cols, width: w.bias! },
  ],
  // One multiplier for D·D (the variance), Q·γ' (the affine) and acc·m (requantization).
  multiplier: (d, w, inputs, outputBits) => {
    const st = layernormStatistics(d.cols, inBits(inputs), outputBits);
    return { aBits: Math.max(st.diffBits, st.fraction + 2, w.acc!), bBits: Math.max(st.diffBits, w.weight! + 1, M) };
  },
};
