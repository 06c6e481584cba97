/** Linear: a fully connected layer applied to every row, [rows, in] → [rows, out], with an optional bias. */
import { inBits, macMultiplier, macWidths } from '../_shared/rules.js';
import type { KindRules, MemoryShape } from '../types.js';

export interface LinearDims {
  readonly rows: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
}

export const rules: KindRules<'linear', LinearDims> = {
  settings: ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'],
  describe: 'is a linear layer',
  dims: (spec, inputs) => ({ rows: spec.shape[0]!, inFeatures: inputs[0]!.shape[1]!, outFeatures: spec.shape[1]!, bias: spec.bias }),
  widths: (d, inputs, weightBits) => macWidths(inBits(inputs), weightBits!, d.inFeatures, d.bias),
  memories: (d, w) => {
    const weights: MemoryShape = { role: 'weights', depth: d.inFeatures * d.outFeatures, width: w.weight! };
    return d.bias ? [weights, { role: 'bias', depth: d.outFeatures, width: w.bias! }] : [weights];
  },
  multiplier: (_d, w, inputs) => macMultiplier(inBits(inputs), w),
};
