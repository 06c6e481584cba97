/** Layer norm over the columns (d_model) of each row of a [rows, cols] input, with a per-column affine. */
import { signedBitsFor } from '../../arith/index.js';
import { inBits, M, macWidths, maxMag, rowsCols, type RowsCols } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

export const rules: KindRules<'layernorm', RowsCols> = {
  settings: ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'],
  describe: 'is a layer norm',
  dims: rowsCols,
  widths: (d, inputs, weightBits) => {
    // Row statistics: Σ(x − mean)² over cols needs 2(b+1) + log2(cols) bits.
    const affine = macWidths(inBits(inputs), weightBits!, 1, true);
    const sq = signedBitsFor(BigInt(d.cols) * maxMag(inBits(inputs) + 1) ** 2n);
    return { ...affine, acc: Math.max(affine.acc!, sq) };
  },
  memories: (d, w) => [
    { role: 'weights', depth: d.cols, width: w.weight! },
    { role: 'bias', depth: d.cols, width: w.bias! },
  ],
  multiplier: (_d, w, inputs) => ({ aBits: Math.max(inBits(inputs) + 2, w.acc!), bBits: Math.max(w.weight! + 1, M) }),
};
