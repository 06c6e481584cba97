/** Average pooling over time: [window, cols] → [1, cols]. */
import { signedBitsFor } from '../../arith/index.js';
import { inBits, M, maxMag, noMemories } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

export interface AvgpoolDims {
  readonly window: number;
  readonly cols: number;
}

export const rules: KindRules<'avgpool', AvgpoolDims> = {
  settings: ['outputBits', 'buffer', 'multiplier'],
  describe: 'averages over time and has no weights',
  dims: (spec, inputs) => ({ window: inputs[0]!.shape[0]!, cols: spec.shape[1]! }),
  widths: (d, inputs) => ({ acc: signedBitsFor(BigInt(d.window) * maxMag(inBits(inputs))), requantMultiplier: M }),
  memories: noMemories,
  multiplier: (_d, w) => ({ aBits: w.acc!, bBits: M }),
};
