/** Batch norm over the columns of a [rows, cols] input, folded into a per-column affine. */
import { inBits, macMultiplier, macWidths, rowsCols, type RowsCols } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

export const rules: KindRules<'batchnorm', RowsCols> = {
  settings: ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'],
  describe: 'is a folded batch norm',
  dims: rowsCols,
  widths: (_d, inputs, weightBits) => macWidths(inBits(inputs), weightBits!, 1, true),
  memories: (d, w) => [
    { role: 'weights', depth: d.cols, width: w.weight! },
    { role: 'bias', depth: d.cols, width: w.bias! },
  ],
  multiplier: (_d, w, inputs) => macMultiplier(inBits(inputs), w),
};
