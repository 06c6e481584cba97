/** ReLU: applied on its producer's read path; keeps its input's width and buffer. */
import { noMemories, noMultiplier, rowsCols, type RowsCols } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

export const rules: KindRules<'relu', RowsCols> = {
  settings: [],
  describe: "is applied on read and keeps its input's width and buffer",
  dims: rowsCols,
  widths: () => ({}),
  memories: noMemories,
  multiplier: noMultiplier,
};
