/** The model input: a [window, features] matrix written by the host. */
import { noMemories, noMultiplier, rowsCols, type RowsCols } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

export const rules: KindRules<'input', RowsCols> = {
  settings: ['outputBits', 'buffer'],
  describe: 'is the model input',
  dims: rowsCols,
  widths: () => ({}),
  memories: noMemories,
  multiplier: noMultiplier,
};
