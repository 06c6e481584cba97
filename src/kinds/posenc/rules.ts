/** Positional encoding: adds a sinusoidal table, quantized with the layer's weight width, to a [rows, cols] input. */
import { inBits, M, rowsCols, twoTermWidths, type RowsCols } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

export const rules: KindRules<'posenc', RowsCols> = {
  settings: ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'],
  describe: 'adds a positional-encoding table',
  dims: rowsCols,
  widths: (_d, inputs, weightBits) => ({ weight: weightBits!, ...twoTermWidths(inBits(inputs), weightBits!) }),
  memories: (d, w) => [{ role: 'table', depth: d.rows * d.cols, width: w.weight! }],
  multiplier: (_d, w, inputs) => ({ aBits: Math.max(inBits(inputs), w.weight!) + 1, bBits: M }),
};
