/** Residual add of two activations of the same shape. */
import { inBits, M, noMemories, rowsCols, twoTermWidths, type RowsCols } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

export const rules: KindRules<'add', RowsCols> = {
  settings: ['outputBits', 'buffer', 'multiplier'],
  describe: 'adds two activations and has no weights',
  dims: rowsCols,
  widths: (_d, inputs) => twoTermWidths(inBits(inputs, 0), inBits(inputs, 1)),
  memories: noMemories,
  multiplier: (_d, _w, inputs) => ({ aBits: Math.max(inBits(inputs, 0), inBits(inputs, 1)) + 1, bBits: M }),
};
